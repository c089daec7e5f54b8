/* readiness: the check's thread, and /readyz's answer from its result. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/log.h"
#include "service/readiness.h"
#include "store/store.h"

#define READY_EVERY 2.0
#define READY_STALE 10.0

static void *
check(void *arg)
{
	struct slg_readiness *r = arg;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };

	for (;;) {
		int db, up;
		double t0 = slg_log_now();

		if (st == NULL)
			slg_store_open(r->db_path, &st, &err);
		db = st != NULL && slg_store_ping(st, &err) == 0;
		if (!db) {
			/* opened again next time: the file may come back */
			slg_store_close(st);
			st = NULL;
		}
		up = db && slg_prom_ready(&r->prom, &err) == 0;
		pthread_mutex_lock(&r->lock);
		r->db = db;
		r->up = up;
		r->at = slg_log_now();
		while (!r->stopping && slg_log_now() < t0 + READY_EVERY) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&r->wake, &r->lock, &ts);
		}
		if (r->stopping) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		pthread_mutex_unlock(&r->lock);
	}
	slg_store_close(st);
	return NULL;
}

int
slg_readiness_start(struct slg_readiness *r, const char *db_path,
    const struct slg_prom_conf *prom, struct slg_err *err)
{
	int terr;

	memset(r, 0, sizeof(*r));
	r->db_path = db_path;
	r->prom = *prom;
	r->prom.timeout_ms = 2000;
	r->prom.attempts = 1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if ((terr = pthread_create(&r->thread, NULL, check, r)) != 0) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		return slg_err_set(err, SLG_EIO, "cannot start threads: %s",
		    strerror(terr));
	}
	return 0;
}

void
slg_readiness_wait_first(struct slg_readiness *r, double secs)
{
	double deadline = slg_log_now() + secs;

	pthread_mutex_lock(&r->lock);
	while (r->at == 0 && slg_log_now() < deadline) {
		pthread_mutex_unlock(&r->lock);
		usleep(10000);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
}

int
slg_readiness_answer(struct slg_readiness *r, char **body)
{
	const char *down;
	double age;
	int ok;

	pthread_mutex_lock(&r->lock);
	age = slg_log_now() - r->at;
	down = r->at == 0 ? "the first check has not ended" :
	    age > READY_STALE ? "the check has not ended for 10 s" :
	    !r->db ? "database unavailable" :
	    !r->up ? "prometheus unavailable" : NULL;
	ok = down == NULL;
	if (ok && asprintf(body, "{\"database\": true, \"prometheus\": true}\n")
	    < 0)
		*body = NULL;
	else if (!ok && asprintf(body, "{\"error\": \"not ready\", \"detail\": "
	    "\"%s\", \"database\": %s, \"prometheus\": %s}\n", down,
	    r->db ? "true" : "false", r->up ? "true" : "false") < 0)
		*body = NULL;
	pthread_mutex_unlock(&r->lock);
	return ok ? 200 : 503;
}

void
slg_readiness_stop(struct slg_readiness *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_broadcast(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

void
slg_readiness_release(struct slg_readiness *r)
{
	slg_readiness_stop(r);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
}
