/* test_fleet: three `slogate serve` replicas on one real PostgreSQL, with
 * a real Prometheus scraping a test exporter: concurrent checks and API
 * evaluations spread over the replicas each recorded once; a running
 * evaluation whose replica is killed with SIGKILL finished by another
 * within a lease; a long-poll on one replica answered by another's poll;
 * PostgreSQL restarted under the service: 503 while it is down, then
 * everything goes on and nothing is lost. Bounded: about a minute. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "exporter.h"
#include "harness.h"
#include "testutil.h"

#define TOKEN "fleet-token-0123456789abcdef0123"
#define LEASE 3
#define NREPLICAS 3
#define NCHECKS 32
#define NPOSTS 16

static struct prom_server prom;
static struct h_pg pg;
static struct serve rep[NREPLICAS];
static char *dir, quick[4096], svc[4096];

/* the waited-for policy: 20 s by 2 s steps; the quick one: the last 6 s */
static const char svc_text[] =
    "{\"service\": \"svc\", \"environment\": \"staging\",\n"
    " \"window\": \"20s\", \"step\": \"2s\", \"error_limit\": 2,\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"sustained\": true, \"pass\": \">= 99.9%\",\n"
    "   \"promql\": \"min_over_time(slogate_test_availability{service=\\\"${service}\\\"}[${range}])\"},\n"
    "  {\"name\": \"latency_p95\", \"pass\": \"<= 120ms\",\n"
    "   \"promql\": \"max_over_time(slogate_test_latency_seconds{service=\\\"${service}\\\"}[${window}])\"}]}\n";
static const char quick_text[] =
    "{\"service\": \"quick\", \"environment\": \"staging\",\n"
    " \"window\": \"6s\", \"step\": \"2s\",\n"
    " \"objectives\": [\n"
    "  {\"name\": \"latency_p95\", \"pass\": \"<= 120ms\",\n"
    "   \"promql\": \"max_over_time(slogate_test_latency_seconds{service=\\\"${service}\\\"}[${window}])\"}]}\n";

static const char *const auth[] = { "Authorization: Bearer " TOKEN,
    "Content-Type: application/json", NULL };
static const char *const serve_env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
start_replica(int i)
{
	char lease[16];
	const char *args[] = { "--db", pg.url, "--prometheus", prom.url,
	    "--policies", dir, "--lease", lease, NULL };

	snprintf(lease, sizeof(lease), "%d", LEASE);
	return h_serve_start(&rep[i], dir, args, serve_env);
}

static void
kill_replica(int i)
{
	if (rep[i].pid > 0) {
		kill(rep[i].pid, SIGKILL);
		waitpid(rep[i].pid, NULL, 0);
		rep[i].pid = 0;
	}
}

static int
group_setup(void **state)
{
	const char *mig[] = { "db", "migrate", "--db", pg.url, NULL };
	struct run r;

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL || h_pg_start(&pg, dir) != 0 ||
	    h_exporter_start() < 0 || h_exporter_prom_up(&prom, 8) != 0)
		return -1;
	free(h_write(dir, "svc.json", svc_text));
	free(h_write(dir, "quick.json", quick_text));
	snprintf(svc, sizeof(svc), "%s/svc.json", dir);
	snprintf(quick, sizeof(quick), "%s/quick.json", dir);
	if (h_slogate(&r, mig, NULL) != 0 || r.code != 0) {
		fprintf(stderr, "db migrate: %s%s\n", r.out, r.err);
		return -1;
	}
	h_run_free(&r);
	for (int i = 0; i < NREPLICAS; i++) {
		if (start_replica(i) != 0)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NREPLICAS; i++) {
		if (rep[i].pid > 0)
			h_serve_stop(&rep[i]);
	}
	h_prom_stop(&prom);
	h_exporter_stop();
	h_pg_stop(&pg);
	h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

static long long
count(const char *sql)
{
	return h_db_int(pg.url, sql);
}

/* ---- many writers over the replicas ---- */

struct job {
	pthread_t t;
	int replica;		/* -1: a local check */
	char sha[41];
	int code;		/* exit code or HTTP status */
};

static void *
job_run(void *arg)
{
	struct job *j = arg;

	if (j->replica < 0) {
		const char *args[] = { "check", "--policy", quick, "--db", pg.url,
		    "--prometheus", prom.url, "--commit", j->sha, "--format",
		    "json", NULL };
		struct run r;

		j->code = h_slogate(&r, args, NULL) == 0 ? r.code : -1;
		h_run_free(&r);
	} else {
		char url[128], body[256], *out = NULL;

		snprintf(url, sizeof(url), "%s/api/v1/evaluations",
		    rep[j->replica].url);
		snprintf(body, sizeof(body), "{\"policy\": \"quick\", "
		    "\"commit\": \"%s\"}", j->sha);
		j->code = (int)h_http("POST", url, auth, body, &out);
		free(out);
	}
	return NULL;
}

