/* test_scoring: policies that score their objectives instead of letting
 * the worst one decide: weights, key objectives, thresholds, and the
 * policies that must be refused. eval is pure, so series are made here. */
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
#define MAXOBJ 6

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

/* The window every test judges: 06:50 to 07:00 on 2026-11-26, by 1m. */
#define START INT64_C(1795675800)
#define END (START + 600)
#define STEP 60

/* ---- policies, series and verdicts ---- */

/* Policies below are written with ' for " so they read as JSON; this
 * turns them back. The result is static: use it before the next call. */
static const char *
json(const char *s)
{
	static char buf[4096];
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = '\0';
	return buf;
}

static struct slg_policy *
policy(const char *text)
{
	struct slg_err err = { 0, "" };
	struct slg_policy *p = NULL;
	const char *s = json(text);

	if (slg_policy_parse(s, strlen(s), "score.json", NULL, NULL, &p,
	    &err) != 0)
		fail_msg("policy refused: %s", err.msg);
	assert_non_null(p);
	return p;
}

#define HEAD "{'service': 's', 'environment': 'e', 'window': '10m', " \
	"'step': '1m', "

/* One instant value per objective, as the i-th input. */
struct inputs {
	struct slg_series s[MAXOBJ];
	struct slg_point pt[MAXOBJ];
	struct slg_eval_input in[MAXOBJ];
};

static void
fill(struct inputs *x, const double *vals, size_t n)
{
	assert_true(n <= MAXOBJ);
	memset(x, 0, sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		x->pt[i].t = (double)END;
		x->pt[i].v = vals[i];
		x->s[i].npts = 1;
		x->s[i].pts = &x->pt[i];
		x->in[i].promql = "q";
		x->in[i].series = &x->s[i];
	}
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
	return v;
}

/* Judges vals (one per objective) against the policy text. */
static struct slg_verdict *
judge(const char *text, const double *vals, size_t n)
{
	struct slg_policy *p = policy(text);
	struct slg_verdict *v;
	struct inputs x;

	assert_int_equal(p->nobj, n);
	fill(&x, vals, n);
	v = evaluate(p, x.in, NULL);
	slg_policy_free(p);
	return v;
}

/* ---- the policy's score and weights as parsed ---- */

/* a: weight 2; b: warns at 0.5; c: weight 1; i: informational. */
static const char weighted[] = HEAD "'score': {'pass': '90%', "
    "'warn': '75%'}, 'objectives': ["
    "{'name': 'a', 'promql': 'x', 'pass': '>= 1', 'weight': 2}, "
    "{'name': 'b', 'promql': 'x', 'pass': '>= 1', 'warn': '>= 0.5'}, "
    "{'name': 'c', 'promql': 'x', 'pass': '>= 1', 'weight': 1}, "
    "{'name': 'i', 'promql': 'x'}]}";

static void
test_parse_score(void **state)
{
	struct slg_policy *p = policy(weighted);

	(void)state;
	assert_int_equal(p->has_score, 1);
	assert_near(p->score_pass, 0.9);
	assert_near(p->score_warn, 0.75);
	assert_int_equal(p->nobj, 4);
	assert_near(p->obj[0].weight, 2);
	assert_near(p->obj[1].weight, 1);	/* the default */
	assert_near(p->obj[2].weight, 1);
	assert_int_equal(p->obj[0].key, 0);
	slg_policy_free(p);

	/* no score: the worst decides; weight and key are still read */
	p = policy(HEAD "'objectives': [{'name': 'a', 'promql': 'x', "
	    "'pass': '>= 1', 'weight': 0.5, 'key': true}]}");
	assert_int_equal(p->has_score, 0);
	assert_near(p->obj[0].weight, 0.5);
	assert_int_equal(p->obj[0].key, 1);
	slg_policy_free(p);

	/* the bounds themselves are allowed, and pass may equal warn */
	p = policy(HEAD "'score': {'pass': '100%', 'warn': '0%'}, "
	    "'objectives': [{'name': 'a', 'promql': 'x', 'pass': '>= 1', "
	    "'key': false}]}");
	assert_near(p->score_pass, 1);
	assert_near(p->score_warn, 0);
	assert_int_equal(p->obj[0].key, 0);
	slg_policy_free(p);
	p = policy(HEAD "'score': {'pass': '80.5%', 'warn': '80.5%'}, "
	    "'objectives': [{'name': 'a', 'promql': 'x', 'pass': '>= 1'}]}");
	assert_near(p->score_pass, 0.805);
	assert_near(p->score_warn, 0.805);
	slg_policy_free(p);
}

