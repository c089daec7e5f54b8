/* series: the time series the rules judge, as Prometheus answered them
 * (decoded by io/prom, built by tests and fuzzers). */
#ifndef SLG_SERIES_H
#define SLG_SERIES_H

#include <stddef.h>

struct slg_point {
	double t;		/* unix seconds */
	double v;		/* may be NaN or +-Inf */
};

struct slg_series {
	size_t npts;		/* 0: the answer was empty (no data) */
	struct slg_point *pts;
	char *labels;		/* the series' labels as {a="b"}, for messages */
};

void slg_series_free(struct slg_series *s);

#endif
