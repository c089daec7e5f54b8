/* test_roles: who may evaluate, approve and read, against `slogate serve`
 * with a token file of every role, a real Prometheus and a real SQLite
 * file. Each refusal is asserted with what the database holds after it:
 * the attacks a CI job's token could make (approving its own failure,
 * judging with `vector(1)`, judging a window from 2020) change nothing. */
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
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define S(x) "0123456789abcdef0123456789abcdef-" x
#define CI S("ci")
#define RM S("rm")
#define ADMIN S("admin")
#define DASH S("dash")
#define OTHER S("other")
#define SHA_F "ffffffffffffffffffffffffffffffffffffffff"
#define SHA_P "1111111111111111111111111111111111111111"

static struct prom_server prom;
static struct serve srv;
static char *dir, db[4096], policies[4096], queries[4096], tokens[4096];
static char pass_at[32], fail_at[32];

static const char motivating[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"query\": \"availability\",\n"
    "   \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true},\n"
    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": \"<= 120ms\", \"sustained\": true}]}\n";

/* Every role, and the lines a careless edit leaves: each of the last ones
 * must grant nothing. */
static const char token_file[] =
    "# token  name  roles  services\n"
    CI "  ci-payments  evaluate  payment-*\n"
    RM "  release-approvals  approve  payment-gateway,checkout\n"
    ADMIN "  platform  admin\n"
    DASH "  dashboards  read\n"
    OTHER "  ci-checkout  evaluate  checkout\n"
    "   # " S("commented") "  ghost  admin\n"
    S("short-line") "\n"
    S("bad-role") "  wizard  root\n";

static long
call(const char *method, const char *path, const char *token,
    const char *body, char **out)
{
	char url[512], hdr[256];
	const char *h[] = { hdr, "Content-Type: application/json", NULL };

	snprintf(url, sizeof(url), "%s%s", srv.url, path);
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", token ? token :
	    "");
	return h_http(method, url, token ? h : h + 1, body, out);
}

static long
evaluate(const char *token, const char *sha, const char *policy,
    const char *at, const char *extra, char **out)
{
	char body[4096];

	snprintf(body, sizeof(body), "{\"policy\": %s, \"commit\": \"%s\", "
	    "\"at\": \"%s\", \"build_time\": \"%s\"%s%s}", policy, sha, at,
	    pass_at, extra ? ", " : "", extra ? extra : "");
	return call("POST", "/api/v1/evaluations", token, body, out);
}

static cJSON *
status(const char *sha)
{
	char path[256], *out = NULL;
	cJSON *j;

	snprintf(path, sizeof(path), "/api/v1/status?commit=%s&service="
	    "payment-gateway&environment=staging", sha);
	assert_int_equal(call("GET", path, DASH, NULL, &out), 200);
	j = cJSON_Parse(out);
	free(out);
	assert_non_null(j);
	return j;
}

static int
promotes(const char *sha, char *why, size_t n)
{
	cJSON *j = status(sha);
	cJSON *r = cJSON_GetObjectItem(j, "reason");
	int p = cJSON_IsTrue(cJSON_GetObjectItem(j, "promote"));

	snprintf(why, n, "%s", cJSON_IsString(r) ? r->valuestring : "");
	cJSON_Delete(j);
	return p;
}

static long long
count(const char *sql)
{
	return h_db_int(db, sql);
}

/* The test data's healthy hour ended an hour ago: this service takes
 * windows up to 3 h old from CI tokens; window_age_is_the_services tries
 * the default. */
static int
group_setup(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", policies, "--queries", queries, "--token-file",
	    tokens, "--max-window-age", "3h", NULL };

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL || h_prom_start(&prom) != 0)
		return -1;
	if (h_db_new(db, sizeof(db), dir, "roles") != 0)
		return -1;
	snprintf(policies, sizeof(policies), "%s/policies", dir);
	snprintf(queries, sizeof(queries), "%s/queries", h_top());
	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	snprintf(pass_at, sizeof(pass_at), "%lld", (long long)prom.end - 3600);
	snprintf(fail_at, sizeof(fail_at), "%lld", (long long)prom.end);
	free(h_write(dir, "tokens", token_file));
	h_sh("mkdir -p '%s'", policies);
	free(h_write(policies, "payment.json", motivating));
	return h_serve_start(&srv, dir, args, NULL);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_serve_stop(&srv);
	h_prom_stop(&prom);
	if (getenv("SLOGATE_TEST_KEEP") == NULL)
		h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