/* ---- scores and verdicts ---- */

struct score_case {
	const char *what;
	double vals[4];			/* a, b, c, i */
	enum slg_verdict_kind verdict;
	double score;
	const char *reason;		/* a part of it */
};

static const struct score_case scores[] = {
	{ "all pass", { 1, 1, 1, 42 }, SLG_V_PASS, 4,
	    "score 4 of 4 (100%) meets pass 90%" },
	{ "informational is not scored, whatever its value", { 1, 1, 1, -7 },
	    SLG_V_PASS, 4, "score 4 of 4" },
	{ "informational without data is not scored", { 1, 1, 1, NAN },
	    SLG_V_PASS, 4, "score 4 of 4" },
	{ "a warn earns half", { 1, 0.7, 1, 0 }, SLG_V_WARN, 3.5,
	    "score 3.5 of 4 (87.5%) is below pass 90%; warned: b: " },
	{ "c fails: 75% meets warn", { 1, 1, 0, 0 }, SLG_V_WARN, 3,
	    "score 3 of 4 (75%) is below pass 90%; failed: c: " },
	{ "b fails: 75% meets warn", { 1, 0.1, 1, 0 }, SLG_V_WARN, 3,
	    "failed: b: 0.1 misses >= 1 and warn >= 0.5" },
	{ "the heavy one fails", { 0, 1, 1, 0 }, SLG_V_FAIL, 2,
	    "score 2 of 4 (50%) is below warn 75%; failed: a: 0 misses >= 1" },
	{ "a warn and a failure", { 1, 0.5, 0, 0 }, SLG_V_FAIL, 2.5,
	    "score 2.5 of 4 (62.5%) is below warn 75%; failed: c: 0 misses "
	    ">= 1; warned: b: 0.5 misses >= 1, meets warn >= 0.5" },
	{ "all fail", { 0, 0, 0, 0 }, SLG_V_FAIL, 0,
	    "score 0 of 4 (0%) is below warn 75%" },
};

static void
test_scores(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(scores); i++) {
		const struct score_case *t = &scores[i];
		struct slg_verdict *v = judge(weighted, t->vals, 4);

		if (v->verdict != t->verdict || !near(v->score, t->score) ||
		    strstr(v->reason, t->reason) == NULL)
			fail_msg("%s: %s score %g '%s'\n want %s score %g '%s'",
			    t->what, slg_verdict_str(v->verdict), v->score,
			    v->reason, slg_verdict_str(t->verdict), t->score,
			    t->reason);
		assert_int_equal(v->has_score, 1);
		/* i is informational: the maximum is 2 + 1 + 1 */
		assert_near(v->score_max, 4);
		assert_near(v->score_pass, 0.9);
		assert_near(v->score_warn, 0.75);
		assert_int_equal(v->obj[3].judged, 0);
		assert_near(v->obj[0].weight, 2);
		assert_near(v->obj[1].weight, 1);
		slg_verdict_free(v);
	}
}

/* Three objectives of weight 1, one failing: the reason says the score. */
static const char three[] = HEAD "'score': {'pass': '90%', 'warn': '60%'}, "
    "'objectives': ["
    "{'name': 'a', 'promql': 'x', 'pass': '>= 1'}, "
    "{'name': 'b', 'promql': 'x', 'pass': '>= 1'}, "
    "{'name': 'c', 'promql': 'x', 'pass': '>= 1'}]}";

