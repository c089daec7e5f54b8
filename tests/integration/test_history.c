/* test_history: checks over several commits of a real git repository
 * (branches and a merge, made here) against a real Prometheus, then
 * history, ancestor and previous baselines, approvals and status. */
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
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct prom_server prom;
static char *dir, repo[4096], db[4096], queries[4096];
/* main: c1 - c2 - c3 - m;  feature: c2 - f1 - f2, merged into m */
static char c1[41], c2[41], c3[41], f1[41], f2[41], m[41];

/* p95 <= 150 ms and at most 10% above the two nearest passing ancestors */
static const char ancestor_policy[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"baseline\": {\"source\": \"ancestor\", \"results\": 2},\n"
    " \"objectives\": [{\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": [\"<= 150ms\", \"<= +10%\"]}]}\n";

static void
rev(const char *what, char *out)
{
	char cmd[4200];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse %s", repo, what);
	p = popen(cmd, "r");
	if (p == NULL || fgets(out, 41, p) == NULL)
		out[0] = '\0';
	if (p)
		pclose(p);
}

static int
group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(queries, sizeof(queries), "%s/queries", h_top());
	if ((dir = h_tmpdir()) == NULL)
		return -1;
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	if (h_db_new(db, sizeof(db), dir, "history") != 0)
		return -1;
	free(h_write(dir, "ancestor.json", ancestor_policy));
	if (h_sh("set -e; g() { git -C '%s' -c user.name=Dev "
	    "-c user.email=dev@example.com \"$@\"; }; git init -q -b main '%s'; "
	    "g commit -q --allow-empty -m c1; g commit -q --allow-empty -m c2; "
	    "g checkout -q -b feature; g commit -q --allow-empty -m f1; "
	    "g commit -q --allow-empty -m f2; g checkout -q main; "
	    "g commit -q --allow-empty -m c3; "
	    "g merge -q --no-ff --no-edit -m m feature", repo, repo) != 0)
		return -1;
	rev("main~1", c3);
	rev("main~2", c2);
	rev("main~3", c1);
	rev("feature~1", f1);
	rev("feature", f2);
	rev("main", m);
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

/* slogate ARGS... --db db (NULL-terminated), with CI_COMMIT_REF_NAME. */
static int
run(struct run *r, const char *branch, ...)
{
	const char *args[40];
	char env[128];
	const char *envv[] = { env, NULL };
	const char *a;
	va_list ap;
	int n = 0;

	va_start(ap, branch);
	while ((a = va_arg(ap, const char *)) != NULL && n < 36)
		args[n++] = a;
	va_end(ap);
	args[n++] = "--db";
	args[n++] = db;
	args[n] = NULL;
	snprintf(env, sizeof(env), "CI_COMMIT_REF_NAME=%s", branch ? branch : "");
	h_slogate(r, args, envv);
	return r->code;
}

/* check the ancestor policy for commit at END - ago seconds. */
static int
check(const char *commit, const char *branch, int64_t ago, const char *pol)
{
	char at[32], path[4200];
	struct run r;
	int code;

	snprintf(at, sizeof(at), "%lld", (long long)(prom.end - ago));
	snprintf(path, sizeof(path), "%s/%s", dir, pol ? pol : "ancestor.json");
	code = run(&r, branch, "check", "--policy", path, "--prometheus",
	    prom.url, "--queries", queries, "--repo", repo, "--commit", commit,
	    "--at", at, "--build-time", at, NULL);
	h_run_free(&r);
	return code;
}

static char *
last(const char *column)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM objective_results WHERE "
	    "verdict_id = (SELECT max(id) FROM verdicts)", column);
	return h_db_text(db, sql);
}

#define HEALTHY 3600	/* p95 97.3 ms */
#define SLOW 0		/* p95 192 ms */

