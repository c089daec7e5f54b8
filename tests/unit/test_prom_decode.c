/* test_prom_decode: decoding Prometheus query answers into one series, and
 * checking Prometheus base URLs. No network. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/prom.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Queries the answers below are checked against. */
static struct slg_prom_query
instant(int64_t at)
{
	struct slg_prom_query q = { 0 };

	q.promql = "up";
	q.end = at;
	return q;
}

static struct slg_prom_query
range(int64_t start, int64_t end, int64_t step)
{
	struct slg_prom_query q = { 0 };

	q.promql = "up";
	q.range = 1;
	q.start = start;
	q.end = end;
	q.step = step;
	return q;
}

/* Decodes body as the answer to q and fails the test unless it succeeds. */
static struct slg_series *
decode_q(const char *body, struct slg_prom_query q)
{
	struct slg_err err = { 0, "" };
	struct slg_series *s = (struct slg_series *)1;

	if (slg_prom_decode(body, strlen(body), &q, &s, &err) != 0)
		fail_msg("refused: %s\n%s", err.msg, body);
	assert_non_null(s);
	return s;
}

/* An instant answer at time 1. */
static struct slg_series *
decode_ok(const char *body)
{
	return decode_q(body, instant(1));
}

/* ---- answers with data ---- */

static void
test_vector(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_q("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{\"job\":\"api\","
	    "\"env\":\"prod\"},\"value\":[1795676400,\"0.9995\"]}]}}",
	    instant(1795676400));
	assert_int_equal(s->npts, 1);
	assert_true(s->pts[0].t == 1795676400);
	assert_true(s->pts[0].v == 0.9995);
	assert_string_equal(s->labels, "{job=\"api\",env=\"prod\"}");
	slg_series_free(s);

	/* an aggregate has no labels */
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"42\"]}]}}");
	assert_int_equal(s->npts, 1);
	assert_true(s->pts[0].v == 42);
	assert_string_equal(s->labels, "{}");
	slg_series_free(s);
}

static void
test_matrix(void **state)
{
	static const double want_t[] = { 1795675860, 1795675920, 1795675980,
	    1795676040 };
	static const double want_v[] = { 0.1, 0.125, 1e-3, 12 };
	struct slg_series *s;

	(void)state;
	s = decode_q("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{\"le\":\"0.1\"},\"values\":["
	    "[1795675860,\"0.1\"],[1795675920,\"0.125\"],"
	    "[1795675980,\"1e-3\"],[1795676040,\"12\"]]}]}}",
	    range(1795675860, 1795676040, 60));
	assert_int_equal(s->npts, NELEM(want_t));
	for (size_t i = 0; i < NELEM(want_t); i++) {
		assert_true(s->pts[i].t == want_t[i]);
		assert_true(s->pts[i].v == want_v[i]);
	}
	assert_string_equal(s->labels, "{le=\"0.1\"}");
	slg_series_free(s);
}

static void
test_matrix_no_values(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_q("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{},\"values\":[]}]}}",
	    range(60, 600, 60));
	assert_int_equal(s->npts, 0);
	slg_series_free(s);
}

static void
test_scalar(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_q("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"scalar\",\"result\":[1795676400,\"3.5\"]}}",
	    instant(1795676400));
	assert_int_equal(s->npts, 1);
	assert_true(s->pts[0].t == 1795676400);
	assert_true(s->pts[0].v == 3.5);
	assert_null(s->labels);
	slg_series_free(s);
}

static void
test_empty(void **state)
{
	static const char *const bodies[] = {
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
		    "\"result\":[]}}",
	};

	(void)state;
	for (size_t i = 0; i < NELEM(bodies); i++) {
		struct slg_series *s = decode_q(bodies[i], i == 0 ?
		    instant(1) : range(60, 600, 60));

		assert_int_equal(s->npts, 0);
		assert_null(s->pts);
		slg_series_free(s);
	}
}