/* The CI token cannot make its failing commit promotable: not by
 * approving it under another name, not with a policy of its own, not with
 * an old window. */
static void
ci_token_cannot_promote_its_failure(void **state)
{
	char *out = NULL, why[1024];
	long long verdicts;

	(void)state;
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\"", fail_at, NULL,
	    &out), 201);
	assert_contains(out, "\"verdict\":\t\"fail\"");
	free(out);
	assert_int_equal(promotes(SHA_F, why, sizeof(why)), 0);
	verdicts = count("SELECT count(*) FROM verdicts");

	/* approving its own failure as "release-manager" */
	assert_int_equal(call("POST", "/api/v1/approvals", CI, "{\"commit\": \""
	    SHA_F "\", \"service\": \"payment-gateway\", \"environment\": "
	    "\"staging\", \"by\": \"release-manager\", \"reason\": \"ship it\"}",
	    &out), 403);
	assert_contains(out, "token 'ci-payments' does not have the 'approve' "
	    "role");
	free(out);
	assert_int_equal(count("SELECT count(*) FROM approvals"), 0);

	/* a policy of its own that passes anything */
	assert_int_equal(evaluate(CI, SHA_F, "{\"service\": \"payment-gateway\", "
	    "\"environment\": \"staging\", \"objectives\": [{\"name\": \"x\", "
	    "\"promql\": \"vector(1)\", \"pass\": \">= 0\"}]}", fail_at, NULL,
	    &out), 403);
	assert_contains(out, "'admin' role");
	free(out);

	/* a window from 2020 for today's build */
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\"",
	    "2020-01-01T00:00:00Z", NULL, &out), 400);
	assert_contains(out, "before the build time");
	free(out);

	/* asking for a trial is an admin's */
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\"", pass_at,
	    "\"trial\": true", &out), 403);
	free(out);

	/* a registered policy's name, then a policy of its own under the same
	 * key: which one would be judged is not the one checked, so a key
	 * given twice is refused, at any depth, and nothing starts */
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\", \"policy\": "
	    "{\"service\": \"payment-gateway\", \"environment\": \"staging\", "
	    "\"objectives\": [{\"name\": \"x\", \"promql\": \"vector(1)\", "
	    "\"pass\": \">= 0\"}]}", fail_at, NULL, &out), 400);
	assert_contains(out, "key 'policy' given twice");
	free(out);
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\"", fail_at,
	    "\"since\": \"2026-01-01T00:00:00Z\", \"wait\": true, "
	    "\"wait\": false", &out), 400);
	assert_contains(out, "key 'wait' given twice");
	free(out);
	assert_int_equal(call("POST", "/api/v1/approvals", RM, "{\"commit\": \""
	    SHA_F "\", \"service\": \"payment-gateway\", \"environment\": "
	    "\"staging\", \"by\": {\"a\": 1, \"a\": 2}, \"reason\": \"x\"}",
	    &out), 400);
	assert_contains(out, "key 'a' given twice");
	free(out);
	assert_int_equal(count("SELECT count(*) FROM watches"), 0);

	/* another service's token, and a service outside its globs */
	assert_int_equal(evaluate(OTHER, SHA_F, "\"payment\"", pass_at, NULL,
	    &out), 403);
	assert_contains(out, "does not cover service 'payment-gateway'");
	free(out);
	/* a token that is not one, and none at all */
	assert_int_equal(evaluate(S("nobody"), SHA_F, "\"payment\"", pass_at,
	    NULL, &out), 403);
	free(out);
	assert_int_equal(evaluate(NULL, SHA_F, "\"payment\"", pass_at, NULL,
	    &out), 401);
	free(out);
	/* a read token reads, and changes nothing */
	assert_int_equal(evaluate(DASH, SHA_F, "\"payment\"", pass_at, NULL,
	    &out), 403);
	free(out);

	assert_int_equal(count("SELECT count(*) FROM verdicts"), verdicts);
	assert_int_equal(promotes(SHA_F, why, sizeof(why)), 0);
	assert_contains(why, "is fail");
}

/* An admin may try a policy or an old window: the verdict is a trial,
 * shown and never counted. */
