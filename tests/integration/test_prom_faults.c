/* test_prom_faults: answers a real Prometheus cannot be made to give on
 * demand (5xx, garbage, stalls, values past the double range, points
 * outside the window, repeated points, the wrong shape), from a scripted
 * HTTP server on loopback. The first tests drive the Prometheus client;
 * the table then runs `slogate check` once per hostile answer and asserts
 * the verdict, the exit code, the message and the recorded row: none of
 * them may pass. The real behaviour is covered by test_check against a
 * real Prometheus. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "io/prom.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define OK_BODY "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"," \
    "\"result\":[{\"metric\":{},\"value\":[1795677720,\"0.9995\"]}]}}"

/* ---- the scripted server ---- */

/* What a query asked, read from its form body. */
struct req {
	char path[64];
	char query[4096];	/* decoded */
	long long time, start, end, step;
	int range;
};

/* How to answer one query. */
enum gen {
	G_TEXT,		/* tmpl, with %T the time asked (%E a range's end) */
	G_GRID,		/* every grid point of the range, value val */
	G_REPEAT2,	/* the range's count of points, two times repeated */
	G_DUP,		/* one point short, and one repeated */
	G_AFTER,	/* twice as many points: half after the end */
	G_1970,		/* the grid, shifted to 1970 */
	G_YEAR_AHEAD,	/* the grid, a year later */
	G_OFF_GRID,	/* the grid shifted by half a step */
	G_UNORDERED,	/* the grid with two points swapped */
	G_GAP,		/* the grid without one point */
	G_ONE_INF,	/* the grid with one point +Inf */
	G_TWO_SERIES,	/* the grid, twice, with different labels */
	G_HUGE,		/* a body over the 16 MiB limit */
	G_HANG_UP,	/* close without a word */
	G_STALL		/* wait 3 s before answering */
};

struct reply {
	enum gen gen;
	const char *tmpl;	/* G_TEXT */
	const char *val;	/* G_GRID and the grid kinds; default "0.1" */
	int status;		/* HTTP status; default 200 */
};

static struct {
	int fd, port;
	pthread_t thread;
	volatile int stop;
	/* script mode: answers in order, the last one repeated */
	const struct reply *script;
	int nscript;
	/* table mode: by kind of query */
	const struct reply *main, *coverage, *guard;
	int served;
	char last_request[8192];
	pthread_mutex_t lock;
} srv;

static void
url_decode(const char *s, size_t n, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < max; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	out[o] = '\0';
}

static long long
form_num(const char *body, const char *key)
{
	char k[16];
	const char *p;

	snprintf(k, sizeof(k), "%s=", key);
	for (p = body; (p = strstr(p, k)) != NULL; p++) {
		if (p == body || p[-1] == '&')
			return atoll(p + strlen(k));
	}
	return 0;
}

/* Reads one request; 0 when it is whole. */
static int
read_req(int c, struct req *rq)
{
	char buf[16384], *body, *cl;
	size_t got = 0, want = 0;
	ssize_t n;

	memset(rq, 0, sizeof(*rq));
	while (got < sizeof(buf) - 1 && (n = read(c, buf + got,
	    sizeof(buf) - 1 - got)) > 0) {
		got += (size_t)n;
		buf[got] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		body += 4;
		cl = strcasestr(buf, "Content-Length:");
		want = cl ? (size_t)atol(cl + 15) : 0;
		if ((size_t)(buf + got - body) >= want)
			break;
	}
	buf[got] = '\0';
	pthread_mutex_lock(&srv.lock);
	memcpy(srv.last_request, buf, got + 1 < sizeof(srv.last_request) ?
	    got + 1 : sizeof(srv.last_request));
	srv.last_request[sizeof(srv.last_request) - 1] = '\0';
	pthread_mutex_unlock(&srv.lock);
	if ((body = strstr(buf, "\r\n\r\n")) == NULL)
		return -1;
	sscanf(buf, "%*s %63s", rq->path);
	body += 4;
	rq->range = strstr(rq->path, "query_range") != NULL;
	rq->time = form_num(body, "time");
	rq->start = form_num(body, "start");
	rq->end = form_num(body, "end");
	rq->step = form_num(body, "step");
	if ((cl = strstr(body, "query=")) != NULL)
		url_decode(cl + 6, strcspn(cl + 6, "&"), rq->query,
		    sizeof(rq->query));
	return 0;
}

/* Appends points [t, "v"] of the grid start + k * step to b. */
static void
points(char *b, size_t max, long long from, long long to, long long step,
    long long shift, const char *val, int skip_at, int inf_at)
{
	size_t o = strlen(b);
	int k = 0;

	for (long long t = from; t <= to && o + 64 < max; t += step, k++) {
		if (k == skip_at)
			continue;
		o += (size_t)snprintf(b + o, max - o, "%s[%lld,\"%s\"]",
		    b[o - 1] == '[' ? "" : ",", t + shift, k == inf_at ? "+Inf" :
		    val);
	}
}