/* Prometheus writes special values as strings. */
static void
test_special_values(void **state)
{
	static const char *const values[] = { "NaN", "+Inf", "-Inf" };
	char body[256];

	(void)state;
	for (size_t i = 0; i < NELEM(values); i++) {
		struct slg_series *s;

		snprintf(body, sizeof(body), "{\"status\":\"success\",\"data\":"
		    "{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
		    "\"value\":[1,\"%s\"]}]}}", values[i]);
		s = decode_ok(body);
		assert_int_equal(s->npts, 1);
		switch (i) {
		case 0:
			assert_true(isnan(s->pts[0].v));
			break;
		case 1:
			assert_true(isinf(s->pts[0].v) && s->pts[0].v > 0);
			break;
		default:
			assert_true(isinf(s->pts[0].v) && s->pts[0].v < 0);
		}
		slg_series_free(s);
	}
}

/* Only len bytes are read. */
static void
test_uses_len(void **state)
{
	static const char body[] = "{\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"scalar\",\"result\":[1,\"7\"]}}trailing junk";
	struct slg_err err = { 0, "" };
	struct slg_series *s = NULL;
	struct slg_prom_query q = instant(1);

	(void)state;

	assert_int_equal(slg_prom_decode(body, strlen(body) -
	    strlen("trailing junk"), &q, &s, &err), 0);
	assert_true(s->pts[0].v == 7);
	slg_series_free(s);
}

/* ---- refused answers ---- */

struct bad_case {
	const char *body;
	int range;	/* 0: instant query at 1; 1: range 60..300 step 60 */
	int code;
	const char *msg;
};

#define OKHEAD "{\"status\":\"success\",\"data\":{\"resultType\":"
/* An instant answer with one sample [T, "V"]. */
#define VEC(T, V) OKHEAD "\"vector\",\"result\":[{\"metric\":{},\"value\":[" \
    T ",\"" V "\"]}]}}"
/* A range answer with one series of the given [t, "v"] pairs. */
#define MAT(PTS) OKHEAD "\"matrix\",\"result\":[{\"metric\":{},\"values\":[" \
    PTS "]}]}}"

