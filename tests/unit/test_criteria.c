/* test_criteria: parsing "OP VALUE" criteria, judging values against them
 * and formatting values for people. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/criteria.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when got equals want (NaN equals NaN) or is within a relative 1e-9. */
static int
near(double got, double want)
{
	double tol = 1e-9 * (fabs(want) > 1 ? fabs(want) : 1);

	return got == want || (isnan(got) && isnan(want)) ||
	    (isfinite(want) && fabs(got - want) <= tol);
}

#define assert_near(got, want) do {					\
	double g_ = (got), w_ = (want);					\
	if (!near(g_, w_))						\
		fail_msg("%s is %.17g, want %.17g", #got, g_, w_);	\
} while (0)

/* ---- slg_criterion_parse: good input ---- */

struct parse_case {
	const char *in;
	enum slg_op op;
	enum slg_rel rel;
	enum slg_unit unit;
	double value;
	const char *text;	/* as kept in out->text */
};

static const struct parse_case good[] = {
	/* every operator, plain numbers */
	{ "< 5", SLG_OP_LT, SLG_REL_NONE, SLG_UNIT_NUMBER, 5, "< 5" },
	{ "<= 5", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_NUMBER, 5, "<= 5" },
	{ "> 5", SLG_OP_GT, SLG_REL_NONE, SLG_UNIT_NUMBER, 5, "> 5" },
	{ ">= 5", SLG_OP_GE, SLG_REL_NONE, SLG_UNIT_NUMBER, 5, ">= 5" },
	{ "<5", SLG_OP_LT, SLG_REL_NONE, SLG_UNIT_NUMBER, 5, "<5" },
	{ ">=0.25", SLG_OP_GE, SLG_REL_NONE, SLG_UNIT_NUMBER, 0.25, ">=0.25" },
	{ "<= 1e3", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_NUMBER, 1000, "<= 1e3" },
	{ "<= .5", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_NUMBER, 0.5, "<= .5" },
	/* percentages are ratios */
	{ ">= 99.95%", SLG_OP_GE, SLG_REL_NONE, SLG_UNIT_RATIO, 0.9995,
	    ">= 99.95%" },
	{ ">= 99.9 %", SLG_OP_GE, SLG_REL_NONE, SLG_UNIT_RATIO, 0.999,
	    ">= 99.9 %" },
	{ "< 1%", SLG_OP_LT, SLG_REL_NONE, SLG_UNIT_RATIO, 0.01, "< 1%" },
	/* durations are seconds */
	{ "<= 120ms", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_SECONDS, 0.12,
	    "<= 120ms" },
	{ "<= 120 ms", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_SECONDS, 0.12,
	    "<= 120 ms" },
	{ "<= 1.5s", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_SECONDS, 1.5,
	    "<= 1.5s" },
	{ "< 2m", SLG_OP_LT, SLG_REL_NONE, SLG_UNIT_SECONDS, 120, "< 2m" },
	{ "<= 1h", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_SECONDS, 3600, "<= 1h" },
	/* a sign makes a criterion relative to the baseline */
	{ "<= +10%", SLG_OP_LE, SLG_REL_PCT, SLG_UNIT_NUMBER, 10, "<= +10%" },
	{ ">= -5%", SLG_OP_GE, SLG_REL_PCT, SLG_UNIT_NUMBER, -5, ">= -5%" },
	{ "<= +0.02", SLG_OP_LE, SLG_REL_DELTA, SLG_UNIT_NUMBER, 0.02,
	    "<= +0.02" },
	{ "<= +20ms", SLG_OP_LE, SLG_REL_DELTA, SLG_UNIT_SECONDS, 0.02,
	    "<= +20ms" },
	{ "> -1.5s", SLG_OP_GT, SLG_REL_DELTA, SLG_UNIT_SECONDS, -1.5,
	    "> -1.5s" },
	/* whitespace around is trimmed, inside is kept */
	{ "  <=   120ms  ", SLG_OP_LE, SLG_REL_NONE, SLG_UNIT_SECONDS, 0.12,
	    "<=   120ms" },
	{ "\t>= 99.9%\n", SLG_OP_GE, SLG_REL_NONE, SLG_UNIT_RATIO, 0.999,
	    ">= 99.9%" },
};

