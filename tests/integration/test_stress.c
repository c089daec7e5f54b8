/* test_stress: one SQLite file under many writers and under kill -9.
 * 32 `slogate check` processes and a `slogate serve` taking 16 evaluations
 * at once write one database against the real Prometheus; then checks and
 * the service are SIGKILLed at random points of their evaluations (against
 * a slow scripted Prometheus, so that the kill lands mid-evaluation).
 * Every verdict a client was told about is recorded exactly once, with its
 * objectives, and the database stays sound. Bounded: every loop has a
 * fixed count and a deadline; only loopback. SLOGATE_STRESS_SEED sets
 * the seed of the random kill delays (printed on every run). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define TOKEN "stress-token-0123456789abcdef"

#define NCHECKS 32		/* concurrent checks on one file */
#define NPOSTS 16		/* concurrent API evaluations beside them */
#define ROUNDS 60		/* kill -9 rounds: two of three a check */
#define FIRST_ROUNDS 20		/* checks killed making a new file */
#define KILL_POSTS 4		/* evaluations in flight when serve dies */
#define SLOW_MS 250		/* the scripted Prometheus's delay */
#define MAX_TOLD 512

static struct prom_server prom;
static char *dir;
static char queries[4096], policies[4096];
static unsigned seed;

static const char *auth[] = { "Authorization: Bearer " TOKEN,
    "Content-Type: application/json", NULL };

/* The motivating rule, from the shipped templates: a guard and two
 * sustained objectives, three queries. */
static const char motivating[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"window\": \"30m\", \"step\": \"1m\",\n"
    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"query\": \"availability\",\n"
    "   \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true},\n"
    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": \"<= 120ms\", \"sustained\": true}]}\n";

/* For the scripted Prometheus: two instant queries, both answered 1. */
static const char instant[] =
    "{\"service\": \"killed\", \"environment\": \"staging\",\n"
    " \"min_coverage\": \"0%\",\n"
    " \"objectives\": [\n"
    "  {\"name\": \"up\", \"promql\": \"up\", \"pass\": \">= 1\"},\n"
    "  {\"name\": \"one\", \"promql\": \"vector(1)\", \"pass\": \">= 1\"}]}\n";
#define INSTANT_OBJECTIVES 2	/* and as many queries */

/* ---- processes the test started, killed and reaped on every path ---- */

static pid_t live[NCHECKS + 8];

static void
track(pid_t pid)
{
	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		if (live[i] == 0) {
			live[i] = pid;
			return;
		}
	}
}

static void
untrack(pid_t pid)
{
	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		if (live[i] == pid)
			live[i] = 0;
	}
}

