/* test_check: `slogate check` against a real Prometheus loaded with known
 * data (tests/fixtures/gen_series.c), a real SQLite file and a real git
 * repository. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct prom_server prom;
static char *dir;		/* policies and databases of this run */
static char queries[4096];

/* The motivating rule: availability >= 99.95% and p95 <= 120 ms, held for
 * 30 consecutive minutes. */
static const char motivating[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"window\": \"30m\", \"step\": \"1m\",\n"
    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"query\": \"availability\",\n"
    "   \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true},\n"
    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": \"<= 120ms\", \"sustained\": true}]}\n";

static int
group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(queries, sizeof(queries), "%s/queries", h_top());
	if ((dir = h_tmpdir()) == NULL)
		return -1;
	return h_prom_start(&prom);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_prom_stop(&prom);
	h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

/* dir/NAME.json with the given text; returns the path (static buffer). */
static const char *
policy(const char *name, const char *json)
{
	static char path[4096];
	char file[256];

	snprintf(file, sizeof(file), "%s.json", name);
	free(h_write(dir, file, json));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return path;
}

/* A fresh database for one test (h_db_new), in one of 4 static buffers
 * used in turn, so that a test can have two. */
static const char *
db(const char *name)
{
	static char path[4][4096];
	static unsigned next;
	char *p = path[next++ % 4];

	if (h_db_new(p, sizeof(path[0]), dir, name) != 0)
		fail_msg("no database '%s'", name);
	return p;
}

/* Runs `slogate check` with a policy, database, commit, window end and
 * more flags (NULL-terminated). */
static void
check(struct run *r, const char *pol, const char *dbp, const char *commit,
    int64_t at, ...)
{
	const char *args[48];
	char atbuf[32];
	const char *a;
	va_list ap;
	int n = 0;

	snprintf(atbuf, sizeof(atbuf), "%lld", (long long)at);
	args[n++] = "check";
	args[n++] = "--policy";
	args[n++] = pol;
	args[n++] = "--prometheus";
	args[n++] = prom.url;
	args[n++] = "--db";
	args[n++] = dbp;
	args[n++] = "--queries";
	args[n++] = queries;
	args[n++] = "--at";
	args[n++] = atbuf;
	/* the build was made as its window ended: the window is its own */
	args[n++] = "--build-time";
	args[n++] = atbuf;
	if (commit != NULL) {
		args[n++] = "--commit";
		args[n++] = commit;
	}
	va_start(ap, at);
	while ((a = va_arg(ap, const char *)) != NULL && n < 46)
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	h_slogate(r, args, NULL);
}

static cJSON *
objective(cJSON *root, const char *name)
{
	cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItem(root, "objectives")) {
		if (strcmp(cJSON_GetObjectItem(o, "name")->valuestring, name) == 0)
			return o;
	}
	fail_msg("no objective '%s' in the output", name);
	return NULL;
}

static const char *
jstr(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItem(o, key);

	assert_non_null(v);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* The verdicts of commit in database d, newest first, as `slogate show
 * --format json` reads them back (the caller deletes the array). */
static cJSON *
shown(const char *d, const char *commit)
{
	const char *args[] = { "show", commit, "--format", "json", "--db", d,
	    NULL };
	struct run r;
	cJSON *a;

	h_slogate(&r, args, NULL);
	if (r.code != 0)
		fail_msg("show %s: exit %d: %s", commit, r.code, r.err);
	a = cJSON_Parse(r.out);
	h_run_free(&r);
	assert_true(cJSON_IsArray(a));
	return a;
}

/* Nothing was recorded in d, a database of db(): a SQLite file was not
 * even made; a PostgreSQL database (made and migrated by h_db_new) holds
 * no verdict, and no entry in the audit trail. */
static void
assert_nothing_recorded(const char *d)
{
	if (!h_backend_pg()) {
		assert_int_equal(access(d, F_OK), -1);
		return;
	}
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 0);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM audit"), 0);
}

