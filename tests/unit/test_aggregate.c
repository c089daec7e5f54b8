/* test_aggregate: one number from several values (avg, percentiles, min,
 * max), as baselines made of past verdicts use it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/aggregate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXV 12

/* 1 when got equals want (NaN equals NaN) or is within a relative 1e-9. */
static int
near(double got, double want)
{
	double tol = 1e-9 * (fabs(want) > 1 ? fabs(want) : 1);

	return got == want || (isnan(got) && isnan(want)) ||
	    (isfinite(want) && fabs(got - want) <= tol);
}

struct agg_case {
	const char *what;
	double v[MAXV];
	size_t n;
	enum slg_aggregate a;
	double want;
};

#define ONE { 0.08 }, 1
#define TWO { 1, 2 }, 2
#define TEN_UNSORTED { 7, 3, 10, 1, 9, 2, 8, 5, 4, 6 }, 10
#define DUPS { 5, 1, 5, 5 }, 4
#define ELEVEN { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 11
#define SPREAD { 0.120, -0.5, 0.095, 0.105, 0.300 }, 5

static const struct agg_case cases[] = {
	/* one value: every aggregate is that value */
	{ "one avg", ONE, SLG_AGG_AVG, 0.08 },
	{ "one p50", ONE, SLG_AGG_P50, 0.08 },
	{ "one p90", ONE, SLG_AGG_P90, 0.08 },
	{ "one p95", ONE, SLG_AGG_P95, 0.08 },
	{ "one min", ONE, SLG_AGG_MIN, 0.08 },
	{ "one max", ONE, SLG_AGG_MAX, 0.08 },
	/* two values: Keptn's position p * (n + 1), clamped to the ends */
	{ "two avg", TWO, SLG_AGG_AVG, 1.5 },
	{ "two p50", TWO, SLG_AGG_P50, 1.5 },
	{ "two p90", TWO, SLG_AGG_P90, 2 },
	{ "two p95", TWO, SLG_AGG_P95, 2 },
	{ "two min", TWO, SLG_AGG_MIN, 1 },
	{ "two max", TWO, SLG_AGG_MAX, 2 },
	/* 1..10 given out of order: position p * 11 between closest ranks */
	{ "ten avg", TEN_UNSORTED, SLG_AGG_AVG, 5.5 },
	{ "ten p50", TEN_UNSORTED, SLG_AGG_P50, 5.5 },
	{ "ten p90", TEN_UNSORTED, SLG_AGG_P90, 9.9 },
	{ "ten p95", TEN_UNSORTED, SLG_AGG_P95, 10 },
	{ "ten min", TEN_UNSORTED, SLG_AGG_MIN, 1 },
	{ "ten max", TEN_UNSORTED, SLG_AGG_MAX, 10 },
	/* duplicates: sorted 1 5 5 5 */
	{ "dups avg", DUPS, SLG_AGG_AVG, 4 },
	{ "dups p50", DUPS, SLG_AGG_P50, 5 },
	{ "dups p90", DUPS, SLG_AGG_P90, 5 },
	{ "dups min", DUPS, SLG_AGG_MIN, 1 },
	{ "dups max", DUPS, SLG_AGG_MAX, 5 },
	/* sorted -0.5 0.095 0.105 0.12 0.3; p50 is the middle one */
	{ "spread avg", SPREAD, SLG_AGG_AVG, 0.024 },
	{ "spread p50", SPREAD, SLG_AGG_P50, 0.105 },
	{ "spread p90", SPREAD, SLG_AGG_P90, 0.3 },
	{ "spread p95", SPREAD, SLG_AGG_P95, 0.3 },
	{ "spread min", SPREAD, SLG_AGG_MIN, -0.5 },
	{ "spread max", SPREAD, SLG_AGG_MAX, 0.3 },
	/* three values, odd count: p50 is the median exactly */
	{ "three p50", { 3, 1, 2 }, 3, SLG_AGG_P50, 2 },
	{ "four p50", { 4, 1, 3, 2 }, 4, SLG_AGG_P50, 2.5 },
	/* the values the README's claim of Keptn parity rests on: 0..10 */
	{ "eleven p50", ELEVEN, SLG_AGG_P50, 5 },
	{ "eleven p90", ELEVEN, SLG_AGG_P90, 9.8 },
	{ "eleven p95", ELEVEN, SLG_AGG_P95, 10 },
};

static void
test_aggregate(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct agg_case *t = &cases[i];
		double got = slg_aggregate(t->v, t->n, t->a);

		if (!near(got, t->want))
			fail_msg("%s: got %.17g, want %.17g", t->what, got,
			    t->want);
	}
}

/* The percentiles sort a copy: the caller's array keeps its order. */
static void
test_input_not_modified(void **state)
{
	static const enum slg_aggregate all[] = { SLG_AGG_AVG, SLG_AGG_P50,
	    SLG_AGG_P90, SLG_AGG_P95, SLG_AGG_MIN, SLG_AGG_MAX };
	static const double orig[] = { 9, 3, 7, 1, 3, 8 };
	double v[NELEM(orig)];

	(void)state;
	memcpy(v, orig, sizeof(v));
	for (size_t i = 0; i < NELEM(all); i++) {
		double got = slg_aggregate(v, NELEM(v), all[i]);

		assert_false(isnan(got));
		if (memcmp(v, orig, sizeof(v)) != 0)
			fail_msg("aggregate %d changed its input", (int)all[i]);
	}
}

/* Only the first n values count, whatever follows them. */
static void
test_only_n_values(void **state)
{
	static const double v[] = { 2, 4, 1000, -1000 };

	(void)state;
	assert_true(near(slg_aggregate(v, 2, SLG_AGG_AVG), 3));
	assert_true(near(slg_aggregate(v, 2, SLG_AGG_P50), 3));
	assert_true(near(slg_aggregate(v, 2, SLG_AGG_MAX), 4));
	assert_true(near(slg_aggregate(v, 2, SLG_AGG_MIN), 2));
}

/* No values, no aggregate: NaN, even from a NULL array. */
static void
test_empty_is_nan(void **state)
{
	static const enum slg_aggregate all[] = { SLG_AGG_AVG, SLG_AGG_P50,
	    SLG_AGG_P90, SLG_AGG_P95, SLG_AGG_MIN, SLG_AGG_MAX };
	static const double v[] = { 1, 2, 3 };

	(void)state;
	for (size_t i = 0; i < NELEM(all); i++) {
		if (!isnan(slg_aggregate(v, 0, all[i])))
			fail_msg("aggregate %d of nothing is not NaN",
			    (int)all[i]);
		if (!isnan(slg_aggregate(NULL, 0, all[i])))
			fail_msg("aggregate %d of NULL is not NaN",
			    (int)all[i]);
	}
}

/* A value outside the enum gives NaN, not a guess. */
static void
test_unknown_aggregate(void **state)
{
	static const double v[] = { 1, 2, 3 };

	(void)state;
	assert_true(isnan(slg_aggregate(v, NELEM(v), (enum slg_aggregate)99)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_input_not_modified),
		cmocka_unit_test(test_only_n_values),
		cmocka_unit_test(test_empty_is_nan),
		cmocka_unit_test(test_unknown_aggregate),
	};

	return cmocka_run_group_tests_name("aggregate", tests, NULL, NULL);
}
