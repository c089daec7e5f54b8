/* test_wait: `check --since --wait` against a real Prometheus that scrapes
 * a small exporter run by this test twice a second, whose values the test
 * changes while slogate waits: a window of 20 s by 2 s steps. Locally and
 * through `slogate serve`, including a restart of the service mid-wait. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define TOKEN "wait-token-0123456789abcdef"
#define WINDOW 20

static struct prom_server prom;
static struct serve srv;
static char *dir, db[4096], policy[4096];

/* Availability is judged point by point (sustained), latency over the
 * window; a request-rate gauge is the traffic guard. */
static const char policy_text[] =
    "{\"service\": \"svc\", \"environment\": \"staging\",\n"
    " \"window\": \"20s\", \"step\": \"2s\", \"error_limit\": 2,\n"
    " \"guard\": {\"promql\": \"slogate_test_request_rate{service=\\\"${service}\\\"}\",\n"
    "   \"min\": 1},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"sustained\": true, \"pass\": \">= 99.9%\",\n"
    "   \"promql\": \"min_over_time(slogate_test_availability{service=\\\"${service}\\\"}[${range}])\"},\n"
    "  {\"name\": \"latency_p95\", \"pass\": \"<= 120ms\",\n"
    "   \"promql\": \"max_over_time(slogate_test_latency_seconds{service=\\\"${service}\\\"}[${window}])\"}]}\n";

/* ---- the exporter: one gauge per value, served over loopback ---- */

static struct {
	pthread_mutex_t lock;
	double avail, latency, rate;
	int fd, port;
	volatile int stop;
	pthread_t thread;
} X = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
exporter_set(double avail, double latency)
{
	pthread_mutex_lock(&X.lock);
	X.avail = avail;
	X.latency = latency;
	X.rate = 50;
	pthread_mutex_unlock(&X.lock);
}

static void *
exporter(void *arg)
{
	(void)arg;
	while (!X.stop) {
		struct pollfd p = { X.fd, POLLIN, 0 };
		char req[2048], body[512], head[256];
		int c, hl, bl;

		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((c = accept(X.fd, NULL, NULL)) < 0)
			continue;
		(void)read(c, req, sizeof(req));
		pthread_mutex_lock(&X.lock);
		bl = snprintf(body, sizeof(body),
		    "# TYPE slogate_test_availability gauge\n"
		    "slogate_test_availability{service=\"svc\"} %.6f\n"
		    "# TYPE slogate_test_latency_seconds gauge\n"
		    "slogate_test_latency_seconds{service=\"svc\"} %.6f\n"
		    "# TYPE slogate_test_request_rate gauge\n"
		    "slogate_test_request_rate{service=\"svc\"} %.1f\n",
		    X.avail, X.latency, X.rate);
		pthread_mutex_unlock(&X.lock);
		hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain; version=0.0.4\r\n"
		    "Content-Length: %d\r\nConnection: close\r\n\r\n", bl);
		(void)write(c, head, (size_t)hl);
		(void)write(c, body, (size_t)bl);
		close(c);
	}
	return NULL;
}

