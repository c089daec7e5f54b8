/* test_timefmt: times (RFC 3339, unix seconds) and durations, both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/timefmt.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-11-26T07:12:46Z, as `date -u -d 2026-11-26T07:12:46Z +%s` says */
#define T0 INT64_C(1795677166)

/* ---- slg_time_parse ---- */

struct time_case {
	const char *in;
	int64_t want;
};

static const struct time_case times[] = {
	{ "2026-11-26T07:12:46Z", T0 },
	{ "2026-11-26t07:12:46z", T0 },
	{ "2026-11-26 07:12:46Z", T0 },
	{ "2026-11-26T09:12:46+02:00", T0 },
	{ "2026-11-26T02:12:46-05:00", T0 },
	{ "2026-11-26T07:42:46+00:30", T0 },
	{ "2026-11-26T07:12:46+00:00", T0 },
	{ "2026-11-26T07:12:46.123Z", T0 },
	{ "2026-11-26T07:12:46.999999999Z", T0 },
	{ "2026-11-26T07:12:46,5Z", T0 },
	{ "2026-11-26T09:12:46.5+02:00", T0 },
	{ "1795677166", T0 },
	{ "1795677166.75", T0 },
	{ "0", 0 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T01:00:00+01:00", 0 },
	{ "2028-02-29T00:00:00Z", INT64_C(1835395200) },
	{ "2026-12-31T23:59:59Z", INT64_C(1798761599) },
};

static void
test_time_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(times); i++) {
		struct slg_err err = { 0, "" };
		int64_t got = -1;
		int rc;

		rc = slg_time_parse(times[i].in, &got, &err);
		if (rc != 0 || got != times[i].want)
			fail_msg("'%s' gave rc %d (%s) time %lld, want %lld",
			    times[i].in, rc, err.msg, (long long)got,
			    (long long)times[i].want);
	}
}

static const char *const bad_times[] = {
	"2026-02-31T00:00:00Z",		/* no 31 February */
	"2026-02-29T00:00:00Z",		/* 2026 is not a leap year */
	"2026-04-31T00:00:00Z",
	"2026-11-26T07:00:00",		/* no zone */
	"2026-11-26",
	"2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-26T24:00:00Z",
	"2026-11-26T07:60:00Z",
	"2026-11-26T07:00:61Z",
	"2026-11-26T07:00:00+2:00",
	"2026-11-26T07:00:00+02",
	"2026-11-26T07:00:00+24:00",
	"2026-11-26T07:00:00.Z",
	"2026-11-26T07:00:00Z junk",
	"2026-11-26X07:00:00Z",
	"26-11-26T07:00:00Z",
	"yesterday",
	"now",
	"1.2.3",
	"12abc",
	"-5",
	" 1795677166",
	"99999999999999999999",
	/* past RFC 3339's years in UTC, which could not be written back */
	"0000-01-01T00:00:00+00:01",
	"9999-12-31T23:59:59-00:01",
	"253402300800",
};

static void
test_time_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad_times); i++) {
		struct slg_err err = { 0, "" };
		int64_t got = -1;
		int rc;

		rc = slg_time_parse(bad_times[i], &got, &err);
		if (rc != SLG_EINPUT || err.code != SLG_EINPUT || got != 0 ||
		    strstr(err.msg, "bad time") == NULL ||
		    strstr(err.msg, bad_times[i]) == NULL)
			fail_msg("'%s' gave rc %d, code %d, time %lld, '%s'",
			    bad_times[i], rc, err.code, (long long)got,
			    err.msg);
	}
}

static void
test_time_parse_empty(void **state)
{
	struct slg_err err = { 0, "" };
	int64_t got = -1;

	(void)state;
	assert_int_equal(slg_time_parse("", &got, &err), SLG_EINPUT);
	assert_int_equal(err.code, SLG_EINPUT);
	assert_string_equal(err.msg, "empty time");
	assert_int_equal(got, 0);
	assert_int_equal(slg_time_parse(NULL, &got, &err), SLG_EINPUT);
}

