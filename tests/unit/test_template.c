/* test_template: rendering PromQL templates, and the escaping that keeps a
 * value inside its string literal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The variables slogate itself passes (engine.c), with harmless values;
 * commit is known but unset. */
static const struct slg_tvar std_vars[] = {
	{ "service", "payment-gateway", 1 },
	{ "environment", "staging", 1 },
	{ "commit", NULL, 1 },
	{ "window", "30m", 0 },
	{ "step", "1m", 0 },
	{ "range", "5m", 0 },
};

/* Renders tmpl with vars and fails the test unless it succeeds and gives
 * want. */
static void
render_ok_at(const char *tmpl, const struct slg_tvar *vars, size_t nvars,
    const char *want, const char *file, int line)
{
	struct slg_err err = { 0, "" };
	char *out = (char *)"untouched";
	int rc;

	rc = slg_template_render(tmpl, vars, nvars, &out, &err);
	if (rc != 0) {
		print_error("'%s' refused: %d %s\n", tmpl, rc, err.msg);
		_fail(file, line);
	}
	if (out == NULL || strcmp(out, want) != 0) {
		print_error("'%s'\n rendered '%s'\n want     '%s'\n", tmpl,
		    out ? out : "(null)", want);
		free(out);
		_fail(file, line);
	}
	free(out);
}
#define render_ok(tmpl, vars, n, want) \
	render_ok_at((tmpl), (vars), (n), (want), __FILE__, __LINE__)

/* Renders tmpl and fails the test unless it gives SLG_EPOLICY, no output,
 * and a message that contains msg. */
static void
render_bad_at(const char *tmpl, const struct slg_tvar *vars, size_t nvars,
    const char *msg, const char *file, int line)
{
	struct slg_err err = { 0, "" };
	char *out = (char *)"untouched";
	int rc;

	rc = slg_template_render(tmpl, vars, nvars, &out, &err);
	if (rc != SLG_EPOLICY || err.code != SLG_EPOLICY || out != NULL ||
	    strstr(err.msg, msg) == NULL) {
		print_error("'%s' gave %d, code %d, out '%s', '%s'; want %d "
		    "and '%s'\n", tmpl, rc, err.code, out ? out : "(null)",
		    err.msg, SLG_EPOLICY, msg);
		if (rc == 0)
			free(out);
		_fail(file, line);
	}
}
#define render_bad(tmpl, vars, n, msg) \
	render_bad_at((tmpl), (vars), (n), (msg), __FILE__, __LINE__)

/* ---- rendering ---- */

struct ok_case {
	const char *tmpl;
	const char *want;
};

static const struct ok_case ok_cases[] = {
	{ "up", "up" },
	{ "", "" },
	/* every variable slogate sets */
	{ "sum(rate(http_requests_total{service=\"${service}\","
	    "environment=\"${environment}\"}[${range}]))",
	  "sum(rate(http_requests_total{service=\"payment-gateway\","
	    "environment=\"staging\"}[5m]))" },
	{ "avg_over_time(x[${window}:${step}])", "avg_over_time(x[30m:1m])" },
	{ "${window}${step}${range}", "30m1m5m" },
	{ "up{service='${service}'}", "up{service='payment-gateway'}" },
	{ "up{a=\"${service}-${environment}\"}",
	    "up{a=\"payment-gateway-staging\"}" },
	/* $$ is a literal $, inside and outside strings */
	{ "label_replace(up, \"dst\", \"$$1\", \"src\", \"(.*)\")",
	  "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")" },
	{ "$$$$", "$$" },
	{ "$${service}", "${service}" },
	/* escapes in the template keep the literal open: the variable after
	 * \" still stands inside the string */
	{ "up{a=\"q\\\"${service}\"}", "up{a=\"q\\\"payment-gateway\"}" },
	{ "up{a='q\\'${service}'}", "up{a='q\\'payment-gateway'}" },
	{ "up{a=\"\\\\\",b=\"${service}\"}",
	    "up{a=\"\\\\\",b=\"payment-gateway\"}" },
	/* a quote of the other kind does not close the literal */
	{ "up{a=\"it's ${service}\"}", "up{a=\"it's payment-gateway\"}" },
	{ "up{a='say \"${service}\"'}", "up{a='say \"payment-gateway\"'}" },
	/* raw strings with no variables pass through */
	{ "up{a=~`\\d+`}", "up{a=~`\\d+`}" },
};

