/* test_serve: `slogate serve` over loopback, against a real Prometheus:
 * every endpoint, its errors, auth and token rotation, body limits,
 * concurrency, graceful shutdown, remote mode of the CLI, and the history
 * pages in a real headless Chromium. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define TOKEN "rotate-me-0123456789abcdef-0123456"
#define TOKEN2 "second-token-abcdef0123456789-0123"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct prom_server prom;
static struct serve srv;
static char *dir, db[4096], tokens[4096], policies[4096], queries[4096];
static char url[256];

static const char motivating[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"query\": \"availability\",\n"
    "   \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true},\n"
    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": \"<= 120ms\", \"sustained\": true}]}\n";

static const char *auth[] = { "Authorization: Bearer " TOKEN,
    "Content-Type: application/json", NULL };

static const char *
u(const char *fmt, ...)
{
	static char buf[4][1024];
	static int k;
	char *b = buf[k++ % 4];
	int n;
	va_list ap;

	n = snprintf(b, 1024, "%s", srv.url);
	va_start(ap, fmt);
	vsnprintf(b + n, (size_t)(1024 - n), fmt, ap);
	va_end(ap);
	return b;
}

static int
group_setup(void **state)
{
	char prom_arg[128];
	const char *env[] = { NULL };
	const char *args[] = { "--db", db, "--prometheus", prom_arg,
	    "--policies", policies, "--queries", queries, "--token-file",
	    tokens, "--workers", "4", "--max-window-age", "3h", NULL };

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL || h_prom_start(&prom) != 0)
		return -1;
	if (h_db_new(db, sizeof(db), dir, "serve") != 0)
		return -1;
	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	snprintf(policies, sizeof(policies), "%s/policies", dir);
	snprintf(queries, sizeof(queries), "%s/queries", h_top());
	snprintf(prom_arg, sizeof(prom_arg), "%s", prom.url);
	free(h_write(dir, "tokens", "# rotated weekly\n" TOKEN " ops admin\n"));
	h_sh("mkdir -p '%s'", policies);
	free(h_write(policies, "payment.json", motivating));
	if (h_serve_start(&srv, dir, args, env) != 0)
		return -1;
	snprintf(url, sizeof(url), "%s", srv.url);
	return 0;
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

/* POST /api/v1/evaluations for the motivating policy by name. */
static long
evaluate(const char *sha, int64_t at, char **out)
{
	char body[512];

	/* built as its window ended: the window is the build's own */
	snprintf(body, sizeof(body), "{\"policy\": \"payment\", \"commit\": "
	    "\"%s\", \"at\": \"%lld\", \"build_time\": \"%lld\", \"branch\": "
	    "\"main\", \"pipeline_id\": \"77\"}", sha, (long long)at,
	    (long long)at);
	return h_http("POST", u("/api/v1/evaluations"), auth, body, out);
}

static cJSON *
json(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

static void
evaluations_are_recorded_and_read_back(void **state)
{
	char *out, *got;
	cJSON *j, *g;
	long long id;

	(void)state;
	assert_int_equal(evaluate(SHA_A, prom.end - 3600, &out), 201);
	j = json(out);
	assert_string_equal(cJSON_GetObjectItem(j, "verdict")->valuestring,
	    "pass");
	id = (long long)cJSON_GetObjectItem(j, "id")->valuedouble;
	assert_true(id > 0);
	assert_int_equal(h_http("GET", u("/api/v1/evaluations/%lld", id), NULL,
	    NULL, &got), 200);
	g = json(got);
	assert_string_equal(cJSON_GetObjectItem(g, "commit")->valuestring, SHA_A);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g,
	    "objectives")), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "ci"),
	    "pipeline_id")->valuestring, "77");
	cJSON_Delete(j);
	cJSON_Delete(g);
	free(out);
	free(got);

	/* the regressed build fails; an inline policy works too, as a
	 * trial (the token is an admin's) */
	assert_int_equal(evaluate(SHA_B, prom.end, &out), 201);
	assert_non_null(strstr(out, "\"verdict\":\t\"fail\""));
	free(out);
	{
		char *body = NULL;

		assert_true(asprintf(&body, "{\"policy\": %s, \"commit\": \"%s\", "
		    "\"at\": \"%lld\"}", motivating, SHA_B,
		    (long long)prom.end) > 0);
		assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth,
		    body, &out), 201);
		assert_non_null(strstr(out, "\"verdict\":\t\"fail\""));
		assert_non_null(strstr(out, "\"trial\":\ttrue"));
		free(out);
		free(body);
	}
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), 3);
}

