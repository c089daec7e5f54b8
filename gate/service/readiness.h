/* readiness: a thread that checks every 2 s that the database answers a
 * ping and Prometheus says it is ready (2 s allowed), so /readyz is
 * answered from the last check and a hung Prometheus makes it 503 rather
 * than holding a worker. Must not know HTTP beyond a status and a body. */
#ifndef SLG_READINESS_H
#define SLG_READINESS_H

#include <pthread.h>

#include "io/prom.h"
#include "util/err.h"

struct slg_readiness {
	const char *db_path;
	struct slg_prom_conf prom;	/* a copy: 2 s, one attempt */
	pthread_t thread;
	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t wake;		/* stopping */
	int stopping;
	int db, up;			/* the last check */
	double at;			/* when it ended; 0: none yet */
};

/* Starts the thread; db_path is the caller's and outlives r. SLG_EIO
 * when no thread can be started. */
int slg_readiness_start(struct slg_readiness *r, const char *db_path,
    const struct slg_prom_conf *prom, struct slg_err *err);

/* Waits until the first check ends, or secs pass. */
void slg_readiness_wait_first(struct slg_readiness *r, double secs);

/* /readyz's status (200 or 503) and JSON body (the caller's: free), from
 * the last check; NULL body when out of memory. */
int slg_readiness_answer(struct slg_readiness *r, char **body);

/* Tells the thread to end after the check it is in (at shutdown, so a
 * long drain's /readyz goes stale as it always has). */
void slg_readiness_stop(struct slg_readiness *r);

/* Stops the thread if it was not, waits for it, and frees r's contents. */
void slg_readiness_release(struct slg_readiness *r);

#endif
