/* workers: a queue per pool under the service's one lock; each worker
 * takes a job, answers it with no lock held, then parks it or hands it
 * back, resuming its connection only after the lock is let go. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/log.h"
#include "service/pages.h"
#include "service/watcher.h"
#include "service/workers.h"

void
slg_workers_init(struct slg_workers *w, const char *db_path,
    const struct slg_api_conf *api, struct slg_metrics *metrics,
    struct slg_watcher *watcher, int queue, void (*suspend)(void *conn),
    void (*resume)(void *conn))
{
	memset(w, 0, sizeof(*w));
	w->db_path = db_path;
	w->api = api;
	w->metrics = metrics;
	w->watcher = watcher;
	w->queue = queue;
	w->suspend = suspend;
	w->resume = resume;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->idle, NULL);
	for (int i = 0; i < SLG_NPOOLS; i++) {
		w->pool[i].owner = w;
		pthread_cond_init(&w->pool[i].work, NULL);
	}
}

void
slg_workers_release(struct slg_workers *w)
{
	for (int i = 0; i < SLG_NPOOLS; i++)
		pthread_cond_destroy(&w->pool[i].work);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->lock);
	free(w->threads);
	w->threads = NULL;
}

const char *
slg_workers_arg(void *cls, const char *name)
{
	const struct slg_job *j = cls;

	for (int i = 0; i < j->nargs; i++) {
		if (strcmp(j->arg_name[i], name) == 0)
			return j->arg_value[i];
	}
	return NULL;
}

static void
work(struct slg_workers *w, struct slg_job *j, struct slg_store *st)
{
	j->type = "application/json";
	if (st == NULL) {
		struct slg_buf b = SLG_BUF_INIT;

		slg_buf_printf(&b, "{\"error\": \"database unavailable\", "
		    "\"detail\": \"\"}\n");
		j->status = 503;
		j->answer_len = b.len;
		j->answer = slg_buf_detach(&b);
		return;
	}
	if (slg_api_owns(j->path)) {
		struct slg_api_req q = { j->method, j->path, slg_workers_arg, j,
		    j->body.data, j->body.len, st, (int64_t)time(NULL),
		    j->who.name ? &j->who : NULL };
		struct slg_api_resp r;
		double t0 = slg_log_now();

		slg_api_handle(w->api, &q, &r);
		j->status = r.status;
		j->answer = r.body;
		j->answer_len = r.len;
		j->allow = r.allow;
		memcpy(j->location, r.location, sizeof(j->location));
		j->verdict = r.verdict;
		j->query_errors = r.query_errors;
		j->watch_id = r.watch_id;
		if (r.watch_id && strcmp(j->method, "GET") == 0 && !j->no_park)
			j->park_until = slg_watcher_park_until(j, r.watch_polls);
		if (r.verdict >= 0)
			slg_metrics_count_evaluation(w->metrics, r.verdict,
			    slg_log_now() - t0, r.query_errors);
	} else {
		struct slg_page_req q = { j->path, slg_workers_arg, j, st,
		    w->api->prom.url, w->api->version,
		    (int64_t)time(NULL), j->who.name ? &j->who : NULL };
		struct slg_page p;

		slg_pages_handle(&q, &p);
		j->status = p.status;
		j->answer = p.body;
		j->answer_len = p.len;
		j->type = "text/html; charset=utf-8";
	}
}

/* Jobs queued or being handled, in every pool. Locked. */
static int
pending(const struct slg_workers *w)
{
	int n = 0;

	for (int i = 0; i < SLG_NPOOLS; i++)
		n += w->pool[i].queued + w->pool[i].busy;
	return n;
}

/* Locked. */
static void
enqueue(struct slg_workers *w, struct slg_job *j)
{
	struct slg_pool *p = &w->pool[j->pool];

	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	pthread_cond_signal(&p->work);
}

void
slg_workers_requeue(struct slg_workers *w, struct slg_job *j)
{
	j->woken = 1;
	w->woken++;
	enqueue(w, j);
}