static void
test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(good); i++) {
		const struct parse_case *t = &good[i];
		struct slg_criterion c;
		struct slg_err err = { 0, "" };
		int rc;

		rc = slg_criterion_parse(t->in, &c, &err);
		if (rc != 0)
			fail_msg("'%s' refused: %s", t->in, err.msg);
		if (c.op != t->op || c.rel != t->rel || c.unit != t->unit ||
		    !near(c.value, t->value) || strcmp(c.text, t->text) != 0)
			fail_msg("'%s' gave op %d rel %d unit %d value %.17g "
			    "text '%s'", t->in, c.op, c.rel, c.unit, c.value,
			    c.text);
	}
}

/* ---- slg_criterion_parse: bad input ---- */

struct bad_case {
	const char *in;
	const char *msg;	/* a part of the message */
};

static const struct bad_case bad[] = {
	{ "=> 5", "unknown operator '=>'" },
	{ "=> 5", "in '=> 5'" },
	{ "== 5", "unknown operator '=='" },
	{ "<> 5", "unknown operator '<>'" },
	{ "=< 120ms", "unknown operator '=<'" },
	{ "5", "no operator" },
	{ "5 parsecs", "no operator" },
	{ "<=", "has no number after the operator" },
	{ "<= ", "has no number after the operator" },
	{ ">= ms", "has no number after the operator" },
	{ "<= abc", "has no number after the operator" },
	{ "<= .", "has a bad number" },
	/* one line where people read it */
	{ ">=\v\n\n99.95%", "holds a control character" },
	{ "<= 120\rms", "holds a control character" },
	{ "<= +", "has a bad number" },
	{ "<= +inf", "has a bad number" },
	{ "<= 1e999", "has a bad number" },
	/* finite as written, infinite in seconds: no threshold */
	{ "<= 1e308h", "has a bad number" },
	/* hex is no decimal, though strtod reads it */
	{ "<= 0x10", "has a bad number" },
	{ ">= 0x1p-4%", "has a bad number" },
	{ ">= -1e307m", "has a bad number" },
	{ "<= 5 parsecs", "unknown unit 'parsecs'" },
	{ "<= 5 parsecs", "criterion '<= 5 parsecs'" },
	{ "<= 5x", "unknown unit 'x'" },
	{ "<= 5 hours", "unknown unit 'hours'" },
	{ "<= 5%%", "unknown unit '%%'" },
	{ "<= 5 5", "unknown unit '5'" },
	{ "", "empty criterion" },
	{ "   \t ", "empty criterion" },
	{ "<= 1000000000000000000000000000000000000000000000000000ms",
	    "is too long" },
};

static void
test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		const struct bad_case *t = &bad[i];
		struct slg_criterion c;
		struct slg_err err = { 0, "" };

		if (slg_criterion_parse(t->in, &c, &err) != SLG_EPOLICY ||
		    err.code != SLG_EPOLICY || strstr(err.msg, t->msg) == NULL)
			fail_msg("'%s' gave %d '%s', want %d and '%s'", t->in,
			    err.code, err.msg, SLG_EPOLICY, t->msg);
	}
}

/* A NULL err is allowed: the code still comes back. */
static void
test_parse_null_err(void **state)
{
	struct slg_criterion c;

	(void)state;
	assert_int_equal(slg_criterion_parse("=> 5", &c, NULL), SLG_EPOLICY);
	assert_int_equal(slg_criterion_parse("<= 5", &c, NULL), 0);
	assert_near(c.value, 5);
}

/* ---- slg_criterion_threshold and slg_criterion_holds ---- */

static void
test_threshold(void **state)
{
	struct slg_criterion c;
	struct slg_err err;

	(void)state;
	assert_int_equal(slg_criterion_parse("<= +10%", &c, &err), 0);
	assert_near(slg_criterion_threshold(&c, 0.08), 0.088);
	assert_int_equal(slg_criterion_parse(">= -5%", &c, &err), 0);
	assert_near(slg_criterion_threshold(&c, 200), 190);
	assert_int_equal(slg_criterion_parse("<= +20ms", &c, &err), 0);
	assert_near(slg_criterion_threshold(&c, 0.1), 0.12);
	/* absolute: the baseline does not matter */
	assert_int_equal(slg_criterion_parse("<= 120ms", &c, &err), 0);
	assert_near(slg_criterion_threshold(&c, 99), 0.12);
}