static void
admin_trials_are_never_counted(void **state)
{
	char *out = NULL, why[1024];

	(void)state;
	assert_int_equal(evaluate(ADMIN, SHA_F, "{\"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"objectives\": "
	    "[{\"name\": \"x\", \"promql\": \"vector(1)\", \"pass\": \">= 0\"}]}",
	    fail_at, NULL, &out), 201);
	assert_contains(out, "\"verdict\":\t\"pass\"");
	assert_contains(out, "\"trial\":\ttrue");
	free(out);
	assert_int_equal(evaluate(ADMIN, SHA_F, "\"payment\"",
	    "2020-01-01T00:00:00Z", NULL, &out), 201);
	assert_contains(out, "\"trial\":\ttrue");
	free(out);
	assert_int_equal(count("SELECT count(*) FROM verdicts WHERE commit_sha = '"
	    SHA_F "' AND trial = 1"), 2);
	/* the newest verdict is a passing trial; status judges the fail */
	assert_int_equal(promotes(SHA_F, why, sizeof(why)), 0);
	assert_contains(why, "is fail");
}

/* The approver is the token; the person the client names stands beside
 * it, never alone. */
static void
approver_is_the_token(void **state)
{
	char *out = NULL, why[1024];
	cJSON *j, *a;

	(void)state;
	assert_int_equal(call("POST", "/api/v1/approvals", RM, "{\"commit\": \""
	    SHA_F "\", \"service\": \"payment-gateway\", \"environment\": "
	    "\"staging\", \"by\": \"j.doe\", \"reason\": \"known flaky probe\"}",
	    &out), 201);
	free(out);
	assert_string_equal(h_db_text(db, "SELECT approved_by FROM approvals"),
	    "release-approvals");
	assert_string_equal(h_db_text(db, "SELECT named_by FROM approvals"),
	    "j.doe");
	assert_int_equal(promotes(SHA_F, why, sizeof(why)), 1);
	assert_contains(why, "approved by j.doe via release-approvals");
	j = status(SHA_F);
	a = cJSON_GetObjectItem(j, "approval");
	assert_string_equal(cJSON_GetObjectItem(a, "approver")->valuestring,
	    "j.doe via release-approvals");
	cJSON_Delete(j);

	/* an approver of other services cannot revoke it: scope */
	assert_int_equal(call("DELETE", "/api/v1/approvals/1", CI, NULL, &out),
	    403);
	free(out);
	assert_int_equal(count("SELECT count(*) FROM approvals WHERE revoked_at "
	    "IS NOT NULL"), 0);
	assert_int_equal(call("DELETE", "/api/v1/approvals/1", RM,
	    "{\"reason\": \"probe fixed\"}", &out), 200);
	free(out);
	assert_string_equal(h_db_text(db, "SELECT revoked_by FROM approvals"),
	    "release-approvals");
	assert_int_equal(promotes(SHA_F, why, sizeof(why)), 0);

	/* baselines and invalidation are an admin's */
	assert_int_equal(call("PUT", "/api/v1/baselines/payment-gateway/staging",
	    RM, "{\"objectives\": {\"availability\": 0.5}}", &out), 403);
	free(out);
	assert_int_equal(call("POST", "/api/v1/verdicts/1/invalidate", CI,
	    "{\"reason\": \"x\"}", &out), 403);
	free(out);
	assert_int_equal(count("SELECT count(*) FROM baselines"), 0);
	assert_int_equal(count("SELECT count(*) FROM invalidations"), 0);
	assert_int_equal(call("PUT", "/api/v1/baselines/payment-gateway/staging",
	    ADMIN, "{\"objectives\": {\"availability\": 0.9995}, \"by\": "
	    "\"ops\"}", &out), 200);
	free(out);
	assert_string_equal(h_db_text(db, "SELECT set_by FROM baselines"),
	    "ops via platform");
}

/* A verdict counts only while the policy that judged it is the one
 * registered: after a change the commit must be judged again. */