static void
errors_have_the_right_status(void **state)
{
	static const char *json_only[] = { "Authorization: Bearer " TOKEN,
	    "Content-Type: text/plain", NULL };
	char *out, *big;
	size_t n = (1 << 20) + 100;

	(void)state;
	assert_int_equal(h_http("GET", u("/api/v1/nothing"), NULL, NULL, &out),
	    404);
	assert_non_null(strstr(out, "\"error\""));
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/evaluations/999999"), NULL,
	    NULL, &out), 404);
	free(out);
	assert_int_equal(h_http("PUT", u("/api/v1/evaluations"), auth, "{}",
	    &out), 405);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), json_only,
	    "{}", &out), 415);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth,
	    "{not json", &out), 400);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth,
	    "{\"policy\": \"payment\", \"commit\": \"" SHA_A "\", \"typo\": 1}",
	    &out), 400);
	assert_non_null(strstr(out, "unknown key 'typo'"));
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth,
	    "{\"policy\": \"../etc/passwd\", \"commit\": \"" SHA_A "\"}",
	    &out), 400);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth,
	    "{\"policy\": \"nope\", \"commit\": \"" SHA_A "\"}", &out), 400);
	assert_non_null(strstr(out, "no policy 'nope'"));
	free(out);
	/* a body over 1 MiB */
	big = malloc(n + 1);
	memset(big, ' ', n);
	big[n] = '\0';
	big[0] = '{';
	big[n - 1] = '}';
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth, big,
	    &out), 413);
	free(out);
	free(big);
	/* pages take GET only */
	assert_int_equal(h_http("POST", u("/"), auth, "{}", &out), 405);
	free(out);
	assert_int_equal(h_http("GET", u("/nowhere"), NULL, NULL, &out), 404);
	free(out);
	/* nothing of this was recorded */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), 3);
}

static void
changes_need_a_valid_token_and_tokens_rotate(void **state)
{
	static const char *none[] = { "Content-Type: application/json", NULL };
	static const char *wrong[] = { "Authorization: Bearer not-the-token-at-all",
	    "Content-Type: application/json", NULL };
	static const char *second[] = { "Authorization: Bearer " TOKEN2,
	    "Content-Type: application/json", NULL };
	static const char body[] = "{\"commit\": \"" SHA_B "\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": \"rm\", "
	    "\"reason\": \"accepted\"}";
	char *out;

	(void)state;
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), none, body,
	    &out), 401);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), wrong, body,
	    &out), 403);
	free(out);
	/* reads are public by default */
	assert_int_equal(h_http("GET", u("/api/v1/verdicts"), NULL, NULL, &out),
	    200);
	free(out);

	/* rotate: the second token replaces the first, no restart */
	sleep(1);	/* a new modification time */
	free(h_write(dir, "tokens", TOKEN2 " ops2 admin\n"));
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), auth, body,
	    &out), 403);
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), second, body,
	    &out), 201);
	free(out);
	sleep(1);
	free(h_write(dir, "tokens", TOKEN " ops admin\n" TOKEN2 " ops2 admin\n"));
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM approvals"), 1);
}

static void
no_token_configured_refuses_changes(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url, NULL };
	const char *env[] = { NULL };
	struct serve s;
	char *out, target[256];

	(void)state;
	assert_int_equal(h_serve_start(&s, dir, args, env), 0);
	snprintf(target, sizeof(target), "%s/api/v1/verdicts/1/invalidate", s.url);
	assert_int_equal(h_http("POST", target, auth, "{\"reason\": \"x\"}",
	    &out), 403);
	assert_non_null(strstr(out, "no token is configured"));
	free(out);
	assert_int_equal(h_serve_stop(&s), 0);
}

