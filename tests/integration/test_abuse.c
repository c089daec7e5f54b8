/* test_abuse: `slogate serve` under slow and greedy clients. Connections
 * that drip their headers from one address (a few hundred, for a few
 * seconds), and evaluations stuck on a Prometheus that answers late (a
 * fake: a real one cannot be made to hang), while /healthz and status,
 * asked from another loopback address, keep answering within a second. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define TOKEN "abuse-token-0123456789abcdef-0123456"
#define NDRIP 300
#define NEVAL 8

static struct serve srv;
static char *dir, db[4096], policies[4096];
static int slow_port;

static const char policy[] =
    "{\"service\": \"svc\", \"environment\": \"staging\", \"objectives\": "
    "[{\"name\": \"up\", \"promql\": \"up\", \"pass\": \">= 1\"}]}\n";

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
group_setup(void **state)
{
	char prom[64];
	const char *args[] = { "--db", db, "--prometheus", prom, "--policies",
	    policies, "--header-timeout", "2", "--max-per-address", "50",
	    "--workers", "4", "--eval-workers", "2", NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL || (slow_port = h_slow_prom_start(4000))
	    <= 0)
		return -1;
	snprintf(prom, sizeof(prom), "http://127.0.0.1:%d", slow_port);
	if (h_db_new(db, sizeof(db), dir, "abuse") != 0)
		return -1;
	snprintf(policies, sizeof(policies), "%s/policies", dir);
	h_sh("mkdir -p '%s'", policies);
	free(h_write(policies, "svc.json", policy));
	return h_serve_start(&srv, dir, args, env);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_serve_stop(&srv);
	h_slow_prom_stop();
	if (getenv("SLOGATE_TEST_KEEP") == NULL)
		h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

/* One GET, timed; fails the test unless it answers want within 1 s. */
static void
quick(const char *path, long want)
{
	char url[512], *out = NULL;
	double t0 = now_s(), secs;
	long st;

	snprintf(url, sizeof(url), "%s%s", srv.url, path);
	st = h_http("GET", url, NULL, NULL, &out);
	secs = now_s() - t0;
	free(out);
	if (st != want || secs >= 1.0)
		fail_msg("GET %s: %ld in %.2f s (want %ld within 1 s)", path, st,
		    secs, want);
}

/* A socket from 127.0.0.3 to the service that sends the start of a
 * request; -1 when the connect itself fails. */
static int
dripper(void)
{
	struct sockaddr_in a = { 0 }, me = { 0 };
	static const char start[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(0x7f000003);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)srv.port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0 ||
	    connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)send(fd, start, sizeof(start) - 1, MSG_NOSIGNAL);
	return fd;
}

/* 1 when the service closed fd (an end of file or a reset). */
static int
closed_by_server(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Hundreds of connections drip a header line each 300 ms: the address is
 * held to its limit, the rest are closed once the header timeout passes,
 * and the service answers everyone else meanwhile. */
static void
slow_headers_do_not_starve_the_service(void **state)
{
	int fd[NDRIP], open_now = 0, cut = 0;
	double t0;

	(void)state;
	for (int i = 0; i < NDRIP; i++)
		fd[i] = dripper();
	t0 = now_s();
	/* 4 s of dripping: twice the header timeout */
	while (now_s() - t0 < 4.0) {
		for (int i = 0; i < NDRIP; i++) {
			if (fd[i] >= 0)
				(void)send(fd[i], "X-a: b\r\n", 8, MSG_NOSIGNAL);
		}
		quick("/healthz", 200);
		quick("/api/v1/status?commit=0000000000000000000000000000000000000000"
		    "&service=svc&environment=staging", 200);
		usleep(300000);
	}
	for (int i = 0; i < NDRIP; i++) {
		if (fd[i] < 0 || closed_by_server(fd[i]))
			cut++;
		else
			open_now++;
		if (fd[i] >= 0)
			close(fd[i]);
	}
	/* none of them got to hold a connection past the header timeout */
	if (open_now != 0)
		fail_msg("%d of %d dripping connections still open after 4 s",
		    open_now, NDRIP);
	assert_int_equal(cut, NDRIP);
	quick("/healthz", 200);
}

struct eval {
	pthread_t t;
	char sha[41];
	long status;
};

static void *
eval_run(void *arg)
{
	struct eval *e = arg;
	char url[256], body[512], *out = NULL;
	const char *h[] = { "Authorization: Bearer " TOKEN,
	    "Content-Type: application/json", NULL };

	snprintf(url, sizeof(url), "%s/api/v1/evaluations", srv.url);
	snprintf(body, sizeof(body), "{\"policy\": \"svc\", \"commit\": \"%s\"}",
	    e->sha);
	e->status = h_http("POST", url, h, body, &out);
	free(out);
	return NULL;
}

/* Evaluations held up by a Prometheus that answers after 4 s fill their
 * own workers; reads never wait behind them. */
static void
stuck_evaluations_do_not_hold_reads(void **state)
{
	struct eval e[NEVAL];
	double t0;
	int answered;

	(void)state;
	answered = h_slow_prom_answered();
	for (int i = 0; i < NEVAL; i++) {
		snprintf(e[i].sha, sizeof(e[i].sha), "%040d", 7000 + i);
		assert_int_equal(pthread_create(&e[i].t, NULL, eval_run, &e[i]), 0);
	}
	usleep(500000);
	t0 = now_s();
	/* while 2 are stuck on Prometheus and 6 wait for them */
	while (now_s() - t0 < 3.0) {
		quick("/api/v1/status?commit=0000000000000000000000000000000000000000"
		    "&service=svc&environment=staging", 200);
		quick("/api/v1/verdicts?limit=5", 200);
		quick("/", 200);
		/* from the last check, not a worker: a Prometheus that answers
		 * after 4 s is not ready */
		quick("/readyz", 503);
		quick("/metrics", 200);
		usleep(200000);
	}
	/* they were stuck, not done */
	assert_true(h_slow_prom_answered() - answered <= 2);
	for (int i = 0; i < NEVAL; i++) {
		pthread_join(e[i].t, NULL);
		assert_int_equal(e[i].status, 201);
	}
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), NEVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slow_headers_do_not_starve_the_service),
		cmocka_unit_test(stuck_evaluations_do_not_hold_reads),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