static void
healthy_build_passes(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("healthy");
	struct run r;
	cJSON *root, *o;
	char sql[256];

	(void)state;
	check(&r, pol, d, SHA_A, prom.end - 3600, "--format", "json", NULL);
	assert_int_equal(r.code, 0);
	root = cJSON_Parse(r.out);
	assert_non_null(root);
	assert_string_equal(jstr(root, "verdict"), "pass");
	assert_string_equal(jstr(root, "commit"), SHA_A);
	assert_string_equal(jstr(root, "service"), "payment-gateway");
	assert_string_equal(jstr(root, "environment"), "staging");
	assert_non_null(cJSON_GetObjectItem(root, "build_time"));
	assert_non_null(cJSON_GetObjectItem(root, "window"));
	o = objective(root, "availability");
	assert_string_equal(jstr(o, "status"), "pass");
	assert_float_equal(cJSON_GetObjectItem(o, "value")->valuedouble, 0.9998,
	    1e-6);
	assert_int_equal(cJSON_GetObjectItem(o, "points")->valueint, 30);
	assert_non_null(strstr(jstr(o, "promql"),
	    "service=\"payment-gateway\",environment=\"staging\""));
	o = objective(root, "latency_p95");
	assert_string_equal(jstr(o, "status"), "pass");
	/* the generator's healthy p95: 0.05 + 0.35/0.37 * 0.05 */
	assert_float_equal(cJSON_GetObjectItem(o, "value")->valuedouble,
	    0.05 + 0.35 / 0.37 * 0.05, 1e-4);

	/* what the database holds */
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 1);
	snprintf(sql, sizeof(sql), "SELECT verdict FROM verdicts WHERE "
	    "commit_sha = '%s'", SHA_A);
	assert_string_equal(h_db_text(d, sql), "pass");
	assert_int_equal(h_db_int(d, "SELECT window_end - window_start FROM "
	    "verdicts"), 1800);
	assert_int_equal(h_db_int(d, "SELECT window_end FROM verdicts"),
	    prom.end - 3600);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM objective_results"),
	    2);
	assert_int_equal(h_db_int(d, "SELECT points FROM objective_results "
	    "WHERE name = 'availability'"), 30);
	assert_int_equal(h_db_int(d, "SELECT length(policy_digest) FROM "
	    "verdicts"), 40);
	assert_int_equal(h_db_int(d, "SELECT guard_value >= 199 AND "
	    "guard_value <= 201 FROM verdicts"), 1);
	cJSON_Delete(root);
	h_run_free(&r);
}

static void
regressed_build_fails(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("regressed");
	struct run r;

	(void)state;
	check(&r, pol, d, SHA_B, prom.end, NULL);
	assert_int_equal(r.code, 1);
	assert_non_null(strstr(r.out, "verdict: fail (exit 1)"));
	assert_non_null(strstr(r.out, "latency_p95"));
	assert_string_equal(h_db_text(d, "SELECT verdict FROM verdicts"), "fail");
	assert_string_equal(h_db_text(d, "SELECT status FROM objective_results "
	    "WHERE name = 'latency_p95'"), "fail");
	assert_int_equal(h_db_int(d, "SELECT points_failed FROM "
	    "objective_results WHERE name = 'latency_p95'"), 30);
	assert_string_equal(h_db_text(d, "SELECT status FROM objective_results "
	    "WHERE name = 'availability'"), "pass");
	/* p95 of the slow profile: 0.12 + 0.05/0.09 * 0.13 */
	assert_true(h_db_int(d, "SELECT abs(value - 0.192222) < 0.001 FROM "
	    "objective_results WHERE name = 'latency_p95'") == 1);
	h_run_free(&r);
}

static void
warn_build_warns(void **state)
{
	const char *pol = policy("checkout",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"availability\", \"query\": "
	    "\"availability\", \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\"}]}");
	const char *d = db("warn");
	struct run r;

	(void)state;
	check(&r, pol, d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 2);
	assert_string_equal(h_db_text(d, "SELECT verdict FROM verdicts"), "warn");
	assert_true(h_db_int(d, "SELECT abs(value - 0.9993) < 0.00001 FROM "
	    "objective_results") == 1);
	h_run_free(&r);
}

/* A two minute burst: the 30 minute average passes, the sustained rule
 * catches it. */
