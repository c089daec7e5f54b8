/* test_eval: objectives x series -> per-objective results and a verdict.
 * eval is pure, so policies and series are made here by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when got equals want (NaN equals NaN) or is within a relative 1e-9. */
static int
near(double got, double want)
{
	return got == want || (isnan(got) && isnan(want)) ||
	    (isfinite(want) && fabs(got - want) <=
	    1e-9 * (fabs(want) > 1 ? fabs(want) : 1));
}

#define assert_near(got, want) do {					\
	double g_ = (got), w_ = (want);					\
	if (!near(g_, w_))						\
		fail_msg("%s is %.17g, want %.17g", #got, g_, w_);	\
} while (0)

/* The window every test judges: 06:50 to 07:00 on 2026-11-26, by 1m, so
 * a sustained objective needs 10 points, at 06:51, 06:52, ... 07:00. */
#define START INT64_C(1795675800)
#define END (START + 600)
#define STEP 60
#define NPTS 10
#define AT(i) ((double)(START + STEP * ((i) + 1)))

/* ---- making policies, series and verdicts ---- */

#define policy(text) test_policy("eval.json", (text))

#define HEAD "{'service': 'api', 'environment': 'staging', " \
	"'window': '10m', 'step': '1m', "

/* A series with n points from vals, the i-th at AT(i). */
struct fseries {
	struct slg_series s;
	struct slg_point pts[NPTS + 2];
};

static void
fill(struct fseries *f, const double *vals, size_t n)
{
	assert_true(n <= NELEM(f->pts));
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		f->pts[i].t = AT(i);
		f->pts[i].v = vals[i];
	}
	f->s.npts = n;
	f->s.pts = n ? f->pts : NULL;
}

/* One value, as an instant query answers. */
static void
fill1(struct fseries *f, double v)
{
	fill(f, &v, 1);
	f->pts[0].t = (double)END;
}

static struct slg_eval_input
input(const char *promql, const struct fseries *f)
{
	struct slg_eval_input in;

	memset(&in, 0, sizeof(in));
	in.promql = promql;
	in.series = f ? &f->s : NULL;
	return in;
}

static struct slg_verdict *
evaluate(const struct slg_policy *p, const struct slg_eval_input *in,
    const struct slg_eval_input *guard)
{
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->window_start = START;
	v->window_end = END;
	v->step = STEP;
	if (slg_eval(p, in, guard, v, &err) != 0)
		fail_msg("slg_eval: %s", err.msg);
	assert_int_equal(v->nobj, p->nobj);
	assert_non_null(v->reason);
	for (size_t i = 0; i < v->nobj; i++)
		assert_non_null(v->obj[i].detail);
	return v;
}

static const char *
status_name(enum slg_status s)
{
	return slg_status_str(s);
}

#define assert_status(got, want) do {					\
	enum slg_status g_ = (got), w_ = (want);			\
	if (g_ != w_)							\
		fail_msg("%s is %s, want %s", #got, status_name(g_),	\
		    status_name(w_));					\
} while (0)

/* ---- windowed objectives ---- */

static const char avail_windowed[] = HEAD "'objectives': [{'name': "
    "'availability', 'promql': 'avail', 'pass': '>= 99.95%', "
    "'warn': '>= 99.9%'}]}";

struct windowed_case {
	double value;
	enum slg_status status;
	enum slg_verdict_kind verdict;
	const char *detail;
};

static const struct windowed_case windowed[] = {
	{ 0.9999, SLG_ST_PASS, SLG_V_PASS, "" },
	{ 0.9995, SLG_ST_PASS, SLG_V_PASS, "" },
	{ 1, SLG_ST_PASS, SLG_V_PASS, "" },
	{ 0.9992, SLG_ST_WARN, SLG_V_WARN,
	    "99.92% misses >= 99.95%, meets warn >= 99.9%" },
	{ 0.9991, SLG_ST_WARN, SLG_V_WARN,
	    "99.91% misses >= 99.95%, meets warn >= 99.9%" },
	{ 0.998, SLG_ST_FAIL, SLG_V_FAIL,
	    "99.8% misses >= 99.95% and warn >= 99.9%" },
	{ 0, SLG_ST_FAIL, SLG_V_FAIL, "0% misses >= 99.95% and warn >= 99.9%" },
	{ -INFINITY, SLG_ST_FAIL, SLG_V_FAIL,
	    "-Inf: the query divides by zero; an infinite value meets no "
	    "criterion (>= 99.95%)" },
	/* a division by zero is no availability of 100% */
	{ INFINITY, SLG_ST_FAIL, SLG_V_FAIL,
	    "+Inf: the query divides by zero; an infinite value meets no "
	    "criterion (>= 99.95%)" },
	/* a value that misses never reads as its threshold */
	{ 0.9994999999999999, SLG_ST_WARN, SLG_V_WARN,
	    "99.94999999999999% misses >= 99.95%, meets warn >= 99.9%" },
	{ 0.9995, SLG_ST_PASS, SLG_V_PASS, "" },
	{ NAN, SLG_ST_NODATA, SLG_V_INCONCLUSIVE,
	    "no data: the query returned NaN" },
};