static void
reads_can_require_a_token(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--read-token-required", NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };
	struct serve s;
	char *out, target[256];

	(void)state;
	assert_int_equal(h_serve_start(&s, dir, args, env), 0);
	snprintf(target, sizeof(target), "%s/api/v1/verdicts", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 401);
	free(out);
	assert_int_equal(h_http("GET", target, auth, NULL, &out), 200);
	free(out);
	assert_int_equal(h_serve_stop(&s), 0);
}

static void
verdicts_page_newest_first(void **state)
{
	char *out, *next_out;
	cJSON *j, *k, *next;
	long long first, second, third;

	(void)state;
	assert_int_equal(h_http("GET", u("/api/v1/verdicts?limit=2&service="
	    "payment-gateway&environment=staging"), NULL, NULL, &out), 200);
	j = json(out);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "verdicts")),
	    2);
	first = (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "verdicts"), 0), "id")->valuedouble;
	second = (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(j, "verdicts"), 1), "id")->valuedouble;
	assert_true(first > second);
	next = cJSON_GetObjectItem(j, "next");
	assert_true(cJSON_IsString(next));
	assert_int_equal(h_http("GET", u("%s", next->valuestring), NULL, NULL,
	    &next_out), 200);
	k = json(next_out);
	third = (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(k, "verdicts"), 0), "id")->valuedouble;
	assert_true(third < second);
	cJSON_Delete(j);
	cJSON_Delete(k);
	free(out);
	free(next_out);
	assert_int_equal(h_http("GET", u("/api/v1/verdicts?limit=0"), NULL,
	    NULL, &out), 400);
	free(out);
	/* 2^32 + 1 is no limit, though as an int it would be 1 (and
	 * was, before the range was checked as a long) */
	assert_int_equal(h_http("GET", u("/api/v1/verdicts?limit=4294967297"),
	    NULL, NULL, &out), 400);
	assert_contains(out, "'limit' must be 1 to 1000");
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/verdicts?before="
	    "99999999999999999999"), NULL, NULL, &out), 400);
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/evaluations/"
	    "99999999999999999999"), NULL, NULL, &out), 404);
	assert_contains(out, "no such API path");
	free(out);
}

static void
commits_status_approvals_baselines_invalidate(void **state)
{
	char *out;
	cJSON *j;
	long long aid;
	char path[256];

	(void)state;
	assert_int_equal(h_http("GET", u("/api/v1/commits/bbbbbbb"), NULL, NULL,
	    &out), 200);
	j = json(out);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/commits/0000000"), NULL, NULL,
	    &out), 404);
	free(out);

	/* approved in the auth test: B may be promoted */
	assert_int_equal(h_http("GET", u("/api/v1/status?commit=" SHA_B
	    "&service=payment-gateway&environment=staging"), NULL, NULL, &out),
	    200);
	j = json(out);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "promote")));
	aid = (long long)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "approval"),
	    "id")->valuedouble;
	cJSON_Delete(j);
	free(out);
	snprintf(path, sizeof(path), "/api/v1/approvals/%lld", aid);
	assert_int_equal(h_http("DELETE", u("%s", path), auth,
	    "{\"by\": \"rm\", \"reason\": \"rolled back\"}", &out), 200);
	assert_non_null(strstr(out, "rolled back"));
	free(out);
	assert_int_equal(h_http("DELETE", u("%s", path), auth, NULL, &out), 409);
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/status?commit=" SHA_B
	    "&service=payment-gateway&environment=staging"), NULL, NULL, &out),
	    200);
	assert_non_null(strstr(out, "\"promote\":\tfalse"));
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/status?commit=" SHA_B), NULL,
	    NULL, &out), 400);
	free(out);
	/* approving a passing commit is a conflict */
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), auth,
	    "{\"commit\": \"" SHA_A "\", \"service\": \"payment-gateway\", "
	    "\"environment\": \"staging\", \"by\": \"rm\", \"reason\": \"x\"}",
	    &out), 409);
	free(out);

	/* baselines */
	assert_int_equal(h_http("PUT", u("/api/v1/baselines/payment-gateway/"
	    "staging"), auth, "{\"objectives\": {\"latency_p95\": 0.08}, "
	    "\"by\": \"ci\"}", &out), 200);
	free(out);
	assert_int_equal(h_http("PUT", u("/api/v1/baselines/payment-gateway/"
	    "staging"), auth, "{\"from_commit\": \"" SHA_A "\", \"by\": \"ci\"}",
	    &out), 200);
	free(out);
	assert_int_equal(h_http("GET", u("/api/v1/baselines/payment-gateway/"
	    "staging?history=1"), NULL, NULL, &out), 200);
	j = json(out);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	cJSON_Delete(j);
	free(out);
	assert_int_equal(h_http("PUT", u("/api/v1/baselines/payment-gateway/"
	    "staging"), auth, "{\"from_commit\": \"" SHA_B "\"}", &out), 409);
	free(out);

	assert_int_equal(h_http("POST", u("/api/v1/verdicts/1/invalidate"), auth,
	    "{\"reason\": \"staging was down\", \"by\": \"sre\"}", &out), 200);
	assert_non_null(strstr(out, "staging was down"));
	free(out);
	assert_int_equal(h_http("POST", u("/api/v1/verdicts/1/invalidate"), auth,
	    "{\"reason\": \"again\"}", &out), 409);
	free(out);
}