static void
policy_change_needs_a_new_verdict(void **state)
{
	char *out = NULL, why[1024], path[4200];

	(void)state;
	assert_int_equal(evaluate(CI, SHA_P, "\"payment\"", pass_at, NULL,
	    &out), 201);
	assert_contains(out, "\"verdict\":\t\"pass\"");
	free(out);
	assert_int_equal(promotes(SHA_P, why, sizeof(why)), 1);
	/* a spare copy of the policy cannot stand in for the registered one */
	free(h_write(policies, "lax.json", motivating));
	assert_int_equal(evaluate(CI, SHA_P, "\"lax\"", pass_at, NULL, &out),
	    400);
	assert_contains(out, "both judge payment-gateway/staging");
	free(out);
	snprintf(path, sizeof(path), "%s/lax.json", policies);
	unlink(path);

	free(h_write(policies, "payment.json", "{\"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"guard\": "
	    "{\"query\": \"request_rate\", \"min\": 100}, \"objectives\": [{"
	    "\"name\": \"availability\", \"query\": \"availability\", \"pass\": "
	    "\">= 99.99%\", \"sustained\": true}]}\n"));
	assert_int_equal(promotes(SHA_P, why, sizeof(why)), 0);
	assert_contains(why, "not by the one registered now");
	assert_contains(why, "judge the commit again");
	free(h_write(policies, "payment.json", motivating));
	assert_int_equal(promotes(SHA_P, why, sizeof(why)), 1);

	/* a pass judged on a broken staging, invalidated, promotes nothing */
	{
		char inv[128];

		snprintf(inv, sizeof(inv), "/api/v1/verdicts/%lld/invalidate",
		    count("SELECT max(id) FROM verdicts WHERE commit_sha = '"
		    SHA_P "'"));
		assert_int_equal(call("POST", inv, ADMIN, "{\"reason\": "
		    "\"staging was half down\"}", &out), 200);
		free(out);
	}
	assert_int_equal(promotes(SHA_P, why, sizeof(why)), 0);
	assert_contains(why, "was invalidated: staging was half down");
}

/* Lines of the token file that grant nothing, told with their number and
 * without their secret. */
static void
malformed_token_lines_grant_nothing(void **state)
{
	char *out = NULL, *log;

	(void)state;
	assert_int_equal(evaluate(S("commented"), SHA_P, "\"payment\"", pass_at,
	    NULL, &out), 403);
	free(out);
	assert_int_equal(evaluate(S("short-line"), SHA_P, "\"payment\"",
	    pass_at, NULL, &out), 403);
	free(out);
	assert_int_equal(evaluate(S("bad-role"), SHA_P, "\"payment\"", pass_at,
	    NULL, &out), 403);
	free(out);
	log = h_read(srv.log);
	assert_non_null(log);
	assert_contains(log, "line 8 needs a secret, a name and roles");
	assert_contains(log, "line 9 unknown role 'root'");
	assert_null(strstr(log, "0123456789abcdef0123456789abcdef"));
	assert_null(strstr(log, "line 7"));	/* the comment */
	free(log);
}

/* --forbid-self-approval: the author cannot approve their own commit,
 * under the token's name or as the person named. */
static void
self_approval_can_be_forbidden(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", policies, "--queries", queries, "--token-file",
	    tokens, "--forbid-self-approval", "--max-window-age", "3h", NULL };
	char body[1024], target[256], *out = NULL;
	struct serve s;
	const char *h[] = { "Authorization: Bearer " RM,
	    "Content-Type: application/json", NULL };

	(void)state;
	assert_int_equal(evaluate(CI, SHA_F, "\"payment\"", fail_at,
	    "\"commit_author\": \"J. Doe <j.doe@example.com>\"", &out), 201);
	free(out);
	assert_int_equal(h_serve_start(&s, dir, args, NULL), 0);
	snprintf(target, sizeof(target), "%s/api/v1/approvals", s.url);
	snprintf(body, sizeof(body), "{\"commit\": \"" SHA_F "\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": "
	    "\"j.doe\", \"reason\": \"mine is fine\"}");
	assert_int_equal(h_http("POST", target, h, body, &out), 403);
	assert_contains(out, "'j.doe' is the commit's author");
	free(out);
	/* a shared token alone names nobody to compare */
	assert_int_equal(h_http("POST", target, h, "{\"commit\": \"" SHA_F "\", "
	    "\"service\": \"payment-gateway\", \"environment\": \"staging\", "
	    "\"reason\": \"no name\"}", &out), 403);
	assert_contains(out, "name the person who approves");
	free(out);
	assert_int_equal(count("SELECT count(*) FROM approvals WHERE "
	    "named_by = 'j.doe' AND revoked_at IS NULL"), 0);
	snprintf(body, sizeof(body), "{\"commit\": \"" SHA_F "\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": "
	    "\"alice\", \"reason\": \"reviewed the dashboards\"}");
	assert_int_equal(h_http("POST", target, h, body, &out), 201);
	free(out);
	assert_int_equal(h_serve_stop(&s), 0);
}

/* Links from outside input only as http(s); every answer carries the
 * content policy; --read-token-required covers the pages, a browser logs
 * in with the token as its password. */