static void
kill_all(void)
{
	for (size_t i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		if (live[i] > 0) {
			kill(live[i], SIGKILL);
			waitpid(live[i], NULL, 0);
			live[i] = 0;
		}
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A random number in [0, n). */
static unsigned
rnd(unsigned n)
{
	return n > 0 ? (unsigned)rand_r(&seed) % n : 0;
}

/* ---- a check run in the background ---- */

struct proc {
	pid_t pid;
	int code;		/* exit code, 128+signal, -1 past the deadline */
	char sha[41];
	char out[320], err[320];
	double t0, t1;
};

/* Starts build/slogate check with the given flags (NULL-terminated); its
 * stdout and stderr go to files in dir. */
static void
spawn_check(struct proc *p, const char *name, const char *const *flags)
{
	const char *argv[40];
	int n = 0;

	snprintf(p->out, sizeof(p->out), "%s/%s.out", dir, name);
	snprintf(p->err, sizeof(p->err), "%s/%s.err", dir, name);
	argv[n++] = h_bin();
	argv[n++] = "check";
	for (size_t i = 0; flags[i] != NULL && n < 37; i++)
		argv[n++] = flags[i];
	argv[n++] = "--commit";
	argv[n++] = p->sha;
	argv[n] = NULL;
	p->code = -1;
	p->t0 = now_s();
	p->t1 = 0;
	/* a check killed before it opens them must not leave an older
	 * run's output to be read as its own */
	unlink(p->out);
	unlink(p->err);
	if ((p->pid = fork()) == 0) {
		/* only async-signal-safe calls: threads may be running */
		int fo = open(p->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(p->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		alarm(120);	/* survives exec: nothing outlives the test */
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (p->pid > 0)
		track(p->pid);
}

static void
reaped(struct proc *p, int st)
{
	untrack(p->pid);
	p->pid = 0;
	p->t1 = now_s();
	p->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Waits for every one of p[0..n) until deadline (monotonic seconds); those
 * still running then are killed and keep code -1. Returns how many were. */
static int
reap(struct proc *p, size_t n, double deadline)
{
	size_t left = 0;
	int late = 0;

	for (size_t i = 0; i < n; i++)
		left += p[i].pid > 0;
	while (left > 0 && now_s() < deadline) {
		for (size_t i = 0; i < n; i++) {
			int st;

			if (p[i].pid > 0 && waitpid(p[i].pid, &st, WNOHANG) ==
			    p[i].pid) {
				reaped(&p[i], st);
				left--;
			}
		}
		if (left > 0)
			usleep(5000);
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].pid > 0) {
			kill(p[i].pid, SIGKILL);
			waitpid(p[i].pid, NULL, 0);
			untrack(p[i].pid);
			p[i].pid = 0;
			p[i].code = -1;
			late++;
		}
	}
	return late;
}

/* The id and verdict a check printed: "recorded as verdict N in" and
 * "verdict: pass (exit 0)" in text, "id" and "verdict" in JSON. id is -1
 * when it printed none. */
static void
told(const char *path, long long *id, char verdict[16])
{
	char *out = h_read(path);
	const char *p;
	cJSON *j;

	*id = -1;
	verdict[0] = '\0';
	if (out == NULL)
		return;
	if (out[0] == '{' && (j = cJSON_Parse(out)) != NULL) {
		cJSON *i = cJSON_GetObjectItem(j, "id");
		cJSON *v = cJSON_GetObjectItem(j, "verdict");

		if (cJSON_IsNumber(i))
			*id = (long long)i->valuedouble;
		if (cJSON_IsString(v))
			snprintf(verdict, 16, "%s", v->valuestring);
		cJSON_Delete(j);
	} else {
		if ((p = strstr(out, "recorded as verdict ")) != NULL)
			*id = strtoll(p + 20, NULL, 10);
		if ((p = strstr(out, "\nverdict: ")) != NULL)
			sscanf(p + 10, "%15[a-z]", verdict);
	}
	free(out);
}

/* ---- an API evaluation on a thread ---- */

struct post {
	pthread_t thread;
	int started;
	char url[128];
	char body[512];
	char sha[41];
	long status;
	long long id;
	char verdict[16];
};

static void *
post_run(void *arg)
{
	struct post *p = arg;
	char *out = NULL;
	cJSON *j, *i, *v;

	p->id = -1;
	p->status = h_http("POST", p->url, auth, p->body, &out);
	if (p->status == 201 && (j = cJSON_Parse(out)) != NULL) {
		if (cJSON_IsNumber(i = cJSON_GetObjectItem(j, "id")))
			p->id = (long long)i->valuedouble;
		if (cJSON_IsString(v = cJSON_GetObjectItem(j, "verdict")))
			snprintf(p->verdict, sizeof(p->verdict), "%s",
			    v->valuestring);
		cJSON_Delete(j);
	}
	free(out);
	return NULL;
}

static void
post_start(struct post *p, const struct serve *s, const char *policy,
    const char *sha, const char *at)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->sha, sizeof(p->sha), "%s", sha);
	snprintf(p->url, sizeof(p->url), "%s/api/v1/evaluations", s->url);
	if (at != NULL)
		snprintf(p->body, sizeof(p->body), "{\"policy\": \"%s\", "
		    "\"commit\": \"%s\", \"at\": \"%s\", \"build_time\": \"%s\"}", policy,
		    sha, at, at);
	else
		snprintf(p->body, sizeof(p->body), "{\"policy\": \"%s\", "
		    "\"commit\": \"%s\"}", policy, sha);
	p->started = pthread_create(&p->thread, NULL, post_run, p) == 0;
}

/* Every h_http has a 60 s timeout, so this ends. */
static void
post_join(struct post *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].started)
			pthread_join(p[i].thread, NULL);
		p[i].started = 0;
	}
}

/* ---- what the clients were told, against what the database holds ---- */

struct told_id {
	long long id;
	char sha[41];
	char verdict[16];
};

