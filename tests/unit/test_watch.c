/* test_watch: the rules of an evaluation that waits for its window: which
 * window a poll judges, fail_after runs, when a failure is final, when the
 * wait ends and how a poll reads. All pure, so made here by hand. */
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
#include "report/report.h"
#include "core/watch.h"
#include "testutil.h"

/* The deploy: 2026-11-26T07:00:00Z; window 10m by 1m. */
#define SINCE INT64_C(1795676400)
#define STEP 60
#define MAXPTS 10

#define policy(text) test_policy("watch.json", (text))

#define HEAD "{'service': 'api', 'environment': 'staging', " \
	"'window': '10m', 'step': '1m', "
#define AVAIL "{'name': 'availability', 'promql': 'a', 'sustained': true, " \
	"'pass': '>= 99.95%', 'warn': '>= 99.9%'"
#define LATENCY "{'name': 'latency_p95', 'promql': 'l', 'pass': '<= 120ms'"

/* Judges a policy's objectives over [SINCE, SINCE + n steps]: sustained
 * ones get vals (n points), windowed ones the single value one. */
static struct slg_verdict *
judge(const struct slg_policy *p, const double *vals, size_t n, double one)
{
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_point pts[MAXPTS], single = { (double)(SINCE + STEP * n),
	    one };
	struct slg_series sus = { n, pts, NULL }, win = { 1, &single, NULL };
	struct slg_eval_input in[4];

	assert_non_null(v);
	assert_true(n <= MAXPTS && p->nobj <= 4);
	for (size_t i = 0; i < n; i++) {
		pts[i].t = (double)(SINCE + STEP * (i + 1));
		pts[i].v = vals[i];
	}
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < p->nobj; i++) {
		in[i].promql = "q";
		in[i].series = p->obj[i].sustained ? &sus : &win;
	}
	v->window_start = SINCE;
	v->window_end = SINCE + STEP * (int64_t)n;
	v->step = STEP;
	if (slg_eval(p, in, NULL, v, &err) != 0)
		fail_msg("slg_eval: %s", err.msg);
	return v;
}

static struct slg_watch
watch(void)
{
	struct slg_watch w;

	memset(&w, 0, sizeof(w));
	w.since = SINCE;
	w.deadline = SINCE + 1200;
	return w;
}

static void
test_window_end(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}]}");
	int complete;

	(void)state;
	assert_int_equal(slg_watch_window_end(p, SINCE, SINCE - 30, &complete),
	    SINCE);
	assert_false(complete);
	assert_int_equal(slg_watch_window_end(p, SINCE, SINCE + 59, &complete),
	    SINCE);
	assert_int_equal(slg_watch_window_end(p, SINCE, SINCE + 150, &complete),
	    SINCE + 120);
	assert_false(complete);
	assert_int_equal(slg_watch_window_end(p, SINCE, SINCE + 600, &complete),
	    SINCE + 600);
	assert_true(complete);
	/* never past the window, however late the poll */
	assert_int_equal(slg_watch_window_end(p, SINCE, SINCE + 5000, &complete),
	    SINCE + 600);
	assert_true(complete);
	slg_policy_free(p);
}

static void
test_next_poll(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}]}");
	struct slg_watch w = watch();

	(void)state;
	/* just after the next step boundary, half a step (at most 10 s) on */
	assert_int_equal(slg_watch_next_poll(p, &w, SINCE), SINCE + 70);
	assert_int_equal(slg_watch_next_poll(p, &w, SINCE + 130), SINCE + 190);
	/* the last boundary is the window's end, not a step from now */
	assert_int_equal(slg_watch_next_poll(p, &w, SINCE + 545), SINCE + 610);
	/* the whole window seen: a step on, to let late data arrive */
	assert_int_equal(slg_watch_next_poll(p, &w, SINCE + 612), SINCE + 672);
	/* never past the deadline */
	w.deadline = SINCE + 100;
	assert_int_equal(slg_watch_next_poll(p, &w, SINCE + 70), SINCE + 100);
	slg_policy_free(p);
}