static const struct bad_case bad[] = {
	/* Prometheus said no: its words are passed on */
	{ "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"1:5: parse error: unexpected identifier \\\"foo\\\"\"}", 0,
	    SLG_EPROM, "prometheus refused the query: bad_data: 1:5: parse "
	    "error: unexpected identifier \"foo\"" },
	{ "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":"
	    "\"query timed out in expression evaluation\"}", 0,
	    SLG_EPROM, "timeout: query timed out in expression evaluation" },
	{ "{\"status\":\"error\"}", 0, SLG_EPROM,
	    "prometheus refused the query: error: (no message)" },
	/* not JSON */
	{ "", 0, SLG_EPARSE, "prometheus answered with invalid JSON" },
	{ "<html>502 Bad Gateway</html>", 0, SLG_EPARSE,
	    "prometheus answered with invalid JSON" },
	{ "{\"status\":\"success\",", 0, SLG_EPARSE,
	    "prometheus answered with invalid JSON" },
	/* JSON, but not an answer */
	{ "{}", 0, SLG_EPARSE, "without a 'status'" },
	{ "[]", 0, SLG_EPARSE, "without a 'status'" },
	{ "{\"status\":1}", 0, SLG_EPARSE, "without a 'status'" },
	{ "{\"status\":\"success\"}", 0, SLG_EPARSE,
	    "without 'data.resultType' and 'data.result'" },
	{ "{\"status\":\"success\",\"data\":{\"result\":[]}}", 0, SLG_EPARSE,
	    "without 'data.resultType' and 'data.result'" },
	{ OKHEAD "\"vector\"}}", 0,
	    SLG_EPARSE, "without 'data.resultType' and 'data.result'" },
	{ OKHEAD "\"vector\",\"result\":{}}}", 0, SLG_EPARSE,
	    "'result' that is not a list" },
	/* keys given twice: which one was meant cannot be known */
	{ "{\"status\":\"error\",\"status\":\"success\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[]}}", 0, SLG_EPARSE,
	    "'status' twice" },
	{ OKHEAD "\"vector\",\"result\":[],\"result\":[]}}", 0, SLG_EPARSE,
	    "'data.result' twice" },
	{ OKHEAD "\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"1\"],"
	    "\"value\":[1,\"0\"]}]}}", 0, SLG_EPARSE,
	    "not an object with one 'metric' and one 'value'" },
	{ OKHEAD "\"vector\",\"result\":[7]}}", 0, SLG_EPARSE,
	    "not an object with one 'metric' and one 'value'" },
	/* a warning: the answer may be partial */
	{ "{\"status\":\"success\",\"warnings\":[\"store 10.0.0.3 "
	    "unreachable\"],\"data\":{\"resultType\":\"vector\",\"result\":"
	    "[]}}", 0, SLG_EPARSE, "prometheus answered with a warning, so the "
	    "answer may be incomplete: store 10.0.0.3 unreachable" },
	{ "{\"status\":\"success\",\"warnings\":\"x\",\"data\":{"
	    "\"resultType\":\"vector\",\"result\":[]}}", 0, SLG_EPARSE,
	    "with a warning" },
	/* more than one series */
	{ OKHEAD "\"vector\","
	    "\"result\":[{\"metric\":{\"pod\":\"a\"},\"value\":[1,\"1\"]},"
	    "{\"metric\":{\"pod\":\"b\"},\"value\":[1,\"2\"]}]}}", 0, SLG_EPARSE,
	    "query returned 2 series ({pod=\"a\"}, {pod=\"b\"}, ...); an "
	    "objective needs exactly one" },
	{ OKHEAD "\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[]},{\"metric\":{},"
	    "\"values\":[]},{\"values\":[]}]}}", 1, SLG_EPARSE,
	    "query returned 3 series" },
	/* results that are not numbers */
	{ OKHEAD "\"string\",\"result\":[1,\"hello\"]}}", 0, SLG_EPARSE,
	    "prometheus answered with a string; a gate needs a number" },
	{ OKHEAD "\"histogram\",\"result\":[]}}", 0, SLG_EPARSE,
	    "a gate needs a number" },
	/* the shape that was not asked for */
	{ MAT("[1,\"1\"]"), 0, SLG_EPARSE, "prometheus answered an instant "
	    "query with a matrix; an instant query answers a vector or a "
	    "scalar" },
	{ VEC("60", "1"), 1, SLG_EPARSE, "prometheus answered a range query "
	    "with a vector; a range query answers a matrix" },
	{ OKHEAD "\"scalar\",\"result\":[60,\"1\"]}}", 1, SLG_EPARSE,
	    "answered a range query with a scalar" },
	/* samples that are not [time, "value"] */
	{ VEC("1", "abc"), 0, SLG_EPARSE,
	    "sample value 'abc' that is not a number" },
	{ VEC("1", "1.5x"), 0, SLG_EPARSE,
	    "sample value '1.5x' that is not a number" },
	{ VEC("1", ""), 0, SLG_EPARSE, "sample value '' that is not a number" },
	{ OKHEAD "\"vector\",\"result\":[{\"metric\":{},\"value\":[1,2]}]}}",
	    0, SLG_EPARSE, "a sample that is not [time, \"value\"]" },
	{ OKHEAD "\"vector\",\"result\":[{\"metric\":{},\"value\":"
	    "[\"1\",\"2\"]}]}}", 0, SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ OKHEAD "\"vector\",\"result\":[{\"metric\":{},\"value\":[1]}]}}", 0,
	    SLG_EPARSE, "a sample that is not [time, \"value\"]" },
	{ OKHEAD "\"vector\",\"result\":[{\"metric\":{}}]}}", 0, SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ OKHEAD "\"scalar\",\"result\":\"1\"}}", 0, SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ MAT("[60,\"1\"],[120,\"x\"]"), 1,
	    SLG_EPARSE, "sample value 'x' that is not a number" },
	{ OKHEAD "\"matrix\",\"result\":[{\"metric\":{}}]}}", 1, SLG_EPARSE,
	    "a matrix series without 'values'" },
	/* values Prometheus never writes: refused, not guessed at */
	{ VEC("1", "1e400"), 0, SLG_EPARSE, "sample value '1e400' beyond the "
	    "range of a double" },
	{ VEC("1", "-1e400"), 0, SLG_EPARSE, "'-1e400' beyond the range" },
	{ VEC("1", "1e-400"), 0, SLG_EPARSE, "'1e-400' beyond the range" },
	{ VEC("1", "0x1p3"), 0, SLG_EPARSE, "sample value '0x1p3' that is not "
	    "a number as Prometheus writes one" },
	{ VEC("1", " 0.5"), 0, SLG_EPARSE, "' 0.5' that is not a number" },
	{ VEC("1", "0.5 "), 0, SLG_EPARSE, "'0.5 ' that is not a number" },
	{ VEC("1", "+0.5"), 0, SLG_EPARSE, "'+0.5' that is not a number" },
	{ VEC("1", ".5"), 0, SLG_EPARSE, "'.5' that is not a number" },
	{ VEC("1", "5."), 0, SLG_EPARSE, "'5.' that is not a number" },
	{ VEC("1", "inf"), 0, SLG_EPARSE, "'inf' that is not a number" },
	{ VEC("1", "Infinity"), 0, SLG_EPARSE, "'Infinity' that is not" },
	{ VEC("1", "nan"), 0, SLG_EPARSE, "'nan' that is not a number" },
	{ VEC("1", "1e"), 0, SLG_EPARSE, "'1e' that is not a number" },
	{ VEC("1", "1,5"), 0, SLG_EPARSE, "'1,5' that is not a number" },
	{ VEC("1", "--1"), 0, SLG_EPARSE, "'--1' that is not a number" },
	/* forms a shortest representation never has */
	{ VEC("1", "00.9999"), 0, SLG_EPARSE, "'00.9999' that is not a number" },
	{ VEC("1", "030"), 0, SLG_EPARSE, "'030' that is not a number" },
	{ VEC("1", "9.9990e-1"), 0, SLG_EPARSE, "'9.9990e-1' that is not" },
	{ VEC("1", "1.50"), 0, SLG_EPARSE, "'1.50' that is not a number" },
	{ VEC("1", "0.12345678901234567891"), 0, SLG_EPARSE,
	    "'0.12345678901234567891' that is not a number" },
	{ VEC("1", "123456789012345678901"), 0, SLG_EPARSE,
	    "'123456789012345678901' that is not a number" },
	/* more after the answer: which part was meant cannot be known */
	{ VEC("1", "0.1") " {\"status\":\"success\"}", 0, SLG_EPARSE,
	    "prometheus's answer goes on after its JSON value ends" },
	/* times that are no unix time */
	{ VEC("-1", "1"), 0, SLG_EPARSE, "a sample time that is not a unix "
	    "time" },
	{ VEC("1e400", "1"), 0, SLG_EPARSE, "not a unix time" },
	/* an instant answer about another time */
	{ VEC("1000", "1"), 0, SLG_EPARSE, "the answer's point at "
	    "1970-01-01T00:16:40Z is not at the time asked for, "
	    "1970-01-01T00:00:01Z" },
	{ VEC("1.5", "1"), 0, SLG_EPARSE, "the answer's point at 1.500 is "
	    "not at the time asked for" },
	{ OKHEAD "\"scalar\",\"result\":[0,\"1\"]}}", 0, SLG_EPARSE,
	    "not at the time asked for" },
	/* range points off the grid, outside, repeated, out of order */
	{ MAT("[0,\"1\"],[60,\"1\"]"), 1, SLG_EPARSE, "the answer's point at "
	    "1970-01-01T00:00:00Z lies outside the window asked for, "
	    "1970-01-01T00:01:00Z .. 00:05:00Z" },
	{ MAT("[300,\"1\"],[360,\"1\"]"), 1, SLG_EPARSE, "the answer's point "
	    "at 1970-01-01T00:06:00Z lies outside the window asked for" },
	{ MAT("[60,\"1\"],[90,\"1\"]"), 1, SLG_EPARSE, "the answer's point at "
	    "1970-01-01T00:01:30Z is off the step grid asked for "
	    "(1970-01-01T00:01:00Z .. 00:05:00Z, every 60s)" },
	{ MAT("[60,\"1\"],[60.5,\"1\"]"), 1, SLG_EPARSE, "point at 60.500 is "
	    "off the step grid" },
	{ MAT("[60,\"1\"],[120,\"1\"],[120,\"1\"]"), 1, SLG_EPARSE,
	    "the answer repeats the point at 1970-01-01T00:02:00Z" },
	{ MAT("[120,\"1\"],[60,\"1\"]"), 1, SLG_EPARSE, "the answer's points "
	    "are out of order at 1970-01-01T00:01:00Z" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		const struct bad_case *t = &bad[i];
		struct slg_prom_query q = t->range ? range(60, 300, 60) :
		    instant(1);
		struct slg_err err = { 0, "" };
		struct slg_series *s = (struct slg_series *)1;
		int rc;

		rc = slg_prom_decode(t->body, strlen(t->body), &q, &s, &err);
		if (rc != t->code || err.code != t->code || s != NULL ||
		    strstr(err.msg, t->msg) == NULL)
			fail_msg("case %zu %s\n gave %d '%s'\n want %d '%s'", i,
			    t->body, rc, err.msg, t->code, t->msg);
	}
}