static void
ancestor_baselines_follow_the_first_parent(void **state)
{
	char want[100];

	(void)state;
	assert_int_equal(check(c1, "main", HEALTHY, NULL), 0);
	/* a root commit has no ancestors: the relative criterion is skipped */
	assert_null(last("baseline"));
	assert_non_null(strstr(last("detail"), "skipped: no passing ancestor"));

	assert_int_equal(check(c2, "main", HEALTHY, NULL), 0);
	assert_string_equal(last("baseline_source"), "ancestor");
	assert_string_equal(last("baseline_commits"), c1);

	/* the feature's first commit is slow: it fails, with c2 and c1 as
	 * its baseline */
	assert_int_equal(check(f1, "feature", SLOW, NULL), 1);
	snprintf(want, sizeof(want), "%s,%s", c2, c1);
	assert_string_equal(last("baseline_commits"), want);
	assert_true(h_db_int(db, "SELECT abs(baseline - 0.0973) < 0.0001 FROM "
	    "objective_results WHERE verdict_id = (SELECT max(id) FROM "
	    "verdicts)") == 1);

	/* main moves on: c3 compares with c2 and c1, never with the
	 * feature branch that ran last */
	assert_int_equal(check(c3, "main", HEALTHY, NULL), 0);
	assert_string_equal(last("baseline_commits"), want);

	/* f2 skips its failing parent f1 */
	assert_int_equal(check(f2, "feature", HEALTHY, NULL), 0);
	assert_string_equal(last("baseline_commits"), want);

	/* the merge compares with main (its first parent), not feature */
	assert_int_equal(check(m, "main", HEALTHY, NULL), 0);
	snprintf(want, sizeof(want), "%s,%s", c3, c2);
	assert_string_equal(last("baseline_commits"), want);
	assert_non_null(strstr(last("baseline_detail"), "avg of 2 ancestor"));
}

static void
invalidated_verdicts_are_not_baselines(void **state)
{
	char id[32], want[100];
	struct run r;

	(void)state;
	snprintf(id, sizeof(id), "%lld", h_db_int(db, "SELECT max(id) FROM "
	    "verdicts WHERE commit_sha = (SELECT commit_sha FROM verdicts "
	    "WHERE id = 4)"));
	assert_string_equal(h_db_text(db, "SELECT commit_sha FROM verdicts "
	    "WHERE id = 4"), c3);
	assert_int_equal(run(&r, NULL, "invalidate", "--verdict", id,
	    "--reason", "staging database was down", "--by", "sre", NULL), 0);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "invalidate", "--verdict", id,
	    "--reason", "again", NULL), 1);
	h_run_free(&r);

	assert_int_equal(check(m, "main", HEALTHY, NULL), 0);
	snprintf(want, sizeof(want), "%s,%s", c2, c1);
	assert_string_equal(last("baseline_commits"), want);
	/* kept, not deleted */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "id = 4"), 1);
}

static void
previous_baseline_uses_the_last_passing_verdicts(void **state)
{
	char ids[64];

	(void)state;
	free(h_write(dir, "previous.json",
	    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
	    " \"baseline\": {\"source\": \"previous\", \"results\": 3, "
	    "\"aggregate\": \"max\"},\n"
	    " \"objectives\": [{\"name\": \"latency_p95\", \"query\": "
	    "\"latency_p95\", \"pass\": [\"<= 150ms\", \"<= +10%\"]}]}"));
	assert_int_equal(check(m, "main", HEALTHY, "previous.json"), 0);
	/* verdicts so far: 1 c1, 2 c2, 3 f1 (fail), 4 c3 (invalidated),
	 * 5 f2, 6 m, 7 m: the last three usable are 7, 6, 5 */
	snprintf(ids, sizeof(ids), "(ids 7, 6, 5)");
	assert_non_null(strstr(last("baseline_detail"), ids));
	assert_non_null(strstr(last("baseline_detail"), "max of 3 previous"));
	assert_string_equal(last("baseline_source"), "previous");
}