static struct told_id tl[MAX_TOLD];
static size_t ntold;

static void
tell(long long id, const char *sha, const char *verdict)
{
	if (ntold < MAX_TOLD) {
		tl[ntold].id = id;
		snprintf(tl[ntold].sha, sizeof(tl[ntold].sha), "%s", sha);
		snprintf(tl[ntold].verdict, sizeof(tl[ntold].verdict), "%s",
		    verdict);
	}
	ntold++;
}

static int
by_id(const void *a, const void *b)
{
	const struct told_id *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Every id told is told once, and is in db once with the commit and the
 * verdict told and nobjectives objectives. */
static void
assert_told_recorded(const char *db, int nobjectives)
{
	char sql[256];

	assert_true(ntold <= MAX_TOLD);
	qsort(tl, ntold, sizeof(tl[0]), by_id);
	for (size_t i = 0; i < ntold; i++) {
		if (i > 0 && tl[i].id == tl[i - 1].id)
			fail_msg("verdict %lld told to two clients (%s, %s)",
			    tl[i].id, tl[i - 1].sha, tl[i].sha);
		snprintf(sql, sizeof(sql), "SELECT commit_sha FROM verdicts "
		    "WHERE id = %lld", tl[i].id);
		if (h_db_text(db, sql) == NULL)
			fail_msg("verdict %lld (commit %s) was told but is not "
			    "in the database", tl[i].id, tl[i].sha);
		assert_string_equal(h_db_text(db, sql), tl[i].sha);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM verdicts "
		    "WHERE commit_sha = '%s'", tl[i].sha);
		assert_int_equal(h_db_int(db, sql), 1);
		snprintf(sql, sizeof(sql), "SELECT verdict FROM verdicts "
		    "WHERE id = %lld", tl[i].id);
		assert_string_equal(h_db_text(db, sql), tl[i].verdict);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "objective_results WHERE verdict_id = %lld", tl[i].id);
		assert_int_equal(h_db_int(db, sql), nobjectives);
	}
}

/* The database is sound: integrity and foreign keys (SQLite's checks of
 * its file; PostgreSQL refuses a row against its foreign keys and has no
 * such check), and no verdict apart from its objectives (they are written
 * in one transaction). */
static void
assert_sound(const char *db, int nobjectives)
{
	char sql[256];

	if (!h_backend_pg()) {
		assert_string_equal(h_db_text(db, "PRAGMA integrity_check"),
		    "ok");
		assert_int_equal(h_db_int(db, "SELECT count(*) FROM "
		    "pragma_foreign_key_check"), 0);
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM verdicts v WHERE "
	    "(SELECT count(*) FROM objective_results o WHERE o.verdict_id = "
	    "v.id) != %d", nobjectives);
	assert_int_equal(h_db_int(db, sql), 0);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM objective_results "
	    "WHERE verdict_id NOT IN (SELECT id FROM verdicts)"), 0);
}

/* ---- setup ---- */

static int
group_setup(void **state)
{
	const char *s = getenv("SLOGATE_STRESS_SEED");

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	seed = s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
	fprintf(stderr, "stress: SLOGATE_STRESS_SEED=%u\n", seed);
	snprintf(queries, sizeof(queries), "%s/queries", h_top());
	if ((dir = h_tmpdir()) == NULL)
		return -1;
	snprintf(policies, sizeof(policies), "%s/policies", dir);
	h_sh("mkdir -p '%s'", policies);
	free(h_write(policies, "payment.json", motivating));
	free(h_write(policies, "instant.json", instant));
	return h_prom_start(&prom);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_prom_stop(&prom);
	if (getenv("SLOGATE_TEST_KEEP") == NULL)
		h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	kill_all();
	return 0;
}

static int slow_running;	/* the scripted Prometheus */

static int
kill_teardown(void **state)
{
	(void)state;
	kill_all();
	if (slow_running)
		h_slow_prom_stop();
	slow_running = 0;
	return 0;
}

/* ---- 1: 32 checks and 16 API evaluations on one file ---- */

static struct proc checks[NCHECKS];
static struct post posts[NPOSTS];

/* 32 checks and 16 evaluations through the service, all at once on
 * a new database NAME (h_db_new): with serve_first the service makes the
 * file and is up before the checks start; else the checks start on no
 * file (on postgres: a database just migrated) and the service starts
 * among them. */