/* 32 checks and 16 POSTs spread over the three replicas at once: each
 * recorded exactly once, ids unique, the audit trail one unbroken chain. */
static void
concurrent_writers_record_each_once(void **state)
{
	static struct job jobs[NCHECKS + NPOSTS];
	const char *verify[] = { "audit", "verify", "--db", pg.url, NULL };
	struct run r;

	(void)state;
	for (int i = 0; i < NCHECKS + NPOSTS; i++) {
		jobs[i].replica = i < NCHECKS ? -1 : i % NREPLICAS;
		snprintf(jobs[i].sha, sizeof(jobs[i].sha), "%040x", 0xf1000 + i);
		assert_int_equal(pthread_create(&jobs[i].t, NULL, job_run,
		    &jobs[i]), 0);
	}
	for (int i = 0; i < NCHECKS + NPOSTS; i++)
		pthread_join(jobs[i].t, NULL);
	for (int i = 0; i < NCHECKS + NPOSTS; i++) {
		char sql[160];

		if (jobs[i].code != (i < NCHECKS ? 0 : 201))
			fail_msg("writer %d (%s) ended %d", i, i < NCHECKS ?
			    "check" : "POST", jobs[i].code);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM verdicts WHERE "
		    "commit_sha = '%s'", jobs[i].sha);
		assert_int_equal(count(sql), 1);
	}
	assert_int_equal(count("SELECT count(*) FROM verdicts WHERE service = "
	    "'quick'"), NCHECKS + NPOSTS);
	assert_int_equal(count("SELECT count(DISTINCT id) FROM verdicts WHERE "
	    "service = 'quick'"), NCHECKS + NPOSTS);
	assert_int_equal(count("SELECT count(*) FROM audit"),
	    count("SELECT count(*) FROM verdicts"));
	assert_int_equal(h_slogate(&r, verify, NULL), 0);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "audit trail intact");
	h_run_free(&r);
}

/* ---- a running evaluation across replicas ---- */

static long long
json_int(const char *json, const char *key)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL, *v;
	long long n = -1;

	if (j != NULL && cJSON_IsNumber(v = cJSON_GetObjectItem(j, key)))
		n = (long long)v->valuedouble;
	cJSON_Delete(j);
	return n;
}

/* The replica whose pid names the lease of watch id ("... pid N, ..."). */
static int
holder(long long id)
{
	char sql[128], *owner;

	snprintf(sql, sizeof(sql), "SELECT lease_owner FROM watches WHERE id = "
	    "%lld", id);
	if ((owner = h_db_text(pg.url, sql)) == NULL)
		return -1;
	for (int i = 0; i < NREPLICAS; i++) {
		char pid[32];

		snprintf(pid, sizeof(pid), "pid %ld,", (long)rep[i].pid);
		if (rep[i].pid > 0 && strstr(owner, pid) != NULL)
			return i;
	}
	return -1;
}

/* An evaluation that waits for its window, started on one replica; a
 * long-poll on another is answered by the holder's next poll; the holder
 * is killed mid-wait and another replica finishes it within a lease, with
 * polls by both recorded, never two at once, and one verdict. */
static void
killed_replica_is_taken_over(void **state)
{
	const char *sha = "f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2";
	char body[4096], url[256], sql[256], *out = NULL;
	long long id, polls, got;
	int a, b;
	double killed, t0;

	(void)state;
	snprintf(body, sizeof(body), "{\"policy\": \"svc\", \"commit\": \"%s\", "
	    "\"since\": \"%lld\", \"wait\": true}", sha, (long long)time(NULL));
	snprintf(url, sizeof(url), "%s/api/v1/evaluations", rep[0].url);
	assert_int_equal(h_http("POST", url, auth, body, &out), 202);
	id = json_int(out, "id");
	assert_true(id > 0);
	free(out);
	a = holder(id);
	assert_int_equal(a, 0);		/* the replica asked holds it */

	/* a long-poll on another replica sees the holder's polls */
	b = (a + 1) % NREPLICAS;
	snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld", rep[b].url, id);
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	polls = json_int(out, "polls");
	free(out);
	snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld?wait=20&"
	    "polls=%lld", rep[b].url, id, polls);
	t0 = now_s();
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	assert_true(now_s() - t0 < 8);	/* a step and a recheck, not 20 s */
	assert_true(json_int(out, "polls") > polls);
	free(out);

	/* the holder dies without a word */
	kill_replica(a);
	killed = now_s();
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM watch_polls WHERE "
	    "watch_id = %lld", id);
	got = count(sql);
	/* another replica holds it within a lease and a claim, and polls */
	while (now_s() - killed < 3 * LEASE + 4 && (holder(id) < 0 ||
	    count(sql) <= got))
		usleep(200000);
	assert_true(holder(id) >= 0);
	assert_true(holder(id) != a);
	assert_true(count(sql) > got);

	/* it ends with one verdict, a pass */
	snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld?wait=20",
	    rep[b].url, id);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
		if (strstr(out, "\"running\"") == NULL)
			break;
		free(out);
		out = NULL;
	}
	assert_non_null(out);
	assert_contains(out, "\"verdict\":\t\"pass\"");
	free(out);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '%s'", sha);
	assert_int_equal(count(sql), 1);
	/* polled on both sides of the kill, by two services */
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT polled_by) FROM "
	    "watch_polls WHERE watch_id = %lld", id);
	assert_int_equal(count(sql), 2);
	/* never twice at once: about one poll a step, not two */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM watch_polls WHERE "
	    "watch_id = %lld", id);
	assert_true(count(sql) <= 20 / 2 + 4);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM watch_polls p JOIN "
	    "watch_polls q ON q.watch_id = p.watch_id AND q.seq = p.seq + 1 "
	    "WHERE p.watch_id = %lld AND q.polled_at < p.polled_at", id);
	assert_int_equal(count(sql), 0);
	assert_int_equal(start_replica(a), 0);
}

