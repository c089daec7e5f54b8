/* timefmt: parsing and printing of times and durations. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/timefmt.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: RFC 3339's years */
#define TIME_MIN INT64_C(-62167219200)
#define TIME_MAX INT64_C(253402300799)

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
expect(const char **p, const char *set)
{
	if (**p == '\0' || strchr(set, **p) == NULL)
		return -1;
	(*p)++;
	return 0;
}

int
slg_time_parse(const char *s, int64_t *out, struct slg_err *err)
{
	const char *p = s;
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t t;

	*out = 0;
	if (s == NULL || *s == '\0')
		return slg_err_set(err, SLG_EINPUT, "empty time");
	if (isdigit((unsigned char)*s) && strspn(s, "0123456789.") == strlen(s)
	    && strchr(s, '-') == NULL) {
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (errno != 0 || *end != '\0' || v > (double)TIME_MAX ||
		    strchr(s, '.') != strrchr(s, '.'))
			goto bad;
		*out = (int64_t)v;
		return 0;
	}
	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) ||
	    expect(&p, "-") || digits(&p, 2, &d) || expect(&p, "Tt ") ||
	    digits(&p, 2, &h) || expect(&p, ":") || digits(&p, 2, &mi) ||
	    expect(&p, ":") || digits(&p, 2, &sec))
		goto bad;
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om))
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || oh > 23 || om > 59)
		goto bad;
	/* a leap second is 23:59:60 UTC and only that; unix time has no room
	 * for it, so it counts as the second after 23:59:59 */
	if (sec == 60 && ((h * 60 + mi - sign * (oh * 60 + om)) % 1440 + 1440) %
	    1440 != 23 * 60 + 59)
		goto bad;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse such dates */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		goto bad;
	*out = (int64_t)t + (sec == 60) - sign * (oh * 3600 + om * 60);
	/* an offset must not carry it past the years slg_time_format
	 * writes: "0000-01-01T00:00:00+01:00" is in the year -1 */
	if (*out < TIME_MIN || *out > TIME_MAX) {
		*out = 0;
		goto bad;
	}
	return 0;
bad:
	return slg_err_set(err, SLG_EINPUT,
	    "bad time '%s' (want RFC 3339 like 2026-11-26T07:30:00Z, "
	    "or unix seconds)", s);
}

void
slg_time_format(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* RFC 3339 has four digits of year, which %Y does not pad to: the
	 * year 999 is "0999"; past its years, the seconds */
	if (t < TIME_MIN || t > TIME_MAX || gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, n, "%lld", (long long)t);
		return;
	}
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
slg_duration_parse(const char *s, double *out, struct slg_err *err)
{
	const char *p = s;
	double total = 0;

	*out = 0;
	if (s == NULL || *s == '\0')
		goto bad;
	while (*p != '\0') {
		char *end;
		double v, unit;

		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		v = strtod(p, &end);
		if (errno != 0 || end == p)
			goto bad;
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 0.001;
			p += 2;
		} else if (*p == 's') {
			unit = 1;
			p++;
		} else if (*p == 'm') {
			unit = 60;
			p++;
		} else if (*p == 'h') {
			unit = 3600;
			p++;
		} else if (*p == 'd') {
			unit = 86400;
			p++;
		} else {
			goto bad;
		}
		total += v * unit;
	}
	/* a century is more than any wait, window or expiry means, and
	 * keeps every conversion to whole seconds in range */
	if (!isfinite(total) || total > SLG_DURATION_MAX)
		return slg_err_set(err, SLG_EINPUT, "duration '%s' is longer "
		    "than 100 years", s);
	*out = total;
	return 0;
bad:
	return slg_err_set(err, SLG_EINPUT,
	    "bad duration '%s' (want e.g. 30m, 1h, 1.5s, 120ms)", s ? s : "");
}

void
slg_duration_format(int64_t secs, char *out, size_t n)
{
	if (secs > 0 && secs % 3600 == 0)
		snprintf(out, n, "%lldh", (long long)(secs / 3600));
	else if (secs > 0 && secs % 60 == 0)
		snprintf(out, n, "%lldm", (long long)(secs / 60));
	else
		snprintf(out, n, "%llds", (long long)secs);
}