static void
test_reason_names_score(void **state)
{
	static const double vals[] = { 1, 1, 0 };
	struct slg_verdict *v = judge(three, vals, NELEM(vals));

	(void)state;
	assert_verdict(v, SLG_V_WARN);
	assert_near(v->score, 2);
	assert_near(v->score_max, 3);
	assert_string_equal(v->reason, "score 2 of 3 (66.67%) is below pass "
	    "90%; failed: c: 0 misses >= 1");
	slg_verdict_free(v);
}

/* Where the thresholds sit decides between pass, warn and fail for the
 * same measurements. */
static void
test_thresholds(void **state)
{
	static const struct {
		const char *score;
		enum slg_verdict_kind verdict;
	} t[] = {
		{ "{'pass': '60%', 'warn': '50%'}", SLG_V_PASS },
		{ "{'pass': '66%', 'warn': '50%'}", SLG_V_PASS },
		{ "{'pass': '67%', 'warn': '50%'}", SLG_V_WARN },
		{ "{'pass': '90%', 'warn': '66%'}", SLG_V_WARN },
		{ "{'pass': '90%', 'warn': '67%'}", SLG_V_FAIL },
		{ "{'pass': '100%', 'warn': '100%'}", SLG_V_FAIL },
		{ "{'pass': '0%', 'warn': '0%'}", SLG_V_PASS },
	};
	static const double vals[] = { 1, 1, 0 };

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		char text[1024];
		struct slg_verdict *v;

		snprintf(text, sizeof(text), HEAD "'score': %s, 'objectives': "
		    "[{'name': 'a', 'promql': 'x', 'pass': '>= 1'}, "
		    "{'name': 'b', 'promql': 'x', 'pass': '>= 1'}, "
		    "{'name': 'c', 'promql': 'x', 'pass': '>= 1'}]}",
		    t[i].score);
		v = judge(text, vals, NELEM(vals));
		if (v->verdict != t[i].verdict)
			fail_msg("%s: %s (%s), want %s", t[i].score,
			    slg_verdict_str(v->verdict), v->reason,
			    slg_verdict_str(t[i].verdict));
		slg_verdict_free(v);
	}
}

/* A score exactly at the threshold meets it. */
static void
test_score_at_threshold(void **state)
{
	static const double vals[] = { 1, 1, 1, 0 };
	struct slg_verdict *v;

	(void)state;
	v = judge(HEAD "'score': {'pass': '75%', 'warn': '50%'}, "
	    "'objectives': ["
	    "{'name': 'a', 'promql': 'x', 'pass': '>= 1'}, "
	    "{'name': 'b', 'promql': 'x', 'pass': '>= 1'}, "
	    "{'name': 'c', 'promql': 'x', 'pass': '>= 1'}, "
	    "{'name': 'd', 'promql': 'x', 'pass': '>= 1'}]}", vals, 4);
	assert_verdict(v, SLG_V_PASS);
	assert_contains(v->reason, "score 3 of 4 (75%) meets pass 75%");
	slg_verdict_free(v);
}

/* ---- key objectives ---- */

/* k is light but key; x is heavy. */
static const char keyed[] = HEAD "'score': {'pass': '50%', 'warn': '25%'}, "
    "'objectives': ["
    "{'name': 'k', 'promql': 'x', 'pass': '>= 1', 'warn': '>= 0.5', "
    "'key': true}, "
    "{'name': 'x', 'promql': 'x', 'pass': '>= 1', 'weight': 10}]}";