static int
exporter_start(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int one = 1;

	exporter_set(0.9999, 0.08);
	X.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(X.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(X.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(X.fd, 16) != 0 ||
	    getsockname(X.fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	X.port = ntohs(a.sin_port);
	return pthread_create(&X.thread, NULL, exporter, NULL);
}

/* ---- running slogate while the test acts ---- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Something the test does after a delay, while slogate runs. */
struct later {
	pthread_t t;
	double delay;
	void (*act)(void);
};

static void *
later_run(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)(l->delay * 1e6));
	l->act();
	return NULL;
}

static void
at_later(struct later *l, double delay, void (*act)(void))
{
	l->delay = delay;
	l->act = act;
	assert_int_equal(pthread_create(&l->t, NULL, later_run, l), 0);
}

static void
breach(void)
{
	exporter_set(0.95, 0.08);
}

static void
stop_prometheus(void)
{
	h_prom_kill(&prom);
}

/* Healthy values, and a deploy time after Prometheus has scraped them. */
static char *
deploy_now(void)
{
	static char t[32];

	exporter_set(0.9999, 0.08);
	sleep(2);
	snprintf(t, sizeof(t), "%lld", (long long)time(NULL));
	return t;
}

/* `slogate check --since T ARGS...` locally; *secs is how long it ran. */
static void
check(struct run *r, const char *sha, const char *since, double *secs,
    const char *extra1, const char *extra2)
{
	const char *args[] = { "check", "--policy", policy, "--db", db,
	    "--prometheus", prom.url, "--commit", sha, "--since", since,
	    "--query-timeout", "2s", extra1, extra2, NULL };
	double t0 = now_s();

	assert_int_equal(h_slogate(r, args, NULL), 0);
	*secs = now_s() - t0;
}

/* Starts prometheus (again) and waits until it has scraped the exporter
 * steadily for 6 s (a new process can stall in its first seconds), so that
 * a window starting now has every point. */
static int
prometheus_up(void)
{
	char url[256], *out = NULL;

	if (h_prom_scrape_start(&prom, X.port) != 0)
		return -1;
	snprintf(url, sizeof(url), "%s/api/v1/query?query="
	    "count_over_time(slogate_test_availability[6s])>=10", prom.url);
	for (int i = 0; i < 300; i++) {
		int ok = h_http("GET", url, NULL, NULL, &out) == 200 &&
		    strstr(out, "\"result\":[]") == NULL;

		free(out);
		out = NULL;
		if (ok)
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "prometheus did not scrape the exporter in 30 s\n");
	return -1;
}

/* `slogate check --since (deploy now) --wait` locally while act happens
 * 5 s in; *secs is how long it ran. */
static void
wait_through(struct run *r, const char *sha, void (*act)(void), double *secs)
{
	char *since = deploy_now();
	struct later l;

	at_later(&l, 5, act);
	check(r, sha, since, secs, "--wait", NULL);
	pthread_join(l.t, NULL);
}

static int
group_setup(void **state)
{
	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL || exporter_start() != 0 ||
	    prometheus_up() != 0)
		return -1;
	if (h_db_new(db, sizeof(db), dir, "wait") != 0)
		return -1;
	free(h_write(dir, "svc.json", policy_text));
	snprintf(policy, sizeof(policy), "%s/svc.json", dir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	h_serve_stop(&srv);	/* when a failed test left it running */
	h_prom_stop(&prom);
	X.stop = 1;
	pthread_join(X.thread, NULL);
	close(X.fd);
	h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

/* ---- local mode ---- */

static void
healthy_passes_after_the_whole_window(void **state)
{
	const char *sha = "1111111111111111111111111111111111111111";
	char *since = deploy_now();
	struct run r;
	double secs;
	int lines = 0;

	(void)state;
	check(&r, sha, since, &secs, "--wait", NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "verdict: pass");
	/* not before the window was whole, and not much after */
	assert_true(secs >= WINDOW);
	assert_true(secs < WINDOW + 15);
	/* a CI log: one plain line per poll, no control characters */
	for (const char *p = r.err; (p = strstr(p, "observed")) != NULL; p++)
		lines++;
	assert_true(lines >= 5);
	assert_contains(r.err, "slogate svc/staging: ");
	assert_contains(r.err, "18s/20s observed, availability 99.99% ok, "
	    "latency_p95 80ms ok");
	assert_null(strchr(r.err, '\r'));
	assert_null(strchr(r.err, '\033'));
	/* one verdict counts; its polls are its timeline */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '1111111111111111111111111111111111111111'"), 1);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '1111111111111111111111111111111111111111' AND "
	    "watch_id = id AND window_end - window_start = 20"), 1);
	assert_true(h_db_int(db, "SELECT count(*) FROM watch_polls p JOIN "
	    "watches w ON w.id = p.watch_id WHERE w.commit_sha = "
	    "'1111111111111111111111111111111111111111'") >= 5);
	assert_string_equal(h_db_text(db, "SELECT state FROM watches WHERE "
	    "commit_sha = '1111111111111111111111111111111111111111'"), "done");
	h_run_free(&r);
}

static void
breach_fails_fast(void **state)
{
	struct run r;
	double secs;

	(void)state;
	wait_through(&r, "2222222222222222222222222222222222222222", breach,
	    &secs);
	assert_int_equal(r.code, 1);
	assert_contains(r.out, "verdict: fail");
	assert_contains(r.out, "failed fast with ");
	assert_contains(r.out, "of 20s observed: availability:");
	/* well before the window ends */
	assert_true(secs < WINDOW - 4);
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts WHERE "
	    "commit_sha = '2222222222222222222222222222222222222222'"), "fail");
	h_run_free(&r);
}