#define HEAD "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\"," \
    "\"result\":[{\"metric\":{},\"values\":["
#define TAIL "]}]}}"

static char *
make_body(const struct reply *a, const struct req *rq)
{
	size_t max = (size_t)4 << 20;
	char *b = calloc(1, max);
	const char *v = a->val ? a->val : "0.1";
	long long s = rq->start, e = rq->end, st = rq->step ? rq->step : 60;
	long long n = (e - s) / st + 1;

	if (a->gen == G_TEXT) {
		size_t o = 0;

		for (const char *p = a->tmpl; *p && o + 32 < max; p++) {
			if (p[0] == '%' && (p[1] == 'T' || p[1] == 'E')) {
				o += (size_t)snprintf(b + o, max - o, "%lld",
				    p[1] == 'T' ? rq->time : rq->end);
				p++;
			} else {
				b[o++] = *p;
			}
		}
		return b;
	}
	strcpy(b, HEAD);
	switch (a->gen) {
	case G_GRID:
		points(b, max, s, e, st, 0, v, -1, -1);
		break;
	case G_REPEAT2:
		/* as many points as asked, but only two times */
		for (long long k = 0; k < n; k++)
			snprintf(b + strlen(b), max - strlen(b), "%s[%lld,\"%s\"]",
			    k ? "," : "", s + (k % 2) * st, v);
		break;
	case G_DUP:
		points(b, max, s, e - st, st, 0, v, -1, -1);
		snprintf(b + strlen(b), max - strlen(b), ",[%lld,\"%s\"]",
		    e - st, v);
		break;
	case G_AFTER:
		points(b, max, s, e + n * st, st, 0, v, -1, -1);
		break;
	case G_1970:
		points(b, max, 600, 600 + (e - s), st, 0, v, -1, -1);
		break;
	case G_YEAR_AHEAD:
		points(b, max, s, e, st, 365LL * 86400, v, -1, -1);
		break;
	case G_OFF_GRID:
		points(b, max, s, e - st, st, st / 2, v, -1, -1);
		break;
	case G_UNORDERED:
		snprintf(b + strlen(b), max - strlen(b), "[%lld,\"%s\"],"
		    "[%lld,\"%s\"]", s + st, v, s, v);
		break;
	case G_GAP:
		points(b, max, s, e, st, 0, v, (int)(n / 2), -1);
		break;
	case G_ONE_INF:
		points(b, max, s, e, st, 0, v, -1, (int)(n / 2));
		break;
	case G_TWO_SERIES:
		points(b, max, s, e, st, 0, v, -1, -1);
		strcat(b, "]},{\"metric\":{\"pod\":\"b\"},\"values\":[");
		points(b, max, s, e, st, 0, v, -1, -1);
		break;
	default:
		break;
	}
	strcat(b, TAIL);
	return b;
}

static void
respond(int c, const struct reply *a, const struct req *rq)
{
	char head[256];
	char *body = NULL;
	size_t len;

	if (a->gen == G_HANG_UP)
		return;
	if (a->gen == G_STALL)
		sleep(3);
	if (a->gen == G_HUGE) {
		static char chunk[65536];

		len = (size_t)17 << 20;
		memset(chunk, ' ', sizeof(chunk));
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\n\r\n", len);
		if (write(c, head, strlen(head)) < 0)
			return;
		for (size_t sent = 0; sent < len; sent += sizeof(chunk))
			if (write(c, chunk, sizeof(chunk)) < 0)
				return;
		return;
	}
	body = make_body(a, rq);
	len = strlen(body);
	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    a->status ? a->status : 200, len);
	if (write(c, head, strlen(head)) >= 0)
		(void)!write(c, body, len);
	free(body);
}

/* The full coverage answer: every step of the 30m window held data. */
static const struct reply full_coverage = { G_TEXT, "{\"status\":\"success\","
    "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
    "\"value\":[%T,\"30\"]}]}}", NULL, 0 };

static const struct reply *
pick(const struct req *rq)
{
	if (srv.script != NULL) {
		/* called before served counts this request */
		int i = srv.served < srv.nscript ? srv.served : srv.nscript - 1;

		return &srv.script[i];
	}
	if (strncmp(rq->query, "count_over_time((", 17) == 0)
		return srv.coverage ? srv.coverage : &full_coverage;
	if (strstr(rq->query, "guard_rate") != NULL)
		return srv.guard;
	return srv.main;
}