static void
sustained_catches_what_the_average_hides(void **state)
{
	static const char fmt[] =
	    "{\"service\": \"search\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"availability\", \"query\": "
	    "\"availability\", \"pass\": \">= 99.95%%\", \"sustained\": %s}]}";
	char json[512];
	const char *d = db("burst");
	struct run r;
	long long failed;

	(void)state;
	snprintf(json, sizeof(json), fmt, "false");
	check(&r, policy("search-windowed", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);

	snprintf(json, sizeof(json), fmt, "true");
	check(&r, policy("search-sustained", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 1);
	failed = h_db_int(d, "SELECT points_failed FROM objective_results "
	    "WHERE verdict_id = (SELECT max(id) FROM verdicts)");
	assert_in_range(failed, 2, 3);
	assert_true(h_db_int(d, "SELECT value < 0.9965 FROM objective_results "
	    "WHERE verdict_id = (SELECT max(id) FROM verdicts)") == 1);
	assert_non_null(strstr(r.out, "points miss >= 99.95%"));
	h_run_free(&r);
}

static void
low_traffic_is_inconclusive(void **state)
{
	const char *pol = policy("quiet",
	    "{\"service\": \"quiet\", \"environment\": \"staging\",\n"
	    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
	    " \"objectives\": [{\"name\": \"availability\", \"query\": "
	    "\"availability\", \"pass\": \">= 99.9%\"}]}");
	const char *d = db("quiet");
	struct run r;

	(void)state;
	check(&r, pol, d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	assert_non_null(strstr(r.out, "not enough traffic to judge"));
	assert_string_equal(h_db_text(d, "SELECT verdict FROM verdicts"),
	    "inconclusive");
	assert_true(h_db_int(d, "SELECT guard_value < 1 FROM verdicts") == 1);
	h_run_free(&r);
}

static void
no_data_is_never_a_pass(void **state)
{
	static const char fmt[] =
	    "{\"service\": \"ghost\", \"environment\": \"staging\", %s\n"
	    " \"objectives\": [{\"name\": \"latency_p95\", \"query\": "
	    "\"latency_p95\", \"pass\": \"<= 120ms\"}]}";
	char json[512];
	const char *d = db("nodata");
	struct run r;

	(void)state;
	snprintf(json, sizeof(json), fmt, "");
	check(&r, policy("ghost", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	assert_string_equal(h_db_text(d, "SELECT status FROM objective_results"),
	    "no_data");
	assert_int_equal(h_db_int(d, "SELECT value IS NULL FROM "
	    "objective_results"), 1);
	h_run_free(&r);

	snprintf(json, sizeof(json), fmt, "\"on_no_data\": \"fail\",");
	check(&r, policy("ghost-fail", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 1);
	h_run_free(&r);
}

static void
unreachable_prometheus_is_an_error(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("unreachable");
	const char *args[] = { "check", "--policy", pol, "--db", d, "--queries",
	    queries, "--commit", SHA_A, "--prometheus", NULL, NULL };
	char url[64];
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", h_free_port());
	args[10] = url;
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.out, "verdict: error (exit 4)"));
	assert_non_null(strstr(r.out, "cannot query prometheus"));
	assert_string_equal(h_db_text(d, "SELECT verdict FROM verdicts"), "error");
	assert_non_null(strstr(h_db_text(d, "SELECT reason FROM verdicts"),
	    "cannot query prometheus"));
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM objective_results "
	    "WHERE status = 'error'"), 2);
	h_run_free(&r);
}

/* Prometheus refuses bad PromQL with HTTP 400; a query that is not
 * aggregated gives several series. Both are errors, never a pass. */
static void
bad_queries_are_errors(void **state)
{
	const char *d = db("badquery");
	struct run r;

	(void)state;
	check(&r, policy("syntax",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"broken\", \"promql\": \"sum(rate(\","
	    " \"pass\": \">= 1\"}]}"), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.out, "bad_data"));
	h_run_free(&r);

	check(&r, policy("many",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"raw\", \"promql\": "
	    "\"http_requests_total{service=\\\"${service}\\\"}\","
	    " \"pass\": \">= 0\"}]}"), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.out, "query returned 2 series"));
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts WHERE "
	    "verdict = 'error'"), 2);
	h_run_free(&r);
}

/* A service name that tries to close the string and add a matcher must
 * stay one literal: it matches nothing, so there is no data. */
static void
service_name_cannot_inject_a_matcher(void **state)
{
	const char *pol = policy("inject",
	    "{\"service\": \"x\\\",service=~\\\".+\", \"environment\": "
	    "\"staging\",\n \"objectives\": [{\"name\": \"rate\", \"query\": "
	    "\"request_rate\", \"pass\": \">= 0\"}]}");
	const char *d = db("inject");
	struct run r;
	char *promql;

	(void)state;
	check(&r, pol, d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	promql = h_db_text(d, "SELECT promql FROM objective_results");
	assert_non_null(strstr(promql, "service=\"x\\x22,service=~\\x22.+\""));
	h_run_free(&r);
}

static void
relative_criteria_use_the_stored_baseline(void **state)
{
	const char *pol = policy("relative",
	    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"latency_p95\", \"query\": "
	    "\"latency_p95\", \"pass\": [\"<= 120ms\", \"<= +10%\"]}]}");
	const char *d = db("relative");
	const char *set[] = { "baseline", "set", "--db", d, "--service",
	    "payment-gateway", "--environment", "staging", "--objective",
	    "latency_p95", "--value", "80ms", NULL };
	struct run r;

	(void)state;
	/* no baseline: the relative criterion is skipped and says so */
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "skipped: no baseline stored"));
	h_run_free(&r);

	h_slogate(&r, set, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	/* 97 ms is within 120 ms but more than 80 ms + 10% */
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 1);
	assert_true(h_db_int(d, "SELECT abs(baseline - 0.08) < 1e-9 FROM "
	    "objective_results WHERE verdict_id = 2") == 1);
	assert_string_equal(h_db_text(d, "SELECT baseline_source FROM "
	    "objective_results WHERE verdict_id = 2"), "stored");
	h_run_free(&r);
}

/* Relative criteria alone and no baseline: nothing was judged, so the
 * gate does not pass, unless the policy asks to skip them; then a
 * baseline makes them count. */
