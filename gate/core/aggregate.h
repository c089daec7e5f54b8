/* aggregate: one number from several (avg, percentiles, min, max), for
 * baselines made of past verdicts. Pure: must not do I/O. */
#ifndef SLG_AGGREGATE_H
#define SLG_AGGREGATE_H

#include <stddef.h>

#include "core/policy.h"

/* Aggregates n values (n >= 1; the array is not changed). Percentiles
 * are Keptn's: the value at position p * (n + 1) of the sorted values,
 * linear between the closest ranks and clamped to the smallest and
 * largest, so p50 of {1, 2} is 1.5 and p90 of 0..10 is 9.8. Returns NaN
 * when n is 0. */
double slg_aggregate(const double *v, size_t n, enum slg_aggregate a);

#endif