static void
pages_need_a_read_token_and_send_a_csp(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", policies, "--queries", queries, "--token-file",
	    tokens, "--read-token-required", "--metrics-token-required", NULL };
	const char *basic[] = { "Authorization: Basic ZGFzaDowMTIzNDU2Nzg5YWJj"
	    "ZGVmMDEyMzQ1Njc4OWFiY2RlZi1kYXNo", NULL };	/* dash:DASH */
	const char *bearer[] = { "Authorization: Bearer " DASH, NULL };
	char *out = NULL, *head = NULL, target[256];
	struct serve s;

	(void)state;
	assert_int_equal(evaluate(CI, "2222222222222222222222222222222222222222",
	    "\"payment\"", pass_at, "\"pipeline_url\": \"javascript:alert(1)\", "
	    "\"job_url\": \"https://gitlab.example/p/-/jobs/7\"", &out), 201);
	free(out);
	snprintf(target, sizeof(target), "%s/commits/2222222222222222222222222"
	    "222222222222222", srv.url);
	assert_int_equal(h_http_full("GET", target, NULL, NULL, &out, &head),
	    200);
	assert_contains(head, "Content-Security-Policy: default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
	assert_contains(head, "X-Content-Type-Options: nosniff");
	assert_contains(head, "Referrer-Policy: same-origin");
	assert_null(strstr(out, "href=\"javascript"));
	assert_contains(out, "pipeline <code>javascript:alert(1)</code>");
	assert_contains(out, "<a href=\"https://gitlab.example/p/-/jobs/7\"");
	free(out);
	free(head);

	assert_int_equal(h_serve_start(&s, dir, args, NULL), 0);
	snprintf(target, sizeof(target), "%s/", s.url);
	assert_int_equal(h_http_full("GET", target, NULL, NULL, &out, &head),
	    401);
	assert_contains(head, "WWW-Authenticate: Basic realm=\"slogate\"");
	assert_null(strstr(out, "payment-gateway"));
	free(out);
	free(head);
	assert_int_equal(h_http("GET", target, basic, NULL, &out), 200);
	assert_contains(out, "payment-gateway");
	free(out);
	assert_int_equal(h_http("GET", target, bearer, NULL, &out), 200);
	free(out);
	/* a token of other services sees none of this one, on any page */
	{
		const char *other[] = { "Authorization: Bearer " OTHER, NULL };

		assert_int_equal(h_http("GET", target, other, NULL, &out), 200);
		assert_null(strstr(out, "payment-gateway"));
		free(out);
		snprintf(target, sizeof(target), "%s/services/payment-gateway",
		    s.url);
		assert_int_equal(h_http("GET", target, other, NULL, &out), 403);
		free(out);
		snprintf(target, sizeof(target), "%s/commits/2222222", s.url);
		assert_int_equal(h_http("GET", target, other, NULL, &out), 404);
		free(out);
		snprintf(target, sizeof(target), "%s/audit", s.url);
		assert_int_equal(h_http("GET", target, other, NULL, &out), 403);
		free(out);
		assert_int_equal(h_http("GET", target, bearer, NULL, &out), 200);
		free(out);
	}
	snprintf(target, sizeof(target), "%s/commits/2222222", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 401);
	free(out);
	snprintf(target, sizeof(target), "%s/api/v1/verdicts", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 401);
	free(out);
	snprintf(target, sizeof(target), "%s/metrics", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 401);
	free(out);
	assert_int_equal(h_http("GET", target, bearer, NULL, &out), 200);
	assert_contains(out, "slogate_build_info");
	free(out);
	/* what a load balancer asks stays open */
	snprintf(target, sizeof(target), "%s/healthz", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 200);
	free(out);
	snprintf(target, sizeof(target), "%s/readyz", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 200);
	free(out);
	assert_int_equal(h_serve_stop(&s), 0);
}

/* A copy of the database, tampered with by sql (plain SQL, as someone
 * with the file could), then `slogate audit verify` on it: its exit code,
 * and its output in *out. */
static int
verify_after(const char *sql, char **out)
{
	static int n;
	char copy[4200];
	const char *args[] = { "audit", "verify", "--db", copy, NULL };
	struct run r;
	int code;

	snprintf(copy, sizeof(copy), "%s/tampered-%d.db", dir, n++);
	assert_int_equal(h_sh("sqlite3 '%s' \"VACUUM INTO '%s'\" && sqlite3 '%s' "
	    "\"%s\"", db, copy, copy, sql), 0);
	assert_int_equal(h_slogate(&r, args, NULL), 0);
	code = r.code;
	*out = strdup(r.out);
	h_run_free(&r);
	return code;
}