static void
no_baseline_is_no_pass(void **state)
{
	static const char fmt[] =
	    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
	    " %s\"objectives\": [{\"name\": \"latency_p95\", \"query\": "
	    "\"latency_p95\", \"pass\": \"<= +10%%\"}]}";
	const char *d = db("nobaseline");
	const char *set[] = { "baseline", "set", "--db", d, "--service",
	    "payment-gateway", "--environment", "staging", "--objective",
	    "latency_p95", "--value", "95ms", NULL };
	char json[512];
	struct run r;

	(void)state;
	snprintf(json, sizeof(json), fmt, "");
	check(&r, policy("nobase", json), d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "verdict: inconclusive (exit 3): latency_p95: "
	    "no data: its relative criteria cannot be judged without a "
	    "baseline (no baseline stored; on_no_baseline: inconclusive)");
	assert_string_equal(h_db_text(d, "SELECT status FROM objective_results "
	    "ORDER BY verdict_id DESC LIMIT 1"), "no_data");
	h_run_free(&r);

	snprintf(json, sizeof(json), fmt, "\"on_no_baseline\": \"skip\", ");
	check(&r, policy("nobase-skip", json), d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "relative criterion '<= +10%' skipped: no "
	    "baseline stored");
	h_run_free(&r);

	/* a first baseline, and the same policy judges: 97 ms is within
	 * 95 ms + 10% */
	h_slogate(&r, set, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	snprintf(json, sizeof(json), fmt, "");
	check(&r, policy("nobase", json), d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	assert_null(strstr(r.out, "skipped"));
	h_run_free(&r);
}

/* A series that starts 5 minutes before the window ends: Prometheus's
 * rate over the 30m range is happy with those 5 minutes, the policy
 * promised 30. */
static void
coverage_of_a_window_mostly_without_data(void **state)
{
	static const char fmt[] =
	    "{\"service\": \"%s\", \"environment\": \"staging\", %s\n"
	    " \"objectives\": [{\"name\": \"availability\", \"query\": "
	    "\"availability\", \"pass\": \">= 99.9%%\"}]}";
	const char *d = db("coverage");
	char json[512];
	struct run r;

	(void)state;
	/* what a gate that only asks for the value sees: a pass */
	snprintf(json, sizeof(json), fmt, "fresh", "\"min_coverage\": \"0%\",");
	check(&r, policy("fresh-unmeasured", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);

	snprintf(json, sizeof(json), fmt, "fresh", "");
	check(&r, policy("fresh", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "verdict: inconclusive (exit 3): availability: "
	    "no data: data for ");
	assert_contains(r.out, " of 30m (");
	assert_contains(r.out, "min_coverage 90%");
	assert_null(strstr(r.out, "data for 0s"));	/* it did see some */
	assert_string_equal(h_db_text(d, "SELECT verdict FROM verdicts ORDER "
	    "BY id DESC LIMIT 1"), "inconclusive");
	h_run_free(&r);

	/* scraped all along but idle until 5 minutes before the end (its
	 * first requests fall in the step that ends there): the steps
	 * without traffic are 0/0, no data (they counted before) */
	snprintf(json, sizeof(json), fmt, "idle", "");
	check(&r, policy("idle", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "availability: no data: data for 6m of 30m "
	    "(20%), min_coverage 90%");
	h_run_free(&r);

	/* 4 minutes missing at the window's start, data just before it: the
	 * step at the start looks back before the window and is not counted
	 * (it was, and 27 of 30 made 90%) */
	snprintf(json, sizeof(json), fmt, "gappy", "");
	check(&r, policy("gappy", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "data for 26m of 30m (87%), min_coverage 90%");
	h_run_free(&r);

	/* a service with data all along is covered, all of it */
	snprintf(json, sizeof(json), fmt, "checkout", "\"min_coverage\": "
	    "\"100%\",");
	check(&r, policy("covered", json), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
}

static void
junit_and_dotenv_reports(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("reports");
	char junit[4096], dotenv[4096], want[128];
	char *x, *e;
	struct run r;
	int cases = 0;

	(void)state;
	snprintf(junit, sizeof(junit), "%s/report.xml", dir);
	snprintf(dotenv, sizeof(dotenv), "%s/slogate.env", dir);
	check(&r, pol, d, SHA_B, prom.end, "--junit", junit, "--dotenv", dotenv,
	    NULL);
	assert_int_equal(r.code, 1);
	x = h_read(junit);
	assert_non_null(x);
	for (char *p = x; (p = strstr(p, "<testcase ")) != NULL; p++)
		cases++;
	assert_int_equal(cases, 3);	/* two objectives and the guard */
	assert_non_null(strstr(x, "name=\"latency_p95\""));
	assert_non_null(strstr(x, "<failure type=\"fail\""));
	assert_non_null(strstr(x, "failures=\"1\""));
	assert_non_null(strstr(x, "&lt;= 120ms"));
	e = h_read(dotenv);
	assert_non_null(e);
	assert_non_null(strstr(e, "SLOGATE_VERDICT=fail\n"));
	snprintf(want, sizeof(want), "SLOGATE_VERDICT_ID=%lld\n",
	    h_db_int(d, "SELECT id FROM verdicts"));
	assert_non_null(strstr(e, want));
	free(x);
	free(e);
	h_run_free(&r);
}

static void
ci_variables_are_recorded(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("ci");
	char atbuf[32];
	const char *args[] = { "check", "--policy", pol, "--db", d, "--queries",
	    queries, "--prometheus", prom.url, "--at", atbuf, NULL };
	const char *env[] = {
	    "CI_COMMIT_SHA=" SHA_B,
	    "CI_PIPELINE_CREATED_AT=2026-11-26T06:00:00Z",
	    "CI_PIPELINE_ID=4242",
	    "CI_PIPELINE_URL=https://gitlab.example/p/-/pipelines/4242",
	    "CI_JOB_URL=https://gitlab.example/p/-/jobs/99",
	    "CI_COMMIT_REF_NAME=release/1.2",
	    NULL };
	struct run r;
	cJSON *a, *v, *ci;

	(void)state;
	snprintf(atbuf, sizeof(atbuf), "%lld", (long long)prom.end - 3600);
	h_slogate(&r, args, env);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	/* what was recorded, as slogate reads it back */
	a = shown(d, SHA_B);
	assert_int_equal(cJSON_GetArraySize(a), 1);
	v = cJSON_GetArrayItem(a, 0);
	assert_string_equal(jstr(v, "commit"), SHA_B);
	/* CI_PIPELINE_CREATED_AT */
	assert_string_equal(jstr(v, "build_time"), "2026-11-26T06:00:00Z");
	assert_non_null(ci = cJSON_GetObjectItem(v, "ci"));
	assert_string_equal(jstr(ci, "pipeline_id"), "4242");
	assert_string_equal(jstr(ci, "pipeline_url"),
	    "https://gitlab.example/p/-/pipelines/4242");
	assert_string_equal(jstr(ci, "job_url"),
	    "https://gitlab.example/p/-/jobs/99");
	assert_string_equal(jstr(ci, "ref_name"), "release/1.2");
	assert_string_equal(jstr(v, "branch"), "release/1.2");
	cJSON_Delete(a);
}

/* An abbreviated commit that names two objects is an error (exit 4), not
 * a verdict: exit 1 would read as "fail". */
static void
ambiguous_commit_is_an_error(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("ambiguous");
	char repo[4096], pfile[4200], prefix[8];
	const char *args[] = { "check", "--policy", pol, "--db", d, "--queries",
	    queries, "--prometheus", prom.url, "--repo", repo, "--commit",
	    prefix, NULL };
	struct run r;
	char *p;

	(void)state;
	snprintf(repo, sizeof(repo), "%s/ambiguous", dir);
	snprintf(pfile, sizeof(pfile), "%s/prefix", repo);
	/* 1500 objects: some two share their first four hex digits (the
	 * content is fixed, so always the same two) */
	assert_int_equal(h_sh("set -e; git init -q '%s'; cd '%s'; "
	    "git -c user.name=a -c user.email=a@example.com commit -q "
	    "--allow-empty -m x; mkdir o; for i in $(seq 1 1500); do "
	    "echo \"object $i\" > o/$i; done; git hash-object -w o/* "
	    ">/dev/null; git cat-file --batch-all-objects --batch-check="
	    "'%%(objectname)' | cut -c1-4 | sort | uniq -d | head -1 > prefix",
	    repo, repo), 0);
	p = h_read(pfile);
	assert_non_null(p);
	assert_int_equal(strlen(p), 5);
	snprintf(prefix, sizeof(prefix), "%.4s", p);
	free(p);
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "is ambiguous");
	assert_nothing_recorded(d);
	h_run_free(&r);
}

/* HEAD of a real repository made here, and abbreviated hashes. */
static void
commit_metadata_from_git(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("git");
	char repo[4096], *head, atbuf[32], shortsha[8];
	const char *args[] = { "check", "--policy", pol, "--db", d, "--queries",
	    queries, "--prometheus", prom.url, "--at", atbuf, "--build-time",
	    atbuf, "--repo", repo, NULL, NULL, NULL };
	struct run r;
	cJSON *a, *v;

	(void)state;
	snprintf(atbuf, sizeof(atbuf), "%lld", (long long)prom.end - 3600);
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	assert_int_equal(h_sh("set -e; git init -q -b main '%s'; cd '%s'; "
	    "git -c user.name='Rel Eng' -c user.email=releng@example.com "
	    "commit -q --allow-empty -m 'first build'; "
	    "GIT_COMMITTER_DATE='2026-11-20T10:00:00Z' git -c user.name='Rel Eng' "
	    "-c user.email=releng@example.com commit -q --allow-empty "
	    "-m 'Speed up card tokenisation' -m 'body text'", repo, repo), 0);
	head = NULL;
	{
		char path[4200];
		FILE *f;

		snprintf(path, sizeof(path), "git -C '%s' rev-parse HEAD", repo);
		f = popen(path, "r");
		head = calloc(1, 64);
		assert_non_null(fgets(head, 64, f));
		pclose(f);
		head[strcspn(head, "\n")] = '\0';
	}
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	a = shown(d, head);
	assert_int_equal(cJSON_GetArraySize(a), 1);
	v = cJSON_GetArrayItem(a, 0);
	assert_string_equal(jstr(v, "commit"), head);
	assert_string_equal(jstr(v, "commit_author"),
	    "Rel Eng <releng@example.com>");
	assert_string_equal(jstr(v, "commit_subject"),
	    "Speed up card tokenisation");
	assert_string_equal(jstr(v, "branch"), "main");
	/* the committer's time */
	assert_string_equal(jstr(v, "commit_time"), "2026-11-20T10:00:00Z");
	cJSON_Delete(a);

	/* an abbreviated sha resolves to the full one */
	memcpy(shortsha, head, 7);
	shortsha[7] = '\0';
	args[15] = "--commit";
	args[16] = shortsha;
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 0);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts WHERE "
	    "length(commit_sha) = 40"), 2);
	h_run_free(&r);

	/* one that is not in the repository cannot be resolved */
	args[16] = "abcdef1";
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 64);
	assert_non_null(strstr(r.err, "abbreviated"));
	h_run_free(&r);
	free(head);
}

/* Parallel CI jobs writing one database file all succeed. */
static void
parallel_checks_share_one_database(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("parallel");
	struct run r[8];
	pid_t pid[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		if ((pid[i] = fork()) == 0) {
			check(&r[i], pol, d, i % 2 ? SHA_A : SHA_B,
			    i % 2 ? prom.end - 3600 : prom.end, NULL);
			if (r[i].code != (i % 2 ? 0 : 1))
				fprintf(stderr, "check %d: exit %d\n%s%s", i,
				    r[i].code, r[i].out, r[i].err);
			_exit(r[i].code);
		}
	}
	for (int i = 0; i < 8; i++) {
		int st;

		waitpid(pid[i], &st, 0);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), i % 2 ? 0 : 1);
	}
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 8);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM objective_results"),
	    16);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts WHERE "
	    "verdict = 'pass'"), 4);
}

