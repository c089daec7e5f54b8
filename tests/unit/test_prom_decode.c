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

#include "prom.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Decodes body and fails the test unless it succeeds. */
static struct slg_series *
decode_ok(const char *body)
{
	struct slg_err err = { 0, "" };
	struct slg_series *s = (struct slg_series *)1;

	if (slg_prom_decode(body, strlen(body), &s, &err) != 0)
		fail_msg("refused: %s\n%s", err.msg, body);
	assert_non_null(s);
	return s;
}

/* ---- answers with data ---- */

static void
test_vector(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{\"job\":\"api\","
	    "\"env\":\"prod\"},\"value\":[1795676400.5,\"0.9995\"]}]}}");
	assert_int_equal(s->npts, 1);
	assert_true(s->pts[0].t == 1795676400.5);
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
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{\"le\":\"0.1\"},\"values\":["
	    "[1795675860,\"0.1\"],[1795675920,\"0.125\"],"
	    "[1795675980,\"1e-3\"],[1795676040,\"12\"]]}]}}");
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
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{},\"values\":[]}]}}");
	assert_int_equal(s->npts, 0);
	slg_series_free(s);
}

static void
test_scalar(void **state)
{
	struct slg_series *s;

	(void)state;
	s = decode_ok("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"scalar\",\"result\":[1795676400,\"3.5\"]}}");
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
		struct slg_series *s = decode_ok(bodies[i]);

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

	(void)state;
	assert_int_equal(slg_prom_decode(body, strlen(body) -
	    strlen("trailing junk"), &s, &err), 0);
	assert_true(s->pts[0].v == 7);
	slg_series_free(s);
}

/* ---- refused answers ---- */

struct bad_case {
	const char *body;
	int code;
	const char *msg;
};

static const struct bad_case bad[] = {
	/* Prometheus said no: its words are passed on */
	{ "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
	    "\"1:5: parse error: unexpected identifier \\\"foo\\\"\"}",
	    SLG_EPROM, "prometheus refused the query: bad_data: 1:5: parse "
	    "error: unexpected identifier \"foo\"" },
	{ "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":"
	    "\"query timed out in expression evaluation\"}",
	    SLG_EPROM, "timeout: query timed out in expression evaluation" },
	{ "{\"status\":\"error\"}", SLG_EPROM,
	    "prometheus refused the query: error: (no message)" },
	/* not JSON */
	{ "", SLG_EPARSE, "prometheus answered with invalid JSON" },
	{ "<html>502 Bad Gateway</html>", SLG_EPARSE,
	    "prometheus answered with invalid JSON" },
	{ "{\"status\":\"success\",", SLG_EPARSE,
	    "prometheus answered with invalid JSON" },
	/* JSON, but not an answer */
	{ "{}", SLG_EPARSE, "without a 'status'" },
	{ "[]", SLG_EPARSE, "without a 'status'" },
	{ "{\"status\":1}", SLG_EPARSE, "without a 'status'" },
	{ "{\"status\":\"success\"}", SLG_EPARSE,
	    "without 'data.resultType' and 'data.result'" },
	{ "{\"status\":\"success\",\"data\":{\"result\":[]}}", SLG_EPARSE,
	    "without 'data.resultType' and 'data.result'" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"}}",
	    SLG_EPARSE, "without 'data.resultType' and 'data.result'" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":{}}}", SLG_EPARSE, "'result' that is not a list" },
	/* more than one series */
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{\"pod\":\"a\"},\"value\":[1,\"1\"]},"
	    "{\"metric\":{\"pod\":\"b\"},\"value\":[1,\"2\"]}]}}", SLG_EPARSE,
	    "query returned 2 series ({pod=\"a\"}, {pod=\"b\"}, ...); an "
	    "objective needs exactly one" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[]},{\"metric\":{},"
	    "\"values\":[]},{\"values\":[]}]}}", SLG_EPARSE,
	    "query returned 3 series" },
	/* results that are not numbers */
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
	    "\"result\":[1,\"hello\"]}}", SLG_EPARSE,
	    "prometheus answered with a string; a gate needs a number" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"histogram\","
	    "\"result\":[]}}", SLG_EPARSE, "a gate needs a number" },
	/* samples that are not [time, "value"] */
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1,\"abc\"]}]}}", SLG_EPARSE,
	    "sample value 'abc' that is not a number" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1,\"1.5x\"]}]}}",
	    SLG_EPARSE, "sample value '1.5x' that is not a number" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1,\"\"]}]}}", SLG_EPARSE,
	    "sample value '' that is not a number" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1,2]}]}}", SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[\"1\",\"2\"]}]}}",
	    SLG_EPARSE, "a sample that is not [time, \"value\"]" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"value\":[1]}]}}", SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{}}]}}", SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":\"1\"}}", SLG_EPARSE,
	    "a sample that is not [time, \"value\"]" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2,\"x\"]]}]}}",
	    SLG_EPARSE, "sample value 'x' that is not a number" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{}}]}}", SLG_EPARSE,
	    "a matrix series without 'values'" },
};

static void
test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad); i++) {
		const struct bad_case *t = &bad[i];
		struct slg_err err = { 0, "" };
		struct slg_series *s = (struct slg_series *)1;
		int rc;

		rc = slg_prom_decode(t->body, strlen(t->body), &s, &err);
		if (rc != t->code || err.code != t->code || s != NULL ||
		    strstr(err.msg, t->msg) == NULL)
			fail_msg("case %zu %s\n gave %d '%s'\n want %d '%s'", i,
			    t->body, rc, err.msg, t->code, t->msg);
	}
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
	assert_int_equal(slg_prom_decode(body, strlen(body), &s, &err),
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
		cmocka_unit_test(test_long_error),
		cmocka_unit_test(test_series_free_null),
		cmocka_unit_test(test_check_url),
	};

	return cmocka_run_group_tests_name("prom_decode", tests, NULL, NULL);
}
