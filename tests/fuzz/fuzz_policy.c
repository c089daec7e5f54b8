/* fuzz_policy: the input as a policy file (slg_policy_parse), and the
 * inlined policy a watch keeps (slg_policy_inlined), which must read back
 * as the same policy: the service runs a watch again from it. Templates
 * named by "query" are looked for as check does, from the working
 * directory (the repository's queries/ when run by make). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/policy.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slg_err err = { 0, "" };
	struct slg_policy *p = NULL, *again = NULL;
	char *inl = NULL;

	if (slg_policy_parse((const char *)data, size, "fuzz.json", NULL, NULL,
	    &p, &err) != 0)
		goto out;
	if (slg_policy_inlined(p, &inl, &err) != 0)
		goto out;
	/* a policy that was taken must be taken again, inlined */
	if (slg_policy_parse(inl, strlen(inl), "fuzz.json", NULL, NULL, &again,
	    &err) != 0 || again->nobj != p->nobj ||
	    again->window != p->window || again->step != p->step ||
	    again->has_guard != p->has_guard) {
		fprintf(stderr, "fuzz_policy: the inlined policy reads "
		    "differently: %s\n%s\n", err.msg, inl);
		abort();
	}
	for (size_t i = 0; i < p->nobj; i++) {
		if (strcmp(again->obj[i].name, p->obj[i].name) != 0 ||
		    strcmp(again->obj[i].tmpl, p->obj[i].tmpl) != 0 ||
		    again->obj[i].query != NULL) {
			fprintf(stderr, "fuzz_policy: objective %zu changed "
			    "when inlined\n%s\n", i, inl);
			abort();
		}
	}
	if (p->has_guard && (strcmp(again->guard_tmpl, p->guard_tmpl) != 0 ||
	    again->guard_query != NULL)) {
		fprintf(stderr, "fuzz_policy: the guard changed when inlined\n"
		    "%s\n", inl);
		abort();
	}
out:
	slg_policy_free(again);
	slg_policy_free(p);
	free(inl);
	return 0;
}