static void
health_readiness_and_metrics(void **state)
{
	const char *args[] = { "--db", db, "--prometheus", "http://127.0.0.1:1",
	    NULL };
	const char *env[] = { NULL };
	struct serve s;
	char *out, target[256];

	(void)state;
	assert_int_equal(h_http("GET", u("/healthz"), NULL, NULL, &out), 200);
	free(out);
	assert_int_equal(h_http("GET", u("/readyz"), NULL, NULL, &out), 200);
	free(out);
	assert_int_equal(h_http("GET", u("/metrics"), NULL, NULL, &out), 200);
	assert_non_null(strstr(out, "slogate_evaluations_total{verdict=\"pass\"} 1"));
	assert_non_null(strstr(out, "slogate_evaluations_total{verdict=\"fail\"} 2"));
	assert_non_null(strstr(out, "slogate_evaluation_duration_seconds_count 3"));
	assert_non_null(strstr(out, "slogate_http_requests_total{code=\"201\"}"));
	assert_non_null(strstr(out, "slogate_build_info{version="));
	free(out);

	/* Prometheus unreachable: alive, not ready */
	assert_int_equal(h_serve_start(&s, dir, args, env), 0);
	snprintf(target, sizeof(target), "%s/readyz", s.url);
	assert_int_equal(h_http("GET", target, NULL, NULL, &out), 503);
	assert_non_null(strstr(out, "prometheus"));
	free(out);
	assert_int_equal(h_serve_stop(&s), 0);
}

