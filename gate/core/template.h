/* template: renders PromQL templates, substituting ${name} variables with
 * values escaped for PromQL string literals. Must not do I/O. */
#ifndef SLG_TEMPLATE_H
#define SLG_TEMPLATE_H

#include "util/err.h"

struct slg_tvar {
	const char *name;
	const char *value;	/* NULL: known but unset, an error if used */
	int quoted;		/* must stand inside "..." or '...' */
};

/* Renders tmpl into *out (caller frees). "$$" is a literal "$". An unknown
 * or unset variable, a "${" without "}", or a quoted variable outside a
 * "..." or '...' literal gives SLG_EPOLICY. Values are escaped so that they
 * stay one string: a value can never close the literal and add a matcher. */
int slg_template_render(const char *tmpl, const struct slg_tvar *vars,
    size_t nvars, char **out, struct slg_err *err);

/* What makes a template's lookback not follow ${range}: a range or a
 * subquery range written out ("[5m]", "[5m:1m]") or an @ modifier, outside
 * string literals and comments. Returns a pointer to it in tmpl, or
 * NULL when every lookback is a variable. */
const char *slg_template_fixed_lookback(const char *tmpl);

/* The escaping used for values: \ becomes \\, quotes, backquotes and
 * control characters become \xHH, which both kinds of PromQL string accept.
 * Caller frees; NULL when out of memory. */
char *slg_template_escape(const char *s);

#endif