static void
bad_policy_and_flags_are_refused(void **state)
{
	const char *d = db("refused");
	struct run r;

	(void)state;
	check(&r, policy("typo",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"latency_p95\", \"query\": "
	    "\"latency_p95\", \"pass\": \"=> 120ms\"}]}"), d, SHA_A, prom.end,
	    NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.err, "typo.json': objective 'latency_p95': "
	    "'pass': unknown operator '=>'"));
	h_run_free(&r);

	check(&r, policy("missing",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"apdex\", \"query\": \"apdex\", "
	    "\"pass\": \">= 0.9\"}]}"), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.err, "objective 'apdex': query template "
	    "'apdex.promql' not found"));
	h_run_free(&r);

	check(&r, policy("unset",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": [{\"name\": \"x\", \"promql\": \"up{job=\\\"${job}\\\"}\", "
	    "\"pass\": \">= 1\"}]}"), d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.err, "objective 'x': unknown variable '${job}'"));
	h_run_free(&r);

	check(&r, policy("motivating", motivating), d, SHA_A, prom.end,
	    "--format", "yaml", NULL);
	assert_int_equal(r.code, 64);
	assert_non_null(strstr(r.err, "--format must be text or json"));
	h_run_free(&r);

	check(&r, policy("motivating", motivating), d, "not-a-sha", prom.end,
	    NULL);
	assert_int_equal(r.code, 64);
	h_run_free(&r);

	check(&r, policy("motivating", motivating), d, SHA_A, prom.end,
	    "--at", "yesterday", NULL);
	assert_int_equal(r.code, 64);
	h_run_free(&r);

	/* waiting for the window: flags that do not fit together */
	check(&r, policy("motivating", motivating), d, SHA_A, prom.end,
	    "--wait", NULL);
	assert_int_equal(r.code, 64);
	assert_non_null(strstr(r.err, "--wait needs --since"));
	h_run_free(&r);
	check(&r, policy("motivating", motivating), d, SHA_A, prom.end,
	    "--since", "2026-11-26T07:00:00Z", NULL);
	assert_int_equal(r.code, 64);
	assert_non_null(strstr(r.err, "--since and --at both place the "
	    "window"));
	h_run_free(&r);
	check(&r, policy("motivating", motivating), d, SHA_A, prom.end,
	    "--timeout", "5m", NULL);
	assert_int_equal(r.code, 64);
	assert_non_null(strstr(r.err, "--timeout applies to --wait"));
	h_run_free(&r);

	/* every mistake was found before the database was even opened */
	assert_nothing_recorded(d);
}

