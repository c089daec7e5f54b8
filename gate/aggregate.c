/* aggregate: one number from several. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
percentile(const double *v, size_t n, double p)
{
	double *s = malloc(n * sizeof(*s)), rank, r;
	size_t lo;

	if (s == NULL)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	rank = p * (double)(n - 1);
	lo = (size_t)floor(rank);
	r = lo + 1 < n ? s[lo] + (rank - (double)lo) * (s[lo + 1] - s[lo]) :
	    s[lo];
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