static void
test_key_fails_gate(void **state)
{
	static const double kfail[] = { 0, 1 }, kwarn[] = { 0.6, 1 };
	struct slg_verdict *v;

	(void)state;
	/* 10 of 11 is far above pass, but the key objective failed */
	v = judge(keyed, kfail, 2);
	assert_verdict(v, SLG_V_FAIL);
	assert_near(v->score, 10);
	assert_near(v->score_max, 11);
	assert_int_equal(v->obj[0].key, 1);
	assert_int_equal(v->obj[1].key, 0);
	assert_string_equal(v->reason, "a key objective failed: k: 0 misses "
	    ">= 1 and warn >= 0.5");
	slg_verdict_free(v);

	/* a key objective that only warns does not fail the gate */
	v = judge(keyed, kwarn, 2);
	assert_verdict(v, SLG_V_PASS);
	assert_near(v->score, 10.5);
	slg_verdict_free(v);
}

/* The same failure on an objective that is not key is only scored. */
static void
test_non_key_failure_is_scored(void **state)
{
	static const double vals[] = { 0, 1 };
	struct slg_verdict *v;

	(void)state;
	v = judge(HEAD "'score': {'pass': '50%', 'warn': '25%'}, "
	    "'objectives': ["
	    "{'name': 'k', 'promql': 'x', 'pass': '>= 1', 'key': false}, "
	    "{'name': 'x', 'promql': 'x', 'pass': '>= 1', 'weight': 10}]}",
	    vals, 2);
	assert_verdict(v, SLG_V_PASS);
	assert_near(v->score, 10);
	assert_contains(v->reason, "score 10 of 11");
	slg_verdict_free(v);
}

/* A key objective with no data and on_no_data fail counts as failed. */
static void
test_key_no_data_fail(void **state)
{
	static const double vals[] = { NAN, 1 };
	struct slg_verdict *v;

	(void)state;
	v = judge(HEAD "'on_no_data': 'fail', 'score': {'pass': '50%', "
	    "'warn': '25%'}, 'objectives': ["
	    "{'name': 'k', 'promql': 'x', 'pass': '>= 1', 'key': true}, "
	    "{'name': 'x', 'promql': 'x', 'pass': '>= 1', 'weight': 10}]}",
	    vals, 2);
	assert_verdict(v, SLG_V_FAIL);
	assert_contains(v->reason, "a key objective failed: k: ");
	slg_verdict_free(v);
}

/* on_no_data fail makes missing data a failure, and not one that other
 * objectives can outscore: before, 1 of 2 points passed at 50%. */
static void
test_no_data_fail_is_not_outscored(void **state)
{
	static const double vals[] = { 1, NAN };
	struct slg_verdict *v;

	(void)state;
	v = judge(HEAD "'on_no_data': 'fail', 'score': {'pass': '50%', "
	    "'warn': '25%'}, 'objectives': ["
	    "{'name': 'a', 'promql': 'x', 'pass': '>= 1'}, "
	    "{'name': 'b', 'promql': 'x', 'pass': '>= 1'}]}", vals, 2);
	assert_verdict(v, SLG_V_FAIL);
	assert_contains(v->reason, "an objective without data fails the gate "
	    "whatever the score (on_no_data: fail): b: no data");
	slg_verdict_free(v);
}

/* ---- errors, missing data and the guard come before the score ---- */

static void
test_error_beats_score(void **state)
{
	static const double vals[] = { 1, 1, 1, 1 };
	struct slg_err qerr = { SLG_EPROM, "prometheus timed out" };
	struct slg_policy *p = policy(weighted);
	struct slg_verdict *v;
	struct inputs x;

	(void)state;
	/* c erred; a and b alone are 3 of 4, and would warn */
	fill(&x, vals, 4);
	x.in[2].error = &qerr;
	v = evaluate(p, x.in, NULL);
	assert_verdict(v, SLG_V_ERROR);
	assert_int_equal(v->obj[2].status, SLG_ST_ERROR);
	assert_contains(v->reason, "c: prometheus timed out");
	assert_int_equal(v->has_score, 1);
	assert_near(v->score, 3);
	assert_near(v->score_max, 4);
	slg_verdict_free(v);

	/* no answer at all is an error too */
	x.in[2].error = NULL;
	x.in[2].series = NULL;
	v = evaluate(p, x.in, NULL);
	assert_verdict(v, SLG_V_ERROR);
	slg_verdict_free(v);

	/* but a failing key objective still fails first */
	slg_policy_free(p);
	p = policy(keyed);
	fill(&x, vals, 2);
	x.pt[0].v = 0;
	x.in[1].error = &qerr;
	v = evaluate(p, x.in, NULL);
	assert_verdict(v, SLG_V_FAIL);
	slg_verdict_free(v);
	slg_policy_free(p);
}