struct holds_case {
	const char *crit;
	double v;
	int has_baseline;
	double baseline;
	int want;
	int want_skipped;
};

static const struct holds_case holds[] = {
	/* boundaries */
	{ "<= 5", 5, 0, 0, 1, 0 },
	{ "< 5", 5, 0, 0, 0, 0 },
	{ "< 5", 4.999, 0, 0, 1, 0 },
	{ ">= 5", 5, 0, 0, 1, 0 },
	{ "> 5", 5, 0, 0, 0, 0 },
	{ "> 5", 5.001, 0, 0, 1, 0 },
	{ "<= 5", 5.001, 0, 0, 0, 0 },
	{ ">= 99.95%", 0.9995, 0, 0, 1, 0 },
	{ ">= 99.95%", 0.9994, 0, 0, 0, 0 },
	{ "<= 120ms", 0.12, 0, 0, 1, 0 },
	{ "<= 120ms", 0.121, 0, 0, 0, 0 },
	/* NaN meets nothing */
	{ "<= 5", NAN, 0, 0, 0, 0 },
	{ ">= 5", NAN, 0, 0, 0, 0 },
	{ "< 5", NAN, 0, 0, 0, 0 },
	{ "> 5", NAN, 0, 0, 0, 0 },
	{ "<= +10%", NAN, 1, 0.08, 0, 0 },
	/* infinities are no measurement: +Inf is no availability of 100%,
	 * -Inf no latency under 5 */
	{ "<= 5", INFINITY, 0, 0, 0, 0 },
	{ "< 5", INFINITY, 0, 0, 0, 0 },
	{ ">= 5", INFINITY, 0, 0, 0, 0 },
	{ "<= 5", -INFINITY, 0, 0, 0, 0 },
	{ ">= 5", -INFINITY, 0, 0, 0, 0 },
	{ "<= +10%", INFINITY, 0, 0, 0, 0 },
	{ ">= -5%", -INFINITY, 1, 100, 0, 0 },
	/* relative, baseline 0.08: "<= +10%" means <= 0.088 */
	{ "<= +10%", 0.087, 1, 0.08, 1, 0 },
	{ "<= +10%", 0.089, 1, 0.08, 0, 0 },
	{ "<= +10%", 0.1, 1, 0.08, 0, 0 },
	{ ">= -5%", 95.5, 1, 100, 1, 0 },
	{ ">= -5%", 94, 1, 100, 0, 0 },
	{ "<= +0.02", 0.11, 1, 0.1, 1, 0 },
	{ "<= +0.02", 0.13, 1, 0.1, 0, 0 },
	{ "<= +20ms", 0.119, 1, 0.1, 1, 0 },
	{ "<= +20ms", 0.121, 1, 0.1, 0, 0 },
	/* relative without a baseline: skipped, holds unless no number (a
	 * value that is none is not judged, so nothing was skipped) */
	{ "<= +10%", 1000, 0, 0, 1, 1 },
	{ "<= +0.02", 1000, 0, 0, 1, 1 },
	{ "<= +10%", NAN, 0, 0, 0, 0 },
	/* absolute with a baseline at hand: the baseline is ignored */
	{ "<= 5", 4, 1, 1, 1, 0 },
};

static void
test_holds(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(holds); i++) {
		const struct holds_case *t = &holds[i];
		struct slg_criterion c;
		struct slg_err err;
		int skipped = 0, got;

		assert_int_equal(slg_criterion_parse(t->crit, &c, &err), 0);
		got = slg_criterion_holds(&c, t->v, t->has_baseline,
		    t->baseline, &skipped);
		if (got != t->want || skipped != t->want_skipped)
			fail_msg("'%s' with %g (baseline %d %g): holds %d "
			    "skipped %d, want %d %d", t->crit, t->v,
			    t->has_baseline, t->baseline, got, skipped, t->want,
			    t->want_skipped);
	}
}

