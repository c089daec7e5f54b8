/* fuzz_prom_decode: the input as Prometheus's answer to an instant query
 * and to a range query over a 30-minute window at 1m, and what the
 * decoder promises of an answer it takes: an instant point at the time
 * asked for, range points on the grid asked for, each once, in order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "io/prom.h"

#define START 1795675980LL
#define END 1795677720LL
#define STEP 60LL

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
decode(const uint8_t *data, size_t size, int range)
{
	struct slg_prom_query q = { 0 };
	struct slg_err err = { 0, "" };
	struct slg_series *s = NULL;

	q.promql = "up";
	q.range = range;
	q.start = range ? START : 0;
	q.end = END;
	q.step = range ? STEP : 0;
	if (slg_prom_decode((const char *)data, size, &q, &s, &err) != 0) {
		if (s != NULL || err.code == 0 || err.msg[0] == '\0') {
			fprintf(stderr, "fuzz_prom_decode: refused without a "
			    "code and message, or with a series\n");
			abort();
		}
		return;
	}
	if (s == NULL || (!range && s->npts > 1) ||
	    (s->npts > 0 && s->pts == NULL))
		abort();
	for (size_t i = 0; i < s->npts; i++) {
		double t = s->pts[i].t;

		if ((!range && t != (double)END) || (range && (t < START ||
		    t > END || fmod(t - START, STEP) != 0 ||
		    (i > 0 && t <= s->pts[i - 1].t)))) {
			fprintf(stderr, "fuzz_prom_decode: took a point at "
			    "%.17g off what was asked\n", t);
			abort();
		}
	}
	slg_series_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode(data, size, 0);
	decode(data, size, 1);
	return 0;
}