/* Every change above is in the trail, with who, what and why, and the
 * chain holds. */
static void
audit_trail_records_every_change(void **state)
{
	const char *list[] = { "audit", "--db", db, "--format", "json",
	    "--limit", "1000", NULL };
	const char *ok[] = { "audit", "verify", "--db", db, NULL };
	char *out = NULL, path[256];
	cJSON *j, *e;
	struct run r;
	int kinds = 0;

	(void)state;
	assert_int_equal(h_slogate(&r, list, NULL), 0);
	assert_int_equal(r.code, 0);
	j = cJSON_Parse(r.out);
	assert_non_null(j);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "entries")) {
		const char *k = cJSON_GetObjectItem(e, "kind")->valuestring;
		const char *who = cJSON_GetObjectItem(e, "actor")->valuestring;

		if (strcmp(k, "approval") == 0 && strcmp(who,
		    "release-approvals") == 0)
			kinds |= 1;
		if (strcmp(k, "revocation") == 0)
			kinds |= 2;
		if (strcmp(k, "trial") == 0 && strcmp(who, "platform") == 0)
			kinds |= 4;
		if (strcmp(k, "evaluation") == 0 && strcmp(who, "ci-payments") == 0)
			kinds |= 8;
		if (strcmp(k, "baseline") == 0 && strcmp(who, "ops via platform")
		    == 0)
			kinds |= 16;
	}
	cJSON_Delete(j);
	h_run_free(&r);
	assert_int_equal(kinds, 31);
	/* one entry per verdict, approval, revocation and baseline */
	assert_int_equal(count("SELECT count(*) FROM audit"),
	    count("SELECT (SELECT count(*) FROM verdicts) + (SELECT count(*) "
	    "FROM approvals) + (SELECT count(*) FROM approvals WHERE revoked_at "
	    "IS NOT NULL) + (SELECT count(*) FROM baselines) + (SELECT count(*) "
	    "FROM invalidations)"));
	/* the API filters it, with the reason given */
	snprintf(path, sizeof(path), "/api/v1/audit?service=payment-gateway&"
	    "kind=approval");
	assert_int_equal(call("GET", path, DASH, NULL, &out), 200);
	assert_contains(out, "\"why\":\t\"known flaky probe\"");
	assert_null(strstr(out, "\"kind\":\t\"evaluation\""));
	free(out);
	assert_int_equal(call("GET", "/api/v1/audit?kind=everything", DASH, NULL,
	    &out), 400);
	free(out);
	/* the page, linked from the service's */
	assert_int_equal(call("GET", "/services/payment-gateway", NULL, NULL,
	    &out), 200);
	assert_contains(out, "href=\"/audit?service=payment-gateway&amp;"
	    "environment=staging\"");
	free(out);
	assert_int_equal(call("GET", "/audit?service=payment-gateway&"
	    "environment=staging", NULL, NULL, &out), 200);
	assert_contains(out, "<td>release-approvals</td>");
	assert_contains(out, "known flaky probe");
	assert_contains(out, "<td>revocation</td>");
	free(out);

	assert_int_equal(h_slogate(&r, ok, NULL), 0);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "audit trail intact");
	h_run_free(&r);
	assert_int_equal(call("GET", "/api/v1/audit/verify", DASH, NULL, &out),
	    200);
	assert_contains(out, "\"ok\":\ttrue");
	free(out);
}

/* Each way of tampering with the file (the trail of the test above) is
 * found and named. */