/* ---- the database goes away ---- */

static long
status_of(int i)
{
	char url[256], *out = NULL;
	long st;

	snprintf(url, sizeof(url), "%s/api/v1/status?service=quick&environment="
	    "staging&commit=%040x", rep[i].url, 0xf1000);
	st = h_http("GET", url, NULL, NULL, &out);
	free(out);
	return st;
}

/* PostgreSQL restarted: the replicas answer 503 while it is down (and
 * /readyz says so), then carry on; what was recorded stays, and what is
 * recorded after is there once. */
static void
database_restart_is_503_then_goes_on(void **state)
{
	const char *sha = "f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3";
	const char *args[] = { "check", "--policy", quick, "--db", pg.url,
	    "--prometheus", prom.url, "--commit", sha, NULL };
	char url[256], *out = NULL;
	long long before = count("SELECT count(*) FROM verdicts");
	struct run r;
	long st = 0;

	(void)state;
	assert_true(before > 0);
	for (int i = 0; i < NREPLICAS; i++)
		assert_int_equal(status_of(i), 200);
	assert_int_equal(h_pg_stop(&pg), 0);
	for (int i = 0; i < NREPLICAS; i++)
		assert_int_equal(status_of(i), 503);
	snprintf(url, sizeof(url), "%s/readyz", rep[1].url);
	for (int i = 0; i < 30 && st != 503; i++) {
		st = h_http("GET", url, NULL, NULL, &out);
		free(out);
		out = NULL;
		if (st != 503)
			usleep(200000);
	}
	assert_int_equal(st, 503);
	/* a check meanwhile is an error, and says so */
	assert_int_equal(h_slogate(&r, args, NULL), 0);
	assert_int_equal(r.code, 4);
	h_run_free(&r);

	assert_int_equal(h_pg_start(&pg, dir), 0);
	for (int i = 0; i < NREPLICAS; i++) {
		for (int k = 0; k < 50 && (st = status_of(i)) != 200; k++)
			usleep(200000);
		assert_int_equal(st, 200);
	}
	assert_int_equal(count("SELECT count(*) FROM verdicts"), before);
	assert_int_equal(h_slogate(&r, args, NULL), 0);
	assert_int_equal(r.code, 0);
	h_run_free(&r);
	snprintf(url, sizeof(url), "%s/api/v1/evaluations", rep[2].url);
	assert_int_equal(h_http("POST", url, auth, "{\"policy\": \"quick\", "
	    "\"commit\": \"f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4\"}", &out),
	    201);
	free(out);
	assert_int_equal(count("SELECT count(*) FROM verdicts"), before + 2);
}

/* ---- moving a history ---- */

static char *
run_out(const char *const *args)
{
	struct run r;
	char *out;

	if (h_slogate(&r, args, NULL) != 0 || r.code != 0) {
		fail_msg("slogate %s %s exited %d: %s%s", args[0], args[1], r.code,
		    r.out, r.err);
	}
	out = r.out;
	r.out = NULL;
	h_run_free(&r);
	return out;
}

/* What a history reads as: every verdict with its objectives, approvals
 * and invalidation, the baselines, the audit trail's head. */
static char *
history_of(const char *db)
{
	const char *hist[] = { "history", "--db", db, "--limit", "100",
	    "--format", "json", NULL };
	const char *base[] = { "baseline", "show", "--db", db, "--history",
	    "--format", "json", NULL };
	const char *verify[] = { "audit", "verify", "--db", db, NULL };
	char *h = run_out(hist), *b = run_out(base), *v = run_out(verify), *all;

	assert_true(asprintf(&all, "%s\n%s\n%s", h, b, v) > 0);
	free(h);
	free(b);
	free(v);
	return all;
}