/* skipped may be NULL, and is never cleared once set. */
static void
test_holds_skipped_pointer(void **state)
{
	struct slg_criterion c;
	struct slg_err err;
	int skipped = 1;

	(void)state;
	assert_int_equal(slg_criterion_parse("<= +10%", &c, &err), 0);
	assert_int_equal(slg_criterion_holds(&c, 1, 0, 0, NULL), 1);
	assert_int_equal(slg_criterion_parse("<= 5", &c, &err), 0);
	assert_int_equal(slg_criterion_holds(&c, 1, 0, 0, &skipped), 1);
	assert_int_equal(skipped, 1);
}

/*
 * BUG (gate/criteria.c, slg_criterion_parse): the threshold is computed as
 * v / 100.0 for "%" and v * 0.001 for "ms", which is not the double nearest
 * to the decimal written: ">= 99.9%" gets 0.9990000000000001, so a value
 * of exactly 0.999 (999/1000 as Prometheus computes it) does not meet
 * ">= 99.9%", and 0.9999 does not meet "<= 99.99%". Parsing the number with
 * its scale in the exponent (strtod of "99.9e-2") gives the nearest double.
 */
static const struct holds_case boundary[] = {
	{ ">= 99.9%", 0.999, 0, 0, 1, 0 },
	{ "<= 99.99%", 0.9999, 0, 0, 1, 0 },
	{ "<= 99.999%", 0.99999, 0, 0, 1, 0 },
	{ ">= 12.3%", 0.123, 0, 0, 1, 0 },
	{ ">= 9ms", 0.009, 0, 0, 1, 0 },
	{ ">= 119ms", 0.119, 0, 0, 1, 0 },
	/* the same with an exponent, which took v / 100 still (found by
	 * checking slg_value_format_exact's promise near thresholds) */
	{ ">= 9.99e1%", 0.999, 0, 0, 1, 0 },
	{ "<= 9.999E1 %", 0.9999, 0, 0, 1, 0 },
	{ ">= 1.19e2ms", 0.119, 0, 0, 1, 0 },
	{ ">= 1.4421542042131322e-06%", 1.4421542042131322e-08, 0, 0, 1, 0 },
};

static void
test_holds_at_decimal_boundary(void **state)
{
	size_t nfail = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(boundary); i++) {
		const struct holds_case *t = &boundary[i];
		struct slg_criterion c;
		struct slg_err err;

		assert_int_equal(slg_criterion_parse(t->crit, &c, &err), 0);
		if (c.value != t->v ||
		    slg_criterion_holds(&c, t->v, 0, 0, NULL) != t->want) {
			print_error("'%s': threshold %.17g, value %.17g does "
			    "not meet it\n", t->crit, c.value, t->v);
			nfail++;
		}
	}
	assert_int_equal(nfail, 0);
}

/* ---- slg_op_str, slg_op_higher_is_better ---- */

static void
test_ops(void **state)
{
	(void)state;
	assert_string_equal(slg_op_str(SLG_OP_LT), "<");
	assert_string_equal(slg_op_str(SLG_OP_LE), "<=");
	assert_string_equal(slg_op_str(SLG_OP_GT), ">");
	assert_string_equal(slg_op_str(SLG_OP_GE), ">=");
	assert_int_equal(slg_op_higher_is_better(SLG_OP_LT), 0);
	assert_int_equal(slg_op_higher_is_better(SLG_OP_LE), 0);
	assert_int_equal(slg_op_higher_is_better(SLG_OP_GT), 1);
	assert_int_equal(slg_op_higher_is_better(SLG_OP_GE), 1);
}

/* ---- slg_value_format ---- */

struct format_case {
	double v;
	enum slg_unit unit;
	const char *want;
};