int
slg_workers_submit(struct slg_workers *w, struct slg_job *j)
{
	int rc = SLG_WORKERS_TAKEN;

	pthread_mutex_lock(&w->lock);
	if (w->draining)
		rc = SLG_WORKERS_DRAINING;
	else if (w->pool[j->pool].queued -
	    (j->pool == SLG_POOL_READ ? w->woken : 0) >= w->queue)
		rc = SLG_WORKERS_FULL;
	if (rc == SLG_WORKERS_TAKEN) {
		j->queued = 1;
		/* suspended before a worker can see it, so its resume never
		 * comes first */
		w->suspend(j->conn);
		enqueue(w, j);
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

static void *
worker(void *arg)
{
	struct slg_pool *p = arg;
	struct slg_workers *w = p->owner;
	struct slg_store *st = NULL;
	struct slg_err open_err = { 0 };
	struct slg_job *j;

	for (;;) {
		void *resume = NULL;

		pthread_mutex_lock(&w->lock);
		while (p->head == NULL && !w->stopping)
			pthread_cond_wait(&p->work, &w->lock);
		if (p->head == NULL) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->busy++;
		if (j->woken) {
			j->woken = 0;
			w->woken--;
		}
		j->gen = slg_watcher_gen(w->watcher);
		/* parked again only if this look says so */
		j->park_until = 0;
		pthread_mutex_unlock(&w->lock);

		/* each worker keeps its own handle; a failed open is
		 * retried on the next request */
		if (st == NULL)
			slg_store_open(w->db_path, &st, &open_err);
		work(w, j, st);

		pthread_mutex_lock(&w->lock);
		if (j->park_until > 0 && !w->draining &&
		    slg_watcher_park(w->watcher, j) == 0) {
			p->busy--;
		} else {
			j->done = 1;
			/* j is the I/O thread's once resumed: keep only what
			 * the resume needs */
			resume = j->conn;
			if (j->watch_id && strcmp(j->method, "POST") == 0)
				slg_watcher_started(w->watcher);
		}
		if (resume == NULL)
			pthread_cond_broadcast(&w->idle);
		pthread_mutex_unlock(&w->lock);
		if (resume != NULL) {
			/* busy until resumed, so shutdown does not stop the
			 * daemon under a connection about to be resumed */
			w->resume(resume);
			pthread_mutex_lock(&w->lock);
			p->busy--;
			pthread_cond_broadcast(&w->idle);
			pthread_mutex_unlock(&w->lock);
		}
	}
	slg_store_close(st);
	return NULL;
}

int
slg_workers_start(struct slg_workers *w, int nread, int neval,
    struct slg_err *err)
{
	int terr = 0;

	if ((w->threads = calloc((size_t)(nread + neval),
	    sizeof(*w->threads))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (; w->nthreads < nread + neval; w->nthreads++) {
		struct slg_pool *p = &w->pool[w->nthreads < nread ?
		    SLG_POOL_READ : SLG_POOL_EVAL];

		if ((terr = pthread_create(&w->threads[w->nthreads], NULL,
		    worker, p)) != 0)
			break;
	}
	if (w->nthreads < nread + neval)
		return slg_err_set(err, SLG_EIO, "cannot start threads: %s",
		    strerror(terr ? terr : EAGAIN));
	return 0;
}

void
slg_workers_wait_idle(struct slg_workers *w, int grace)
{
	double deadline = slg_log_now() + grace;
	int n;

	pthread_mutex_lock(&w->lock);
	while ((n = pending(w)) > 0) {
		struct timespec ts;

		/* every request ends (queries have timeouts), so this wait
		 * ends; past the grace it says what it waits for, with the
		 * lock let go while it writes */
		if (slg_log_now() > deadline) {
			pthread_mutex_unlock(&w->lock);
			slg_log_write("slogate: waiting for %d requests", n);
			pthread_mutex_lock(&w->lock);
			deadline = slg_log_now() + grace;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&w->idle, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
}

void
slg_workers_stop(struct slg_workers *w)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	for (int i = 0; i < SLG_NPOOLS; i++)
		pthread_cond_broadcast(&w->pool[i].work);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	w->nthreads = 0;
}
