/* metrics: the service's counters (evaluations by verdict and time,
 * Prometheus query errors, requests by status) and /metrics's text.
 * Must not do I/O or know HTTP beyond a status code. */
#ifndef SLG_METRICS_H
#define SLG_METRICS_H

#include <pthread.h>
#include <stddef.h>

#define SLG_METRICS_NBUCKETS 10

struct slg_metrics {
	pthread_mutex_t lock;		/* everything below; its own, so
					 * counting never waits on the queue */
	unsigned long long evaluations[5];
	unsigned long long eval_buckets[SLG_METRICS_NBUCKETS], eval_count;
	double eval_sum;
	unsigned long long query_errors, requests[600];
};

void slg_metrics_init(struct slg_metrics *m);
void slg_metrics_release(struct slg_metrics *m);

/* One evaluation that ended with verdict (enum slg_verdict_kind) after
 * seconds, and its failed Prometheus queries. */
void slg_metrics_count_evaluation(struct slg_metrics *m, int verdict,
    double seconds, int query_errors);

/* One request answered with status (ignored outside 100..599). */
void slg_metrics_count_request(struct slg_metrics *m, int status);

/* The Prometheus text exposition, in the caller's memory (free); its
 * length in *len. */
char *slg_metrics_render(struct slg_metrics *m, const char *version,
    size_t *len);

#endif