static void
writers(const char *name, int serve_first)
{
	char db[4200], pol[4200], pass_at[32], fail_at[32], want[8192];
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", policies, "--queries", queries, "--workers", "8",
	    "--max-window-age", "3h",
	    NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };
	const char *kinds[] = { "pass", "fail", "warn", "inconclusive",
	    "error" };
	struct serve srv;
	size_t off = 0;
	double t0, secs;
	int late, nk[5] = { 0 };
	char sql[128];

	ntold = 0;
	assert_int_equal(h_db_new(db, sizeof(db), dir, name), 0);
	snprintf(pol, sizeof(pol), "%s/payment.json", policies);
	/* the healthy build passes, the regressed one fails */
	snprintf(pass_at, sizeof(pass_at), "%lld", (long long)prom.end - 3600);
	snprintf(fail_at, sizeof(fail_at), "%lld", (long long)prom.end);
	if (serve_first) {
		assert_int_equal(h_serve_start(&srv, dir, args, env), 0);
		track(srv.pid);
	}
	t0 = now_s();
	for (int i = 0; i < NCHECKS; i++) {
		const char *flags[] = { "--policy", pol, "--prometheus",
		    prom.url, "--db", db, "--queries", queries, "--at",
		    i % 2 ? fail_at : pass_at, "--build-time", pass_at,
		    "--format", i % 4 < 2 ? "json" :
		    "text", NULL };
		char out[64];

		snprintf(checks[i].sha, sizeof(checks[i].sha), "c%039d", i);
		snprintf(out, sizeof(out), "%s-%d", name, i);
		spawn_check(&checks[i], out, flags);
	}
	if (!serve_first) {
		if (h_serve_start(&srv, dir, args, env) != 0) {
			reap(checks, NCHECKS, now_s() + 100);
			fail_msg("slogate serve did not start beside %d checks "
			    "making its database", NCHECKS);
		}
		track(srv.pid);
	}
	for (int i = 0; i < NPOSTS; i++) {
		char sha[41];

		snprintf(sha, sizeof(sha), "a%039d", i);
		post_start(&posts[i], &srv, "payment", sha, i % 2 ? fail_at :
		    pass_at);
	}
	late = reap(checks, NCHECKS, now_s() + 100);
	post_join(posts, NPOSTS);
	secs = now_s() - t0;
	untrack(srv.pid);
	assert_int_equal(h_serve_stop(&srv), 0);

	assert_int_equal(late, 0);
	for (int i = 0; i < NCHECKS; i++) {
		long long id;
		char v[16];

		told(checks[i].out, &id, v);
		if (checks[i].code < 0 || checks[i].code > 3) {
			char *err = h_read(checks[i].err);

			fail_msg("check %d exited %d: %s", i, checks[i].code,
			    err ? err : "");
		}
		assert_true(id > 0);
		/* the exit code is the verdict */
		assert_string_equal(v, kinds[checks[i].code]);
		assert_string_equal(v, i % 2 ? "fail" : "pass");
		tell(id, checks[i].sha, v);
	}
	for (int i = 0; i < NPOSTS; i++) {
		assert_int_equal(posts[i].status, 201);
		assert_true(posts[i].id > 0);
		assert_string_equal(posts[i].verdict, i % 2 ? "fail" : "pass");
		tell(posts[i].id, posts[i].sha, posts[i].verdict);
	}

	assert_sound(db, 2);
	assert_told_recorded(db, 2);
	/* the ids told are the ids recorded, no more */
	for (size_t i = 0; i < ntold; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%lld",
		    i ? "," : "", tl[i].id);
	assert_string_equal(h_db_text(db, h_backend_pg() ?
	    "SELECT string_agg(id::text, ',' ORDER BY id) FROM verdicts" :
	    "SELECT group_concat(id) FROM (SELECT id FROM verdicts ORDER BY "
	    "id)"), want);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"),
	    NCHECKS + NPOSTS);
	for (size_t i = 0; i < ntold; i++) {
		for (int k = 0; k < 5; k++)
			nk[k] += strcmp(tl[i].verdict, kinds[k]) == 0;
	}
	for (int k = 0; k < 5; k++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM verdicts WHERE "
		    "verdict = '%s'", kinds[k]);
		assert_int_equal(h_db_int(db, sql), nk[k]);
	}
	fprintf(stderr, "stress: %s: %d checks + %d API evaluations in %.1f "
	    "s, %zu verdicts (%d pass, %d fail), integrity ok\n", serve_first ?
	    "service first" : "new file", NCHECKS, NPOSTS, secs, ntold, nk[0],
	    nk[1]);
}