static void
test_no_data_beats_score(void **state)
{
	static const double vals[] = { 1, NAN, 1, 1 };
	struct slg_verdict *v = judge(weighted, vals, 4);

	(void)state;
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_contains(v->reason, "b: no data");
	assert_near(v->score, 3);
	slg_verdict_free(v);
}

static const char guarded[] = HEAD "'guard': {'promql': 'rate', "
    "'min': 100}, 'score': {'pass': '90%', 'warn': '75%'}, "
    "'objectives': ["
    "{'name': 'a', 'promql': 'x', 'pass': '>= 1'}, "
    "{'name': 'b', 'promql': 'x', 'pass': '>= 1'}]}";

static void
test_guard_beats_score(void **state)
{
	static const double vals[] = { 1, 1 };
	struct slg_policy *p = policy(guarded);
	struct slg_series gs;
	struct slg_point gpt;
	struct slg_eval_input gin;
	struct slg_verdict *v;
	struct inputs x;

	(void)state;
	fill(&x, vals, 2);
	memset(&gin, 0, sizeof(gin));
	memset(&gs, 0, sizeof(gs));
	gpt.t = (double)END;
	gpt.v = 5;
	gs.npts = 1;
	gs.pts = &gpt;
	gin.promql = "rate";
	gin.series = &gs;
	v = evaluate(p, x.in, &gin);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_contains(v->reason, "not enough traffic to judge");
	assert_contains(v->reason, "below its floor 100");
	assert_near(v->score, 2);
	slg_verdict_free(v);

	/* with enough traffic the score decides */
	gpt.v = 100;
	v = evaluate(p, x.in, &gin);
	assert_verdict(v, SLG_V_PASS);
	assert_contains(v->reason, "score 2 of 2");
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* Without a score the same failure fails the gate: scoring is what lets
 * it through. */
static void
test_without_score_worst_decides(void **state)
{
	static const double vals[] = { 0, 1 };
	struct slg_verdict *v;

	(void)state;
	v = judge(HEAD "'objectives': ["
	    "{'name': 'k', 'promql': 'x', 'pass': '>= 1', 'weight': 1}, "
	    "{'name': 'x', 'promql': 'x', 'pass': '>= 1', 'weight': 10}]}",
	    vals, 2);
	assert_verdict(v, SLG_V_FAIL);
	assert_int_equal(v->has_score, 0);
	assert_near(v->score, 0);
	assert_near(v->score_max, 0);
	slg_verdict_free(v);
}

/*
 * BUG (gate/eval.c, score and decide_by_score): the score and its maximum
 * are sums of the weights in double, so with decimal weights a share that
 * is exactly the threshold can come out just below it. Weights 0.1, 0.2
 * and 0.3 with only the 0.3 passing score 0.3 of 0.6, exactly 50%, which
 * meets "pass": "50%" (README: "a score of at least `pass` of the maximum
 * passes"). But 0.1 + 0.2 + 0.3 is 0.6000000000000001 in double, the share
 * 0.49999999999999994, and the verdict is warn with the reason "score 0.3
 * of 0.6 (50%) is below pass 50%". Same class as the ">= 99.9%" boundary
 * fixed in criteria.c. Reproduce: this policy, values 0, 0, 1.
 */
static void
test_score_decimal_weights_at_threshold(void **state)
{
	static const double vals[] = { 0, 0, 1 };
	enum slg_verdict_kind kind;
	struct slg_verdict *v;
	double score, score_max;
	char reason[512];

	(void)state;
	v = judge(HEAD "'score': {'pass': '50%', 'warn': '25%'}, "
	    "'objectives': ["
	    "{'name': 'a', 'promql': 'x', 'pass': '>= 1', 'weight': 0.1}, "
	    "{'name': 'b', 'promql': 'x', 'pass': '>= 1', 'weight': 0.2}, "
	    "{'name': 'c', 'promql': 'x', 'pass': '>= 1', 'weight': 0.3}]}",
	    vals, 3);
	kind = v->verdict;
	snprintf(reason, sizeof(reason), "%s", v->reason);
	score = v->score;
	score_max = v->score_max;
	slg_verdict_free(v);
	assert_near(score, 0.3);
	assert_near(score_max, 0.6);
	if (kind != SLG_V_PASS)
		fail_msg("verdict %s (%s), want pass", slg_verdict_str(kind),
		    reason);
}

/* ---- refused policies ---- */

#define OBJ_A "{'name': 'a', 'promql': 'x', 'pass': '>= 1'"
#define SCORE "'score': {'pass': '90%', 'warn': '75%'}, "

struct bad_case {
	const char *policy;	/* with ' for " */
	const char *msg;	/* a part of the message after the prefix */
};

static const struct bad_case bad[] = {
	/* the score itself */
	{ HEAD "'score': {'pass': '90%'}, 'objectives': [" OBJ_A "}]}",
	    "'score' needs 'warn' as a percentage" },
	{ HEAD "'score': {'warn': '75%'}, 'objectives': [" OBJ_A "}]}",
	    "'score' needs 'pass' as a percentage" },
	{ HEAD "'score': {}, 'objectives': [" OBJ_A "}]}",
	    "'score' needs 'pass'" },
	{ HEAD "'score': {'pass': '101%', 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'score': 'pass' must be a percentage from 0% to "
	    "100%, not '101%'" },
	{ HEAD "'score': {'pass': '100.5%', 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'pass' must be a percentage from 0% to 100%" },
	{ HEAD "'score': {'pass': '90%', 'warn': '150%'}, 'objectives': ["
	    OBJ_A "}]}", "'warn' must be a percentage from 0% to 100%, "
	    "not '150%'" },
	{ HEAD "'score': {'pass': '90%', 'warn': '-1%'}, 'objectives': ["
	    OBJ_A "}]}", "'warn' must be a percentage from 0% to 100%" },
	{ HEAD "'score': {'pass': '90', 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'pass' must be a percentage" },
	{ HEAD "'score': {'pass': '90 percent', 'warn': '75%'}, "
	    "'objectives': [" OBJ_A "}]}", "'pass' must be a percentage" },
	{ HEAD "'score': {'pass': '%', 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'pass' must be a percentage" },
	{ HEAD "'score': {'pass': 'inf%', 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'pass' must be a percentage" },
	{ HEAD "'score': {'pass': 90, 'warn': '75%'}, 'objectives': ["
	    OBJ_A "}]}", "'score' needs 'pass' as a percentage" },
	{ HEAD "'score': {'pass': '75%', 'warn': '90%'}, 'objectives': ["
	    OBJ_A "}]}", "'score': 'warn' must not be above 'pass'" },
	{ HEAD "'score': {'pass': '90%', 'warn': '75%', 'fail': '10%'}, "
	    "'objectives': [" OBJ_A "}]}", "unknown key 'fail' in 'score'" },
	{ HEAD "'score': {'pass': '90%', 'warn': '75%', 'pass': '80%'}, "
	    "'objectives': [" OBJ_A "}]}", "key 'pass' given twice" },
	{ HEAD "'score': '90%', 'objectives': [" OBJ_A "}]}",
	    "'score' must be an object" },
	{ HEAD "'score': true, 'objectives': [" OBJ_A "}]}",
	    "'score' must be an object" },
	/* weights */
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': 0}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': -1}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': -0.5}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': '2'}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': null}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'weight': 1e9}]}",
	    "objective 'a': 'weight' must be a number above 0" },
	/* key */
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'key': 'yes'}]}",
	    "objective 'a': 'key' must be true or false" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'key': 1}]}",
	    "objective 'a': 'key' must be true or false" },
	{ HEAD SCORE "'objectives': [" OBJ_A ", 'key': null}]}",
	    "objective 'a': 'key' must be true or false" },
	/* the second objective is named, not the first */
	{ HEAD SCORE "'objectives': [" OBJ_A "}, {'name': 'b', "
	    "'promql': 'x', 'pass': '>= 1', 'weight': 0}]}",
	    "objective 'b': 'weight' must be a number above 0" },
};