static void
test_windowed(void **state)
{
	struct slg_policy *p = policy(avail_windowed);

	(void)state;
	for (size_t i = 0; i < NELEM(windowed); i++) {
		const struct windowed_case *t = &windowed[i];
		struct fseries f;
		struct slg_eval_input in;
		struct slg_verdict *v;
		const struct slg_objective_result *r;

		fill1(&f, t->value);
		in = input("avail{x=\"1\"}", &f);
		v = evaluate(p, &in, NULL);
		r = &v->obj[0];
		if (r->status != t->status || v->verdict != t->verdict ||
		    strcmp(r->detail, t->detail) != 0)
			fail_msg("%g: %s '%s' verdict %s, want %s '%s' %s",
			    t->value, slg_status_str(r->status), r->detail,
			    slg_verdict_str(v->verdict),
			    slg_status_str(t->status), t->detail,
			    slg_verdict_str(t->verdict));
		assert_near(r->value, t->value);
		assert_near(r->value_at, isnan(t->value) ? 0 : (double)END);
		if (t->status != SLG_ST_PASS && t->status != SLG_ST_NODATA) {
			assert_contains(v->reason, "availability: ");
			assert_contains(v->reason, t->detail);
		}
		slg_verdict_free(v);
	}
	slg_policy_free(p);
}

