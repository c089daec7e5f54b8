/* fuzz_criteria: each line of the input (at most MAX_LINES) as a
 * criterion, a duration and a time; every value read is then written
 * back with slg_value_format_exact in each unit, against the thresholds
 * of the criteria read, into buffers of several sizes. The text must keep
 * its promise: read back as a criterion reads it, it falls on the same
 * side of every threshold as the value. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/criteria.h"
#include "fuzz.h"
#include "util/timefmt.h"

#define MAX_LINES 16
#define MAX_VALUES (4 * MAX_LINES)
#define NSIZES 4

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int
side(double a, double b)
{
	return (a > b) - (a < b);
}

/* out, v's text in unit, read back as a person would read it. */
static void
check_side(double v, const char *out, const double *t, size_t nt)
{
	struct slg_criterion c;
	char crit[80];

	if (!isfinite(v))
		return;
	snprintf(crit, sizeof(crit), "<= %s", out + (*out == '-'));
	if (slg_criterion_parse(crit, &c, NULL) != 0) {
		/* "1e+310%" and "4.94066e-324" are right, and past the
		 * doubles a criterion reads (as no threshold can be) */
		errno = 0;
		strtod(out + (*out == '-'), NULL);
		if (errno == ERANGE)
			return;
		fprintf(stderr, "fuzz_criteria: %.17g reads '%s', which is "
		    "no number\n", v, out);
		abort();
	}
	if (*out == '-')
		c.value = -c.value;
	for (size_t i = 0; i < nt; i++) {
		if (!isnan(t[i]) && side(c.value, t[i]) != side(v, t[i])) {
			fprintf(stderr, "fuzz_criteria: %.17g reads '%s', on "
			    "the other side of %.17g\n", v, out, t[i]);
			abort();
		}
	}
}

static void
add(double *vals, size_t *n, double v)
{
	if (*n < MAX_VALUES)
		vals[(*n)++] = v;
}

/* Formats v in unit into a heap buffer of exactly len bytes, so that a
 * write past it is caught. */
static void
format(double v, enum slg_unit unit, const double *t, size_t nt, size_t len)
{
	char *out = malloc(len);

	if (out == NULL)
		return;
	slg_value_format_exact(v, unit, t, nt, out, len);
	if (memchr(out, '\0', len) == NULL)
		abort();	/* not terminated */
	if (len == 64)
		check_side(v, out, t, nt);
	slg_value_format(v, unit, out, len);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[NSIZES] = { 1, 8, 24, 64 };
	struct slg_criterion crit[MAX_LINES];
	double vals[MAX_VALUES], thr[2 * MAX_LINES];
	size_t ncrit = 0, nvals = 0, nthr = 0, at = 0;

	for (int line = 0; line < MAX_LINES && at <= size; line++) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
		struct slg_err err = { 0, "" };
		char *s = malloc(len + 1);
		int64_t t;
		double d;

		if (s == NULL)
			return 0;
		memcpy(s, data + at, len);
		s[len] = '\0';
		if (slg_criterion_parse(s, &crit[ncrit], &err) == 0) {
			add(vals, &nvals, crit[ncrit].value);
			ncrit++;
		}
		if (slg_duration_parse(s, &d, &err) == 0) {
			add(vals, &nvals, d);
			if (!(d >= 0 && d <= SLG_DURATION_MAX))
				abort();	/* past what it promises */
		}
		if (slg_time_parse(s, &t, &err) == 0)
			add(vals, &nvals, (double)t);
		add(vals, &nvals, strtod(s, NULL));
		free(s);
		at += len + 1;
	}
	/* thresholds as eval derives them, relative ones from a baseline */
	for (size_t i = 0; i < ncrit; i++) {
		double base = nvals ? vals[i % nvals] : 1;

		thr[nthr++] = slg_criterion_threshold(&crit[i], base);
		slg_criterion_holds(&crit[i], base, 1, base, NULL);
		slg_criterion_holds(&crit[i], base, 0, NAN, NULL);
	}
	for (size_t i = 0; i < nvals; i++) {
		for (int u = SLG_UNIT_NUMBER; u <= SLG_UNIT_SECONDS; u++) {
			for (size_t k = 0; k < NSIZES; k++)
				format(vals[i], (enum slg_unit)u, thr, nthr,
				    sizes[k]);
		}
	}
	return 0;
}