static void
test_fail_after_runs(void **state)
{
	struct slg_policy *one = policy(HEAD "'objectives': [" AVAIL "}]}");
	struct slg_policy *three = policy(HEAD "'fail_after': 3, "
	    "'objectives': [" AVAIL "}]}");
	/* two misses apart, then a run of two */
	const double blips[] = { 0.9999, 0.99, 0.9999, 0.99, 0.99, 0.9999 };
	const double run3[] = { 0.9999, 0.99, 0.99, 0.99, 0.9999, 0.9999 };
	/* a gap inside a run neither breaks nor excuses it */
	const double gap[] = { 0.99, NAN, 0.99, 0.99, 0.9999, 0.9999 };
	struct slg_verdict *v;

	(void)state;
	v = judge(one, blips, 6, 0);
	assert_verdict(v, SLG_V_FAIL);
	assert_int_equal(v->obj[0].failed_run, 2);
	slg_verdict_free(v);

	v = judge(three, blips, 6, 0);
	assert_verdict(v, SLG_V_WARN);
	assert_int_equal(v->obj[0].points_failed, 3);
	assert_contains(v->obj[0].detail, "at most 2 in a row (fail_after 3)");
	slg_verdict_free(v);

	v = judge(three, run3, 6, 0);
	assert_verdict(v, SLG_V_FAIL);
	assert_contains(v->obj[0].detail, "3 in a row (fail_after 3)");
	slg_verdict_free(v);

	v = judge(three, gap, 6, 0);
	assert_verdict(v, SLG_V_FAIL);
	assert_int_equal(v->obj[0].failed_run, 3);
	slg_verdict_free(v);
	slg_policy_free(one);
	slg_policy_free(three);
}

static void
test_policy_keys(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}]}");
	struct slg_err err = { 0, "" };
	struct slg_policy *bad = NULL;
	const char *const wrong[] = {
	    "{\"service\": \"a\", \"environment\": \"b\", \"fail_after\": 0, "
	    "\"objectives\": [{\"name\": \"x\", \"promql\": \"x\", \"pass\": "
	    "\"> 1\"}]}",
	    "{\"service\": \"a\", \"environment\": \"b\", \"error_limit\": 1.5, "
	    "\"objectives\": [{\"name\": \"x\", \"promql\": \"x\", \"pass\": "
	    "\"> 1\"}]}",
	    "{\"service\": \"a\", \"environment\": \"b\", \"fail_after\": \"2\", "
	    "\"objectives\": [{\"name\": \"x\", \"promql\": \"x\", \"pass\": "
	    "\"> 1\"}]}",
	};

	(void)state;
	assert_int_equal(p->fail_after, 1);
	assert_int_equal(p->error_limit, 3);
	slg_policy_free(p);
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		assert_int_not_equal(slg_policy_parse(wrong[i], strlen(wrong[i]),
		    "w.json", NULL, NULL, &bad, &err), 0);
		assert_null(bad);
		assert_contains(err.msg, "must be a whole number from 1 to 1000");
	}
}

static void
test_fail_is_final(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}, "
	    LATENCY "}]}");
	struct slg_policy *scored = policy(HEAD "'score': {'pass': '90%', "
	    "'warn': '50%'}, 'objectives': [" AVAIL ", 'weight': 1}, " LATENCY
	    ", 'weight': 3}]}");
	struct slg_policy *keyed = policy(HEAD "'score': {'pass': '90%', "
	    "'warn': '50%'}, 'objectives': [" AVAIL ", 'key': true}, " LATENCY
	    ", 'weight': 3}]}");
	const double bad[] = { 0.9999, 0.99 }, good[] = { 0.9999, 0.9999 };
	struct slg_verdict *v;

	(void)state;
	/* a sustained breach is final */
	v = judge(p, bad, 2, 0.1);
	assert_verdict(v, SLG_V_FAIL);
	assert_true(slg_eval_fail_is_final(v));
	slg_verdict_free(v);
	/* a windowed one may recover as the window fills */
	v = judge(p, good, 2, 0.5);
	assert_verdict(v, SLG_V_FAIL);
	assert_false(slg_eval_fail_is_final(v));
	slg_verdict_free(v);
	/* scored: losing weight 1 of 4 still leaves 75% >= warn 50% */
	v = judge(scored, bad, 2, 0.1);
	assert_false(slg_eval_fail_is_final(v));
	slg_verdict_free(v);
	/* unless the objective is key */
	v = judge(keyed, bad, 2, 0.1);
	assert_verdict(v, SLG_V_FAIL);
	assert_true(slg_eval_fail_is_final(v));
	slg_verdict_free(v);
	slg_policy_free(p);
	slg_policy_free(scored);
	slg_policy_free(keyed);
}

