/* watcher: the parked list under the service's one lock, and the thread
 * that polls running evaluations; the database is read, and the log
 * written, with no lock held. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/verdict.h"
#include "service/log.h"
#include "service/watcher.h"

void
slg_watcher_init(struct slg_watcher *wt, struct slg_workers *w,
    struct slg_conns *conns)
{
	memset(wt, 0, sizeof(*wt));
	wt->w = w;
	wt->conns = conns;
	pthread_cond_init(&wt->wake, NULL);
}

void
slg_watcher_release(struct slg_watcher *wt)
{
	pthread_cond_destroy(&wt->wake);
}

double
slg_watcher_park_until(const struct slg_job *j, int polls)
{
	const char *w = slg_workers_arg((void *)j, "wait");
	const char *k = slg_workers_arg((void *)j, "polls");
	double secs = w ? strtod(w, NULL) : 0;

	/* strtol, not atoi: "4294967296" is no count of polls, not 0 */
	if (!(secs > 0) || (k != NULL && strtol(k, NULL, 10) != polls))
		return 0;
	/* woken by a poll that changed nothing asked for: wait on */
	if (slg_log_now() < j->t0 + (secs < 120 ? secs : 120))
		return j->t0 + (secs < 120 ? secs : 120);
	return 0;
}

unsigned long
slg_watcher_gen(const struct slg_watcher *wt)
{
	return wt->gen;
}

int
slg_watcher_park(struct slg_watcher *wt, struct slg_job *j)
{
	if (wt->nparked >= SLG_WATCHER_MAX_PARKED)
		return -1;
	/* the answer is made again when it is woken */
	free(j->answer);
	j->answer = NULL;
	if (j->gen != wt->gen) {
		/* polled while this one read: look again */
		slg_workers_requeue(wt->w, j);
	} else {
		j->next = wt->parked;
		wt->parked = j;
		wt->nparked++;
	}
	return 0;
}

void
slg_watcher_started(struct slg_watcher *wt)
{
	wt->fresh = 1;
	pthread_cond_signal(&wt->wake);
}

/* Hands parked long-polls back to the workers: those of watch id to look
 * again (they may park again), and for good any whose time is up, or all
 * of them. Locked. */
static void
unpark(struct slg_watcher *wt, int64_t id, int all)
{
	struct slg_job **pp = &wt->parked, *j;
	double now = slg_log_now();

	while ((j = *pp) != NULL) {
		int up = all || j->park_until <= now;

		if (!up && j->watch_id != id) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		j->next = NULL;
		j->park_until = 0;
		j->no_park = up;
		wt->nparked--;
		slg_workers_requeue(wt->w, j);
	}
}

struct due {
	int64_t id;
	int64_t at;
};

/* Long-polls of watches another replica holds: nothing here wakes them,
 * so each goes back to a worker about once a second to read the watch's
 * row again (and parks again when it has not changed). Locked. */
static void
recheck_remote(struct slg_watcher *wt, const struct due *d, size_t n)
{
	struct slg_job **pp = &wt->parked, *j;

	while ((j = *pp) != NULL) {
		size_t k = 0;

		while (k < n && d[k].id != j->watch_id)
			k++;
		if (k < n) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		j->next = NULL;
		j->park_until = 0;
		wt->nparked--;
		slg_workers_requeue(wt->w, j);
	}
}

void
slg_watcher_drain(struct slg_watcher *wt)
{
	pthread_mutex_lock(&wt->w->lock);
	wt->w->draining = 1;
	unpark(wt, 0, 1);
	pthread_cond_broadcast(&wt->wake);
	pthread_mutex_unlock(&wt->w->lock);
}

/* The running watches this service holds a lease on, each with when it
 * is due: the claim renews the leases it holds and takes over those whose
 * holder stopped renewing (or that nobody held). Ones new here are due
 * now, so a restart or a takeover resumes them at once. */
static void
refresh(struct slg_store *st, const struct slg_api_conf *api, struct due **d,
    size_t *n)
{
	struct slg_watch *w = NULL;
	struct slg_err err = { 0 };
	struct due *nd;
	size_t nw = 0;

	if (slg_store_watch_claim(st, api->owner, (int64_t)time(NULL),
	    api->lease, SLG_WATCHER_MAX_CLAIMED, &w, &nw, &err) != 0) {
		slg_log_write("slogate: watcher: %s", err.msg);
		return;
	}
	if ((nd = calloc(nw ? nw : 1, sizeof(*nd))) == NULL) {
		slg_store_watch_list_free(w, nw);
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		nd[i].id = w[i].id;
		/* one given up here (another took it, or it could not be
		 * run) and claimed again is due now: a watch this service
		 * holds is polled, never only renewed */
		for (size_t k = 0; k < *n; k++) {
			if ((*d)[k].id == w[i].id && (*d)[k].at != INT64_MAX)
				nd[i].at = (*d)[k].at;
		}
	}
	slg_store_watch_list_free(w, nw);
	free(*d);
	*d = nd;
	*n = nw;
}