static void
history_lists_newest_first(void **state)
{
	const char *pol = policy("motivating", motivating);
	const char *d = db("history");
	const char *hist[] = { "history", "--db", d, NULL };
	const char *histj[] = { "history", "--db", d, "--format", "json",
	    "--commit", "aaaaaaa", NULL };
	struct run r;
	cJSON *a;
	char *first, *second;

	(void)state;
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	h_run_free(&r);
	check(&r, pol, d, SHA_B, prom.end, NULL);
	h_run_free(&r);
	h_slogate(&r, hist, NULL);
	assert_int_equal(r.code, 0);
	first = strstr(r.out, "bbbbbbbbbb");
	second = strstr(r.out, "aaaaaaaaaa");
	assert_non_null(first);
	assert_non_null(second);
	assert_true(first < second);
	assert_non_null(strstr(r.out, "latency_p95"));
	h_run_free(&r);

	h_slogate(&r, histj, NULL);
	assert_int_equal(r.code, 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 1);
	assert_string_equal(jstr(cJSON_GetArrayItem(a, 0), "verdict"), "pass");
	cJSON_Delete(a);
	h_run_free(&r);
}

static void
newer_database_is_refused(void **state)
{
	H_SQLITE_ONLY();
	const char *pol = policy("motivating", motivating);
	const char *d = db("newer");
	struct run r;

	(void)state;
	assert_int_equal(h_sh("sqlite3 '%s' 'PRAGMA user_version = 99'", d), 0);
	check(&r, pol, d, SHA_A, prom.end, NULL);
	assert_int_equal(r.code, 4);
	assert_non_null(strstr(r.err, "newer than this slogate knows"));
	h_run_free(&r);
}