static void
audit_trail_shows_tampering(void **state)
{
	char *out = NULL;
	struct run r;

	H_SQLITE_ONLY();
	(void)state;
	/* slogate's own statements cannot change the trail */
	assert_int_not_equal(h_sh("sqlite3 '%s' \"UPDATE audit SET why = 'x'\" "
	    "2>/dev/null", db), 0);

	/* a verdict changed: the entry that records it is named */
	assert_int_equal(verify_after("UPDATE verdicts SET verdict = 'pass' "
	    "WHERE id = 1", &out), 1);
	assert_contains(out, "the evaluation it records (1) was changed since");
	free(out);
	/* an objective changed under its verdict */
	assert_int_equal(verify_after("UPDATE objective_results SET value = 1 "
	    "WHERE verdict_id = 1", &out), 1);
	assert_contains(out, "(1) was changed since");
	free(out);
	/* a verdict deleted */
	assert_int_equal(verify_after("DELETE FROM objective_results WHERE "
	    "verdict_id = 1; DELETE FROM verdicts WHERE id = 1", &out), 1);
	assert_contains(out, "records evaluation 1, which is gone");
	free(out);
	/* the order written changed: the first verdict made the latest,
	 * which status would promote on */
	assert_int_equal(verify_after("UPDATE verdicts SET recorded = 1000000 "
	    "WHERE id = 1", &out), 1);
	assert_contains(out, "verdict 1 is out of the order");
	free(out);
	/* an entry removed from the middle, and one rewritten */
	assert_int_equal(verify_after("DROP TRIGGER audit_no_delete; DELETE FROM "
	    "audit WHERE id = 2", &out), 1);
	assert_contains(out, "entry 3 follows entry 1");
	free(out);
	assert_int_equal(verify_after("DROP TRIGGER audit_no_update; UPDATE "
	    "audit SET actor = 'someone-else' WHERE id = 2", &out), 1);
	assert_contains(out, "entry 2 was changed");
	free(out);
	/* the last entry removed, or an approval written around slogate */
	assert_int_equal(verify_after("DROP TRIGGER audit_no_delete; DELETE FROM "
	    "audit WHERE id = (SELECT max(id) FROM audit)", &out), 1);
	assert_contains(out, "has no entry in the audit trail");
	free(out);
	assert_int_equal(verify_after("INSERT INTO approvals (verdict_id, "
	    "commit_sha, service, environment, approved_by, reason, created_at) "
	    "VALUES (1, '" SHA_F "', 'payment-gateway', 'staging', 'nobody', "
	    "'sneaky', 0)", &out), 1);
	assert_contains(out, "has no entry in the audit trail");
	free(out);
	/* ... under an id below the trail's, or with the start moved past */
	assert_int_equal(verify_after("INSERT INTO approvals (id, verdict_id, "
	    "commit_sha, service, environment, approved_by, reason, created_at) "
	    "VALUES (-7, 1, '" SHA_F "', 'payment-gateway', 'staging', 'nobody', "
	    "'sneaky', 0)", &out), 1);
	assert_contains(out, "approval -7 has no entry");
	free(out);
	assert_int_equal(verify_after("UPDATE audit_start SET approvals = "
	    "1000000000; INSERT INTO approvals (verdict_id, commit_sha, service, "
	    "environment, approved_by, reason, created_at) VALUES (1, '" SHA_F
	    "', 'payment-gateway', 'staging', 'nobody', 'sneaky', 0)", &out), 1);
	assert_contains(out, "where the trail starts (audit_start) was changed");
	free(out);
	/* the end cut off, with what it recorded: only the head noted
	 * before tells */
	{
		char *head = h_db_text(db, "SELECT hash FROM audit ORDER BY id DESC "
		    "LIMIT 1"), copy[4200], undo[512];
		char *kind = h_db_text(db, "SELECT kind FROM audit ORDER BY id DESC "
		    "LIMIT 1");
		long long subject = count("SELECT subject_id FROM audit ORDER BY "
		    "id DESC LIMIT 1");
		const char *args[] = { "audit", "verify", "--db", copy, "--head",
		    head, NULL };

		if (strcmp(kind, "evaluation") == 0 || strcmp(kind, "trial") == 0)
			snprintf(undo, sizeof(undo), "DELETE FROM objective_results "
			    "WHERE verdict_id = %lld; DELETE FROM verdicts WHERE id = "
			    "%lld", subject, subject);
		else if (strcmp(kind, "revocation") == 0)
			snprintf(undo, sizeof(undo), "UPDATE approvals SET revoked_at "
			    "= NULL, revoked_by = NULL, revoke_reason = NULL WHERE id = "
			    "%lld", subject);
		else
			snprintf(undo, sizeof(undo), "DELETE FROM %ss WHERE id = %lld",
			    kind, subject);
		snprintf(copy, sizeof(copy), "%s/cut.db", dir);
		assert_int_equal(h_sh("sqlite3 '%s' \"VACUUM INTO '%s'\" && sqlite3 "
		    "'%s' \"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id "
		    "= (SELECT max(id) FROM audit); %s\"", db, copy, copy, undo), 0);
		/* without the head it looks whole */
		args[4] = NULL;
		assert_int_equal(h_slogate(&r, args, NULL), 0);
		assert_int_equal(r.code, 0);
		h_run_free(&r);
		args[4] = "--head";
		assert_int_equal(h_slogate(&r, args, NULL), 0);
		assert_int_equal(r.code, 1);
		assert_contains(r.out, "that was the head");
		h_run_free(&r);
		args[3] = db;
		assert_int_equal(h_slogate(&r, args, NULL), 0);
		assert_int_equal(r.code, 0);
		assert_contains(r.out, head);
		h_run_free(&r);
		free(head);
		free(kind);
	}
}