static void
many_writers_one_file(void **state)
{
	(void)state;
	writers("many", 1);
}

/* Parallel CI jobs on their first day: nobody has made the file yet. */
static void
many_writers_make_a_new_file(void **state)
{
	(void)state;
	writers("new", 0);
}

/* Checks that open a new database while another job is making it (holds
 * its write lock, as its first open does while it writes the header and
 * the schema) wait for it like for any other writer. Failed before the
 * fix: SQLite answers the switch to WAL with SQLITE_BUSY at once, without
 * the busy handler, and every check exited 4. */
static void
checks_wait_for_a_new_file_being_made(void **state)
{
	H_SQLITE_ONLY();
	char db[4200], pol[4200], at[32];
	const char *flags[] = { "--policy", pol, "--prometheus", prom.url,
	    "--db", db, "--queries", queries, "--at", at, "--build-time", at,
	    NULL };
	struct proc p[4];
	struct h_db *maker;

	(void)state;
	ntold = 0;
	snprintf(db, sizeof(db), "%s/made.db", dir);
	snprintf(pol, sizeof(pol), "%s/payment.json", policies);
	snprintf(at, sizeof(at), "%lld", (long long)prom.end - 3600);
	assert_non_null(maker = h_db_hold(db, "BEGIN IMMEDIATE"));
	for (int i = 0; i < 4; i++) {
		char name[32];

		snprintf(p[i].sha, sizeof(p[i].sha), "b%039d", i);
		snprintf(name, sizeof(name), "made-%d", i);
		spawn_check(&p[i], name, flags);
	}
	usleep(1000000);	/* they open the file meanwhile */
	assert_int_equal(h_db_release(maker, "COMMIT"), 0);
	assert_int_equal(reap(p, 4, now_s() + 60), 0);
	for (int i = 0; i < 4; i++) {
		long long id;
		char v[16];

		if (p[i].code != 0) {
			char *err = h_read(p[i].err);

			fail_msg("check %d exited %d: %s", i, p[i].code,
			    err ? err : "");
		}
		told(p[i].out, &id, v);
		assert_true(id > 0);
		tell(id, p[i].sha, v);
	}
	assert_sound(db, 2);
	assert_told_recorded(db, 2);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), 4);
}

/* ---- 2: kill -9 in the middle of evaluations ---- */

struct kills {
	int rounds, check_rounds, serve_rounds;
	int check_kills, check_landed;	/* sent; ended by it (not done yet) */
	int serve_kills;
	int survivors, finished;	/* not killed; killed too late */
	int in_flight, answered;	/* API evaluations when serve died */
	int restarts;
	double t_run, t_tail;		/* a check's run; last answer to exit */
};

static struct kills K;
static char kill_db[4200], kill_pol[4200], slow_url[64];

static const char *const kill_flags[] = { "--policy", kill_pol,
    "--prometheus", slow_url, "--db", kill_db, NULL };

/* Waits until the scripted Prometheus has sent n answers since base, the
 * process pid (0: none) has exited, or 10 s have passed. */
static void
wait_answers(int base, int n, pid_t pid)
{
	double until = now_s() + 10;

	while (h_slow_prom_answered() < base + n && now_s() < until) {
		siginfo_t si;

		si.si_pid = 0;
		if (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == pid)
			return;
		usleep(500);
	}
}

/* Sleeps a random time in [0, s) seconds. */
static void
nap(double s)
{
	usleep(rnd((unsigned)(s * 1e6) + 1));
}

/* One unkilled check: how long a run takes, and how long from the last
 * answer of Prometheus to its exit (parse, judge, record, print). Only to
 * aim the kills; nothing is asserted about it. */