static void
test_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		const struct bad_case *t = &bad[i];
		struct slg_err err = { 0, "" };
		struct slg_policy *p = (struct slg_policy *)1;
		const char *s = json(t->policy);
		static const char prefix[] = "policy 'score.json': ";
		int rc;

		rc = slg_policy_parse(s, strlen(s), "score.json", NULL, NULL,
		    &p, &err);
		if (rc != SLG_EPOLICY || err.code != SLG_EPOLICY || p != NULL ||
		    strncmp(err.msg, prefix, strlen(prefix)) != 0 ||
		    strstr(err.msg, t->msg) == NULL)
			fail_msg("case %zu %s\n gave %d, '%s'\n want %d, "
			    "'%s...%s'", i, s, rc, err.msg, SLG_EPOLICY,
			    prefix, t->msg);
	}
}

/*
 * BUG (gate/policy.c, parse_score): a percentage is read with strtod and
 * checked with d < 0 || d > 100, which NaN passes, so "nan%" is taken as
 * a threshold. Every comparison with NaN is false: decide_by_score then
 * never passes nor warns, and the gate fails whatever the score. Reproduce:
 * slg_policy_parse of {"service":"s","environment":"e","score":{"pass":
 * "nan%","warn":"nan%"},"objectives":[{"name":"a","promql":"x","pass":
 * ">= 1"}]} returns 0.
 */