static const struct format_case formats[] = {
	{ 0.9995, SLG_UNIT_RATIO, "99.95%" },
	{ 1, SLG_UNIT_RATIO, "100%" },
	{ 0, SLG_UNIT_RATIO, "0%" },
	{ 0.12, SLG_UNIT_SECONDS, "120ms" },
	{ 0.0005, SLG_UNIT_SECONDS, "0.5ms" },
	{ 1.5, SLG_UNIT_SECONDS, "1.5s" },
	{ 1, SLG_UNIT_SECONDS, "1s" },
	{ 90, SLG_UNIT_SECONDS, "90s" },
	{ 42, SLG_UNIT_NUMBER, "42" },
	{ 0.25, SLG_UNIT_NUMBER, "0.25" },
	{ 1234567, SLG_UNIT_NUMBER, "1.23457e+06" },
	{ -3, SLG_UNIT_NUMBER, "-3" },
	{ NAN, SLG_UNIT_NUMBER, "no data" },
	{ NAN, SLG_UNIT_RATIO, "no data" },
	{ NAN, SLG_UNIT_SECONDS, "no data" },
	{ INFINITY, SLG_UNIT_NUMBER, "+Inf" },
	{ INFINITY, SLG_UNIT_SECONDS, "+Inf" },
	{ -INFINITY, SLG_UNIT_RATIO, "-Inf" },
};

static void
test_value_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(formats); i++) {
		const struct format_case *t = &formats[i];
		char out[64];

		memset(out, 'x', sizeof(out));
		slg_value_format(t->v, t->unit, out, sizeof(out));
		if (strcmp(out, t->want) != 0)
			fail_msg("%.17g unit %d gave '%s', want '%s'", t->v,
			    t->unit, out, t->want);
	}
}

/* A short buffer is cut, never overrun, and stays NUL-terminated. */
/* A value never reads as meeting a threshold it misses: as many more
 * digits as it takes, and no more. */
static void
test_value_format_exact(void **state)
{
	static const struct {
		double v;
		enum slg_unit unit;
		double t;
		const char *want;
	} t[] = {
		{ 0.9994999999999999, SLG_UNIT_RATIO, 0.9995,
		    "99.94999999999999%" },
		{ 0.9995, SLG_UNIT_RATIO, 0.9995, "99.95%" },
		{ 0.99951, SLG_UNIT_RATIO, 0.9995, "99.951%" },
		{ 0.9998, SLG_UNIT_RATIO, 0.9995, "99.98%" },
		/* the double after 0.12: above "<= 120ms", and says so */
		{ 0.12000000000000001, SLG_UNIT_SECONDS, 0.12,
		    "120.00000000000001ms" },
		{ 0.12, SLG_UNIT_SECONDS, 0.12, "120ms" },
		{ 0.12000000000000002, SLG_UNIT_SECONDS, 0.12,
		    "120.00000000000002ms" },
		{ 0.12004, SLG_UNIT_SECONDS, 0.12, "120.04ms" },
		{ 0.15, SLG_UNIT_SECONDS, 0.12, "150ms" },
		{ 100.00001, SLG_UNIT_NUMBER, 100, "100.00001" },
		{ 99.999999, SLG_UNIT_NUMBER, 100, "99.999999" },
		{ -0.5, SLG_UNIT_NUMBER, -0.5, "-0.5" },
		{ -0.50000001, SLG_UNIT_NUMBER, -0.5, "-0.50000001" },
		{ 0, SLG_UNIT_RATIO, 0.9995, "0%" },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		slg_value_format_exact(t[i].v, t[i].unit, &t[i].t, 1, out,
		    sizeof(out));
		if (strcmp(out, t[i].want) != 0)
			fail_msg("%.17g against %.17g: '%s', want '%s'", t[i].v,
			    t[i].t, out, t[i].want);
	}
}

static void
test_value_format_short_buffer(void **state)
{
	char out[8] = "zzzzzzz";

	(void)state;
	slg_value_format(1234.5, SLG_UNIT_NUMBER, out, 4);
	assert_string_equal(out, "123");
	assert_int_equal(out[5], 'z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_null_err),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_holds_skipped_pointer),
		cmocka_unit_test(test_holds_at_decimal_boundary),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_value_format),
		cmocka_unit_test(test_value_format_short_buffer),
		cmocka_unit_test(test_value_format_exact),
	};

	return cmocka_run_group_tests_name("criteria", tests, NULL, NULL);
}