static void
timeout_is_inconclusive(void **state)
{
	const char *sha = "3333333333333333333333333333333333333333";
	char *since = deploy_now();
	struct run r;
	double secs;

	(void)state;
	check(&r, sha, since, &secs, "--wait", "--timeout=6s");
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "verdict: inconclusive");
	assert_contains(r.out, "timed out waiting: only ");
	assert_contains(r.out, "of 20s observed; so far pass");
	assert_true(secs < 12);
	h_run_free(&r);
}

static void
without_wait_part_of_the_window_is_inconclusive(void **state)
{
	const char *sha = "4444444444444444444444444444444444444444";
	char since[32];
	struct run r;
	double secs;

	(void)state;
	deploy_now();
	sleep(7);
	snprintf(since, sizeof(since), "%lld", (long long)time(NULL) - 7);
	check(&r, sha, since, &secs, "--quiet", NULL);
	assert_int_equal(r.code, 3);
	assert_contains(r.out, "only 6s of 20s observed; so far pass");
	assert_true(secs < 5);
	assert_string_equal(r.err, "");
	h_run_free(&r);
}

/* On a terminal the progress is one line rewritten in place. */
static void
terminal_progress_updates_one_line(void **state)
{
	const char *sha = "8888888888888888888888888888888888888888";
	char path[4200], *out;

	(void)state;
	deploy_now();
	snprintf(path, sizeof(path), "%s/tty.txt", dir);
	/* script(1) gives the run a pseudo-terminal */
	assert_int_equal(h_sh("script -qec \"'%s' check --policy '%s' --db '%s' "
	    "--prometheus %s --commit %s --since %lld --wait --timeout 5s\" "
	    "/dev/null > '%s' 2>&1", h_bin(), policy, db, prom.url, sha,
	    (long long)time(NULL) - 4, path), 3);
	out = h_read(path);
	assert_contains(out, "\r\033[Kslogate svc/staging: 4s/20s observed");
	assert_contains(out, "verdict: inconclusive");
	free(out);
}

static void
prometheus_gone_is_an_error_after_the_limit(void **state)
{
	struct run r;
	double secs;

	(void)state;
	wait_through(&r, "5555555555555555555555555555555555555555",
	    stop_prometheus, &secs);
	assert_int_equal(r.code, 4);
	assert_contains(r.out, "verdict: error");
	assert_contains(r.out, "2 polls in a row failed (error_limit 2)");
	assert_true(secs < WINDOW);
	assert_int_equal(prometheus_up(), 0);
	h_run_free(&r);
}

/* ---- through the service ---- */

/* the service's registered policies are dir's: svc.json */
static const char *serve_env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };

static int64_t restarted_at;

static void
restart_service(void)
{
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", dir, NULL };

	assert_int_equal(h_serve_stop(&srv), 0);
	restarted_at = (int64_t)time(NULL);
	assert_int_equal(h_serve_restart(&srv, dir, args, serve_env), 0);
}

static long long
json_int(const char *json, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = json ? strstr(json, k) : NULL;
	return p ? atoll(p + strlen(k)) : -1;
}