/*
 * BUG (gate/timefmt.c, slg_time_parse): seconds up to 60 are allowed for
 * leap seconds, but the check that refuses 31 February (timegm must not
 * have moved the day or month) also refuses every real leap second: they
 * all fall at 23:59:60 on the last day of a month, which timegm moves to
 * the next month. So "2016-12-31T23:59:60Z", valid RFC 3339, is refused,
 * while "2026-06-15T12:00:60Z", which never existed, is accepted.
 */
static void
test_time_parse_leap_second(void **state)
{
	/* each leap second, and the second after it */
	static const struct time_case leaps[] = {
		{ "2016-12-31T23:59:60Z", INT64_C(1483228800) },
		{ "2015-06-30T23:59:60Z", INT64_C(1435708800) },
		{ "2017-01-01T01:59:60+02:00", INT64_C(1483228800) },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(leaps); i++) {
		struct slg_err err = { 0, "" };
		int64_t got = -1;

		if (slg_time_parse(leaps[i].in, &got, &err) != 0)
			fail_msg("'%s' refused: %s", leaps[i].in, err.msg);
		/* POSIX time has no leap seconds: either neighbour will do */
		if (got != leaps[i].want && got != leaps[i].want - 1)
			fail_msg("'%s' gave %lld", leaps[i].in, (long long)got);
	}
}

/* ---- slg_time_format ---- */

static void
test_time_format_round_trip(void **state)
{
	/* the first and last years too: %Y wrote the year 999 as "999",
	 * which slg_time_parse refuses (found by fuzz_jsonin) */
	static const int64_t ts[] = { 0, 1, T0, INT64_C(951782400),
	    INT64_C(1835395200), INT64_C(4102444799), INT64_C(-62167219200),
	    INT64_C(-30631392000), INT64_C(253402300799) };
	static const char *const want[] = { "1970-01-01T00:00:00Z",
	    "1970-01-01T00:00:01Z", "2026-11-26T07:12:46Z",
	    "2000-02-29T00:00:00Z", "2028-02-29T00:00:00Z",
	    "2099-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
	    "0999-05-01T00:00:00Z", "9999-12-31T23:59:59Z" };

	(void)state;
	for (size_t i = 0; i < NELEM(ts); i++) {
		struct slg_err err = { 0, "" };
		char out[32];
		int64_t back = -1;

		slg_time_format(ts[i], out, sizeof(out));
		assert_string_equal(out, want[i]);
		assert_int_equal(slg_time_parse(out, &back, &err), 0);
		assert_int_equal(back, ts[i]);
	}
}

/* 21 bytes is enough, as the header promises. */
static void
test_time_format_exact_buffer(void **state)
{
	char out[21];

	(void)state;
	slg_time_format(T0, out, sizeof(out));
	assert_string_equal(out, "2026-11-26T07:12:46Z");
}

/* ---- slg_duration_parse ---- */

struct dur_case {
	const char *in;
	double want;
};

static const struct dur_case durs[] = {
	{ "30m", 1800 },
	{ "1h30m", 5400 },
	{ "1.5s", 1.5 },
	{ "120ms", 0.12 },
	{ "90s", 90 },
	{ "1m30s", 90 },
	{ "2h", 7200 },
	{ "1d", 86400 },
	{ "1d2h3m4s5ms", 93784.005 },
	{ "0s", 0 },
	{ "0.5m", 30 },
};

static void
test_duration_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(durs); i++) {
		struct slg_err err = { 0, "" };
		double got = -1;
		int rc;

		rc = slg_duration_parse(durs[i].in, &got, &err);
		if (rc != 0 || fabs(got - durs[i].want) > 1e-9)
			fail_msg("'%s' gave rc %d (%s) %.17g, want %.17g",
			    durs[i].in, rc, err.msg, got, durs[i].want);
	}
}