/* Values as Prometheus writes them, at both ends of the double range. */
static void
test_good_values(void **state)
{
	static const struct {
		const char *text;
		double want;
	} t[] = {
		{ "0", 0 }, { "-0", -0.0 }, { "0.9995", 0.9995 },
		{ "1e+21", 1e21 }, { "1.5e-07", 1.5e-7 }, { "-12.25", -12.25 },
		{ "1.7976931348623157e+308", 1.7976931348623157e308 },
		{ "5e-324", 5e-324 }, { "100000000000000000000", 1e20 },
		{ "0.30000000000000004", 0.30000000000000004 },
		{ "123456789012345680000", 123456789012345680000.0 },
		{ "1e-07", 1e-7 }, { "0.5", 0.5 },
	};
	char body[256];

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_series *s;

		snprintf(body, sizeof(body), VEC("1", "%s"), t[i].text);
		s = decode_ok(body);
		if (s->pts[0].v != t[i].want)
			fail_msg("'%s' read as %.17g", t[i].text, s->pts[0].v);
		slg_series_free(s);
	}
}

/* Labels that are not an object of strings do not end up in messages
 * as "(null)". */
static void
test_odd_labels(void **state)
{
	struct slg_err err = { 0, "" };
	struct slg_series *s = NULL;
	struct slg_prom_query q = instant(1);
	static const char body[] = OKHEAD "\"vector\",\"result\":[{\"metric\":"
	    "[\"x\"],\"value\":[1,\"1\"]},{\"metric\":{\"a\":1},"
	    "\"value\":[1,\"2\"]}]}}";

	(void)state;
	assert_int_equal(slg_prom_decode(body, strlen(body), &q, &s, &err),
	    SLG_EPARSE);
	assert_contains(err.msg, "query returned 2 series ({}, {}, ...)");
}

