/* test_jsonin: reading back the JSON the service answers, as the CLI's
 * remote mode does: what reads, and the answers it must refuse rather
 * than hand to a report writer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonin.h"
#include "report/report.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A verdict's members before its objectives, with ' for ". */
#define HEAD "{'verdict': 'fail', 'service': 's', 'environment': 'e', " \
    "'commit': 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678', "

/* Turns ' into " (the answers below are written with '). */
static char *
json(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	for (char *p = d; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return d;
}

/* Every writer the CLI prints a verdict with. */
static void
write_all(const struct slg_verdict *v)
{
	FILE *f = fopen("/dev/null", "w");

	assert_non_null(f);
	assert_int_equal(slg_report_text(f, v, NULL), 0);
	assert_int_equal(slg_report_json(f, v), 0);
	assert_int_equal(slg_report_junit(f, v), 0);
	assert_int_equal(slg_report_show_text(f,
	    (struct slg_verdict *const *)&v, 1), 0);
	assert_int_equal(slg_report_history_csv(f,
	    (struct slg_verdict *const *)&v, 1), 0);
	fclose(f);
}

static void
test_verdict_reads(void **state)
{
	char *s = json(HEAD "'id': 7, 'window': {'start': "
	    "'2026-11-26T06:52:00Z', 'end': '2026-11-26T07:22:00Z', "
	    "'step_seconds': 60, 'watched': true}, 'objectives': [{'name': "
	    "'latency_p95', 'status': 'fail', 'value': 0.3, 'unit': "
	    "'seconds', 'pass': '<= 120ms', 'judged': true, 'promql': 'p95'}, "
	    "{'name': 'cpu', 'value': '+Inf', 'judged': false}]}");
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = NULL;

	(void)state;
	assert_int_equal(slg_jsonin_verdict(s, strlen(s), &v, &err), 0);
	assert_int_equal(v->verdict, SLG_V_FAIL);
	assert_int_equal(v->id, 7);
	assert_int_equal(v->watch_id, 7);
	assert_int_equal(v->step, 60);
	assert_int_equal(v->nobj, 2);
	assert_string_equal(v->obj[0].pass_text, "<= 120ms");
	assert_true(v->obj[0].value == 0.3);
	assert_true(isinf(v->obj[1].value));
	write_all(v);
	slg_verdict_free(v);
	free(s);
}

/* Verdicts no writer can show: refused, with the reason. */
static void
test_verdict_refused(void **state)
{
	static const struct {
		const char *json;
		const char *msg;
	} cases[] = {
		/* found by fuzz_jsonin: a nameless objective crashed the
		 * text report (strlen of NULL) */
		{ HEAD "'objectives': [{'status': 'fail', 'judged': true, "
		    "'pass': '<= 1'}]}", "objective #1 has no name" },
		{ HEAD "'objectives': [{'name': 'a', 'pass': '<= 1', 'judged': "
		    "true}, {'name': null}]}", "objective #2 has no name" },
		{ HEAD "'objectives': [7]}", "objective #1 has no name" },
		{ HEAD "'objectives': {'name': 'not a list'}}",
		    "objective #1 has no name" },
		/* judged, so the reports print its criteria */
		{ HEAD "'objectives': [{'name': 'a', 'judged': true}]}",
		    "no name or no criteria" },
		{ "{'verdict': 'pass', 'service': 's', 'environment': 'e'}",
		    "without service, environment or commit" },
		{ "{'verdict': 'maybe', 'service': 's'}", "not a verdict" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *s = json(cases[i].json);
		struct slg_err err = { 0, "" };
		struct slg_verdict *v = (struct slg_verdict *)1, **list = NULL;
		char list_text[1024];
		size_t n = 1;

		if (slg_jsonin_verdict(s, strlen(s), &v, &err) != SLG_EPARSE)
			fail_msg("case %zu read: %s", i, cases[i].json);
		assert_null(v);
		assert_contains(err.msg, cases[i].msg);
		/* the same inside a list */
		free(s);
		snprintf(list_text, sizeof(list_text), "[%s]", cases[i].json);
		s = json(list_text);
		assert_int_equal(slg_jsonin_verdicts(s, strlen(s), &list, &n,
		    &err), SLG_EPARSE);
		assert_null(list);
		assert_int_equal(n, 0);
		free(s);
	}
}

/* What report_json writes reads back as it was: ids and counts too,
 * which cJSON printed with 15 digits (2^53 came back as
 * 9007199254740990; found by fuzz_jsonin). */
static void
test_round_trip_exact(void **state)
{
	char *s = json(HEAD "'id': 9007199254740992, 'window': {'start': "
	    "'0999-05-01T00:00:00Z', 'end': '9999-12-31T23:59:59Z', "
	    "'step_seconds': 9007199254740991}, 'objectives': [{'name': "
	    "'a', 'status': 'fail', 'value': 0.9994999999999999, 'unit': "
	    "'ratio', 'pass': '>= 99.95%', 'judged': true, 'sustained': "
	    "true, 'points': 9007199254740992, 'points_failed': "
	    "1234567890123457}]}");
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = NULL, *again = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(slg_jsonin_verdict(s, strlen(s), &v, &err), 0);
	assert_non_null(f = open_memstream(&out, &len));
	assert_int_equal(slg_report_json(f, v), 0);
	fclose(f);
	if (slg_jsonin_verdict(out, len, &again, &err) != 0)
		fail_msg("does not read back: %s\n%s", err.msg, out);
	assert_true(again->id == INT64_C(9007199254740992));
	assert_true(again->step == INT64_C(9007199254740991));
	assert_true(again->window_start == v->window_start);
	assert_true(again->window_end == v->window_end);
	assert_true(again->obj[0].points == (size_t)9007199254740992ULL);
	assert_true(again->obj[0].points_failed == (size_t)1234567890123457ULL);
	assert_true(again->obj[0].value == 0.9994999999999999);
	slg_verdict_free(again);
	slg_verdict_free(v);
	free(out);
	free(s);
}

/* A status whose verdict cannot be shown is shown without it. */
static void
test_status_verdict_unreadable(void **state)
{
	char *s = json("{'promote': false, 'reason': 'r', 'verdict': "
	    "{'verdict': 'fail', 'service': 's', 'environment': 'e', "
	    "'commit': 'c', 'objectives': [{'status': 'fail'}]}}");
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = NULL;
	struct slg_approval *a = NULL;
	char *reason = NULL;
	int promote = 1;

	(void)state;
	assert_int_equal(slg_jsonin_status(s, strlen(s), &promote, &reason,
	    &v, &a, &err), 0);
	assert_int_equal(promote, 0);
	assert_string_equal(reason, "r");
	assert_null(v);
	assert_null(a);
	free(reason);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_reads),
		cmocka_unit_test(test_verdict_refused),
		cmocka_unit_test(test_round_trip_exact),
		cmocka_unit_test(test_status_verdict_unreadable),
	};

	return cmocka_run_group_tests_name("jsonin", tests, NULL, NULL);
}