static void
test_render(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(ok_cases); i++)
		render_ok(ok_cases[i].tmpl, std_vars, NELEM(std_vars),
		    ok_cases[i].want);
}

static void
test_render_commit(void **state)
{
	static const struct slg_tvar vars[] = {
		{ "commit", "0123456789abcdef0123456789abcdef01234567", 1 },
	};

	(void)state;
	render_ok("deploy_info{commit=\"${commit}\"}", vars, NELEM(vars),
	    "deploy_info{commit=\"0123456789abcdef0123456789abcdef01234567\"}");
}

struct bad_case {
	const char *tmpl;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	/* unknown or unset variables are named */
	{ "up{a=\"${nope}\"}", "unknown variable '${nope}'" },
	{ "up{a=\"${Service}\"}", "unknown variable '${Service}'" },
	{ "up{a=\"${}\"}", "unknown variable '${}'" },
	{ "up{a=\"${commit}\"}", "variable '${commit}' is not set" },
	/* ${ without } */
	{ "up{a=\"${service", "'${' without a closing '}'" },
	{ "${window", "'${' without a closing '}'" },
	/* a lone $ */
	{ "up{a=\"x$\"}", "'$' must start a ${variable}" },
	{ "$window", "'$' must start a ${variable}" },
	/* quoted variables belong inside "..." or '...' */
	{ "up{service=${service}}", "'${service}' must stand inside" },
	{ "up{service=\"a\",b=${environment}}",
	    "'${environment}' must stand inside" },
	{ "up{service=`${service}`}", "'${service}' must stand inside" },
	/* literals the template opens must be closed */
	{ "up{service=\"${service}}", "string literal opened with \" is not "
	    "closed" },
	{ "up{service='${service}}", "string literal opened with ' is not "
	    "closed" },
	{ "up{a=`x}", "string literal opened with ` is not closed" },
	{ "up{a=\"x\\\"}", "string literal opened with \" is not closed" },
};

static void
test_render_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad_cases); i++)
		render_bad(bad_cases[i].tmpl, std_vars, NELEM(std_vars),
		    bad_cases[i].msg);
}

/* The unknown variable's message cuts a very long name. */
static void
test_render_long_unknown(void **state)
{
	struct slg_err err;
	char tmpl[400], *out;

	(void)state;
	memset(tmpl, 'a', sizeof(tmpl));
	memcpy(tmpl, "${", 2);
	memcpy(tmpl + sizeof(tmpl) - 2, "}", 2);
	assert_int_equal(slg_template_render(tmpl, std_vars, NELEM(std_vars),
	    &out, &err), SLG_EPOLICY);
	assert_null(out);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "unknown variable '${aaaa"));
}

/* ---- escaping: a value can never close its literal ---- */

static size_t
count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void
test_render_injection(void **state)
{
	static const struct slg_tvar evil[] = {
		{ "service", "x\",service=~\".+", 1 },
		{ "environment", "prod'}or vector(1)#", 1 },
	};
	struct slg_err err;
	char *out = NULL;

	(void)state;
	render_ok("up{service=\"${service}\"}", evil, NELEM(evil),
	    "up{service=\"x\\x22,service=~\\x22.+\"}");
	render_ok("up{env='${environment}'}", evil, NELEM(evil),
	    "up{env='prod\\x27}or vector(1)#'}");

	/* only the template's own two quotes are left */
	assert_int_equal(slg_template_render("up{service=\"${service}\"}",
	    evil, NELEM(evil), &out, &err), 0);
	assert_int_equal(count_char(out, '"'), 2);
	assert_null(strstr(out, ",service=~\""));
	free(out);
}

struct esc_case {
	const char *value;
	const char *want;	/* as rendered inside "..." */
};