static void
approval_and_status(void **state)
{
	char abbrev[10];
	struct run r;
	cJSON *a, *ap;
	time_t t0;

	(void)state;
	memcpy(abbrev, f1, 9);
	abbrev[9] = '\0';
	/* f1 failed: the promote job says no */
	assert_int_equal(run(&r, NULL, "status", "--commit", abbrev,
	    "--service", "payment-gateway", "--environment", "staging", NULL), 1);
	assert_non_null(strstr(r.out, "do not promote"));
	assert_non_null(strstr(r.out, "is fail and not approved"));
	h_run_free(&r);

	/* a reason is required */
	assert_int_equal(run(&r, NULL, "approve", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", "--by", "relmgr",
	    NULL), 64);
	h_run_free(&r);
	/* approving a passing commit is pointless */
	assert_int_equal(run(&r, NULL, "approve", "--commit", c2, "--service",
	    "payment-gateway", "--environment", "staging", "--by", "relmgr",
	    "--reason", "why not", NULL), 1);
	assert_non_null(strstr(r.err, "pointless"));
	h_run_free(&r);

	{
		const char *args[] = { "approve", "--commit", abbrev,
		    "--service", "payment-gateway", "--environment", "staging",
		    "--reason", "latency accepted for the card vault migration",
		    "--db", db, NULL };
		const char *env[] = { "GITLAB_USER_LOGIN=release-manager", NULL };

		h_slogate(&r, args, env);
		assert_int_equal(r.code, 0);
		h_run_free(&r);
	}
	assert_string_equal(h_db_text(db, "SELECT approved_by FROM approvals"),
	    "release-manager");
	assert_int_equal(h_db_int(db, "SELECT verdict_id FROM approvals"), 3);

	assert_int_equal(run(&r, NULL, "status", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", "--format", "json",
	    NULL), 0);
	a = cJSON_Parse(r.out);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "promote")));
	ap = cJSON_GetObjectItem(a, "approval");
	assert_string_equal(cJSON_GetObjectItem(ap, "reason")->valuestring,
	    "latency accepted for the card vault migration");
	cJSON_Delete(a);
	h_run_free(&r);

	/* the approval is in the history */
	assert_int_equal(run(&r, NULL, "history", "--commit", abbrev, "--format",
	    "json", NULL), 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 1);
	ap = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0),
	    "approvals"), 0);
	assert_string_equal(cJSON_GetObjectItem(ap, "by")->valuestring,
	    "release-manager");
	cJSON_Delete(a);
	h_run_free(&r);

	/* revoked: no again, and both stay in the trail */
	assert_int_equal(run(&r, NULL, "approve", "--revoke", "1", "--by",
	    "relmgr", "--reason", "rollback planned", NULL), 0);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "approve", "--revoke", "1", "--by",
	    "relmgr", NULL), 1);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "status", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", NULL), 1);
	assert_non_null(strstr(r.out, "revoked"));
	h_run_free(&r);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM approvals WHERE "
	    "revoked_at IS NOT NULL AND reason != ''"), 1);

	/* an approval that expires: 10 s leave room for a slow machine, or
	 * slogate under valgrind, between the two commands (3 s did not) */
	t0 = time(NULL);
	assert_int_equal(run(&r, NULL, "approve", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", "--by", "relmgr",
	    "--reason", "short window", "--expires", "10s", NULL), 0);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "status", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", NULL), 0);
	h_run_free(&r);
	while (time(NULL) < t0 + 12)
		sleep(1);
	assert_int_equal(run(&r, NULL, "status", "--commit", f1, "--service",
	    "payment-gateway", "--environment", "staging", NULL), 1);
	assert_non_null(strstr(r.out, "expired"));
	h_run_free(&r);

	/* nothing recorded for a commit: no */
	assert_int_equal(run(&r, NULL, "status", "--commit",
	    "0123456789012345678901234567890123456789", "--service",
	    "payment-gateway", "--environment", "staging", NULL), 1);
	assert_non_null(strstr(r.out, "no verdict"));
	h_run_free(&r);
	/* a passing commit: yes */
	assert_int_equal(run(&r, NULL, "status", "--commit", c2, "--service",
	    "payment-gateway", "--environment", "staging", NULL), 0);
	h_run_free(&r);
}

static void
history_filters_and_formats(void **state)
{
	char abbrev[8];
	struct run r;
	cJSON *a;
	int rows = 0;

	(void)state;
	assert_int_equal(run(&r, NULL, "history", "--branch", "feature",
	    "--format", "json", NULL), 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 2);
	/* newest first */
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0),
	    "commit")->valuestring, f2);
	cJSON_Delete(a);
	h_run_free(&r);

	assert_int_equal(run(&r, NULL, "history", "--format", "csv", "--limit",
	    "100", NULL), 0);
	for (char *p = r.out; (p = strstr(p, "\r\n")) != NULL; p += 2)
		rows++;
	assert_int_equal(rows, 1 + (int)h_db_int(db, "SELECT count(*) FROM "
	    "verdicts"));
	assert_non_null(strstr(r.out, "id,commit,branch,service"));
	h_run_free(&r);
	/* 2^32 + 1 is past the limit, though as an int it would be 1 */
	assert_int_equal(run(&r, NULL, "history", "--limit", "4294967297",
	    NULL), 64);
	assert_non_null(strstr(r.err, "--limit must be 1 to 10000"));
	h_run_free(&r);

	/* text: short commit, verdict and values */
	assert_int_equal(run(&r, NULL, "history", "--service", "payment-gateway",
	    "--limit", "3", NULL), 0);
	memcpy(abbrev, m, 7);
	abbrev[7] = '\0';
	assert_non_null(strstr(r.out, abbrev));
	assert_non_null(strstr(r.out, "latency_p95"));
	h_run_free(&r);

	/* show: every evaluation of a commit, its PromQL and window */
	assert_int_equal(run(&r, NULL, "show", abbrev, NULL), 0);
	assert_non_null(strstr(r.out, "histogram_quantile(0.95"));
	assert_non_null(strstr(r.out, "instant query at"));
	assert_non_null(strstr(r.out, "baseline"));
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "show", "#3", "--format", "json", NULL), 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(a, 0), "approvals")), 2);
	cJSON_Delete(a);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "show", "fffffff", NULL), 1);
	h_run_free(&r);
}

