/* aggregate: one number from several. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Keptn's percentile: the value at position p * (n + 1) of the sorted
 * values (1-based), linear between the two closest ranks, clamped to the
 * smallest and the largest value. */
static double
percentile(const double *v, size_t n, double p)
{
	double *s = malloc(n * sizeof(*s)), pos, r;
	size_t lo;

	if (s == NULL)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	pos = p * (double)(n + 1);
	if (pos <= 1) {
		r = s[0];
	} else if (pos >= (double)n) {
		r = s[n - 1];
	} else {
		lo = (size_t)floor(pos);	/* 1-based rank below pos */
		r = s[lo - 1] + (pos - (double)lo) * (s[lo] - s[lo - 1]);
	}
	free(s);
	return r;
}

double
slg_aggregate(const double *v, size_t n, enum slg_aggregate a)
{
	double r;

	if (n == 0)
		return NAN;
	switch (a) {
	case SLG_AGG_AVG:
		r = 0;
		for (size_t i = 0; i < n; i++)
			r += v[i];
		return r / (double)n;
	case SLG_AGG_P50:
		return percentile(v, n, 0.50);
	case SLG_AGG_P90:
		return percentile(v, n, 0.90);
	case SLG_AGG_P95:
		return percentile(v, n, 0.95);
	case SLG_AGG_MIN:
		r = v[0];
		for (size_t i = 1; i < n; i++)
			r = v[i] < r ? v[i] : r;
		return r;
	case SLG_AGG_MAX:
		r = v[0];
		for (size_t i = 1; i < n; i++)
			r = v[i] > r ? v[i] : r;
		return r;
	}
	return NAN;
}
