/* template: renders PromQL templates with escaped variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "core/template.h"

static int
add_escaped(struct slg_buf *b, const char *s)
{
	int rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '\\': rc = slg_buf_puts(b, "\\\\"); break;
		default:
			/* \' is an error inside "..." and \" inside '...' in
			 * PromQL; \xHH is right in both */
			if (c < 0x20 || c == 0x7f || c == '"' || c == '\'' ||
			    c == '`')
				rc = slg_buf_printf(b, "\\x%02x", c);
			else
				rc = slg_buf_add(b, s, 1);
		}
	}
	return rc;
}

char *
slg_template_escape(const char *s)
{
	struct slg_buf b = SLG_BUF_INIT;

	if (add_escaped(&b, s) != 0) {
		slg_buf_release(&b);
		return NULL;
	}
	return slg_buf_detach(&b);
}

const char *
slg_template_fixed_lookback(const char *tmpl)
{
	char quote = 0;

	for (const char *p = tmpl; *p != '\0'; p++) {
		if (quote != 0) {
			if (quote != '`' && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == quote)
				quote = 0;
		} else if (*p == '#') {
			p += strcspn(p, "\n");
			if (*p == '\0')
				break;
		} else if (*p == '"' || *p == '\'' || *p == '`') {
			quote = *p;
		} else if (*p == '@' || (*p == '[' && strncmp(p + 1, "${",
		    2) != 0)) {
			return p;
		}
	}
	return NULL;
}

static const struct slg_tvar *
find_var(const struct slg_tvar *vars, size_t nvars, const char *name, size_t n)
{
	for (size_t i = 0; i < nvars; i++) {
		if (strlen(vars[i].name) == n && memcmp(vars[i].name, name, n) == 0)
			return &vars[i];
	}
	return NULL;
}

int
slg_template_render(const char *tmpl, const struct slg_tvar *vars,
    size_t nvars, char **out, struct slg_err *err)
{
	struct slg_buf b = SLG_BUF_INIT;
	const char *p = tmpl;
	char quote = 0;		/* the PromQL string literal we are in, if any */
	int rc = 0;

	*out = NULL;
	while (*p != '\0') {
		const struct slg_tvar *v;
		const char *close;
		size_t n;

		if (quote == 0 && *p == '#') {
			/* a PromQL comment runs to the end of the line; it is
			 * copied as it is, quotes and variables included */
			size_t line = strcspn(p, "\n");

			if (slg_buf_add(&b, p, line) != 0)
				goto nomem;
			p += line;
			continue;
		}
		if (*p != '$') {
			if (quote != 0 && quote != '`' && *p == '\\' && p[1] != '\0') {
				if (slg_buf_add(&b, p, 2) != 0)
					goto nomem;
				p += 2;
				continue;
			}
			if (quote == 0 && (*p == '"' || *p == '\'' || *p == '`'))
				quote = *p;
			else if (quote != 0 && *p == quote)
				quote = 0;
			if (slg_buf_add(&b, p++, 1) != 0)
				goto nomem;
			continue;
		}
		if (p[1] == '$') {
			if (slg_buf_puts(&b, "$") != 0)
				goto nomem;
			p += 2;
			continue;
		}
		if (p[1] != '{') {
			rc = slg_err_set(err, SLG_EPOLICY,
			    "'$' must start a ${variable} (write $$ for a "
			    "literal $)");
			goto out;
		}
		if ((close = strchr(p + 2, '}')) == NULL) {
			rc = slg_err_set(err, SLG_EPOLICY,
			    "'${' without a closing '}'");
			goto out;
		}
		n = (size_t)(close - (p + 2));
		if ((v = find_var(vars, nvars, p + 2, n)) == NULL) {
			rc = slg_err_set(err, SLG_EPOLICY,
			    "unknown variable '${%.*s}' (known: service, "
			    "environment, window, step, range, commit)",
			    (int)(n > 64 ? 64 : n), p + 2);
			goto out;
		}
		if (v->value == NULL) {
			rc = slg_err_set(err, SLG_EPOLICY,
			    "variable '${%s}' is not set", v->name);
			goto out;
		}
		if (v->quoted && (quote == 0 || quote == '`')) {
			rc = slg_err_set(err, SLG_EPOLICY,
			    "variable '${%s}' must stand inside a \"...\" string "
			    "literal", v->name);
			goto out;
		}
		if (add_escaped(&b, v->value) != 0)
			goto nomem;
		p = close + 1;
	}
	if (quote != 0) {
		rc = slg_err_set(err, SLG_EPOLICY,
		    "string literal opened with %c is not closed", quote);
		goto out;
	}
	*out = slg_buf_detach(&b);
	goto out;
nomem:
	rc = slg_err_set(err, SLG_ENOMEM, "out of memory rendering a template");
out:
	slg_buf_release(&b);
	return rc;
}