static void *
serve(void *arg)
{
	(void)arg;
	while (!srv.stop) {
		int c = accept(srv.fd, NULL, NULL);
		const struct reply *a;
		struct req rq;

		if (c < 0)
			continue;
		if (srv.stop) {
			close(c);
			break;
		}
		/* counted before the answer: the client may be done with it
		 * before this thread gets to run again */
		if (read_req(c, &rq) == 0 && (a = pick(&rq)) != NULL) {
			pthread_mutex_lock(&srv.lock);
			srv.served++;
			pthread_mutex_unlock(&srv.lock);
			respond(c, a, &rq);
		}
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
	srv.stop = 0;
	srv.served = 0;
	srv.script = NULL;
	srv.main = srv.coverage = srv.guard = NULL;
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(srv.fd, 64) != 0 ||
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
	close(c);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	return 0;
}

/* ---- the client against scripted answers ---- */

static void
run_one(const struct reply *script, int n, struct slg_prom_query *q,
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
	static const struct reply s[] = { { G_TEXT, "busy", NULL, 503 },
	    { G_TEXT, "x", NULL, 502 }, { G_TEXT, OK_BODY, NULL, 200 } };
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
	static const struct reply s[] = { { G_TEXT, "busy", NULL, 503 } };
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
	static const struct reply s[] = { { G_TEXT, "<html>proxy</html>",
	    NULL, 200 } };
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
	static const struct reply s[] = { { G_TEXT, "unauthorized", NULL,
	    401 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 2000);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_non_null(strstr(q.err.msg, "SLOGATE_PROMETHEUS_TOKEN"));
}

static void
a_stalled_answer_times_out(void **state)
{
	static const struct reply s[] = { { G_STALL, OK_BODY, NULL, 200 } };
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
	static const struct reply s[] = { { G_HUGE, NULL, NULL, 200 } };
	struct slg_prom_query q;

	(void)state;
	run_one(s, 1, &q, 10000);
	assert_int_equal(q.err.code, SLG_EPROM);
	assert_non_null(strstr(q.err.msg, "larger than"));
}

/* ---- the gate against hostile answers: one test per row ---- */

/* Every row judges this window: 30m at 1m ending at AT. */
#define AT 1795677720LL
#define SHA "cccccccccccccccccccccccccccccccccccccccc"

static char *dir;

/* An instant answer with one sample at time T (%T: the time asked). */
#define VEC(T, V) { G_TEXT, "{\"status\":\"success\",\"data\":{\"resultType\":" \
    "\"vector\",\"result\":[{\"metric\":{},\"value\":[" T ",\"" V "\"]}]}}", \
    NULL, 0 }
#define TEXT(S) { G_TEXT, S, NULL, 0 }
#define HTTP(CODE, S) { G_TEXT, S, NULL, CODE }
#define GEN(G, V) { G, NULL, V, 0 }

/* The objectives the rows judge. */
#define P95 "{\"name\": \"latency_p95\", \"promql\": \"histogram_quantile(" \
    "0.95, sum by (le) (rate(x[${range}])))\", \"pass\": \"<= 120ms\"}"
#define P95_SUSTAINED "{\"name\": \"latency_p95\", \"promql\": " \
    "\"histogram_quantile(0.95, sum by (le) (rate(x[${range}])))\", " \
    "\"pass\": \"<= 120ms\", \"sustained\": true}"
#define AVAIL "{\"name\": \"availability\", \"promql\": \"sum(rate(ok[" \
    "${range}])) / sum(rate(all[${range}]))\", \"pass\": \">= 99.95%\"}"
#define RELATIVE "{\"name\": \"latency_p95\", \"promql\": \"p95\", " \
    "\"pass\": \"<= +10%\"}"
#define GUARD "\"guard\": {\"promql\": \"guard_rate\", \"min\": 100}, "

struct row {
	const char *name;
	const char *objective;	/* NULL: P95 */
	const char *extra;	/* more policy keys, "k": v, */
	struct reply main;
	struct reply coverage;	/* gen G_TEXT with tmpl NULL: full */
	struct reply guard;
	int exit_code;
	const char *verdict;
	const char *msg;	/* in the reason printed and recorded */
};

#define NOCOV { G_TEXT, NULL, NULL, 0 }
#define OKGUARD VEC("%T", "200")

static const struct row rows[] = {
	/* controls: clean answers pass, so the rows below fail for the
	 * reason they name */
	{ "clean windowed answer passes", NULL, "", VEC("%T", "0.1"), NOCOV,
	    NOCOV, 0, "pass", "all 1 judged objectives met" },
	{ "clean sustained answer passes", P95_SUSTAINED, "",
	    GEN(G_GRID, "0.1"), NOCOV, NOCOV, 0, "pass",
	    "all 1 judged objectives met" },
	{ "clean scalar answer passes", NULL, "", TEXT("{\"status\":\"success\","
	    "\"data\":{\"resultType\":\"scalar\",\"result\":[%T,\"0.1\"]}}"),
	    NOCOV, NOCOV, 0, "pass", "met their pass criteria" },
	{ "clean guard passes", NULL, GUARD, VEC("%T", "0.1"), NOCOV, OKGUARD,
	    0, "pass", "met their pass criteria" },
	/* values Prometheus cannot produce */
	{ "1e400 is no number", NULL, "", VEC("%T", "1e400"), NOCOV, NOCOV,
	    4, "error", "latency_p95: prometheus answered with a sample value "
	    "'1e400' beyond the range of a double" },
	{ "-1e400 is no number", AVAIL, "", VEC("%T", "-1e400"), NOCOV, NOCOV,
	    4, "error", "availability: prometheus answered with a sample value "
	    "'-1e400' beyond the range" },
	{ "1e-400 is no number", NULL, "", VEC("%T", "1e-400"), NOCOV, NOCOV,
	    4, "error", "'1e-400' beyond the range of a double" },
	{ "hex is no number", NULL, "", VEC("%T", "0x1p-4"), NOCOV, NOCOV, 4,
	    "error", "latency_p95: prometheus answered with a sample value "
	    "'0x1p-4' that is not a number as Prometheus writes one" },
	{ "empty value", NULL, "", VEC("%T", ""), NOCOV, NOCOV, 4, "error",
	    "sample value '' that is not a number" },
	{ "padded value", NULL, "", VEC("%T", " 0.1"), NOCOV, NOCOV, 4,
	    "error", "sample value ' 0.1' that is not a number" },
	{ "trailing space", NULL, "", VEC("%T", "0.1 "), NOCOV, NOCOV, 4,
	    "error", "sample value '0.1 ' that is not a number" },
	{ "leading plus", NULL, "", VEC("%T", "+0.1"), NOCOV, NOCOV, 4,
	    "error", "sample value '+0.1' that is not a number" },
	{ "lower-case inf", NULL, "", VEC("%T", "inf"), NOCOV, NOCOV, 4,
	    "error", "sample value 'inf' that is not a number" },
	{ "value with a unit", NULL, "", VEC("%T", "0.1s"), NOCOV, NOCOV, 4,
	    "error", "sample value '0.1s' that is not a number" },
	/* infinities: values that meet no criterion */
	{ "+Inf p95 fails <= 120ms", NULL, "", VEC("%T", "+Inf"), NOCOV, NOCOV,
	    1, "fail", "latency_p95: +Inf: the quantile lies beyond the largest "
	    "histogram bucket" },
	{ "-Inf p95 fails <= 120ms", NULL, "", VEC("%T", "-Inf"), NOCOV, NOCOV,
	    1, "fail", "latency_p95: -Inf: the query divides by zero" },
	{ "+Inf availability fails >= 99.95%", AVAIL, "", VEC("%T", "+Inf"),
	    NOCOV, NOCOV, 1, "fail", "availability: +Inf: the query divides by "
	    "zero; an infinite value meets no criterion (>= 99.95%)" },
	{ "-Inf availability fails >= 99.95%", AVAIL, "", VEC("%T", "-Inf"),
	    NOCOV, NOCOV, 1, "fail", "availability: -Inf: the query divides" },
	{ "NaN is no data", NULL, "", VEC("%T", "NaN"), NOCOV, NOCOV, 3,
	    "inconclusive", "latency_p95: no data: the query returned NaN" },
	{ "just below the threshold reads as below", AVAIL, "",
	    VEC("%T", "0.9994999999999999"), NOCOV, NOCOV, 1, "fail",
	    "availability: 99.94999999999999% misses >= 99.95%" },
	/* an instant answer about another time, or of another shape */
	{ "instant point from 1970", NULL, "", VEC("1000", "0.1"), NOCOV, NOCOV,
	    4, "error", "latency_p95: the answer's point at 1970-01-01T00:16:40Z "
	    "is not at the time asked for, 2026-11-26T07:22:00Z" },
	{ "instant point a year ahead", NULL, "", VEC("1827213720", "0.1"),
	    NOCOV, NOCOV, 4, "error", "latency_p95: the answer's point at "
	    "2027-11-26T07:22:00Z is not at the time asked for" },
	{ "instant point a minute stale", NULL, "", VEC("1795677660", "0.1"),
	    NOCOV, NOCOV, 4, "error", "the answer's point at "
	    "2026-11-26T07:21:00Z is not at the time asked for" },
	{ "instant answered with a matrix", NULL, "", GEN(G_GRID, "0.1"),
	    NOCOV, NOCOV, 4, "error", "latency_p95: prometheus answered an "
	    "instant query with a matrix" },
	{ "instant answered with a string", NULL, "", TEXT("{\"status\":"
	    "\"success\",\"data\":{\"resultType\":\"string\",\"result\":[%T,"
	    "\"0.1\"]}}"), NOCOV, NOCOV, 4, "error", "prometheus answered with "
	    "a string; a gate needs a number" },
	{ "two series", NULL, "", TEXT("{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[{\"metric\":{\"pod\":\"a\"},"
	    "\"value\":[%T,\"0.1\"]},{\"metric\":{\"pod\":\"b\"},\"value\":[%T,"
	    "\"9\"]}]}}"), NOCOV, NOCOV, 4, "error", "latency_p95: query "
	    "returned 2 series ({pod=\"a\"}, {pod=\"b\"}, ...)" },
	{ "no series is no data", NULL, "", TEXT("{\"status\":\"success\","
	    "\"data\":{\"resultType\":\"vector\",\"result\":[]}}"), NOCOV,
	    NOCOV, 3, "inconclusive", "latency_p95: no data: the query returned "
	    "no series" },
	{ "a value given twice", NULL, "", TEXT("{\"status\":\"success\","
	    "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
	    "\"value\":[%T,\"0.1\"],\"value\":[%T,\"9\"]}]}}"), NOCOV, NOCOV, 4,
	    "error", "not an object with one 'metric' and one 'value'" },
	{ "status given twice", NULL, "", TEXT("{\"status\":\"error\","
	    "\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[%T,\"0.1\"]}]}}"), NOCOV,
	    NOCOV, 4, "error", "prometheus answered with 'status' twice" },
	{ "a warning: partial data", NULL, "", TEXT("{\"status\":\"success\","
	    "\"warnings\":[\"remote store down\"],\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{},\"value\":[%T,\"0.1\"]}]}}"),
	    NOCOV, NOCOV, 4, "error", "prometheus answered with a warning, so "
	    "the answer may be incomplete: remote store down" },
	/* answers that are not answers */
	{ "refused query", NULL, "", TEXT("{\"status\":\"error\",\"errorType\":"
	    "\"bad_data\",\"error\":\"parse error\"}"), NOCOV, NOCOV, 4, "error",
	    "latency_p95: prometheus refused the query: bad_data: parse error" },
	{ "no status", NULL, "", TEXT("{\"data\":{}}"), NOCOV, NOCOV, 4,
	    "error", "prometheus answered without a 'status'" },
	{ "not JSON", NULL, "", TEXT("<html>proxy login</html>"), NOCOV, NOCOV,
	    4, "error", "prometheus answered with invalid JSON" },
	{ "cut short", NULL, "", TEXT("{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[%T,"),
	    NOCOV, NOCOV, 4, "error", "prometheus answered with invalid JSON" },
	{ "NUL in a label", NULL, "", TEXT("{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":"
	    "\"x\\u0000y\"},\"value\":[%T,\"0.1\"]}]}}"), NOCOV, NOCOV, 4,
	    "error", "prometheus's answer holds \\u0000 in a string" },
	{ "not UTF-8", NULL, "", TEXT("{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":\"\xff\"},"
	    "\"value\":[%T,\"0.1\"]}]}}"), NOCOV, NOCOV, 4, "error",
	    "prometheus's answer is not valid UTF-8" },
	{ "HTTP 500 on every try", NULL, "", HTTP(500, "oops"), NOCOV, NOCOV,
	    4, "error", "answered HTTP 500 after every try" },
	{ "HTTP 401", NULL, "", HTTP(401, "no"), NOCOV, NOCOV, 4, "error",
	    "refused access (HTTP 401): check SLOGATE_PROMETHEUS_TOKEN" },
	{ "HTTP 302 to a login page", NULL, "", HTTP(302, ""), NOCOV, NOCOV, 4,
	    "error", "answered HTTP 302" },
	{ "HTTP 404 with a success body", NULL, "", { G_TEXT,
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[%T,\"0.1\"]}]}}", NULL, 404 },
	    NOCOV, NOCOV, 4, "error", "prometheus answered HTTP 404" },
	{ "oversized answer", NULL, "", GEN(G_HUGE, NULL), NOCOV, NOCOV, 4,
	    "error", "prometheus answer is larger than 16777216 bytes" },
	{ "hang up without an answer", NULL, "", GEN(G_HANG_UP, NULL), NOCOV,
	    NOCOV, 4, "error", "latency_p95: cannot query prometheus" },
	{ "stalled past the query timeout", NULL, "", GEN(G_STALL, NULL), NOCOV,
	    NOCOV, 4, "error", "timed out" },
	/* range answers that are not the window's grid */
	{ "30 points that are 2 repeated", P95_SUSTAINED, "",
	    GEN(G_REPEAT2, "0.1"), NOCOV, NOCOV, 4, "error",
	    "latency_p95: the answer's points are out of order at "
	    "2026-11-26T06:53:00Z" },
	{ "29 points and a duplicate", P95_SUSTAINED, "", GEN(G_DUP, "0.1"),
	    NOCOV, NOCOV, 4, "error", "latency_p95: the answer repeats the point "
	    "at 2026-11-26T07:21:00Z" },
	{ "60 points, 30 after the window", P95_SUSTAINED, "",
	    GEN(G_AFTER, "0.1"), NOCOV, NOCOV, 4, "error", "latency_p95: the "
	    "answer's point at 2026-11-26T07:23:00Z lies outside the window "
	    "asked for, 2026-11-26T06:53:00Z .. 07:22:00Z" },
	{ "range points from 1970", P95_SUSTAINED, "", GEN(G_1970, "0.1"),
	    NOCOV, NOCOV, 4, "error", "the answer's point at "
	    "1970-01-01T00:10:00Z lies outside the window asked for" },
	{ "range points a year ahead", P95_SUSTAINED, "",
	    GEN(G_YEAR_AHEAD, "0.1"), NOCOV, NOCOV, 4, "error", "the answer's "
	    "point at 2027-11-26T06:53:00Z lies outside the window" },
	{ "range points off the step grid", P95_SUSTAINED, "",
	    GEN(G_OFF_GRID, "0.1"), NOCOV, NOCOV, 4, "error", "the answer's "
	    "point at 2026-11-26T06:53:30Z is off the step grid asked for" },
	{ "range points out of order", P95_SUSTAINED, "",
	    GEN(G_UNORDERED, "0.1"), NOCOV, NOCOV, 4, "error", "the answer's "
	    "points are out of order at 2026-11-26T06:53:00Z" },
	{ "a missing point hides a breach", P95_SUSTAINED, "",
	    GEN(G_GAP, "0.1"), NOCOV, NOCOV, 3, "inconclusive", "latency_p95: no "
	    "data for 1 of 30 points; not held for the whole window" },
	{ "one +Inf point fails", P95_SUSTAINED, "", GEN(G_ONE_INF, "0.1"),
	    NOCOV, NOCOV, 1, "fail", "latency_p95: 1 of 30 points miss <= 120ms; "
	    "worst +Inf at 2026-11-26T07:08:00Z; 1 point is +Inf: the quantile "
	    "lies beyond the largest histogram bucket" },
	{ "every point NaN", P95_SUSTAINED, "", GEN(G_GRID, "NaN"), NOCOV,
	    NOCOV, 3, "inconclusive", "latency_p95: no data: none of 30 points "
	    "has a value" },
	{ "range value past the double range", P95_SUSTAINED, "",
	    GEN(G_GRID, "1e999"), NOCOV, NOCOV, 4, "error", "sample value "
	    "'1e999' beyond the range of a double" },
	{ "range answered with a vector", P95_SUSTAINED, "", VEC("%E", "0.1"),
	    NOCOV, NOCOV, 4, "error", "latency_p95: prometheus answered a range "
	    "query with a vector; a range query answers a matrix" },
	{ "range answered with a scalar", P95_SUSTAINED, "",
	    TEXT("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[%E,\"0.1\"]}}"), NOCOV, NOCOV, 4, "error",
	    "answered a range query with a scalar" },
	{ "range with two series", P95_SUSTAINED, "",
	    GEN(G_TWO_SERIES, "0.1"), NOCOV, NOCOV, 4, "error", "query returned "
	    "2 series" },
	/* a windowed objective must show its data covers the window */
	{ "data for the last 5 of 30 minutes", NULL, "", VEC("%T", "0.1"),
	    VEC("%T", "5"), NOCOV, 3, "inconclusive", "latency_p95: no data: "
	    "data for 5m of 30m (17%), min_coverage 90%" },
	{ "no data at all in the window", NULL, "", VEC("%T", "0.1"),
	    TEXT("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[]}}"), NOCOV, 3, "inconclusive", "latency_p95: no data: "
	    "data for 0s of 30m (0%)" },
	{ "26 of 30 minutes is short of 90%", NULL, "", VEC("%T", "0.1"),
	    VEC("%T", "26"), NOCOV, 3, "inconclusive", "data for 26m of 30m "
	    "(87%), min_coverage 90%" },
	{ "27 of 30 minutes meets 90%", NULL, "", VEC("%T", "0.1"),
	    VEC("%T", "27"), NOCOV, 0, "pass", "met their pass criteria" },
	{ "a policy may ask for the whole window", NULL,
	    "\"min_coverage\": \"100%\", ", VEC("%T", "0.1"), VEC("%T", "29"),
	    NOCOV, 3, "inconclusive", "data for 29m of 30m (97%), min_coverage "
	    "100%" },
	{ "coverage query refused", NULL, "", VEC("%T", "0.1"),
	    TEXT("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"subquery\"}"), NOCOV, 4, "error", "latency_p95: coverage query: "
	    "prometheus refused the query: bad_data: subquery" },
	{ "coverage that is no count", NULL, "", VEC("%T", "0.1"),
	    VEC("%T", "2.5"), NOCOV, 4, "error", "latency_p95: coverage query "
	    "answered 2.5, not a count of the window's 30 steps" },
	{ "coverage from another time", NULL, "", VEC("%T", "0.1"),
	    VEC("1000", "30"), NOCOV, 4, "error", "latency_p95: coverage query: "
	    "the answer's point at 1970-01-01T00:16:40Z is not at the time "
	    "asked for" },
	{ "coverage of more steps than the window has", NULL, "",
	    VEC("%T", "0.1"), VEC("%T", "31"), NOCOV, 4, "error",
	    "latency_p95: coverage query answered 31, not a count of the "
	    "window's 30 steps" },
	{ "coverage 1e300", NULL, "", VEC("%T", "0.1"), VEC("%T", "1e+300"),
	    NOCOV, 4, "error", "coverage query answered 1e+300, not a count" },
	{ "coverage +Inf", NULL, "", VEC("%T", "0.1"), VEC("%T", "+Inf"),
	    NOCOV, 4, "error", "coverage query answered inf, not a count of the window" },
	/* relative criteria with no baseline to be had */
	{ "relative only, no baseline", RELATIVE, "", VEC("%T", "0.1"), NOCOV,
	    NOCOV, 3, "inconclusive", "latency_p95: no data: its relative "
	    "criteria cannot be judged without a baseline (no baseline stored; "
	    "on_no_baseline: inconclusive)" },
	{ "relative only, no baseline, +Inf", RELATIVE, "", VEC("%T", "+Inf"),
	    NOCOV, NOCOV, 1, "fail", "latency_p95: +Inf: the query divides by "
	    "zero" },
	{ "relative skipped, +Inf still fails", RELATIVE,
	    "\"on_no_baseline\": \"skip\", ", VEC("%T", "+Inf"), NOCOV, NOCOV,
	    1, "fail", "an infinite value meets no criterion" },
	/* the guard */
	{ "guard +Inf", NULL, GUARD, VEC("%T", "0.1"), NOCOV, VEC("%T", "+Inf"),
	    3, "inconclusive", "cannot tell the traffic: guard (inline) is +Inf "
	    "(the query divides by zero), not a finite number" },
	{ "guard NaN", NULL, GUARD, VEC("%T", "0.1"), NOCOV, VEC("%T", "NaN"),
	    3, "inconclusive", "not enough traffic to judge: guard (inline) is "
	    "no data" },
	{ "guard from another time", NULL, GUARD, VEC("%T", "0.1"), NOCOV,
	    VEC("1000", "500"), 4, "error", "guard: the answer's point at "
	    "1970-01-01T00:16:40Z is not at the time asked for" },
	{ "guard 1e400", NULL, GUARD, VEC("%T", "0.1"), NOCOV,
	    VEC("%T", "1e400"), 4, "error", "guard: prometheus answered with a "
	    "sample value '1e400' beyond the range" },
};

static void
hostile_answer(void **state)
{
	const struct row *t = *state;
	char url[64], pol[4096], db[4200], *path;
	const char *args[] = { "check", "--policy", NULL, "--prometheus", url,
	    "--db", db, "--commit", SHA, "--at", "1795677720",
	    "--build-time", "1795677720",
	    "--query-timeout", "1s", NULL };
	long long before;
	struct run r;
	char want[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	assert_int_equal(h_db_new(db, sizeof(db), dir, "faults"), 0);
	snprintf(pol, sizeof(pol), "{\"service\": \"pay\", \"environment\": "
	    "\"staging\", \"window\": \"30m\", \"step\": \"1m\", %s"
	    "\"objectives\": [%s]}", t->extra, t->objective ? t->objective :
	    P95);
	path = h_write(dir, "p.json", pol);
	args[2] = path;
	srv.main = &t->main;
	srv.coverage = t->coverage.tmpl ? &t->coverage : NULL;
	srv.guard = &t->guard;
	/* the rows share one file; a PostgreSQL database is new for each */
	before = h_backend_pg() || access(db, F_OK) == 0 ? h_db_int(db,
	    "SELECT count(*) FROM verdicts") : 0;
	h_slogate(&r, args, NULL);
	if (r.code != t->exit_code)
		fail_msg("%s: exit %d, want %d\n%s%s", t->name, r.code,
		    t->exit_code, r.out, r.err);
	snprintf(want, sizeof(want), "verdict: %s (exit %d): ", t->verdict,
	    t->exit_code);
	assert_contains(r.out, want);
	assert_contains(r.out, t->msg);
	/* recorded, once, with what was printed */
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"),
	    before + 1);
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts ORDER "
	    "BY id DESC LIMIT 1"), t->verdict);
	assert_contains(h_db_text(db, "SELECT reason FROM verdicts ORDER BY id "
	    "DESC LIMIT 1"), t->msg);
	h_run_free(&r);
	free(path);
}