/* `slogate db migrate`: creates, migrates an older database (keeping its
 * verdicts and filling what the new schema adds), says it is up to date
 * after, and leaves a newer database as it was. */
static void
db_migrate_says_what_it_did(void **state)
{
	H_SQLITE_ONLY();
	const char *pol = policy("motivating", motivating);
	const char *d = db("migrate"), *n = db("migrate-newer");
	const char *mig[] = { "db", "migrate", "--db", d, NULL };
	const char *hist[] = { "history", "--db", d, "--format", "json", NULL };
	struct run r;
	cJSON *a;

	(void)state;
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "created at schema 7");
	h_run_free(&r);
	check(&r, pol, d, SHA_A, prom.end, NULL);
	assert_true(r.code == 0 || r.code == 1);	/* a verdict recorded */
	h_run_free(&r);
	/* back to schema 5, as an older slogate left it (request added
	 * first: SQLite cannot drop the column after one with a comment) */
	assert_int_equal(h_sh("sqlite3 '%s' 'DROP TRIGGER verdicts_written; "
	    "DROP TABLE latest_verdicts; "
	    "DROP INDEX verdicts_recorded; DROP INDEX "
	    "verdicts_by_commit_recorded; ALTER TABLE verdicts DROP COLUMN "
	    "recorded; ALTER TABLE watches ADD COLUMN request TEXT NOT "
	    "NULL DEFAULT '\\''{}'\\''; ALTER TABLE watches DROP COLUMN "
	    "policy; ALTER TABLE watches DROP COLUMN policy_path; ALTER "
	    "TABLE watches DROP COLUMN policy_digest; ALTER TABLE "
	    "watches DROP COLUMN trial; ALTER TABLE watches DROP COLUMN "
	    "actor; ALTER TABLE watches DROP COLUMN branch; ALTER TABLE "
	    "watches DROP COLUMN ref_name; ALTER TABLE watches DROP "
	    "COLUMN commit_author; ALTER TABLE watches DROP COLUMN "
	    "commit_subject; ALTER TABLE watches DROP COLUMN "
	    "commit_time; ALTER TABLE watches DROP COLUMN build_time; "
	    "ALTER TABLE watches DROP COLUMN pipeline_id; ALTER TABLE "
	    "watches DROP COLUMN pipeline_url; ALTER TABLE watches DROP "
	    "COLUMN job_url; ALTER TABLE watches DROP COLUMN "
	    "lease_owner; ALTER TABLE watches DROP COLUMN lease_until; "
	    "ALTER TABLE watch_polls DROP COLUMN polled_by; PRAGMA "
	    "user_version = 5'", d), 0);
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "migrated from schema 5 to 7");
	h_run_free(&r);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM latest_verdicts"), 1);
	h_slogate(&r, hist, NULL);
	assert_int_equal(r.code, 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 1);
	cJSON_Delete(a);
	h_run_free(&r);
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "schema 7, up to date");
	h_run_free(&r);

	assert_int_equal(h_sh("sqlite3 '%s' 'PRAGMA user_version = 99'", n), 0);
	mig[3] = n;
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "newer than this slogate knows");
	h_run_free(&r);
	assert_int_equal(h_db_int(n, "PRAGMA user_version"), 99);
}

/* A PostgreSQL database is migrated on purpose only: before `slogate db
 * migrate` a check and the service refuse it (exit 4, saying to run it)
 * and write nothing, not even the schema; after it they work; one newer
 * than this slogate is refused, by the migration too, and left as it is.
 * (SQLite files are migrated on first use: the tests above.) */
static void
postgres_is_migrated_on_purpose_only(void **state)
{
	const char *pol = policy("motivating", motivating);
	char d[4096], want[64], listen[32];
	const char *mig[] = { "db", "migrate", "--db", d, NULL };
	const char *serve[] = { "serve", "--db", d, "--prometheus", prom.url,
	    "--queries", queries, "--listen", listen, NULL };
	const char *env[] = { "SLOGATE_TOKEN=migrate-first-0123456789abcdef",
	    NULL };
	struct run r;
	long long version;

	(void)state;
	if (!h_backend_pg())
		skip();
	assert_int_equal(h_pg_db_new(d, sizeof(d), "unmigrated"), 0);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "slogate db migrate");
	assert_null(strstr(r.out, "verdict:"));
	h_run_free(&r);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", h_free_port());
	h_slogate(&r, serve, env);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "slogate db migrate");
	h_run_free(&r);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = 'public'"), 0);

	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	version = h_db_int(d, "SELECT version FROM schema_version");
	assert_true(version >= 1);
	snprintf(want, sizeof(want), "created at schema %lld", version);
	assert_contains(r.out, want);
	h_run_free(&r);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	snprintf(want, sizeof(want), "schema %lld, up to date", version);
	assert_contains(r.out, want);
	h_run_free(&r);

	/* as a newer slogate would leave it */
	assert_int_equal(h_sh("psql -q '%s' -c 'UPDATE schema_version SET "
	    "version = 99'", d), 0);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "newer than this slogate knows");
	h_run_free(&r);
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "newer than this slogate knows");
	h_run_free(&r);
	assert_int_equal(h_db_int(d, "SELECT version FROM schema_version"), 99);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 1);
}