/* A range answer may leave points out (no data there), never add any. */
static void
test_range_with_gaps(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_q(MAT("[60,\"1\"],[180,\"2\"],[300,\"3\"]"),
	    range(60, 300, 60));
	assert_int_equal(s->npts, 3);
	assert_true(s->pts[2].t == 300 && s->pts[2].v == 3);
	slg_series_free(s);
}

/* A long error from Prometheus is cut to fit the message. */
static void
test_long_error(void **state)
{
	char body[4096];
	struct slg_err err = { 0, "" };
	struct slg_series *s = NULL;
	size_t n;

	(void)state;
	n = (size_t)snprintf(body, sizeof(body), "{\"status\":\"error\","
	    "\"errorType\":\"execution\",\"error\":\"");
	memset(body + n, 'e', 3000);
	n += 3000;
	memcpy(body + n, "\"}", 3);
	struct slg_prom_query q = instant(1);

	assert_int_equal(slg_prom_decode(body, strlen(body), &q, &s, &err),
	    SLG_EPROM);
	assert_null(s);
	assert_true(strlen(err.msg) < SLG_ERR_MSG);
	assert_contains(err.msg, "execution: eeee");
}

static void
test_series_free_null(void **state)
{
	struct slg_series *s;

	(void)state;
	slg_series_free(NULL);
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[]}}");
	slg_series_free(s);
	assert_non_null(s);
}

