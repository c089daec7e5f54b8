/* metrics: counters under a lock of their own, and their exposition. */
#include <pthread.h>
#include <string.h>

#include "service/metrics.h"
#include "util/buf.h"

static const double buckets[SLG_METRICS_NBUCKETS] = { 0.05, 0.1, 0.25, 0.5,
    1, 2.5, 5, 10, 30, 60 };

void
slg_metrics_init(struct slg_metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void
slg_metrics_release(struct slg_metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void
slg_metrics_count_evaluation(struct slg_metrics *m, int verdict,
    double seconds, int query_errors)
{
	pthread_mutex_lock(&m->lock);
	m->evaluations[verdict]++;
	m->eval_count++;
	m->eval_sum += seconds;
	for (int i = 0; i < SLG_METRICS_NBUCKETS; i++) {
		if (seconds <= buckets[i]) {
			m->eval_buckets[i]++;
			break;
		}
	}
	m->query_errors += (unsigned)query_errors;
	pthread_mutex_unlock(&m->lock);
}

void
slg_metrics_count_request(struct slg_metrics *m, int status)
{
	if (status < 100 || status >= 600)
		return;
	pthread_mutex_lock(&m->lock);
	m->requests[status]++;
	pthread_mutex_unlock(&m->lock);
}

char *
slg_metrics_render(struct slg_metrics *m, const char *version, size_t *len)
{
	static const char *const kinds[] = { "pass", "fail", "warn",
	    "inconclusive", "error" };
	struct slg_buf b = SLG_BUF_INIT;
	unsigned long long cum = 0;

	pthread_mutex_lock(&m->lock);
	slg_buf_printf(&b, "# HELP slogate_build_info The running slogate.\n"
	    "# TYPE slogate_build_info gauge\n"
	    "slogate_build_info{version=\"%s\"} 1\n", version);
	slg_buf_puts(&b, "# HELP slogate_evaluations_total Evaluations by "
	    "verdict.\n# TYPE slogate_evaluations_total counter\n");
	for (int i = 0; i < 5; i++)
		slg_buf_printf(&b, "slogate_evaluations_total{verdict=\"%s\"} "
		    "%llu\n", kinds[i], m->evaluations[i]);
	slg_buf_puts(&b, "# HELP slogate_evaluation_duration_seconds Time to "
	    "evaluate a policy.\n# TYPE slogate_evaluation_duration_seconds "
	    "histogram\n");
	for (int i = 0; i < SLG_METRICS_NBUCKETS; i++) {
		cum += m->eval_buckets[i];
		slg_buf_printf(&b, "slogate_evaluation_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", buckets[i], cum);
	}
	slg_buf_printf(&b, "slogate_evaluation_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\nslogate_evaluation_duration_seconds_sum %.6f\n"
	    "slogate_evaluation_duration_seconds_count %llu\n", m->eval_count,
	    m->eval_sum, m->eval_count);
	slg_buf_printf(&b, "# HELP slogate_prometheus_query_errors_total "
	    "Prometheus queries that failed.\n# TYPE "
	    "slogate_prometheus_query_errors_total counter\n"
	    "slogate_prometheus_query_errors_total %llu\n", m->query_errors);
	slg_buf_puts(&b, "# HELP slogate_http_requests_total HTTP requests by "
	    "status code.\n# TYPE slogate_http_requests_total counter\n");
	for (int i = 100; i < 600; i++) {
		if (m->requests[i])
			slg_buf_printf(&b, "slogate_http_requests_total{code=\"%d\"} "
			    "%llu\n", i, m->requests[i]);
	}
	pthread_mutex_unlock(&m->lock);
	*len = b.len;
	return slg_buf_detach(&b);
}
