/* fuzz_criteria: each line of the input (at most MAX_LINES) as a
 * criterion, a duration and a time; every value read is then written
 * back with slg_value_format_exact in each unit, against the thresholds
 * of the criteria read, into buffers of several sizes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "criteria.h"
#include "fuzz.h"
#include "timefmt.h"

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