static const char *const bad_durs[] = {
	"30",		/* no unit */
	"1h30",		/* the last part has no unit */
	"m",
	"5x",
	"5 m",
	" 5m",
	"5m ",
	"-5m",
	"+5m",
	"1h-30m",
	".5s",
	"5mm",
	"5M",
	"1e400s",
	"",
};

static void
test_duration_parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(bad_durs); i++) {
		struct slg_err err = { 0, "" };
		double got = -1;
		int rc;

		rc = slg_duration_parse(bad_durs[i], &got, &err);
		if (rc != SLG_EINPUT || err.code != SLG_EINPUT || got != 0 ||
		    strstr(err.msg, "bad duration") == NULL ||
		    strstr(err.msg, bad_durs[i]) == NULL)
			fail_msg("'%s' gave rc %d, code %d, %g, '%s'",
			    bad_durs[i], rc, err.code, got, err.msg);
	}
}

/* A duration is a whole number of seconds somewhere: a century keeps
 * every such conversion in range ("expires 1e23d" was stored as a time
 * before 1970). */
static void
test_duration_too_long(void **state)
{
	static const char *const t[] = { "100000000000000000000000d",
	    "36601d", "1e20s", "878500h" };
	struct slg_err err = { 0, "" };
	double got = -1;

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		got = -1;
		if (slg_duration_parse(t[i], &got, &err) != SLG_EINPUT ||
		    got != 0 || strstr(err.msg, "longer than 100 years") == NULL)
			fail_msg("'%s' gave %g '%s'", t[i], got, err.msg);
	}
	assert_int_equal(slg_duration_parse("36600d", &got, &err), 0);
	assert_true(got == 36600.0 * 86400);
}

static void
test_duration_parse_null(void **state)
{
	struct slg_err err = { 0, "" };
	double got = -1;

	(void)state;
	assert_int_equal(slg_duration_parse(NULL, &got, &err), SLG_EINPUT);
	assert_string_equal(err.msg,
	    "bad duration '' (want e.g. 30m, 1h, 1.5s, 120ms)");
}

/* ---- slg_duration_format ---- */

struct dur_fmt_case {
	int64_t secs;
	const char *want;
};

static const struct dur_fmt_case dur_fmts[] = {
	{ 3600, "1h" },
	{ 7200, "2h" },
	{ 86400, "24h" },
	{ 1800, "30m" },
	{ 60, "1m" },
	{ 5400, "90m" },
	{ 90, "90s" },
	{ 1, "1s" },
	{ 0, "0s" },
};

static void
test_duration_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(dur_fmts); i++) {
		char out[32];

		slg_duration_format(dur_fmts[i].secs, out, sizeof(out));
		if (strcmp(out, dur_fmts[i].want) != 0)
			fail_msg("%lld gave '%s', want '%s'",
			    (long long)dur_fmts[i].secs, out, dur_fmts[i].want);
	}
}

/* What slg_duration_format writes, slg_duration_parse reads back. */
static void
test_duration_round_trip(void **state)
{
	static const int64_t secs[] = { 1, 59, 60, 61, 3599, 3600, 5400,
	    86400, 31 * 86400 };

	(void)state;
	for (size_t i = 0; i < NELEM(secs); i++) {
		struct slg_err err;
		char out[32];
		double back = -1;

		slg_duration_format(secs[i], out, sizeof(out));
		assert_int_equal(slg_duration_parse(out, &back, &err), 0);
		assert_true(back == (double)secs[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_parse_bad),
		cmocka_unit_test(test_time_parse_empty),
		cmocka_unit_test(test_time_parse_leap_second),
		cmocka_unit_test(test_time_format_round_trip),
		cmocka_unit_test(test_time_format_exact_buffer),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_duration_parse_bad),
		cmocka_unit_test(test_duration_parse_null),
		cmocka_unit_test(test_duration_too_long),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_duration_round_trip),
	};

	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