/* A history built on SQLite (checks, a waited evaluation and its polls, an
 * approval and its revocation, a baseline, an invalidation) copied to
 * PostgreSQL reads the same there, audit trail included, and back again;
 * a copy into a database that holds one is refused and changes nothing. */
static void
db_copy_round_trips_a_sqlite_history(void **state)
{
	char lite[4096], back[4096], pgcopy[256], since[32];
	const char *sha = "f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5";
	const char *sha2 = "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6";
	const char *c1[] = { "check", "--policy", quick, "--db", lite,
	    "--prometheus", prom.url, "--commit", sha, NULL };
	const char *c2[] = { "check", "--policy", quick, "--db", lite,
	    "--prometheus", prom.url, "--commit", sha2, "--since", since,
	    "--wait", NULL };
	const char *ap[] = { "approve", "--commit", sha, "--service", "quick",
	    "--environment", "staging", "--reason", "p95 accepted for the "
	    "copy", "--by", "rm", "--db", lite, NULL };
	const char *rv[] = { "approve", "--revoke", "1", "--by", "rm",
	    "--reason", "not needed", "--db", lite, NULL };
	const char *bs[] = { "baseline", "set", "--service", "quick",
	    "--environment", "staging", "--objective", "latency_p95", "--value",
	    "0.0825", "--db", lite, NULL };
	const char *inv[] = { "invalidate", "--verdict", "1", "--reason",
	    "load test ran", "--db", lite, NULL };
	const char *to_pg[] = { "db", "copy", "--from", lite, "--to", pgcopy,
	    NULL };
	const char *to_lite[] = { "db", "copy", "--from", pgcopy, "--to", back,
	    NULL };
	char *a, *b, *c, *out;
	struct run r;

	(void)state;
	snprintf(lite, sizeof(lite), "%s/history.db", dir);
	snprintf(back, sizeof(back), "sqlite:%s/back.db", dir);
	snprintf(pgcopy, sizeof(pgcopy), "postgresql://slogate@127.0.0.1:%d/"
	    "copied", pg.port);
	/* a slow release fails, so there is something to approve */
	h_exporter_set(0.9999, 0.3);
	sleep(3);
	assert_int_equal(h_slogate(&r, c1, NULL), 0);
	assert_int_equal(r.code, 1);
	h_run_free(&r);
	h_exporter_set(0.9999, 0.08);
	snprintf(since, sizeof(since), "%lld", (long long)time(NULL) + 1);
	free(run_out(c2));
	free(run_out(ap));
	free(run_out(rv));
	free(run_out(bs));
	free(run_out(inv));
	assert_int_equal(h_sh("psql -q -h 127.0.0.1 -p %d -U slogate -d "
	    "postgres -c 'CREATE DATABASE copied' >/dev/null", pg.port), 0);

	out = run_out(to_pg);
	assert_contains(out, "every count matches");
	assert_contains(out, "watch_polls");
	free(out);
	a = history_of(lite);
	b = history_of(pgcopy);
	assert_string_equal(a, b);
	assert_contains(a, "load test ran");
	assert_contains(a, "not needed");
	assert_contains(a, "audit trail intact: 6 entries");
	/* the copy goes on where the source stopped: ids, the sequences */
	{
		const char *more[] = { "check", "--policy", quick, "--db", pgcopy,
		    "--prometheus", prom.url, "--commit", sha, "--format", "json",
		    NULL };

		out = run_out(more);
		assert_int_equal(json_int(out, "id"), 3);
		free(out);
	}
	/* and back to SQLite, read the same as the PostgreSQL copy */
	out = run_out(to_lite);
	free(out);
	c = history_of(back);
	free(b);
	b = history_of(pgcopy);
	assert_string_equal(b, c);
	/* into a database that holds a history: refused, nothing written */
	assert_int_equal(h_slogate(&r, to_pg, NULL), 0);
	assert_int_equal(r.code, 1);
	assert_contains(r.err, "holds");
	assert_null(strstr(r.err, "password"));
	h_run_free(&r);
	free(c);
	c = history_of(pgcopy);
	assert_string_equal(b, c);
	free(a);
	free(b);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_writers_record_each_once),
		cmocka_unit_test(killed_replica_is_taken_over),
		cmocka_unit_test(database_restart_is_503_then_goes_on),
		cmocka_unit_test(db_copy_round_trips_a_sqlite_history),
	};

	return cmocka_run_group_tests_name("three replicas on one PostgreSQL",
	    tests, group_setup, group_teardown);
}