/* How often a service renews its leases: three times a lease. */
static int64_t
renew_every(const struct slg_api_conf *api)
{
	return api->lease >= 3 ? api->lease / 3 : 1;
}

/* Renews this service's leases without taking any more. */
static void
renew(struct slg_store *st, const struct slg_api_conf *api)
{
	struct slg_watch *w = NULL;
	struct slg_err err = { 0 };
	size_t nw = 0;

	if (slg_store_watch_claim(st, api->owner, (int64_t)time(NULL),
	    api->lease, 0, &w, &nw, &err) != 0)
		slg_log_write("slogate: watcher: %s", err.msg);
	slg_store_watch_list_free(w, nw);
}

static void *
watch(void *arg)
{
	struct slg_watcher *wt = arg;
	struct slg_workers *w = wt->w;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	struct due *d = NULL;
	size_t n = 0;
	int64_t next_refresh = 0, next_recheck = 0;

	for (;;) {
		int64_t now = (int64_t)time(NULL), soonest = now + 1;
		struct timespec ts;

		pthread_mutex_lock(&w->lock);
		if (w->draining) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		unpark(wt, 0, 0);	/* long-polls whose time is up */
		if (wt->fresh)
			next_refresh = 0;
		wt->fresh = 0;
		pthread_mutex_unlock(&w->lock);
		/* under the connections' own lock; it logs after */
		slg_conns_sweep(wt->conns);

		if (st == NULL && slg_store_open(w->db_path, &st, &err) != 0)
			slg_log_write("slogate: watcher: %s", err.msg);
		/* new ones come from POSTs here (fresh) and, at start,
		 * from before a restart; the leases are renewed three
		 * times a lease, so a slow poll does not lose one */
		if (st != NULL && now >= next_refresh) {
			refresh(st, w->api, &d, &n);
			next_refresh = now + renew_every(w->api);
		}
		for (size_t i = 0; st != NULL && i < n; i++) {
			int64_t next;
			int verdict;
			double t0 = slg_log_now();

			if (d[i].at > now)
				continue;
			now = (int64_t)time(NULL);	/* polls take time */
			/* many polls in a row, or slow ones: the leases of
			 * those waiting their turn are renewed meanwhile */
			if (now >= next_refresh) {
				renew(st, w->api);
				next_refresh = now + renew_every(w->api);
			}
			if (slg_api_watch_poll(w->api, st, d[i].id, now,
			    &next, &verdict, &err) != 0) {
				/* retried next second (the database may be back),
				 * unless it cannot be run here at all */
				slg_log_write("slogate: evaluation %lld: %s",
				    (long long)d[i].id, err.msg);
				next = now + 1;
				if (err.code == SLG_ENOTFOUND ||
				    err.code == SLG_ECONFLICT ||
				    err.code == SLG_EPARSE)
					next = 0;
			}
			if (verdict >= 0) {
				slg_metrics_count_evaluation(w->metrics, verdict,
				    slg_log_now() - t0, 0);
				slg_log_write("slogate: evaluation %lld ended: "
				    "%s", (long long)d[i].id,
				    slg_verdict_str((enum slg_verdict_kind)verdict));
			}
			d[i].at = next ? next : INT64_MAX;
			pthread_mutex_lock(&w->lock);
			wt->gen++;
			unpark(wt, d[i].id, 0);
			pthread_mutex_unlock(&w->lock);
		}
		for (size_t i = 0; i < n; i++) {
			if (d[i].at < soonest)
				soonest = d[i].at;
		}
		pthread_mutex_lock(&w->lock);
		if ((int64_t)time(NULL) >= next_recheck) {
			recheck_remote(wt, d, n);
			next_recheck = (int64_t)time(NULL) + 1;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		/* at least every second, for parked long-polls' timeouts */
		ts.tv_sec += soonest > now ? 1 : 0;
		ts.tv_nsec = 0;
		if (!w->draining && !wt->fresh)
			pthread_cond_timedwait(&wt->wake, &w->lock, &ts);
		pthread_mutex_unlock(&w->lock);
	}
	free(d);
	/* stopping: whoever starts next takes these over at once */
	if (st != NULL && slg_store_watch_release(st, w->api->owner, &err) != 0)
		slg_log_write("slogate: watcher: %s", err.msg);
	slg_store_close(st);
	return NULL;
}

int
slg_watcher_start(struct slg_watcher *wt, struct slg_err *err)
{
	int terr;

	if ((terr = pthread_create(&wt->thread, NULL, watch, wt)) != 0)
		return slg_err_set(err, SLG_EIO, "cannot start threads: %s",
		    strerror(terr));
	wt->running = 1;
	return 0;
}

void
slg_watcher_stop(struct slg_watcher *wt)
{
	pthread_mutex_lock(&wt->w->lock);
	wt->w->draining = 1;
	pthread_cond_broadcast(&wt->wake);
	pthread_mutex_unlock(&wt->w->lock);
	if (wt->running)
		pthread_join(wt->thread, NULL);
	wt->running = 0;
}