static void
calibrate(void)
{
	struct proc p;
	double t_answered = 0;
	int base = h_slow_prom_answered(), st;

	snprintf(p.sha, sizeof(p.sha), "%039d1", 0);
	spawn_check(&p, "calibrate", kill_flags);
	while (waitpid(p.pid, &st, WNOHANG) != p.pid) {
		if (t_answered == 0 && h_slow_prom_answered() >= base +
		    INSTANT_OBJECTIVES)
			t_answered = now_s();
		if (now_s() - p.t0 > 30) {
			kill(p.pid, SIGKILL);
			waitpid(p.pid, &st, 0);
			break;
		}
		usleep(200);
	}
	reaped(&p, st);
	K.t_run = p.t1 - p.t0;
	K.t_tail = t_answered > 0 ? p.t1 - t_answered : 0.02;
	if (K.t_tail < 0.002)
		K.t_tail = 0.002;
	if (p.code == 0) {
		long long id;
		char v[16];

		told(p.out, &id, v);
		if (id > 0)
			tell(id, p.sha, v);
	}
	assert_int_equal(p.code, 0);
}

/* A check killed at a random point: early, anywhere from its start to its
 * usual end; late, just after Prometheus answered, while it judges and
 * records. Every other round a second check runs beside it, not killed. */
static void
check_round(int round, int late)
{
	struct proc p[2];
	int n = round % 2 ? 1 : 2, base = h_slow_prom_answered();

	for (int i = 0; i < n; i++) {
		char name[32];

		snprintf(p[i].sha, sizeof(p[i].sha), "%c%03d%036d", "de"[i],
		    round, 0);
		snprintf(name, sizeof(name), "kill-%d-%d", round, i);
		spawn_check(&p[i], name, kill_flags);
	}
	if (late) {
		wait_answers(base, INSTANT_OBJECTIVES * n, p[0].pid);
		nap(2 * K.t_tail);
	} else {
		nap(K.t_run);
	}
	kill(p[0].pid, SIGKILL);
	K.check_kills++;
	assert_int_equal(reap(p, (size_t)n, now_s() + 60), 0);
	for (int i = 0; i < n; i++) {
		long long id;
		char v[16];

		told(p[i].out, &id, v);
		/* printed is told, even if the kill came after */
		if (id > 0)
			tell(id, p[i].sha, v);
		if (i == 0 && p[i].code == 128 + SIGKILL) {
			K.check_landed++;
			continue;
		}
		if (p[i].code != 0) {
			char *err = h_read(p[i].err);

			fail_msg("round %d: check %s exited %d: %s", round,
			    p[i].sha, p[i].code, err ? err : "");
		}
		if (id <= 0)
			fail_msg("round %d: check %s exited 0 without an id",
			    round, p[i].sha);
		if (i == 0)
			K.finished++;
		else
			K.survivors++;
	}
}

static struct post kill_posts[KILL_POSTS];

/* slogate serve killed with KILL_POSTS evaluations in flight (early: at a
 * random point; late: once Prometheus answered the first) and a check
 * beside it, then started again on its port: it is healthy and records a
 * new evaluation. */