/* ---- slg_prom_check_url ---- */

static const char *const good_urls[] = {
	"http://127.0.0.1:9090",
	"http://localhost:9090/",
	"https://prometheus.example.com",
	"https://thanos.example.com/prometheus",
	"http://[::1]:9090",
};

static const struct {
	const char *url;
	const char *msg;
} bad_urls[] = {
	{ "", "empty Prometheus URL" },
	{ "ftp://prometheus.example.com", "must start with http:// or "
	    "https://" },
	{ "prometheus:9090", "must start with http:// or https://" },
	{ "HTTP://prometheus:9090", "must start with http:// or https://" },
	{ "http://", "has no host" },
	{ "https://", "has no host" },
	{ "http:///api", "has no host" },
	{ "http://p:9090/?x=1", "without query, fragment or spaces" },
	{ "http://p:9090/#top", "without query, fragment or spaces" },
	{ "http://p 9090", "without query, fragment or spaces" },
	{ "http://p:9090\n", "without query, fragment or spaces" },
};

static void
test_check_url(void **state)
{
	struct slg_err err = { 0, "" };

	(void)state;
	for (size_t i = 0; i < NELEM(good_urls); i++) {
		if (slg_prom_check_url(good_urls[i], &err) != 0)
			fail_msg("'%s' refused: %s", good_urls[i], err.msg);
	}
	for (size_t i = 0; i < NELEM(bad_urls); i++) {
		int rc = slg_prom_check_url(bad_urls[i].url, &err);

		if (rc != SLG_EUSAGE || err.code != SLG_EUSAGE ||
		    strstr(err.msg, bad_urls[i].msg) == NULL)
			fail_msg("'%s' gave %d '%s', want '%s'",
			    bad_urls[i].url, rc, err.msg, bad_urls[i].msg);
	}
	assert_int_equal(slg_prom_check_url(NULL, &err), SLG_EUSAGE);
	assert_string_equal(err.msg, "empty Prometheus URL");
	assert_int_equal(slg_prom_check_url("ftp://x", &err), SLG_EUSAGE);
	assert_string_equal(err.msg, "Prometheus URL 'ftp://x' must start "
	    "with http:// or https://");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_matrix_no_values),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_uses_len),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_range_with_gaps),
		cmocka_unit_test(test_odd_labels),
		cmocka_unit_test(test_long_error),
		cmocka_unit_test(test_series_free_null),
		cmocka_unit_test(test_check_url),
	};

	return cmocka_run_group_tests_name("prom_decode", tests, NULL, NULL);
}