/* Everything a windowed result carries, for one passing objective. */
static void
test_windowed_pass_fields(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': "
	    "'latency_p95', 'promql': 'p95', 'pass': '<= 120ms'}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;
	const struct slg_objective_result *r;

	(void)state;
	fill1(&f, 0.1);
	in = input("histogram_quantile(0.95, x)", &f);
	v = evaluate(p, &in, NULL);
	r = &v->obj[0];
	assert_verdict(v, SLG_V_PASS);
	assert_string_equal(v->reason,
	    "all 1 judged objectives met their pass criteria");
	assert_string_equal(r->name, "latency_p95");
	assert_string_equal(r->promql, "histogram_quantile(0.95, x)");
	assert_int_equal(r->sustained, 0);
	assert_int_equal(r->judged, 1);
	assert_int_equal(r->unit, SLG_UNIT_SECONDS);
	assert_string_equal(r->pass_text, "<= 120ms");
	assert_null(r->warn_text);
	assert_status(r->status, SLG_ST_PASS);
	assert_near(r->value, 0.1);
	assert_near(r->value_at, (double)END);
	assert_int_equal(r->has_baseline, 0);
	assert_true(isnan(r->baseline));
	assert_null(r->baseline_source);
	assert_string_equal(r->detail, "");
	assert_int_equal(v->has_guard, 0);
	assert_null(v->guard_promql);
	assert_true(isnan(v->guard_value));
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* A windowed objective judges the first point it is given. */
static void
test_windowed_uses_first_point(void **state)
{
	static const double vals[] = { 0.2, 0.01 };
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'p95', "
	    "'promql': 'p95', 'pass': '<= 120ms'}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill(&f, vals, 2);
	in = input("p95", &f);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_near(v->obj[0].value, 0.2);
	assert_string_equal(v->obj[0].detail, "200ms misses <= 120ms");
	assert_verdict(v, SLG_V_FAIL);
	assert_string_equal(v->reason, "p95: 200ms misses <= 120ms");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- sustained objectives ---- */

static const char p95_sustained[] = HEAD "'objectives': [{'name': 'p95', "
    "'promql': 'p95', 'pass': '<= 100ms', 'warn': '<= 150ms', "
    "'sustained': true}]}";

struct sustained_case {
	const char *what;
	double vals[NPTS + 1];
	size_t n;
	enum slg_status status;
	enum slg_verdict_kind verdict;
	double value;		/* the worst point, NaN when none */
	int worst;		/* its index, -1 when none */
	size_t points, failed, warned, missing;
	const char *detail;
};

#define N NAN
static const struct sustained_case sustained[] = {
	{ "all pass", { .05, .06, .07, .09, .08, .05, .05, .05, .05, .1 }, 10,
	    SLG_ST_PASS, SLG_V_PASS, 0.1, 9, 10, 0, 0, 0,
	    "all 10 points meet <= 100ms; worst 100ms" },
	{ "some warn", { .05, .12, .05, .05, .13, .05, .05, .05, .05, .05 },
	    10, SLG_ST_WARN, SLG_V_WARN, 0.13, 4, 10, 0, 2, 0,
	    "2 of 10 points miss <= 100ms, meet warn <= 150ms; worst 130ms at "
	    "2026-11-26T06:55:00Z" },
	{ "one fails", { .05, .12, .05, .05, .05, .05, .05, .2, .05, .05 },
	    10, SLG_ST_FAIL, SLG_V_FAIL, 0.2, 7, 10, 1, 1, 0,
	    "1 of 10 points miss <= 100ms and warn <= 150ms; worst 200ms at "
	    "2026-11-26T06:58:00Z" },
	{ "all fail", { 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 }, 10,
	    SLG_ST_FAIL, SLG_V_FAIL, 2, 9, 10, 10, 0, 0,
	    "10 of 10 points miss <= 100ms and warn <= 150ms; worst 2s at "
	    "2026-11-26T07:00:00Z" },
	{ "a point short", { .05, .05, .05, .05, .05, .05, .05, .05, .05 }, 9,
	    SLG_ST_NODATA, SLG_V_INCONCLUSIVE, 0.05, 0, 9, 0, 0, 1,
	    "no data for 1 of 10 points; not held for the whole window" },
	{ "a NaN point", { .05, .05, .05, N, .05, .05, .05, .05, .05, .05 },
	    10, SLG_ST_NODATA, SLG_V_INCONCLUSIVE, 0.05, 0, 9, 0, 0, 1,
	    "no data for 1 of 10 points; not held for the whole window" },
	{ "gap and warn", { .05, .12, N, .05, .05, .05, .05, .05, .05, .05 },
	    10, SLG_ST_NODATA, SLG_V_INCONCLUSIVE, 0.12, 1, 9, 0, 1, 1,
	    "no data for 1 of 10 points; not held for the whole window" },
	{ "gap and a failure", { .05, N, .05, .5, .05, .05, .05, .05 }, 8,
	    SLG_ST_FAIL, SLG_V_FAIL, 0.5, 3, 7, 1, 0, 3,
	    "1 of 10 points miss <= 100ms and warn <= 150ms; worst 500ms at "
	    "2026-11-26T06:54:00Z" },
	{ "all NaN", { N, N, N, N, N, N, N, N, N, N }, 10,
	    SLG_ST_NODATA, SLG_V_INCONCLUSIVE, NAN, -1, 0, 0, 0, 10,
	    "no data: none of 10 points has a value" },
	{ "empty", { 0 }, 0, SLG_ST_NODATA, SLG_V_INCONCLUSIVE, NAN, -1,
	    0, 0, 0, 10, "no data: none of 10 points has a value" },
};
#undef N

static void
test_sustained(void **state)
{
	struct slg_policy *p = policy(p95_sustained);

	(void)state;
	for (size_t i = 0; i < NELEM(sustained); i++) {
		const struct sustained_case *t = &sustained[i];
		struct fseries f;
		struct slg_eval_input in;
		struct slg_verdict *v;
		const struct slg_objective_result *r;

		fill(&f, t->vals, t->n);
		in = input("p95", &f);
		v = evaluate(p, &in, NULL);
		r = &v->obj[0];
		if (r->status != t->status || v->verdict != t->verdict ||
		    !near(r->value, t->value) ||
		    !near(r->value_at, t->worst < 0 ? 0 : AT(t->worst)) ||
		    r->points != t->points || r->points_failed != t->failed ||
		    r->points_warn != t->warned ||
		    r->points_missing != t->missing ||
		    strcmp(r->detail, t->detail) != 0)
			fail_msg("%s: got %s/%s value %g at %.0f, points %zu "
			    "failed %zu warn %zu missing %zu, '%s'", t->what,
			    slg_status_str(r->status),
			    slg_verdict_str(v->verdict), r->value, r->value_at,
			    r->points, r->points_failed, r->points_warn,
			    r->points_missing, r->detail);
		assert_int_equal(r->sustained, 1);
		slg_verdict_free(v);
	}
	slg_policy_free(p);
}

/* When higher is better, the worst point is the lowest. */
static void
test_sustained_higher_is_better(void **state)
{
	static const double vals[NPTS] = { 1, .9999, .9996, .9997, 1, 1, 1,
	    .9998, 1, 1 };
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'avail', "
	    "'promql': 'a', 'pass': '>= 99.95%', 'sustained': true}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill(&f, vals, NPTS);
	in = input("a", &f);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_near(v->obj[0].value, 0.9996);
	assert_near(v->obj[0].value_at, AT(2));
	assert_int_equal(v->obj[0].unit, SLG_UNIT_RATIO);
	assert_string_equal(v->obj[0].detail,
	    "all 10 points meet >= 99.95%; worst 99.96%");
	assert_verdict(v, SLG_V_PASS);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- the guard ---- */

static const char guarded[] = HEAD "'guard': {'promql': 'rate', "
    "'min': 100}, 'objectives': [{'name': 'p95', 'promql': 'p95', "
    "'pass': '<= 120ms'}]}";

static void
test_guard_enough_traffic(void **state)
{
	struct slg_policy *p = policy(guarded);
	struct fseries f, g;
	struct slg_eval_input in, gin;
	struct slg_verdict *v;

	(void)state;
	fill1(&f, 0.1);
	fill1(&g, 100);
	in = input("p95", &f);
	gin = input("sum(rate(x[10m]))", &g);
	v = evaluate(p, &in, &gin);
	assert_verdict(v, SLG_V_PASS);
	assert_int_equal(v->has_guard, 1);
	assert_string_equal(v->guard_promql, "sum(rate(x[10m]))");
	assert_near(v->guard_value, 100);
	assert_near(v->guard_min, 100);
	slg_verdict_free(v);
	slg_policy_free(p);
}

struct guard_case {
	const char *what;
	int npts;		/* -1: no series at all */
	double value;
	int error;		/* the guard's query failed */
	enum slg_verdict_kind verdict;
	const char *reason;
};

static const struct guard_case guards[] = {
	{ "below min", 1, 5, 0, SLG_V_INCONCLUSIVE,
	    "not enough traffic to judge: guard (inline) is 5, below its "
	    "floor 100" },
	{ "just below", 1, 99.5, 0, SLG_V_INCONCLUSIVE,
	    "not enough traffic to judge" },
	{ "no data", 0, 0, 0, SLG_V_INCONCLUSIVE,
	    "not enough traffic to judge: guard (inline) is no data, below "
	    "its floor 100" },
	{ "NaN", 1, NAN, 0, SLG_V_INCONCLUSIVE,
	    "not enough traffic to judge" },
	/* an infinity measures no traffic: never "enough" */
	{ "+Inf", 1, INFINITY, 0, SLG_V_INCONCLUSIVE,
	    "cannot tell the traffic: guard (inline) is +Inf (the query "
	    "divides by zero), not a finite number" },
	{ "-Inf", 1, -INFINITY, 0, SLG_V_INCONCLUSIVE,
	    "guard (inline) is -Inf" },
	{ "query error", 1, 500, 1, SLG_V_ERROR,
	    "guard: cannot query prometheus at 'http://x': refused" },
	{ "no answer", -1, 0, 0, SLG_V_ERROR,
	    "guard: no answer from prometheus" },
};

static void
test_guard(void **state)
{
	struct slg_policy *p = policy(guarded);

	(void)state;
	for (size_t i = 0; i < NELEM(guards); i++) {
		const struct guard_case *t = &guards[i];
		struct slg_err gerr = { SLG_EPROM,
		    "cannot query prometheus at 'http://x': refused" };
		struct fseries f, g;
		struct slg_eval_input in, gin;
		struct slg_verdict *v;

		fill1(&f, 0.1);
		fill(&g, &t->value, t->npts > 0 ? (size_t)t->npts : 0);
		in = input("p95", &f);
		gin = input("rate", t->npts < 0 ? NULL : &g);
		if (t->error)
			gin.error = &gerr;
		v = evaluate(p, &in, &gin);
		if (v->verdict != t->verdict ||
		    strstr(v->reason, t->reason) == NULL)
			fail_msg("%s: %s '%s', want %s '%s'", t->what,
			    slg_verdict_str(v->verdict), v->reason,
			    slg_verdict_str(t->verdict), t->reason);
		/* the objective itself is judged all the same */
		assert_status(v->obj[0].status, SLG_ST_PASS);
		assert_near(v->guard_min, 100);
		slg_verdict_free(v);
	}
	slg_policy_free(p);
}

/* A guard read from a template is named by the template. */
static void
test_guard_named(void **state)
{
	struct slg_policy *p = policy(guarded);
	struct fseries f, g;
	struct slg_eval_input in, gin;
	struct slg_verdict *v;

	(void)state;
	free(p->guard_query);
	p->guard_query = strdup("request_rate");
	fill1(&f, 0.1);
	fill1(&g, 12.5);
	in = input("p95", &f);
	gin = input("rate", &g);
	v = evaluate(p, &in, &gin);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_string_equal(v->reason, "not enough traffic to judge: guard "
	    "request_rate is 12.5, below its floor 100");
	assert_near(v->guard_value, 12.5);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* A failing objective beats too little traffic; an error does too. */
static void
test_guard_low_loses_to_fail_and_error(void **state)
{
	struct slg_policy *p = policy(guarded);
	struct slg_err oerr = { SLG_EPARSE, "query returned 2 series" };
	struct fseries f, g;
	struct slg_eval_input in, gin;
	struct slg_verdict *v;

	(void)state;
	fill1(&g, 1);
	gin = input("rate", &g);

	fill1(&f, 0.5);
	in = input("p95", &f);
	v = evaluate(p, &in, &gin);
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);

	in = input("p95", NULL);
	in.error = &oerr;
	v = evaluate(p, &in, &gin);
	assert_verdict(v, SLG_V_ERROR);
	assert_string_equal(v->reason, "p95: query returned 2 series");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- errors ---- */

static const char two[] = HEAD "'objectives': ["
    "{'name': 'p95', 'promql': 'p95', 'pass': '<= 120ms'}, "
    "{'name': 'avail', 'promql': 'a', 'pass': '>= 99.9%'}]}";

static void
test_objective_error(void **state)
{
	struct slg_policy *p = policy(two);
	struct slg_err oerr = { SLG_EPROM, "prometheus refused the query: "
	    "bad_data: parse error" };
	struct fseries f1, f2;
	struct slg_eval_input in[2];
	struct slg_verdict *v;

	(void)state;
	fill1(&f1, 0.1);
	fill1(&f2, 0.9999);
	in[0] = input("p95", &f1);
	in[1] = input("a", &f2);
	in[1].error = &oerr;
	v = evaluate(p, in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_status(v->obj[1].status, SLG_ST_ERROR);
	assert_string_equal(v->obj[1].detail, oerr.msg);
	assert_true(isnan(v->obj[1].value));
	assert_verdict(v, SLG_V_ERROR);
	assert_string_equal(v->reason, "avail: prometheus refused the query: "
	    "bad_data: parse error");
	slg_verdict_free(v);

	/* no series and no error is an error too */
	in[1] = input("a", NULL);
	v = evaluate(p, in, NULL);
	assert_status(v->obj[1].status, SLG_ST_ERROR);
	assert_string_equal(v->obj[1].detail, "no answer from prometheus");
	assert_verdict(v, SLG_V_ERROR);
	slg_verdict_free(v);

	/* an error struct with code 0 is no error */
	oerr.code = 0;
	in[1] = input("a", &f2);
	in[1].error = &oerr;
	v = evaluate(p, in, NULL);
	assert_status(v->obj[1].status, SLG_ST_PASS);
	assert_verdict(v, SLG_V_PASS);
	assert_string_equal(v->reason,
	    "all 2 judged objectives met their pass criteria");
	slg_verdict_free(v);
	slg_policy_free(p);
}

static void
test_fail_beats_error(void **state)
{
	struct slg_policy *p = policy(two);
	struct slg_err oerr = { SLG_EPROM, "timeout" };
	struct slg_err gerr = { SLG_EPROM, "guard timeout" };
	struct fseries f1;
	struct slg_eval_input in[2];
	struct slg_verdict *v;

	(void)state;
	fill1(&f1, 0.3);
	in[0] = input("p95", &f1);
	in[1] = input("a", NULL);
	in[1].error = &oerr;
	v = evaluate(p, in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_status(v->obj[1].status, SLG_ST_ERROR);
	assert_verdict(v, SLG_V_FAIL);
	assert_string_equal(v->reason, "p95: 300ms misses <= 120ms");
	slg_verdict_free(v);
	slg_policy_free(p);

	/* and a guard error */
	p = policy(guarded);
	in[0] = input("p95", &f1);
	in[1] = input("rate", NULL);
	in[1].error = &gerr;
	v = evaluate(p, &in[0], &in[1]);
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* Order of the rest: error, then no data, then warn, then pass. */
static void
test_precedence(void **state)
{
	static const char three[] = HEAD "'objectives': ["
	    "{'name': 'a', 'promql': 'a', 'pass': '<= 1', 'warn': '<= 2'}, "
	    "{'name': 'b', 'promql': 'b', 'pass': '<= 1', 'warn': '<= 2'}, "
	    "{'name': 'c', 'promql': 'c', 'pass': '<= 1', 'warn': '<= 2'}]}";
	static const struct {
		double a, b, c;
		int c_error;
		enum slg_verdict_kind verdict;
		const char *reason;
	} cases[] = {
		{ 0, 0, 0, 0, SLG_V_PASS, "all 3 judged objectives met" },
		{ 1.5, 0, 0, 0, SLG_V_WARN, "a: 1.5 misses <= 1, meets warn "
		    "<= 2" },
		{ 1.5, NAN, 0, 0, SLG_V_INCONCLUSIVE, "b: no data: the query "
		    "returned NaN" },
		{ 1.5, NAN, 0, 1, SLG_V_ERROR, "c: boom" },
		{ 1.5, NAN, 3, 0, SLG_V_FAIL, "c: 3 misses <= 1 and warn "
		    "<= 2" },
		{ 3, 1.5, 3, 0, SLG_V_FAIL, "a: 3 misses <= 1 and warn <= 2; "
		    "c: 3 misses <= 1 and warn <= 2" },
	};
	struct slg_policy *p = policy(three);
	struct slg_err boom = { SLG_EPROM, "boom" };

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct fseries f[3];
		struct slg_eval_input in[3];
		struct slg_verdict *v;

		fill1(&f[0], cases[i].a);
		fill1(&f[1], cases[i].b);
		fill1(&f[2], cases[i].c);
		in[0] = input("a", &f[0]);
		in[1] = input("b", &f[1]);
		in[2] = input("c", &f[2]);
		if (cases[i].c_error)
			in[2].error = &boom;
		v = evaluate(p, in, NULL);
		if (v->verdict != cases[i].verdict ||
		    strstr(v->reason, cases[i].reason) == NULL)
			fail_msg("case %zu: %s '%s', want %s '%s'", i,
			    slg_verdict_str(v->verdict), v->reason,
			    slg_verdict_str(cases[i].verdict),
			    cases[i].reason);
		slg_verdict_free(v);
	}
	slg_policy_free(p);
}

/* ---- no data ---- */

static void
test_no_data(void **state)
{
	struct slg_policy *p = policy(two);
	struct slg_policy *pf = policy(HEAD "'on_no_data': 'fail', "
	    "'objectives': [{'name': 'p95', 'promql': 'p95', "
	    "'pass': '<= 120ms'}, {'name': 'avail', 'promql': 'a', "
	    "'pass': '>= 99.9%'}]}");
	struct fseries f1, empty;
	struct slg_eval_input in[2];
	struct slg_verdict *v;

	(void)state;
	fill1(&f1, 0.1);
	fill(&empty, NULL, 0);
	in[0] = input("p95", &f1);
	in[1] = input("a", &empty);

	v = evaluate(p, in, NULL);
	assert_status(v->obj[1].status, SLG_ST_NODATA);
	assert_string_equal(v->obj[1].detail,
	    "no data: the query returned no series");
	assert_true(isnan(v->obj[1].value));
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_string_equal(v->reason,
	    "avail: no data: the query returned no series");
	slg_verdict_free(v);

	v = evaluate(pf, in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_status(v->obj[1].status, SLG_ST_FAIL);
	assert_string_equal(v->obj[1].detail,
	    "no data: the query returned no series (on_no_data: fail)");
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);
	slg_policy_free(p);
	slg_policy_free(pf);
}

/* on_no_data fail counts a gap in a sustained objective as a failure. */
static void
test_no_data_fail_sustained_gap(void **state)
{
	static const double vals[] = { .05, .05, .05, .05, .05 };
	struct slg_policy *p = policy(HEAD "'on_no_data': 'fail', "
	    "'objectives': [{'name': 'p95', 'promql': 'p95', "
	    "'pass': '<= 100ms', 'sustained': true}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill(&f, vals, NELEM(vals));
	in = input("p95", &f);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_int_equal(v->obj[0].points_missing, 5);
	assert_contains(v->obj[0].detail, "(on_no_data: fail)");
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- informational objectives ---- */

static void
test_informational(void **state)
{
	static const double vals[] = { 0.3, NAN, 0.7 };
	struct slg_policy *p = policy(HEAD "'objectives': ["
	    "{'name': 'p95', 'promql': 'p95', 'pass': '<= 120ms'}, "
	    "{'name': 'p99', 'promql': 'p99'}, "
	    "{'name': 'p99s', 'promql': 'p99s', 'sustained': true}]}");
	struct slg_err oerr = { SLG_EPROM, "boom" };
	struct fseries f1, f2, f3, empty;
	struct slg_eval_input in[3];
	struct slg_verdict *v;

	(void)state;
	fill1(&f1, 0.1);
	fill1(&f2, 9.5);
	fill(&f3, vals, NELEM(vals));
	in[0] = input("p95", &f1);
	in[1] = input("p99", &f2);
	in[2] = input("p99s", &f3);
	v = evaluate(p, in, NULL);
	assert_verdict(v, SLG_V_PASS);
	assert_string_equal(v->reason,
	    "all 1 judged objectives met their pass criteria");
	assert_int_equal(v->obj[1].judged, 0);
	assert_status(v->obj[1].status, SLG_ST_INFO);
	assert_near(v->obj[1].value, 9.5);
	assert_near(v->obj[1].value_at, (double)END);
	assert_null(v->obj[1].pass_text);
	/* sustained and informational: the latest value with data */
	assert_status(v->obj[2].status, SLG_ST_INFO);
	assert_near(v->obj[2].value, 0.7);
	assert_near(v->obj[2].value_at, AT(2));
	assert_int_equal(v->obj[2].points, 2);
	slg_verdict_free(v);

	/* no data or an error in them changes nothing */
	fill(&empty, NULL, 0);
	in[1] = input("p99", &empty);
	in[2] = input("p99s", NULL);
	in[2].error = &oerr;
	v = evaluate(p, in, NULL);
	assert_status(v->obj[1].status, SLG_ST_NODATA);
	assert_status(v->obj[2].status, SLG_ST_ERROR);
	assert_verdict(v, SLG_V_PASS);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- relative criteria ---- */

static const char relative[] = HEAD "'objectives': [{'name': 'p95', "
    "'promql': 'p95', 'pass': ['<= 120ms', '<= +10%']}]}";

static void
test_relative_with_baseline(void **state)
{
	struct slg_policy *p = policy(relative);
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	/* baseline 80ms: "<= +10%" means <= 88ms */
	fill1(&f, 0.1);
	in = input("p95", &f);
	in.has_baseline = 1;
	in.baseline = 0.08;
	in.baseline_source = "stored";
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_int_equal(v->obj[0].has_baseline, 1);
	assert_near(v->obj[0].baseline, 0.08);
	assert_string_equal(v->obj[0].baseline_source, "stored");
	assert_string_equal(v->obj[0].pass_text, "<= 120ms, <= +10%");
	assert_string_equal(v->obj[0].detail,
	    "100ms misses <= 120ms, <= +10%");
	assert_null(strstr(v->obj[0].detail, "skipped"));
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);

	fill1(&f, 0.087);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_verdict(v, SLG_V_PASS);
	slg_verdict_free(v);
	slg_policy_free(p);
}

static void
test_relative_without_baseline(void **state)
{
	struct slg_policy *p = policy(relative);
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill1(&f, 0.1);
	in = input("p95", &f);
	in.baseline_source = "stored";	/* ignored without a baseline */
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_int_equal(v->obj[0].has_baseline, 0);
	assert_true(isnan(v->obj[0].baseline));
	assert_null(v->obj[0].baseline_source);
	assert_string_equal(v->obj[0].detail, "relative criterion '<= +10%' "
	    "skipped: no baseline stored");
	assert_verdict(v, SLG_V_PASS);
	slg_verdict_free(v);

	/* the absolute criterion still counts */
	fill1(&f, 0.2);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* A sustained relative objective judges every point by the baseline. */
static void
test_relative_sustained(void **state)
{
	static const double vals[NPTS] = { .1, .1, .1, .1, .1, .1, .1, .1,
	    .1, .115 };
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'p95', "
	    "'promql': 'p95', 'pass': '<= +10%', 'sustained': true}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill(&f, vals, NPTS);
	in = input("p95", &f);
	in.has_baseline = 1;
	in.baseline = 0.1;
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_int_equal(v->obj[0].points_failed, 1);
	assert_near(v->obj[0].value, 0.115);
	slg_verdict_free(v);

	/* no baseline: nothing could be judged, so nothing passed */
	in.has_baseline = 0;
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_NODATA);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_string_equal(v->obj[0].detail, "no data: its relative criteria "
	    "cannot be judged without a baseline (no baseline stored; "
	    "on_no_baseline: inconclusive)");
	slg_verdict_free(v);
	slg_policy_free(p);

	/* on_no_baseline skip: today's and Keptn's way, said out loud */
	p = policy(HEAD "'on_no_baseline': 'skip', 'objectives': [{'name': "
	    "'p95', 'promql': 'p95', 'pass': '<= +10%', 'sustained': true}]}");
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_PASS);
	assert_contains(v->obj[0].detail, "all 10 points meet <= +10%");
	assert_contains(v->obj[0].detail, "; relative criterion '<= +10%' "
	    "skipped: no baseline stored");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- values that are not finite ---- */

/* +Inf is a p95 beyond the largest bucket, not a fast service. */
static void
test_infinite_latency(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'p95', "
	    "'promql': 'histogram_quantile(0.95, x)', 'pass': '<= 120ms'}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill1(&f, INFINITY);
	in = input("histogram_quantile(0.95, sum by (le) (rate(x[10m])))", &f);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_verdict(v, SLG_V_FAIL);
	assert_string_equal(v->obj[0].detail, "+Inf: the quantile lies beyond "
	    "the largest histogram bucket; an infinite value meets no "
	    "criterion (<= 120ms)");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* One infinite point fails a sustained objective like any missed one. */
static void
test_infinite_point(void **state)
{
	double vals[NPTS];
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'avail', "
	    "'promql': 'a', 'pass': '>= 99.95%', 'sustained': true}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	for (size_t i = 0; i < NPTS; i++)
		vals[i] = 0.9999;
	vals[4] = INFINITY;
	fill(&f, vals, NPTS);
	in = input("a", &f);
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_FAIL);
	assert_int_equal(v->obj[0].points_failed, 1);
	/* the worst point is the one that failed, not the lowest value */
	assert_true(isinf(v->obj[0].value));
	assert_near(v->obj[0].value_at, AT(4));
	assert_contains(v->obj[0].detail, "1 of 10 points miss >= 99.95%");
	assert_contains(v->obj[0].detail, "; 1 point is +Inf: the query "
	    "divides by zero");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* Relative criteria alone, no baseline: nothing judged is no pass, and
 * even skip does not let an infinity through. */
static void
test_relative_only_without_baseline(void **state)
{
	static const struct {
		const char *policy;
		double value;
		enum slg_status status;
		const char *detail;
	} t[] = {
		{ "'pass': '<= +10%'", 0.1, SLG_ST_NODATA, "no data: its "
		    "relative criteria cannot be judged without a baseline" },
		{ "'pass': '<= +10%'", INFINITY, SLG_ST_FAIL, "+Inf: the query "
		    "divides by zero" },
		/* warn can still be missed: that fails */
		{ "'pass': '<= +10%', 'warn': '<= 200ms'", 0.3, SLG_ST_FAIL,
		    "300ms misses <= +10% and warn <= 200ms" },
		{ "'pass': '<= +10%', 'warn': '<= 200ms'", 0.1, SLG_ST_NODATA,
		    "cannot be judged without a baseline" },
		/* pass missed, warn relative: warn or fail cannot be told */
		{ "'pass': '<= 120ms', 'warn': '<= +10%'", 0.15, SLG_ST_NODATA,
		    "cannot be judged without a baseline" },
		{ "'pass': '<= 120ms', 'warn': '<= +10%'", 0.1, SLG_ST_PASS,
		    "" },
		{ "'on_no_baseline': 'skip', 'pass': '<= +10%'", 0.1,
		    SLG_ST_PASS, "relative criterion '<= +10%' skipped: no "
		    "baseline stored" },
		{ "'on_no_baseline': 'skip', 'pass': '<= +10%'", INFINITY,
		    SLG_ST_FAIL, "an infinite value meets no criterion" },
		/* a skipped warn list compares nothing: it cannot turn a
		 * missed pass into a warning */
		{ "'on_no_baseline': 'skip', 'pass': '<= 120ms', 'warn': "
		    "'<= +50%'", 10, SLG_ST_FAIL, "10s misses <= 120ms and warn "
		    "<= +50%" },
		{ "'on_no_baseline': 'skip', 'pass': '<= 120ms', 'warn': "
		    "'<= +50%'", 0.1, SLG_ST_PASS, "" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		char text[512];
		const char *nb = strstr(t[i].policy, "'on_no_baseline'");
		struct slg_policy *p;
		struct fseries f;
		struct slg_eval_input in;
		struct slg_verdict *v;

		/* on_no_baseline is a policy key: lift it out of the list */
		snprintf(text, sizeof(text), HEAD "%s'objectives': [{'name': "
		    "'p95', 'promql': 'p95', %s}]}", nb ? "'on_no_baseline': "
		    "'skip', " : "", nb ? t[i].policy + strlen("'on_no_"
		    "baseline': 'skip', ") : t[i].policy);
		p = policy(text);
		fill1(&f, t[i].value);
		in = input("p95", &f);
		v = evaluate(p, &in, NULL);
		if (v->obj[0].status != t[i].status ||
		    strstr(v->obj[0].detail, t[i].detail) == NULL)
			fail_msg("case %zu (%g): %s '%s', want %s '%s'", i,
			    t[i].value, status_name(v->obj[0].status),
			    v->obj[0].detail, status_name(t[i].status),
			    t[i].detail);
		slg_verdict_free(v);
		slg_policy_free(p);
	}
}

/* A baseline of +Inf would make "<= +10%" hold for anything. */
static void
test_infinite_baseline_is_none(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'p95', "
	    "'promql': 'p95', 'pass': '<= +10%'}]}");
	struct fseries f;
	struct slg_eval_input in;
	struct slg_verdict *v;

	(void)state;
	fill1(&f, 5);
	in = input("p95", &f);
	in.has_baseline = 1;
	in.baseline = INFINITY;
	in.baseline_source = "previous";
	v = evaluate(p, &in, NULL);
	assert_status(v->obj[0].status, SLG_ST_NODATA);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_int_equal(v->obj[0].has_baseline, 0);
	assert_contains(v->obj[0].detail, "the baseline is +Inf, not a finite "
	    "number");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* ---- coverage of a windowed objective's window ---- */

/* Judges policy p's objective (windowed, value 99.9%) over a window of
 * steps steps, count of them with data: no data, saying detail. */
static void
coverage_is(const struct slg_policy *p, int64_t steps, double count,
    const char *detail)
{
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct fseries f, c;
	struct slg_eval_input in;

	assert_non_null(v);
	fill1(&f, 0.999);
	fill1(&c, count);
	in = input("a", &f);
	in.coverage = &c.s;
	v->window_start = END - steps * STEP;
	v->window_end = END;
	v->step = STEP;
	assert_int_equal(slg_eval(p, &in, NULL, v, &err), 0);
	assert_status(v->obj[0].status, SLG_ST_NODATA);
	assert_contains(v->obj[0].detail, detail);
	slg_verdict_free(v);
}

static void
test_coverage(void **state)
{
	static const struct {
		double count;	/* steps with data, of 10; NaN: no series */
		int error;
		enum slg_status status;
		const char *detail;
	} t[] = {
		{ 10, 0, SLG_ST_PASS, "" },
		/* more steps than the window has: no count of this window */
		{ 11, 0, SLG_ST_ERROR, "coverage query answered 11, not a count "
		    "of the window's 10 steps" },
		{ 1e300, 0, SLG_ST_ERROR, "not a count" },
		{ 9, 0, SLG_ST_PASS, "" },	/* 90%, the default */
		{ 8, 0, SLG_ST_NODATA, "no data: data for 8m of 10m (80%), "
		    "min_coverage 90%" },
		{ 1, 0, SLG_ST_NODATA, "data for 1m of 10m (10%)" },
		{ NAN, 0, SLG_ST_NODATA, "data for 0s of 10m (0%)" },
		{ 2.5, 0, SLG_ST_ERROR, "coverage query answered 2.5, not a "
		    "count of the window's 10 steps" },
		{ INFINITY, 0, SLG_ST_ERROR, "not a count of the window" },
		{ 10, 1, SLG_ST_ERROR, "coverage query: prometheus refused "
		    "the query" },
	};
	struct slg_policy *p = policy(HEAD "'objectives': [{'name': 'avail', "
	    "'promql': 'a', 'pass': '>= 99%'}]}");

	(void)state;
	assert_near(p->min_coverage, 0.9);
	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_err cerr = { SLG_EPROM, "prometheus refused the "
		    "query: bad_data: subquery" };
		struct fseries f, c;
		struct slg_eval_input in;
		struct slg_verdict *v;

		fill1(&f, 0.999);
		if (isnan(t[i].count))
			fill(&c, NULL, 0);
		else
			fill1(&c, t[i].count);
		in = input("a", &f);
		in.coverage = &c.s;
		if (t[i].error)
			in.coverage_error = &cerr;
		v = evaluate(p, &in, NULL);
		if (v->obj[0].status != t[i].status ||
		    strstr(v->obj[0].detail, t[i].detail) == NULL)
			fail_msg("case %zu (%g): %s '%s', want %s '%s'", i,
			    t[i].count, status_name(v->obj[0].status),
			    v->obj[0].detail, status_name(t[i].status),
			    t[i].detail);
		/* the value is kept, so a person sees what was not judged */
		assert_near(v->obj[0].value, 0.999);
		slg_verdict_free(v);
	}
	slg_policy_free(p);

	/* 179 of 200 steps is 89.5%: not shown as the 90% it misses */
	p = policy("{'service': 'api', 'environment': 'staging', 'window': "
	    "'200m', 'step': '1m', 'objectives': [{'name': 'avail', 'promql': "
	    "'a', 'pass': '>= 99%'}]}");
	coverage_is(p, 200, 179, "data for 179m of 200m (89.5%), min_coverage "
	    "90%");
	slg_policy_free(p);

	/* a policy may ask for all of the window */
	p = policy(HEAD "'min_coverage': '100%', 'objectives': [{'name': "
	    "'avail', 'promql': 'a', 'pass': '>= 99%'}]}");
	coverage_is(p, NPTS, 9, "(90%), min_coverage 100%");
	slg_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windowed),
		cmocka_unit_test(test_windowed_pass_fields),
		cmocka_unit_test(test_windowed_uses_first_point),
		cmocka_unit_test(test_sustained),
		cmocka_unit_test(test_sustained_higher_is_better),
		cmocka_unit_test(test_guard_enough_traffic),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_guard_named),
		cmocka_unit_test(test_guard_low_loses_to_fail_and_error),
		cmocka_unit_test(test_objective_error),
		cmocka_unit_test(test_fail_beats_error),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_no_data),
		cmocka_unit_test(test_no_data_fail_sustained_gap),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_relative_with_baseline),
		cmocka_unit_test(test_relative_without_baseline),
		cmocka_unit_test(test_relative_sustained),
		cmocka_unit_test(test_infinite_latency),
		cmocka_unit_test(test_infinite_point),
		cmocka_unit_test(test_relative_only_without_baseline),
		cmocka_unit_test(test_infinite_baseline_is_none),
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests_name("eval", tests, NULL, NULL);
}