static void
serve_round(int round, int late)
{
	const char *args[] = { "--db", kill_db, "--prometheus", slow_url,
	    "--policies", policies, "--workers", "4", NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };
	struct serve s;
	struct post again;
	struct proc beside;
	char *out = NULL, u[128], sha[41], v[16];
	long long id;
	int base;
	long st;

	assert_int_equal(h_serve_start(&s, dir, args, env), 0);
	track(s.pid);
	base = h_slow_prom_answered();
	for (int k = 0; k < KILL_POSTS; k++) {
		snprintf(sha, sizeof(sha), "f%03d%036d", round, k);
		post_start(&kill_posts[k], &s, "instant", sha, NULL);
	}
	/* and a check beside it on the same file, not killed */
	snprintf(beside.sha, sizeof(beside.sha), "e%03d%036d", round, 0);
	snprintf(u, sizeof(u), "beside-%d", round);
	spawn_check(&beside, u, kill_flags);
	if (late) {
		wait_answers(base, INSTANT_OBJECTIVES, 0);
		nap(2 * K.t_tail);
	} else {
		nap(K.t_run);
	}
	kill(s.pid, SIGKILL);
	waitpid(s.pid, NULL, 0);
	untrack(s.pid);
	K.serve_kills++;
	post_join(kill_posts, KILL_POSTS);
	assert_int_equal(reap(&beside, 1, now_s() + 60), 0);
	told(beside.out, &id, v);
	if (beside.code != 0 || id <= 0) {
		char *err = h_read(beside.err);

		fail_msg("round %d: check %s beside the service exited %d: %s",
		    round, beside.sha, beside.code, err ? err : "");
	}
	tell(id, beside.sha, v);
	K.survivors++;
	for (int k = 0; k < KILL_POSTS; k++) {
		struct post *p = &kill_posts[k];

		K.in_flight++;
		/* answered, or cut off: nothing else */
		if (p->status != 201 && p->status != 0)
			fail_msg("round %d: evaluation %s: HTTP %ld", round,
			    p->sha, p->status);
		if (p->status == 201) {
			assert_true(p->id > 0);
			tell(p->id, p->sha, p->verdict);
			K.answered++;
		}
	}

	assert_int_equal(h_serve_restart(&s, dir, args, env), 0);
	track(s.pid);
	K.restarts++;
	snprintf(u, sizeof(u), "%s/healthz", s.url);
	st = h_http("GET", u, NULL, NULL, &out);
	free(out);
	assert_int_equal(st, 200);
	snprintf(sha, sizeof(sha), "9%03d%036d", round, 0);
	post_start(&again, &s, "instant", sha, NULL);
	post_join(&again, 1);
	assert_int_equal(again.status, 201);
	assert_true(again.id > 0);
	assert_string_equal(again.verdict, "pass");
	tell(again.id, again.sha, again.verdict);
	untrack(s.pid);
	assert_int_equal(h_serve_stop(&s), 0);
}

static void
kill_nine_mid_evaluation(void **state)
{
	const char *hist[] = { "history", "--db", kill_db, "--limit",
	    "10000", NULL };
	double t0 = now_s(), deadline = t0 + 100;
	long long rows, untold, lines = 0;
	int port;
	struct run r;

	(void)state;
	ntold = 0;
	memset(&K, 0, sizeof(K));
	assert_int_equal(h_db_new(kill_db, sizeof(kill_db), dir, "kill"), 0);
	snprintf(kill_pol, sizeof(kill_pol), "%s/instant.json", policies);
	assert_true((port = h_slow_prom_start(SLOW_MS)) > 0);
	slow_running = 1;
	snprintf(slow_url, sizeof(slow_url), "http://127.0.0.1:%d", port);
	calibrate();
	/* two rounds of three a check, one a service; early and late kills
	 * take turns in each */
	for (int i = 0; i < ROUNDS && now_s() < deadline; i++) {
		if (i % 3 == 2)
			serve_round(i, K.serve_rounds++ % 2);
		else
			check_round(i, K.check_rounds++ % 2);
		K.rounds++;
	}
	h_slow_prom_stop();
	slow_running = 0;

	/* the file is sound and opens */
	assert_sound(kill_db, INSTANT_OBJECTIVES);
	rows = h_db_int(kill_db, "SELECT count(*) FROM verdicts");
	h_slogate(&r, hist, NULL);
	assert_int_equal(r.code, 0);
	/* a header, then a line per verdict */
	for (const char *c = r.out; (c = strchr(c, '\n')) != NULL; c++)
		lines++;
	assert_int_equal(lines, rows + 1);
	h_run_free(&r);
	/* nothing told is lost or twice there */
	assert_told_recorded(kill_db, INSTANT_OBJECTIVES);
	untold = rows - (long long)ntold;
	/* rows nobody heard of: recorded, then killed before telling */
	assert_true(untold >= 0);
	assert_true(untold <= K.check_landed + K.serve_kills * KILL_POSTS);
	fprintf(stderr, "stress: %d kill rounds in %.1f s (a check runs %.0f "
	    "ms, %.1f ms of it after the last answer): %d checks killed (%d "
	    "mid-run, %d done first), %d checks beside not killed; %d services "
	    "killed with %d evaluations in flight (%d answered 201 first), "
	    "%d restarts each healthy and recording; %zu verdicts told, %lld "
	    "rows, %lld recorded but never told, 0 lost, 0 duplicated, "
	    "integrity ok\n", K.rounds, now_s() - t0, K.t_run * 1e3,
	    K.t_tail * 1e3, K.check_kills, K.check_landed, K.finished,
	    K.survivors, K.serve_kills, K.in_flight, K.answered, K.restarts,
	    ntold, rows, untold);
	if (K.rounds < ROUNDS)
		fprintf(stderr, "stress: the deadline cut the rounds short (%d "
		    "of %d)\n", K.rounds, ROUNDS);
}