static void
test_decide(void **state)
{
	struct slg_policy *p = policy(HEAD "'error_limit': 2, 'objectives': ["
	    AVAIL "}, " LATENCY "}]}");
	const double good[] = { 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999,
	    0.9999, 0.9999, 0.9999, 0.9999 };
	const double bad[] = { 0.9999, 0.98, 0.9999 };
	struct slg_watch w = watch();
	struct slg_verdict *v;

	(void)state;
	/* healthy so far: keep waiting; a pass needs the whole window */
	v = judge(p, good, 4, 0.1);
	assert_verdict(v, SLG_V_PASS);
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, SINCE + 240), 0);
	/* a single look at part of the window is inconclusive */
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 0, SINCE + 240), 1);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_contains(v->reason, "only 4m of 10m observed; so far pass");
	slg_verdict_free(v);
	/* the whole window passes */
	v = judge(p, good, 10, 0.1);
	assert_int_equal(slg_watch_decide(p, &w, v, 1, 1, SINCE + 600), 1);
	assert_verdict(v, SLG_V_PASS);
	slg_verdict_free(v);
	/* a breach ends the wait at once */
	v = judge(p, bad, 3, 0.1);
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, SINCE + 180), 1);
	assert_verdict(v, SLG_V_FAIL);
	assert_contains(v->reason, "failed fast with 3m of 10m observed: "
	    "availability");
	slg_verdict_free(v);
	/* the deadline ends it inconclusive */
	v = judge(p, good, 4, 0.1);
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, w.deadline), 1);
	assert_verdict(v, SLG_V_INCONCLUSIVE);
	assert_contains(v->reason, "timed out waiting: only 4m of 10m");
	slg_verdict_free(v);
	slg_policy_free(p);
}

static void
test_decide_errors_and_settle(void **state)
{
	struct slg_policy *p = policy(HEAD "'error_limit': 2, 'objectives': ["
	    AVAIL "}]}");
	const double good[] = { 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999,
	    0.9999, 0.9999, 0.9999, NAN };
	struct slg_watch w = watch();
	struct slg_verdict *v;

	(void)state;
	v = judge(p, good, 3, 0);
	v->verdict = SLG_V_ERROR;	/* as when Prometheus is down */
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, SINCE + 180), 0);
	assert_int_equal(w.errors, 1);
	slg_verdict_free(v);
	/* a good poll in between starts the count again */
	v = judge(p, good, 4, 0);
	assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, SINCE + 240), 0);
	assert_int_equal(w.errors, 0);
	slg_verdict_free(v);
	for (int i = 1; i <= 2; i++) {
		v = judge(p, good, 5, 0);
		v->verdict = SLG_V_ERROR;
		assert_int_equal(slg_watch_decide(p, &w, v, 0, 1, SINCE + 300),
		    i == 2);
		if (i == 2) {
			assert_verdict(v, SLG_V_ERROR);
			assert_contains(v->reason, "2 polls in a row failed "
			    "(error_limit 2)");
		}
		slg_verdict_free(v);
	}
	/* the whole window with its last point not yet scraped: look again,
	 * SLG_WATCH_SETTLE times, then it stands */
	w = watch();
	for (int i = 1; i <= SLG_WATCH_SETTLE + 1; i++) {
		v = judge(p, good, 10, 0);
		assert_verdict(v, SLG_V_INCONCLUSIVE);
		assert_int_equal(slg_watch_decide(p, &w, v, 1, 1, SINCE + 600),
		    i > SLG_WATCH_SETTLE);
		slg_verdict_free(v);
	}
	slg_policy_free(p);
}

static void
test_summary(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}, "
	    LATENCY "}]}");
	const double vals[] = { 0.9999, 0.9997 };
	struct slg_verdict *v = judge(p, vals, 2, 0.096);
	char *s = slg_watch_summary(p, SINCE, v);

	(void)state;
	assert_string_equal(s, "2m/10m observed, availability 99.97% ok, "
	    "latency_p95 96ms ok");
	free(s);
	slg_verdict_free(v);
	slg_policy_free(p);
}

/* A poll that could not be made at all: no objectives, an error verdict.
 * Its progress line and its JUnit report must not look clean. */
static void
test_error_without_objectives(void **state)
{
	struct slg_policy *p = policy(HEAD "'objectives': [" AVAIL "}]}");
	struct slg_verdict v;
	char *s, *xml = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.verdict = SLG_V_ERROR;
	v.reason = (char *)"cannot evaluate: database is locked";
	v.service = (char *)"api";
	v.environment = (char *)"staging";
	v.commit = (char *)"abc";
	v.window_start = SINCE;
	v.window_end = SINCE + 120;
	s = slg_watch_summary(p, SINCE, &v);
	assert_string_equal(s, "2m/10m observed, error: cannot evaluate: "
	    "database is locked");
	free(s);
	assert_non_null(f = open_memstream(&xml, &len));
	assert_int_equal(slg_report_junit(f, &v), 0);
	fclose(f);
	assert_contains(xml, "tests=\"1\" failures=\"0\" errors=\"1\"");
	assert_contains(xml, "name=\"evaluation\"");
	assert_contains(xml, "message=\"cannot evaluate: database is locked\"");
	free(xml);
	slg_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_end),
		cmocka_unit_test(test_next_poll),
		cmocka_unit_test(test_fail_after_runs),
		cmocka_unit_test(test_policy_keys),
		cmocka_unit_test(test_fail_is_final),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_decide_errors_and_settle),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_error_without_objectives),
	};

	return cmocka_run_group_tests_name("watch", tests, NULL, NULL);
}