static void
service_long_polls_and_resumes_after_a_restart(void **state)
{
	const char *sha = "6666666666666666666666666666666666666666";
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", dir, NULL };
	const char *hdr[] = { "Authorization: Bearer " TOKEN,
	    "Content-Type: application/json", NULL };
	char *since, body[4096], url[512], *out = NULL;
	long long id, polls;
	struct later l;
	struct run r;
	double t0, secs;

	(void)state;
	assert_int_equal(h_serve_start(&srv, dir, args, serve_env), 0);
	snprintf(url, sizeof(url), "%s/api/v1/evaluations", srv.url);
	{
		/* bad waits are refused with what is wrong, nothing started */
		static const struct { const char *extra, *why; } bad[] = {
			{ "\"wait\": true", "'wait' needs 'since'" },
			{ "\"since\": \"2026-11-27T09:00:00Z\", \"wait\": \"yes\"",
			    "'wait' must be true or false" },
			{ "\"since\": \"4102444800\", \"wait\": true",
			    "more than 5 minutes in the future" },
			{ "\"since\": \"2026-11-27T09:00:00Z\", \"wait\": true, "
			    "\"timeout\": \"0s\"", "'timeout' must be a duration" },
			{ "\"since\": \"soon\"", "bad time 'soon'" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(body, sizeof(body), "{\"policy\": %s, \"commit\": "
			    "\"%s\", %s}", policy_text, sha, bad[i].extra);
			assert_int_equal(h_http("POST", url, hdr, body, &out), 400);
			assert_contains(out, bad[i].why);
			free(out);
		}
		assert_int_equal(h_db_int(db, "SELECT count(*) FROM watches "
		    "WHERE commit_sha = '6666666666666666666666666666666666666666'"),
		    0);
	}
	since = deploy_now();

	/* the API: 202 at once, then long-polls that return on each poll */
	snprintf(body, sizeof(body), "{\"policy\": %s, \"commit\": \"%s\", "
	    "\"since\": \"%s\", \"wait\": true}", policy_text,
	    "7777777777777777777777777777777777777777", since);
	t0 = now_s();
	assert_int_equal(h_http("POST", url, hdr, body, &out), 202);
	assert_true(now_s() - t0 < 2);
	assert_contains(out, "\"state\":\t\"running\"");
	id = json_int(out, "id");
	assert_true(id > 0);
	polls = json_int(out, "polls");
	for (int i = 0; i < 2; i++) {
		free(out);
		snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld?wait=30&"
		    "polls=%lld", srv.url, id, polls);
		t0 = now_s();
		assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
		/* answered by the next poll, a step later, not by the 30 s */
		assert_true(now_s() - t0 < 5);
		assert_int_equal(json_int(out, "polls"), polls + 1);
		polls++;
	}
	/* without polls=, only the end answers early: polls do not */
	free(out);
	snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld?wait=3", srv.url,
	    id);
	t0 = now_s();
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	assert_true(now_s() - t0 >= 2.5);
	assert_true(now_s() - t0 < 6);
	assert_contains(out, "\"running\"");
	free(out);
	out = NULL;

	/* the CLI in remote mode rides out a restart of the service */
	at_later(&l, 6, restart_service);
	{
		const char *cargs[] = { "check", "--server", srv.url, "--policy",
		    policy, "--commit", sha, "--since", since, "--wait", NULL };
		const char *cenv[] = { "SLOGATE_TOKEN=" TOKEN, NULL };

		t0 = now_s();
		assert_int_equal(h_slogate(&r, cargs, cenv), 0);
		secs = now_s() - t0;
	}
	pthread_join(l.t, NULL);
	if (r.code != 0) {
		char q[512], *seen = NULL;

		/* what Prometheus holds tells a gap in its scrapes from ours */
		snprintf(q, sizeof(q), "%s/api/v1/query?query=count_over_time("
		    "slogate_test_availability[%ds])&time=%lld", prom.url, WINDOW,
		    atoll(since) + WINDOW);
		h_http("GET", q, NULL, NULL, &seen);
		fail_msg("check --server --wait exited %d\n%s%s\nprometheus "
		    "scraped in the window: %s", r.code, r.out, r.err,
		    seen ? seen : "?");
	}
	assert_contains(r.out, "verdict: pass");
	/* not before the window was whole */
	assert_true(time(NULL) >= atoll(since) + WINDOW);
	assert_true(secs < WINDOW + 20);
	assert_contains(r.err, "observed");
	/* polled before and after the restart, one verdict recorded */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '6666666666666666666666666666666666666666'"), 1);
	{
		char sql[512];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM watch_polls p "
		    "JOIN watches w ON w.id = p.watch_id WHERE w.commit_sha = "
		    "'6666666666666666666666666666666666666666' AND polled_at %s "
		    "%lld", "<", (long long)restarted_at);
		assert_true(h_db_int(db, sql) >= 1);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM watch_polls p "
		    "JOIN watches w ON w.id = p.watch_id WHERE w.commit_sha = "
		    "'6666666666666666666666666666666666666666' AND polled_at %s "
		    "%lld", ">", (long long)restarted_at);
		assert_true(h_db_int(db, sql) >= 1);
	}
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts WHERE "
	    "commit_sha = '6666666666666666666666666666666666666666'"), "pass");
	h_run_free(&r);

	/* the evaluation started through the API was resumed too */
	snprintf(url, sizeof(url), "%s/api/v1/evaluations/%lld?wait=30",
	    srv.url, id);
	for (int i = 0; i < 10 && (out == NULL || strstr(out,
	    "\"running\"")); i++) {
		free(out);
		assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	}
	assert_contains(out, "\"verdict\":\t\"pass\"");
	assert_int_equal(json_int(out, "id"), id);
	free(out);

	/* the commit page shows the timeline of polls */
	snprintf(url, sizeof(url), "%s/commits/%s", srv.url, sha);
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	assert_contains(out, "Timeline");
	assert_contains(out, "20s/20s observed");
	free(out);
	assert_int_equal(h_serve_stop(&srv), 0);
}

