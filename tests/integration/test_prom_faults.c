/* test_prom_faults: how the Prometheus client meets faults a real
 * Prometheus cannot be made to produce on demand (5xx, garbage, stalls,
 * oversized answers), with a scripted HTTP server on loopback. The real
 * behaviour is covered by test_check against a real Prometheus. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "prom.h"

#define OK_BODY "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"," \
    "\"result\":[{\"metric\":{},\"value\":[1795677720,\"0.9995\"]}]}}"

struct answer {
	int status;
	const char *body;	/* NULL: a huge body */
	int delay_ms;
};

static struct {
	int fd, port;
	pthread_t thread;
	volatile int stop;
	const struct answer *script;
	int nscript, served;
	char last_request[8192];
} srv;

static void
respond(int c, const struct answer *a)
{
	char head[256];
	size_t len = a->body ? strlen(a->body) : (size_t)17 << 20;

	if (a->delay_ms)
		usleep((useconds_t)a->delay_ms * 1000);
	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    a->status, len);
	if (write(c, head, strlen(head)) < 0)
		return;
	if (a->body != NULL) {
		if (write(c, a->body, len) < 0)
			return;
	} else {
		static char chunk[65536];

		memset(chunk, ' ', sizeof(chunk));
		for (size_t sent = 0; sent < len; sent += sizeof(chunk)) {
			if (write(c, chunk, sizeof(chunk)) < 0)
				return;
		}
	}
}

static void *
serve(void *arg)
{
	(void)arg;
	while (!srv.stop) {
		int c = accept(srv.fd, NULL, NULL);
		ssize_t n;
		size_t got = 0;

		if (c < 0)
			continue;
		if (srv.stop) {
			close(c);
			break;
		}
		/* headers and a small form body arrive together on loopback */
		while (got < sizeof(srv.last_request) - 1 &&
		    (n = read(c, srv.last_request + got,
		    sizeof(srv.last_request) - 1 - got)) > 0) {
			got += (size_t)n;
			srv.last_request[got] = '\0';
			if (strstr(srv.last_request, "\r\n\r\n") &&
			    (strstr(srv.last_request, "time=") ||
			    strstr(srv.last_request, "step=")))
				break;
		}
		respond(c, &srv.script[srv.served < srv.nscript ? srv.served :
		    srv.nscript - 1]);
		srv.served++;
		close(c);
	}
	return NULL;
}

static int
setup(void **state)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int one = 1;

	(void)state;
	memset(&srv, 0, sizeof(srv));
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(srv.fd, 16) != 0 ||
	    getsockname(srv.fd, (struct sockaddr *)&a, &l) != 0)
		return -1;
	srv.port = ntohs(a.sin_port);
	return pthread_create(&srv.thread, NULL, serve, NULL);
}

static int
teardown(void **state)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;

	(void)state;
	srv.stop = 1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)srv.port);
	/* wake the accept() */
	if (connect(c, (struct sockaddr *)&a, sizeof(a)) == 0)
		close(c);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	return 0;
}

static void
run_one(const struct answer *script, int n, struct slg_prom_query *q,
    long timeout_ms)
{
	char url[64];
	struct slg_prom_conf c = { url, "tok123", timeout_ms, 3, 10, "test" };
	struct slg_err err;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	srv.script = script;
	srv.nscript = n;
	srv.served = 0;
	memset(q, 0, sizeof(*q));
	q->promql = "up";
	q->end = 1795677720;
	assert_int_equal(slg_prom_run(&c, q, 1, &err), 0);
}

static void
retries_5xx_then_succeeds(void **state)
{
	static const struct answer s[] = { { 503, "busy", 0 }, { 502, "x", 0 },
	    { 200, OK_BODY, 0 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 3, &q, 2000);
	assert_int_equal(q.err.code, 0);
	assert_int_equal(q.tries, 3);
	assert_int_equal(srv.served, 3);
	assert_non_null(q.result);
	assert_float_equal(q.result->pts[0].v, 0.9995, 1e-9);
	/* the request carried the token and the query as a form */
	assert_non_null(strstr(srv.last_request, "POST /api/v1/query "));
	assert_non_null(strstr(srv.last_request, "Authorization: Bearer tok123"));
	assert_non_null(strstr(srv.last_request, "query=up&time=1795677720"));
	slg_series_free(q.result);
}

static void
gives_up_after_the_last_try(void **state)
{
	static const struct answer s[] = { { 503, "busy", 0 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 2000);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_int_equal(q.tries, 3);
	assert_int_equal(srv.served, 3);
	assert_null(q.result);
	assert_non_null(strstr(q.err.msg, "HTTP 503"));
}

static void
garbage_is_a_parse_error_not_retried(void **state)
{
	static const struct answer s[] = { { 200, "<html>proxy</html>", 0 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 2000);
	assert_int_equal(q.err.code, SLG_EPARSE);
	assert_int_equal(q.tries, 1);
	assert_non_null(strstr(q.err.msg, "invalid JSON"));
}

static void
refused_access_names_the_token(void **state)
{
	static const struct answer s[] = { { 401, "unauthorized", 0 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 2000);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_non_null(strstr(q.err.msg, "SLOGATE_PROMETHEUS_TOKEN"));
}

static void
a_stalled_answer_times_out(void **state)
{
	static const struct answer s[] = { { 200, OK_BODY, 1500 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 300);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_int_equal(q.tries, 1);
	assert_non_null(strstr(q.err.msg, "timed out"));
}

static void
an_oversized_answer_is_refused(void **state)
{
	static const struct answer s[] = { { 200, NULL, 0 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 10000);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_non_null(strstr(q.err.msg, "larger than"));
}

/* The binary sends SLOGATE_PROMETHEUS_TOKEN and a 5xx that persists ends
 * as an error verdict. */
static void
check_sends_the_token_from_the_environment(void **state)
{
	static const struct answer s[] = { { 500, "down", 0 } };
	char url[64], *dir = h_tmpdir(), *pol, db[4200];
	const char *env[] = { "SLOGATE_PROMETHEUS_TOKEN=from-env", NULL };
	const char *args[] = { "check", "--policy", NULL, "--prometheus", url,
	    "--db", db, "--commit", "cccccccccccccccccccccccccccccccccccccccc",
	    NULL };
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	snprintf(db, sizeof(db), "%s/t.db", dir);
	pol = h_write(dir, "p.json", "{\"service\": \"a\", \"environment\": "
	    "\"b\", \"objectives\": [{\"name\": \"up\", \"promql\": \"up\", "
	    "\"pass\": \">= 1\"}]}");
	args[2] = pol;
	srv.script = s;
	srv.nscript = 1;
	srv.served = 0;
	h_slogate(&r, args, env);
	assert_int_equal(r.code, 4);
	assert_int_equal(srv.served, 3);
	assert_non_null(strstr(srv.last_request, "Authorization: Bearer from-env"));
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts"), "error");
	h_run_free(&r);
	free(pol);
	h_rmrf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(retries_5xx_then_succeeds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(gives_up_after_the_last_try, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(garbage_is_a_parse_error_not_retried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(refused_access_names_the_token,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_stalled_answer_times_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_oversized_answer_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    check_sends_the_token_from_the_environment, setup, teardown),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);	/* a client that hung up is no crash */
	slg_prom_global_init();
	rc = cmocka_run_group_tests_name("prometheus faults (scripted server)",
	    tests, NULL, NULL);
	slg_prom_global_cleanup();
	return rc;
}