/* Parallel evaluations and reads: every verdict recorded exactly once. */
static void
parallel_evaluations_and_reads(void **state)
{
	long long before = h_db_int(db, "SELECT count(*) FROM verdicts");
	pid_t pid[16];

	(void)state;
	for (int i = 0; i < 16; i++) {
		if ((pid[i] = fork()) == 0) {
			char *out, sha[41];
			long st;

			snprintf(sha, sizeof(sha), "%040d", 1000 + i);
			if (i % 2)
				st = evaluate(sha, prom.end - 3600, &out);
			else
				st = h_http("GET", u("/api/v1/verdicts?limit=5"),
				    NULL, NULL, &out);
			_exit(st == (i % 2 ? 201 : 200) ? 0 : 1);
		}
	}
	for (int i = 0; i < 16; i++) {
		int st;

		waitpid(pid[i], &st, 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"),
	    before + 8);
	assert_int_equal(h_db_int(db, "SELECT count(DISTINCT commit_sha) FROM "
	    "verdicts WHERE commit_sha LIKE '00000000000000000000000000000000%'"),
	    8);
}

/* SIGTERM while evaluations are in flight: they finish, are recorded,
 * the service exits 0. */
static void
graceful_shutdown_finishes_requests_in_flight(void **state)
{
	int slow = h_slow_prom_start(1500);
	char prom_url[64], sdb[4200];
	const char *args[] = { "--db", sdb, "--prometheus", prom_url,
	    "--policies", policies, "--queries", queries, NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };
	struct serve s;
	pid_t pid[3];
	char *log;

	(void)state;
	snprintf(prom_url, sizeof(prom_url), "http://127.0.0.1:%d", slow);
	assert_int_equal(h_db_new(sdb, sizeof(sdb), dir, "shutdown"), 0);
	assert_int_equal(h_serve_start(&s, dir, args, env), 0);
	for (int i = 0; i < 3; i++) {
		if ((pid[i] = fork()) == 0) {
			char *out, target[256], body[256];
			long st;

			snprintf(target, sizeof(target), "%s/api/v1/evaluations",
			    s.url);
			snprintf(body, sizeof(body), "{\"policy\": {\"service\": "
			    "\"s\", \"environment\": \"e\", \"objectives\": "
			    "[{\"name\": \"up\", \"promql\": \"up\", \"pass\": "
			    "\">= 1\"}]}, \"commit\": \"%040d\"}", i);
			st = h_http("POST", target, auth, body, &out);
			_exit(st == 201 && strstr(out, "\"pass\"") ? 0 : 1);
		}
	}
	usleep(500000);		/* the three are waiting on Prometheus */
	assert_int_equal(h_serve_stop(&s), 0);
	for (int i = 0; i < 3; i++) {
		int st;

		waitpid(pid[i], &st, 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(h_db_int(sdb, "SELECT count(*) FROM verdicts"), 3);
	log = h_read(s.log);
	assert_non_null(strstr(log, "finishing requests in flight"));
	free(log);
	h_slow_prom_stop();
}

/* Strips lines that differ between runs by nature: the database line. */
static char *
comparable(const char *s)
{
	char *c = strdup(s), *p;

	if ((p = strstr(c, "recorded as verdict")) != NULL)
		*p = '\0';
	return c;
}

static void
remote_mode_matches_local_mode(void **state)
{
	char pol[4200], at[32], ldb[4200], env_server[300];
	const char *local[] = { "check", "--policy", pol, "--db", ldb,
	    "--prometheus", prom.url, "--queries", queries, "--commit", SHA_B,
	    "--at", at, "--build-time", "2026-11-26T06:00:00Z", NULL };
	const char *remote[] = { "check", "--policy", pol, "--server", url,
	    "--queries", queries, "--commit", SHA_B, "--at", at,
	    "--build-time", "2026-11-26T06:00:00Z", NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };
	struct run l, r;
	char *a, *b, *p;

	(void)state;
	snprintf(pol, sizeof(pol), "%s/payment.json", policies);
	assert_int_equal(h_db_new(ldb, sizeof(ldb), dir, "local"), 0);
	snprintf(at, sizeof(at), "%lld", (long long)prom.end);
	snprintf(env_server, sizeof(env_server), "SLOGATE_SERVER=%s", url);
	h_slogate(&l, local, env);
	h_slogate(&r, remote, env);
	assert_int_equal(l.code, 1);
	assert_int_equal(r.code, l.code);
	a = comparable(l.out);
	b = comparable(r.out);
	/* "build" shows the same time; only the database line differs */
	assert_string_equal(a, b);
	free(a);
	free(b);
	h_run_free(&l);
	h_run_free(&r);

	/* status, history and show against the service's own database */
	{
		const char *ls[] = { "status", "--db", db, "--commit", SHA_A,
		    "--service", "payment-gateway", "--environment", "staging",
		    NULL };
		const char *rs[] = { "status", "--commit", SHA_A, "--service",
		    "payment-gateway", "--environment", "staging", NULL };
		const char *envs[] = { "SLOGATE_TOKEN=" TOKEN, env_server, NULL };

		/* A's pass was invalidated above: it promotes nothing */
		h_slogate(&l, ls, NULL);
		h_slogate(&r, rs, envs);
		assert_int_equal(l.code, 1);
		assert_contains(l.out, "was invalidated");
		assert_int_equal(r.code, l.code);
		assert_string_equal(l.out, r.out);
		h_run_free(&l);
		h_run_free(&r);
		ls[4] = rs[2] = "0123456789012345678901234567890123456789";
		h_slogate(&l, ls, NULL);
		h_slogate(&r, rs, envs);
		assert_int_equal(l.code, 1);
		assert_int_equal(r.code, 1);
		assert_string_equal(l.out, r.out);
		h_run_free(&l);
		h_run_free(&r);
	}
	{
		const char *lh[] = { "history", "--db", db, "--service",
		    "payment-gateway", "--limit", "5", NULL };
		const char *rh[] = { "history", "--server", url, "--service",
		    "payment-gateway", "--limit", "5", NULL };

		h_slogate(&l, lh, NULL);
		h_slogate(&r, rh, NULL);
		assert_int_equal(r.code, 0);
		assert_string_equal(l.out, r.out);
		h_run_free(&l);
		h_run_free(&r);
	}
	{
		const char *lw[] = { "show", "bbbbbbbb", "--db", db, NULL };
		const char *rw[] = { "show", "bbbbbbbb", "--server", url, NULL };

		h_slogate(&l, lw, NULL);
		h_slogate(&r, rw, NULL);
		assert_int_equal(r.code, 0);
		assert_string_equal(l.out, r.out);
		h_run_free(&l);
		h_run_free(&r);
	}
	{
		/* a refused approval: the same exit code */
		const char *la[] = { "approve", "--db", db, "--commit", SHA_A,
		    "--service", "payment-gateway", "--environment", "staging",
		    "--by", "rm", "--reason", "x", NULL };
		const char *ra[] = { "approve", "--server", url, "--commit",
		    SHA_A, "--service", "payment-gateway", "--environment",
		    "staging", "--by", "rm", "--reason", "x", NULL };

		h_slogate(&l, la, NULL);
		h_slogate(&r, ra, env);
		assert_int_equal(l.code, 1);
		assert_int_equal(r.code, 1);
		assert_non_null(p = strstr(r.err, "pointless"));
		h_run_free(&l);
		h_run_free(&r);
	}
	{
		/* a wrong token: a clear message and exit 4, nothing recorded */
		const char *bad[] = { "SLOGATE_TOKEN=wrong-token-0000000000", NULL };
		long long n = h_db_int(db, "SELECT count(*) FROM verdicts");

		h_slogate(&r, remote, bad);
		assert_int_equal(r.code, 4);
		assert_non_null(strstr(r.err, "refused the request (HTTP 403)"));
		assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), n);
		h_run_free(&r);
	}
}

/* What a person sees: Debian's chromium renders the pages headless. */
static char *
chromium(const char *what, const char *page, const char *png)
{
	char cmd[8192], profile[300], *out;
	FILE *p;
	size_t len = 0, cap = 1 << 20;
	size_t n;

	snprintf(profile, sizeof(profile), "%s/chromium-profile", dir);
	snprintf(cmd, sizeof(cmd), "timeout 60 chromium --headless --no-sandbox "
	    "--disable-gpu --disable-quic --no-first-run "
	    "--disable-background-networking --disable-component-update "
	    "--disable-sync --user-data-dir='%s' --window-size=1200,1600 %s "
	    "'%s' 2>/dev/null", profile, what, page);
	if (png != NULL) {
		(void)!system(cmd);
		return NULL;
	}
	p = popen(cmd, "r");
	out = malloc(cap);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0)
		len += n;
	out[len] = '\0';
	pclose(p);
	return out;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void
pages_in_a_real_browser(void **state)
{
	char page[512], shot[4300], arg[4400], *dom, outdir[4096];
	const char *o = getenv("SLOGATE_TEST_OUT");

	(void)state;
	if (system("command -v chromium > /dev/null") != 0) {
		fail_msg("chromium is not installed (scripts/deps.sh installs it)");
		return;
	}
	snprintf(outdir, sizeof(outdir), "%s", o ? o : "build/test-output");
	h_sh("mkdir -p '%s'", outdir);

	snprintf(page, sizeof(page), "%s/", url);
	dom = chromium("--dump-dom", page, NULL);
	assert_non_null(strstr(dom, "<title>slogate: 1 fail</title>"));
	assert_non_null(strstr(dom, "payment-gateway"));
	free(dom);

	snprintf(page, sizeof(page), "%s/services/payment-gateway?environment="
	    "staging", url);
	dom = chromium("--dump-dom", page, NULL);
	assert_non_null(strstr(dom, "<title>payment-gateway/staging: "));
	/* a row per verdict, newest first, failed ones marked */
	assert_int_equal(count(dom, "class=\"verdict-row "),
	    (int)h_db_int(db, "SELECT count(*) FROM verdicts WHERE service = "
	    "'payment-gateway' AND environment = 'staging'"));
	assert_true(count(dom, "class=\"verdict-row fail\"") >= 2);
	/* an SVG chart per objective, thresholds drawn, failed points marked */
	assert_int_equal(count(dom, "class=\"objective-chart\""), 2);
	assert_int_equal(count(dom, "class=\"threshold-pass\""), 2);
	assert_int_equal(count(dom, "class=\"threshold-warn\""), 1);
	assert_true(count(dom, "class=\"point failed\"") >= 2);
	free(dom);
	snprintf(shot, sizeof(shot), "%s/service-page.png", outdir);
	snprintf(arg, sizeof(arg), "--screenshot='%s'", shot);
	chromium(arg, page, shot);
	assert_int_equal(access(shot, F_OK), 0);

	snprintf(page, sizeof(page), "%s/commits/" SHA_B, url);
	dom = chromium("--dump-dom", page, NULL);
	assert_non_null(strstr(dom, "<title>commit bbbbbbbb: fail - slogate"));
	assert_non_null(strstr(dom, "histogram_quantile(0.95"));
	assert_non_null(strstr(dom, "/graph?g0.expr="));
	/* the person named, beside the token that approved */
	assert_non_null(strstr(dom, "Approved by <strong>rm via ops2</strong>"));
	assert_non_null(strstr(dom, "rolled back"));
	free(dom);
	snprintf(shot, sizeof(shot), "%s/commit-page.png", outdir);
	snprintf(arg, sizeof(arg), "--screenshot='%s'", shot);
	chromium(arg, page, shot);
	assert_int_equal(access(shot, F_OK), 0);
}

static void
pages_escape_what_they_print(void **state)
{
	char *out, body[1024];

	(void)state;
	snprintf(body, sizeof(body), "{\"policy\": {\"service\": \"<script>x"
	    "</script>\", \"environment\": \"e\", \"objectives\": [{\"name\": "
	    "\"up\", \"promql\": \"vector(1)\", \"pass\": \">= 1\"}]}, "
	    "\"commit\": \"%040d\", \"branch\": \"<b>evil</b>\"}", 42);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth, body,
	    &out), 201);
	free(out);
	assert_int_equal(h_http("GET", u("/"), NULL, NULL, &out), 200);
	assert_null(strstr(out, "<script>x"));
	assert_non_null(strstr(out, "&lt;script&gt;x&lt;/script&gt;"));
	assert_null(strstr(out, "<b>evil</b>"));
	free(out);
}

