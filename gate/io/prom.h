/* prom: queries Prometheus's HTTP API (libcurl, several queries at once) and
 * decodes the answers into series. Must not know about policies. */
#ifndef SLG_PROM_H
#define SLG_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "core/series.h"
#include "util/err.h"

#define SLG_PROM_MAX_BODY ((size_t)16 << 20)

struct slg_prom_conf {
	const char *url;	/* base, e.g. http://127.0.0.1:9090 */
	const char *token;	/* bearer token, or NULL */
	long timeout_ms;	/* per query and attempt */
	int attempts;		/* tries per query on connection errors and 5xx */
	long backoff_ms;	/* wait before the 2nd try; doubles after */
	const char *user_agent;
};

struct slg_prom_query {
	/* in */
	const char *promql;
	int range;		/* 0: instant query at end; 1: start..end by step */
	int64_t start, end, step;
	/* out */
	struct slg_series *result;	/* set when err.code is 0; caller frees */
	struct slg_err err;
	int tries;
};

/* Runs all n queries concurrently and fills each one's result or err.
 * Returns 0 when every query was attempted (look at each err), or
 * SLG_ENOMEM / SLG_EPROM when the transfers could not be set up at all. */
int slg_prom_run(const struct slg_prom_conf *conf, struct slg_prom_query *q,
    size_t n, struct slg_err *err);

/* Decodes one /api/v1/query or /api/v1/query_range answer to query q
 * (its in-fields: range, start, end, step) and checks that it is a clean
 * answer to that query: the shape asked for (an instant query a vector
 * or scalar, a range query a matrix), an instant point at q->end, range
 * points on the grid q->start + k * q->step within [start, end], each
 * once and in order, values as Prometheus writes them, no warnings. An
 * answer with more than one series is an error too: a gate needs one
 * number per point, so the query must aggregate. Gives SLG_EPARSE with a
 * message naming what is wrong, SLG_EPROM when Prometheus refused the
 * query, SLG_ENOMEM. *out is the caller's. */
int slg_prom_decode(const char *body, size_t len,
    const struct slg_prom_query *q, struct slg_series **out,
    struct slg_err *err);

/* 0 when Prometheus answers its readiness endpoint within 2 s;
 * SLG_EPROM otherwise. */
int slg_prom_ready(const struct slg_prom_conf *conf, struct slg_err *err);

/* Checks that url is http:// or https:// with a host; SLG_EUSAGE if not. */
int slg_prom_check_url(const char *url, struct slg_err *err);

/* Calls curl_global_init; once, in main, before any thread starts. */
int slg_prom_global_init(void);
void slg_prom_global_cleanup(void);

#endif