/* Runs check as check() does, limited as h_slogate_limited says. */
static void
check_limited(struct run *r, const char *pol, const char *dbp, int nobody,
    long fsize)
{
	char atbuf[32];
	const char *args[] = { "check", "--policy", pol, "--prometheus",
	    prom.url, "--db", dbp, "--queries", queries, "--at", atbuf,
	    "--build-time", atbuf, "--commit", SHA_A, NULL };

	snprintf(atbuf, sizeof(atbuf), "%lld", (long long)prom.end - 3600);
	h_slogate_limited(r, args, NULL, nobody, fsize);
}

/* A database that cannot take the verdict: the check is an error (exit
 * 4, with what went wrong), never a verdict printed but not kept, and
 * what was there stays as it was. */
static void
store_faults_are_errors(void **state)
{
	H_SQLITE_ONLY();
	const char *pol = policy("motivating", motivating);
	char d[4200], sub[4096], *text;
	struct run r;

	(void)state;
	/* not a database at all */
	snprintf(d, sizeof(d), "%s", db("corrupt"));
	free(h_write(dir, "corrupt.db", "these are not the pages of a "
	    "database, though the file is long enough to look like one. "
	    "0123456789012345678901234567890123456789012345678901234567890"));
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "file is not a database");
	assert_null(strstr(r.out, "verdict:"));
	h_run_free(&r);

	/* a good database cut short: its last pages are gone */
	snprintf(d, sizeof(d), "%s", db("truncated"));
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	assert_int_equal(h_sh("truncate -s 8192 '%s'", d), 0);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "database");
	assert_null(strstr(r.out, "verdict:"));
	h_run_free(&r);

	/* read-only: a database another user owns, in a folder of theirs */
	snprintf(sub, sizeof(sub), "%s/readonly", dir);
	snprintf(d, sizeof(d), "%s/ro.db", sub);
	assert_int_equal(h_sh("mkdir -p '%s' && chmod 755 '%s'", sub, dir), 0);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	assert_int_equal(h_sh("chmod 444 '%s' && chmod 555 '%s'", d, sub), 0);
	check_limited(&r, pol, d, 1, 0);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "readonly");
	assert_null(strstr(r.out, "verdict:"));
	h_run_free(&r);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 1);
	assert_int_equal(h_sh("chmod 755 '%s' && chmod 644 '%s'", sub, d), 0);

	/* a full disk: no file may grow past 1 KiB */
	snprintf(d, sizeof(d), "%s", db("full"));
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	check_limited(&r, pol, d, 0, 1024);
	assert_int_equal(r.code, 4);	/* not killed by SIGXFSZ */
	assert_contains(r.err, "database");
	assert_null(strstr(r.out, "verdict:"));
	h_run_free(&r);
	/* and the database is whole afterwards, with the one verdict */
	text = h_db_text(d, "PRAGMA integrity_check");
	assert_string_equal(text, "ok");
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 1);
	check(&r, pol, d, SHA_A, prom.end - 3600, NULL);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	assert_int_equal(h_db_int(d, "SELECT count(*) FROM verdicts"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_build_passes),
		cmocka_unit_test(regressed_build_fails),
		cmocka_unit_test(warn_build_warns),
		cmocka_unit_test(sustained_catches_what_the_average_hides),
		cmocka_unit_test(low_traffic_is_inconclusive),
		cmocka_unit_test(no_data_is_never_a_pass),
		cmocka_unit_test(unreachable_prometheus_is_an_error),
		cmocka_unit_test(bad_queries_are_errors),
		cmocka_unit_test(service_name_cannot_inject_a_matcher),
		cmocka_unit_test(relative_criteria_use_the_stored_baseline),
		cmocka_unit_test(no_baseline_is_no_pass),
		cmocka_unit_test(coverage_of_a_window_mostly_without_data),
		cmocka_unit_test(junit_and_dotenv_reports),
		cmocka_unit_test(ci_variables_are_recorded),
		cmocka_unit_test(commit_metadata_from_git),
		cmocka_unit_test(ambiguous_commit_is_an_error),
		cmocka_unit_test(parallel_checks_share_one_database),
		cmocka_unit_test(bad_policy_and_flags_are_refused),
		cmocka_unit_test(history_lists_newest_first),
		cmocka_unit_test(newer_database_is_refused),
		cmocka_unit_test(db_migrate_says_what_it_did),
		cmocka_unit_test(postgres_is_migrated_on_purpose_only),
		cmocka_unit_test(store_faults_are_errors),
	};

	return cmocka_run_group_tests_name("check (real prometheus)", tests,
	    group_setup, group_teardown);
}