/* A client that sends half a request and stalls holds no one else up. */
static void
a_slow_client_cannot_stall_others(void **state)
{
	struct sockaddr_in a;
	int fds[8];
	char *out;
	double t0;
	struct timespec ts;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)srv.port);
	for (int i = 0; i < 8; i++) {
		static const char part[] = "POST /api/v1/evaluations HTTP/1.1\r\n"
		    "Host: x\r\nContent-Type: application/json\r\n"
		    "Content-Length: 500\r\n\r\n{\"policy\":";

		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&a,
		    sizeof(a)), 0);
		assert_true(write(fds[i], part, strlen(part)) > 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	assert_int_equal(h_http("GET", u("/api/v1/verdicts?limit=1"), NULL,
	    NULL, &out), 200);
	free(out);
	assert_int_equal(h_http("GET", u("/healthz"), NULL, NULL, &out), 200);
	free(out);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* a bound far above the milliseconds it takes, far below a stall */
	assert_true(ts.tv_sec + ts.tv_nsec / 1e9 - t0 < 5.0);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
}

/* Text from outside (a branch, an approval reason, a URL path) cannot
 * forge a line of a CI log or of the service's log; text the gate could
 * not store as it was sent is refused. */
static void
outside_text_cannot_forge_a_log(void **state)
{
	static const char sha[] = "dddddddddddddddddddddddddddddddddddddddd";
	char body[1024], env_server[300], *out = NULL, *log;
	const char *st[] = { "status", "--commit", sha, "--service",
	    "payment-gateway", "--environment", "staging", NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, env_server, NULL };
	struct run r;

	(void)state;
	snprintf(env_server, sizeof(env_server), "SLOGATE_SERVER=%s", url);
	/* a failing build whose branch tries to print a verdict of its own */
	snprintf(body, sizeof(body), "{\"policy\": \"payment\", \"commit\": "
	    "\"%s\", \"at\": \"%lld\", \"build_time\": \"%lld\", \"branch\": "
	    "\"main\\n\\u001b[32mverdict: pass (exit 0)\"}", sha,
	    (long long)prom.end, (long long)prom.end);
	assert_int_equal(h_http("POST", u("/api/v1/evaluations"), auth, body,
	    &out), 201);
	free(out);
	snprintf(body, sizeof(body), "{\"commit\": \"%s\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": "
	    "\"rm\", \"reason\": \"ok\\u001b[2K\\rpromote: all clear\\u202e\"}",
	    sha);
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), auth, body,
	    &out), 201);
	free(out);

	h_slogate(&r, st, env);
	assert_int_equal(r.code, 0);
	/* one line, the reason's control characters written out */
	assert_contains(r.out, "ok\\x1b[2K\\rpromote: all clear\\u202e\n");
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strchr(r.out, '\r'));
	assert_int_equal(strchr(r.out, '\n') - r.out + 1, (long)strlen(r.out));
	h_run_free(&r);
	{
		const char *show[] = { "show", sha, NULL };

		h_slogate(&r, show, env);
		assert_int_equal(r.code, 0);
		assert_contains(r.out, "(main\\n\\x1b[32mverdict: pass (exit 0))");
		assert_null(strchr(r.out, '\x1b'));
		h_run_free(&r);
	}

	/* a path that would start a line of its own in the service's log */
	assert_int_equal(h_http("GET", u("/api/v1/x%%0Afake%%20200%%201.0ms"),
	    NULL, NULL, &out), 404);
	free(out);
	log = h_read_until(srv.log, "/api/v1/x\\nfake 200 1.0ms 404");
	assert_contains(log, "/api/v1/x\\nfake 200 1.0ms 404");
	assert_null(strstr(log, "\nfake 200"));
	free(log);

	/* a NUL would cut the reason short of what was sent */
	snprintf(body, sizeof(body), "{\"commit\": \"%s\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": "
	    "\"rm\", \"reason\": \"fine\\u0000 (rest unseen)\"}", sha);
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), auth, body,
	    &out), 400);
	assert_contains(out, "the body holds \\\\u0000 in a string");
	free(out);
	/* nor is a body that is not UTF-8 stored raw */
	snprintf(body, sizeof(body), "{\"commit\": \"%s\", \"service\": "
	    "\"payment-gateway\", \"environment\": \"staging\", \"by\": "
	    "\"rm\", \"reason\": \"caf\xe9\"}", sha);
	assert_int_equal(h_http("POST", u("/api/v1/approvals"), auth, body,
	    &out), 400);
	assert_contains(out, "the body is not valid UTF-8");
	free(out);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM approvals WHERE "
	    "lower(reason) LIKE 'fine%' OR lower(reason) LIKE 'caf%'"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(evaluations_are_recorded_and_read_back),
		cmocka_unit_test(errors_have_the_right_status),
		cmocka_unit_test(changes_need_a_valid_token_and_tokens_rotate),
		cmocka_unit_test(no_token_configured_refuses_changes),
		cmocka_unit_test(reads_can_require_a_token),
		cmocka_unit_test(verdicts_page_newest_first),
		cmocka_unit_test(commits_status_approvals_baselines_invalidate),
		cmocka_unit_test(health_readiness_and_metrics),
		cmocka_unit_test(remote_mode_matches_local_mode),
		cmocka_unit_test(pages_in_a_real_browser),
		cmocka_unit_test(parallel_evaluations_and_reads),
		cmocka_unit_test(graceful_shutdown_finishes_requests_in_flight),
		cmocka_unit_test(pages_escape_what_they_print),
		cmocka_unit_test(a_slow_client_cannot_stall_others),
		cmocka_unit_test(outside_text_cannot_forge_a_log),
	};

	return cmocka_run_group_tests_name("serve (real prometheus, loopback "
	    "HTTP, headless chromium)", tests, group_setup, group_teardown);
}