static const struct esc_case esc_cases[] = {
	{ "plain-text_1.2", "plain-text_1.2" },
	{ "", "" },
	{ "a\\b", "a\\\\b" },
	{ "\\", "\\\\" },
	{ "a\\\"b", "a\\\\\\x22b" },
	{ "two\nlines", "two\\x0alines" },
	{ "cr\rtab\t", "cr\\x0dtab\\x09" },
	{ "del\x7f", "del\\x7f" },
	{ "\x01", "\\x01" },
	{ "it's", "it\\x27s" },
	{ "back`tick", "back\\x60tick" },
	{ "$5 ${x}", "$5 ${x}" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
};

static void
test_render_escaping(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(esc_cases); i++) {
		struct slg_tvar v = { "service", esc_cases[i].value, 1 };
		char tmpl[] = "up{service=\"${service}\"}";
		char want[256];

		snprintf(want, sizeof(want), "up{service=\"%s\"}",
		    esc_cases[i].want);
		render_ok(tmpl, &v, 1, want);
	}
}

static void
test_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(esc_cases); i++) {
		char *got = slg_template_escape(esc_cases[i].value);

		assert_non_null(got);
		if (strcmp(got, esc_cases[i].want) != 0)
			fail_msg("escape gave '%s', want '%s'", got,
			    esc_cases[i].want);
		free(got);
	}
}

/* An unquoted variable is escaped too: it cannot open a literal. */
static void
test_render_unquoted_escaped(void **state)
{
	static const struct slg_tvar vars[] = { { "range", "5m\"]", 0 } };

	(void)state;
	render_ok("rate(x[${range}])", vars, NELEM(vars),
	    "rate(x[5m\\x22]])");
}

/*
 * BUG (gate/template.c): PromQL has line comments ("# ..." to the end of
 * the line), but the literal tracker in slg_template_render does not know
 * them, so a quote inside a comment opens a "literal" that the rest of the
 * template is judged by. A valid template whose comment has an apostrophe
 * is refused with "string literal opened with ' is not closed"; one whose
 * comment has a lone " is refused with "must stand inside". The escaping
 * still keeps values inside their literals, so this refuses good templates
 * but lets no bad one through.
 */
static void
test_render_comment_with_quote(void **state)
{
	static const struct slg_tvar vars[] = { { "service", "api", 1 } };

	(void)state;
	render_ok("# the service's p95\nup{service=\"${service}\"}", vars,
	    NELEM(vars), "# the service's p95\nup{service=\"api\"}");
	render_ok("# a 27\" screen\nup{service=\"${service}\"}", vars,
	    NELEM(vars), "# a 27\" screen\nup{service=\"api\"}");
}

/* A lookback written out, or an @ modifier, hides from the coverage
 * check how much of the window held data. */
static void
test_fixed_lookback(void **state)
{
	static const struct {
		const char *tmpl;
		const char *at;		/* NULL: every lookback a variable */
	} t[] = {
		{ "sum(rate(x[${range}]))", NULL },
		{ "max_over_time(rate(x[${range}])[${window}:${step}])", NULL },
		{ "up", NULL },
		{ "sum(rate(x{a=\"[5m]\"}[${range}]))", NULL },	/* a string */
		{ "sum(rate(x[${range}])) # not [5m] here", NULL },	/* a comment */
		{ "sum(rate(x[30m]))", "[30m]))" },
		{ "sum(rate(x[${range}])) / sum(rate(y[5m]))", "[5m]))" },
		{ "max_over_time(rate(x[1m])[${range}:])", "[1m])" },
		{ "sum(rate(x[${range}] @ end()))", "@ end()))" },
		{ "sum(rate(x[${range}]))\n/ sum(rate(y[${range}] @ 1700000000))",
		    "@ 1700000000))" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		const char *got = slg_template_fixed_lookback(t[i].tmpl);

		if (t[i].at == NULL && got != NULL)
			fail_msg("'%s': fixed at '%s'", t[i].tmpl, got);
		if (t[i].at != NULL && (got == NULL ||
		    strncmp(got, t[i].at, strlen(t[i].at)) != 0))
			fail_msg("'%s': '%s', want '%s'", t[i].tmpl,
			    got ? got : "(none)", t[i].at);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_commit),
		cmocka_unit_test(test_render_bad),
		cmocka_unit_test(test_render_long_unknown),
		cmocka_unit_test(test_render_injection),
		cmocka_unit_test(test_render_escaping),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_render_unquoted_escaped),
		cmocka_unit_test(test_render_comment_with_quote),
		cmocka_unit_test(test_fixed_lookback),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