static void
scoring_weights_and_key_objectives(void **state)
{
	static const char fmt[] =
	    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
	    " \"score\": {\"pass\": \"90%%\", \"warn\": \"60%%\"},\n"
	    " \"objectives\": [\n"
	    "  {\"name\": \"availability\", \"query\": \"availability\", "
	    "\"pass\": \">= 99.95%%\", \"weight\": 2},\n"
	    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\", "
	    "\"pass\": \"<= 120ms\", \"key\": %s},\n"
	    "  {\"name\": \"latency_p99\", \"query\": \"latency_p99\"}]}";
	char json[1024];
	struct run r;
	cJSON *a, *s;

	(void)state;
	/* the slow build: availability passes (2 of 3), latency fails */
	snprintf(json, sizeof(json), fmt, "false");
	free(h_write(dir, "score.json", json));
	assert_int_equal(check(m, "main", SLOW, "score.json"), 2);
	assert_true(h_db_int(db, "SELECT score = 2 AND score_max = 3 FROM "
	    "verdicts WHERE id = (SELECT max(id) FROM verdicts)") == 1);

	snprintf(json, sizeof(json), fmt, "true");
	free(h_write(dir, "score-key.json", json));
	assert_int_equal(check(m, "main", SLOW, "score-key.json"), 1);
	assert_non_null(strstr(h_db_text(db, "SELECT reason FROM verdicts WHERE "
	    "id = (SELECT max(id) FROM verdicts)"), "key objective"));

	assert_int_equal(run(&r, NULL, "show", "#8", "--format", "json", NULL),
	    0);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "history", "--limit", "1", "--format",
	    "json", NULL), 0);
	a = cJSON_Parse(r.out);
	s = cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "score");
	assert_float_equal(cJSON_GetObjectItem(s, "score")->valuedouble, 2, 1e-9);
	assert_float_equal(cJSON_GetObjectItem(s, "max")->valuedouble, 3, 1e-9);
	cJSON_Delete(a);
	h_run_free(&r);
}

static void
baseline_import_promote_and_show(void **state)
{
	char *file;
	struct run r;
	cJSON *a;

	(void)state;
	file = h_write(dir, "slo-baseline.json",
	    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
	    " \"objectives\": {\"latency_p95\": 0.080, \"availability\": "
	    "\"99.95%\"}}");
	assert_int_equal(run(&r, NULL, "baseline", "import", file, "--by", "ci",
	    NULL), 0);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "baseline", "promote", "--commit", c2,
	    "--service", "payment-gateway", "--environment", "staging", NULL), 0);
	h_run_free(&r);
	/* f1 never passed */
	assert_int_equal(run(&r, NULL, "baseline", "promote", "--commit", f1,
	    "--service", "payment-gateway", "--environment", "staging", NULL), 1);
	h_run_free(&r);
	assert_int_equal(run(&r, NULL, "baseline", "set", "--service",
	    "checkout", "--environment", "staging", "--objective",
	    "latency_p95", "--value", "85ms", NULL), 0);
	h_run_free(&r);

	assert_int_equal(run(&r, NULL, "baseline", "show", "--service",
	    "checkout", "--format", "json", NULL), 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 2);
	cJSON_Delete(a);
	h_run_free(&r);
	/* nothing overwritten: three rows for checkout in the history */
	assert_int_equal(run(&r, NULL, "baseline", "show", "--service",
	    "checkout", "--history", "--format", "json", NULL), 0);
	a = cJSON_Parse(r.out);
	assert_int_equal(cJSON_GetArraySize(a), 3);
	assert_float_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0),
	    "value")->valuedouble, 0.085, 1e-12);
	cJSON_Delete(a);
	h_run_free(&r);
	assert_string_equal(h_db_text(db, "SELECT source_commit FROM baselines "
	    "WHERE service = 'payment-gateway' AND objective = 'latency_p95'"),
	    c2);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ancestor_baselines_follow_the_first_parent),
		cmocka_unit_test(invalidated_verdicts_are_not_baselines),
		cmocka_unit_test(previous_baseline_uses_the_last_passing_verdicts),
		cmocka_unit_test(approval_and_status),
		cmocka_unit_test(history_filters_and_formats),
		cmocka_unit_test(scoring_weights_and_key_objectives),
		cmocka_unit_test(baseline_import_promote_and_show),
	};

	return cmocka_run_group_tests_name("history, baselines, approvals "
	    "(real prometheus, real git)", tests, group_setup, group_teardown);
}