/* The binary sends SLOGATE_PROMETHEUS_TOKEN and a 5xx that persists ends
 * as an error verdict: every query (the value and its coverage) tried 3
 * times. */
static void
check_sends_the_token_from_the_environment(void **state)
{
	static const struct reply s[] = { { G_TEXT, "down", NULL, 500 } };
	char url[64], *pol, db[4200];
	const char *env[] = { "SLOGATE_PROMETHEUS_TOKEN=from-env", NULL };
	const char *args[] = { "check", "--policy", NULL, "--prometheus", url,
	    "--db", db, "--commit", SHA, NULL };
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	assert_int_equal(h_db_new(db, sizeof(db), dir, "t"), 0);
	pol = h_write(dir, "t.json", "{\"service\": \"a\", \"environment\": "
	    "\"b\", \"objectives\": [{\"name\": \"up\", \"promql\": \"up\", "
	    "\"pass\": \">= 1\"}]}");
	args[2] = pol;
	srv.script = s;
	srv.nscript = 1;
	srv.served = 0;
	h_slogate(&r, args, env);
	assert_int_equal(r.code, 4);
	assert_int_equal(srv.served, 6);
	assert_non_null(strstr(srv.last_request, "Authorization: Bearer from-env"));
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts"), "error");
	h_run_free(&r);
	free(pol);
}