/* A local `check --wait` killed mid-wait (its CI job cancelled hard) is
 * carried on by a service on the same database once the check's lease
 * lapses: polled by both, one verdict, the check's policy and subject. */
static void
service_carries_on_a_killed_local_wait(void **state)
{
	const char *sha = "9999999999999999999999999999999999999999";
	const char *args[] = { "--db", db, "--prometheus", prom.url,
	    "--policies", dir, "--lease", "3", NULL };
	char *since = deploy_now(), errp[4200];
	const char *argv[] = { h_bin(), "check", "--policy", policy, "--db", db,
	    "--prometheus", prom.url, "--commit", sha, "--since", since,
	    "--wait", "--quiet", NULL };
	double t0;
	pid_t pid;
	int fd;

	(void)state;
	assert_int_equal(h_serve_start(&srv, dir, args, serve_env), 0);
	snprintf(errp, sizeof(errp), "%s/killed-check.err", dir);
	if ((pid = fork()) == 0) {
		fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		alarm(60);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_true(pid > 0);
	/* it polls a few steps itself */
	t0 = now_s();
	while (now_s() - t0 < 20 && h_db_int(db, "SELECT count(*) FROM "
	    "watch_polls p JOIN watches w ON w.id = p.watch_id WHERE "
	    "w.commit_sha = '9999999999999999999999999999999999999999'") < 3)
		usleep(200000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '9999999999999999999999999999999999999999'"), 0);
	/* the lease lapses (3 steps and 15 s), the service takes it over */
	t0 = now_s();
	while (now_s() - t0 < 45 && h_db_int(db, "SELECT count(*) FROM verdicts "
	    "WHERE commit_sha = '9999999999999999999999999999999999999999'") < 1)
		usleep(500000);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '9999999999999999999999999999999999999999' AND "
	    "watch_id = id"), 1);
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts WHERE "
	    "commit_sha = '9999999999999999999999999999999999999999'"), "pass");
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM watch_polls p JOIN "
	    "watches w ON w.id = p.watch_id WHERE w.commit_sha = "
	    "'9999999999999999999999999999999999999999' AND p.polled_by LIKE "
	    "'slogate check on %'") >= 3, 1);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM watch_polls p JOIN "
	    "watches w ON w.id = p.watch_id WHERE w.commit_sha = "
	    "'9999999999999999999999999999999999999999' AND p.polled_by LIKE "
	    "'slogate serve on %'") >= 1, 1);
	/* judged by the check's own policy, for the check's subject */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "commit_sha = '9999999999999999999999999999999999999999' AND "
	    "window_end - window_start = 20 AND trial = 0"), 1);
	assert_int_equal(h_serve_stop(&srv), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_passes_after_the_whole_window),
		cmocka_unit_test(breach_fails_fast),
		cmocka_unit_test(timeout_is_inconclusive),
		cmocka_unit_test(without_wait_part_of_the_window_is_inconclusive),
		cmocka_unit_test(terminal_progress_updates_one_line),
		cmocka_unit_test(prometheus_gone_is_an_error_after_the_limit),
		cmocka_unit_test(service_long_polls_and_resumes_after_a_restart),
		cmocka_unit_test(service_carries_on_a_killed_local_wait),
	};

	return cmocka_run_group_tests_name("check --since --wait (real "
	    "prometheus scraping a test exporter)", tests, group_setup,
	    group_teardown);
}