static void
test_score_nan_percentage(void **state)
{
	static const char *const texts[] = {
		HEAD "'score': {'pass': 'nan%', 'warn': '75%'}, "
		    "'objectives': [" OBJ_A "}]}",
		HEAD "'score': {'pass': '90%', 'warn': 'nan%'}, "
		    "'objectives': [" OBJ_A "}]}",
	};

	(void)state;
	for (size_t i = 0; i < NELEM(texts); i++) {
		struct slg_err err = { 0, "" };
		struct slg_policy *p = NULL;
		const char *s = json(texts[i]);
		int rc;

		rc = slg_policy_parse(s, strlen(s), "score.json", NULL, NULL,
		    &p, &err);
		if (rc != SLG_EPOLICY) {
			slg_policy_free(p);
			fail_msg("%s accepted (rc %d)", s, rc);
		}
		assert_contains(err.msg, "must be a percentage");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_score),
		cmocka_unit_test(test_scores),
		cmocka_unit_test(test_reason_names_score),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_score_at_threshold),
		cmocka_unit_test(test_key_fails_gate),
		cmocka_unit_test(test_non_key_failure_is_scored),
		cmocka_unit_test(test_key_no_data_fail),
		cmocka_unit_test(test_no_data_fail_is_not_outscored),
		cmocka_unit_test(test_error_beats_score),
		cmocka_unit_test(test_no_data_beats_score),
		cmocka_unit_test(test_guard_beats_score),
		cmocka_unit_test(test_without_score_worst_decides),
		cmocka_unit_test(test_score_decimal_weights_at_threshold),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_score_nan_percentage),
	};

	return cmocka_run_group_tests_name("scoring", tests, NULL, NULL);
}