/* JSON carries the exact double: 0.9994999999999999 is not 0.9995. */
static void
json_carries_the_exact_value(void **state)
{
	static const struct reply just_below = VEC("%T", "0.9994999999999999");
	char url[64], db[4200], *pol;
	const char *args[] = { "check", "--policy", NULL, "--prometheus", url,
	    "--db", db, "--commit", SHA, "--at", "1795677720",
	    "--build-time", "1795677720", "--format",
	    "json", NULL };
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	assert_int_equal(h_db_new(db, sizeof(db), dir, "json"), 0);
	pol = h_write(dir, "json.json", "{\"service\": \"pay\", "
	    "\"environment\": \"staging\", \"objectives\": [" AVAIL "]}");
	args[2] = pol;
	srv.main = &just_below;
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 1);
	assert_contains(r.out, "\"value\":\t0.9994999999999999,");
	assert_contains(r.out, "\"value_text\":\t\"99.94999999999999%\"");
	h_run_free(&r);
	free(pol);
}

/* A service that answers "not found" or "conflict" to an evaluation: an
 * error of check, exit 4, never 1 (which means "fail"). */
static void
check_errors_never_exit_as_a_verdict(void **state)
{
	static const struct reply conflict[] = { { G_TEXT, "{\"error\": "
	    "\"conflict\", \"detail\": \"evaluation 7 has ended already\"}",
	    NULL, 409 } };
	static const struct reply missing[] = { { G_TEXT, "{\"error\": "
	    "\"not found\", \"detail\": \"no such API path\"}", NULL, 404 } };
	char url[64], *pol;
	const char *args[] = { "check", "--policy", NULL, "--server", url,
	    "--commit", SHA, NULL };
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	pol = h_write(dir, "remote.json", "{\"service\": \"a\", "
	    "\"environment\": \"b\", \"objectives\": [{\"name\": \"up\", "
	    "\"promql\": \"up\", \"pass\": \">= 1\"}]}");
	args[2] = pol;
	srv.script = conflict;
	srv.nscript = 1;
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "evaluation 7 has ended already");
	h_run_free(&r);
	srv.script = missing;
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "no such API path");
	h_run_free(&r);
	free(pol);
}

int
main(void)
{
	const struct CMUnitTest client[] = {
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
		cmocka_unit_test_setup_teardown(
		    check_errors_never_exit_as_a_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(json_carries_the_exact_value,
		    setup, teardown),
	};
	struct CMUnitTest table[NELEM(rows)];
	int rc;

	signal(SIGPIPE, SIG_IGN);	/* a client that hung up is no crash */
	pthread_mutex_init(&srv.lock, NULL);
	if ((dir = h_tmpdir()) == NULL)
		return 1;
	for (size_t i = 0; i < NELEM(rows); i++) {
		table[i].name = rows[i].name;
		table[i].test_func = hostile_answer;
		table[i].setup_func = setup;
		table[i].teardown_func = teardown;
		table[i].initial_state = (void *)&rows[i];
	}
	slg_prom_global_init();
	rc = cmocka_run_group_tests_name("prometheus client (scripted server)",
	    client, NULL, NULL);
	rc |= _cmocka_run_group_tests("check against hostile answers "
	    "(scripted server)", table, NELEM(rows), NULL, NULL);
	slg_prom_global_cleanup();
	h_rmrf(dir);
	free(dir);
	return rc;
}
