/* For `make lint`: cppcheck reads no system headers, so cJSON's loop
 * macro is given here as cJSON defines it. */
#define cJSON_ArrayForEach(element, array) \
	for (element = (array != NULL) ? (array)->child : NULL; \
	    element != NULL; element = element->next)