/* The window must end close to now, by this service's clock: the build
 * time a CI job sends is its own word. Reads stay inside a token's
 * services, and a watch keeps the policy it started with. */
static void
window_age_is_the_services(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", policies, "--queries", queries, "--token-file",
	    tokens, NULL };
	char body[1024], target[256], *out = NULL, path[128];
	const char *ci[] = { "Authorization: Bearer " CI,
	    "Content-Type: application/json", NULL };
	const char *admin[] = { "Authorization: Bearer " ADMIN,
	    "Content-Type: application/json", NULL };
	long long before = count("SELECT count(*) FROM verdicts WHERE trial = 0");
	struct serve s;

	(void)state;
	assert_int_equal(h_serve_start(&s, dir, args, NULL), 0);
	snprintf(target, sizeof(target), "%s/api/v1/evaluations", s.url);
	/* a healthy hour ago, with a build time to match: refused */
	snprintf(body, sizeof(body), "{\"policy\": \"payment\", \"commit\": "
	    "\"" SHA_F "\", \"at\": \"%s\", \"build_time\": \"%s\"}", pass_at,
	    pass_at);
	assert_int_equal(h_http("POST", target, ci, body, &out), 400);
	assert_contains(out, "more than 15m before now");
	free(out);
	assert_int_equal(count("SELECT count(*) FROM verdicts WHERE trial = 0"),
	    before);
	/* an admin's is a trial */
	assert_int_equal(h_http("POST", target, admin, body, &out), 201);
	assert_contains(out, "\"trial\":\ttrue");
	free(out);
	/* minutes ago, for a build of then, is fine */
	snprintf(body, sizeof(body), "{\"policy\": \"payment\", \"commit\": "
	    "\"" SHA_F "\", \"at\": \"%s\", \"build_time\": \"%s\"}", fail_at,
	    fail_at);
	assert_int_equal(h_http("POST", target, ci, body, &out), 201);
	free(out);
	/* a watch of the registered policy keeps it inlined */
	snprintf(body, sizeof(body), "{\"policy\": null, \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"commit\": "
	    "\"3333333333333333333333333333333333333333\", \"since\": \"%s\", "
	    "\"build_time\": \"%s\", \"wait\": true}", fail_at, fail_at);
	assert_int_equal(h_http("POST", target, ci, body, &out), 202);
	free(out);
	assert_int_equal(count("SELECT count(*) FROM watches WHERE commit_sha = "
	    "'3333333333333333333333333333333333333333' AND policy LIKE "
	    "'%\"objectives\":%' AND trial = 0 AND length(policy_digest) = 40"),
	    1);
	assert_int_equal(h_serve_stop(&s), 0);

	/* another service's token reads nothing of this one */
	snprintf(path, sizeof(path), "/api/v1/evaluations/%lld",
	    count("SELECT min(id) FROM verdicts"));
	assert_int_equal(call("GET", path, OTHER, NULL, &out), 403);
	free(out);
	assert_int_equal(call("GET", "/api/v1/commits/" SHA_F, OTHER, NULL,
	    &out), 404);
	free(out);
	assert_int_equal(call("GET", "/api/v1/commits/" SHA_F, CI, NULL, &out),
	    200);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ci_token_cannot_promote_its_failure),
		cmocka_unit_test(admin_trials_are_never_counted),
		cmocka_unit_test(approver_is_the_token),
		cmocka_unit_test(policy_change_needs_a_new_verdict),
		cmocka_unit_test(malformed_token_lines_grant_nothing),
		cmocka_unit_test(self_approval_can_be_forbidden),
		cmocka_unit_test(window_age_is_the_services),
		cmocka_unit_test(pages_need_a_read_token_and_send_a_csp),
		cmocka_unit_test(audit_trail_records_every_change),
		cmocka_unit_test(audit_trail_shows_tampering),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