/* A check killed while it makes a new database (creates the file, turns
 * WAL on, applies the schema in one transaction): the next check on the
 * file finds it whole, brings the schema up to date and records. */
static void
kill_nine_while_making_the_file(void **state)
{
	H_SQLITE_ONLY();
	double deadline = now_s() + 40;
	int port, rounds = 0, landed = 0, migrated = 0;
	long long latest = -1;

	(void)state;
	ntold = 0;
	snprintf(kill_pol, sizeof(kill_pol), "%s/instant.json", policies);
	assert_true((port = h_slow_prom_start(0)) > 0);
	slow_running = 1;
	snprintf(slow_url, sizeof(slow_url), "http://127.0.0.1:%d", port);
	/* how long a whole check takes on a new file: the kills fall in it */
	snprintf(kill_db, sizeof(kill_db), "%s/first.db", dir);
	calibrate();
	ntold = 0;
	for (int i = 0; i < FIRST_ROUNDS && now_s() < deadline; i++) {
		struct proc p[2];
		long long id;
		char v[16], name[32];

		snprintf(kill_db, sizeof(kill_db), "%s/first-%d.db", dir, i);
		/* i % 1000: the -O1 build cannot see that i is below 1000 */
		snprintf(p[0].sha, sizeof(p[0].sha), "7%03u%036d",
		    (unsigned)i % 1000, 0);
		snprintf(p[1].sha, sizeof(p[1].sha), "8%03u%036d",
		    (unsigned)i % 1000, 0);
		snprintf(name, sizeof(name), "first-%d-killed", i);
		spawn_check(&p[0], name, kill_flags);
		nap(K.t_run);
		kill(p[0].pid, SIGKILL);
		assert_int_equal(reap(p, 1, now_s() + 60), 0);
		landed += p[0].code == 128 + SIGKILL;
		/* where it was: no schema yet (no file, or the migration
		 * undone), or past it */
		migrated += access(kill_db, F_OK) == 0 &&
		    h_db_int(kill_db, "PRAGMA user_version") > 0;
		told(p[0].out, &id, v);
		if (id > 0)
			tell(id, p[0].sha, v);
		snprintf(name, sizeof(name), "first-%d-after", i);
		spawn_check(&p[1], name, kill_flags);
		assert_int_equal(reap(&p[1], 1, now_s() + 60), 0);
		if (p[1].code != 0) {
			char *err = h_read(p[1].err);

			fail_msg("round %d: the check after the kill exited %d: "
			    "%s", i, p[1].code, err ? err : "");
		}
		told(p[1].out, &id, v);
		assert_true(id > 0);
		tell(id, p[1].sha, v);
		assert_sound(kill_db, INSTANT_OBJECTIVES);
		assert_told_recorded(kill_db, INSTANT_OBJECTIVES);
		ntold = 0;
		/* every file ends at the same schema */
		if (latest < 0)
			latest = h_db_int(kill_db, "PRAGMA user_version");
		assert_true(latest > 0);
		assert_int_equal(h_db_int(kill_db, "PRAGMA user_version"),
		    latest);
		rounds++;
	}
	h_slow_prom_stop();
	slow_running = 0;
	fprintf(stderr, "stress: %d new files, their first check killed within "
	    "its %.0f ms (%d before it ended, %d after the schema was in): the "
	    "next check recorded on each, schema %lld, integrity ok\n", rounds,
	    K.t_run * 1e3, landed, migrated, latest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(many_writers_one_file, teardown),
		cmocka_unit_test_teardown(many_writers_make_a_new_file,
		    teardown),
		cmocka_unit_test_teardown(checks_wait_for_a_new_file_being_made,
		    teardown),
		cmocka_unit_test_teardown(kill_nine_mid_evaluation,
		    kill_teardown),
		cmocka_unit_test_teardown(kill_nine_while_making_the_file,
		    kill_teardown),
	};

	return cmocka_run_group_tests_name("stress (32 writers, kill -9)",
	    tests, group_setup, group_teardown);
}
