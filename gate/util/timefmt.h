/* timefmt: parsing and printing of times (RFC 3339, unix seconds) and
 * durations ("30m", "1.5s", "120ms"). Must not read the clock. */
#ifndef SLG_TIMEFMT_H
#define SLG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* RFC 3339 ("2026-11-26T07:12:46Z", offsets and fractions accepted) or unix
 * seconds. Fractions of a second are dropped. Gives SLG_EINPUT. */
int slg_time_parse(const char *s, int64_t *out, struct slg_err *err);

/* Writes "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (at least 21 bytes). */
void slg_time_format(int64_t t, char *out, size_t n);

/* The longest duration slg_duration_parse takes: 100 years. */
#define SLG_DURATION_MAX (100.0 * 366 * 86400)

/* A duration: one or more NUMBER UNIT parts ("1h30m", "1.5s", "120ms");
 * units ms s m h d, at most SLG_DURATION_MAX. Gives seconds; SLG_EINPUT
 * for anything else. */
int slg_duration_parse(const char *s, double *out, struct slg_err *err);

/* A whole number of seconds as PromQL writes it: "1h", "30m", "90s". */
void slg_duration_format(int64_t secs, char *out, size_t n);

#endif
