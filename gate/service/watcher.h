/* watcher: long-polls of running evaluations (GET ...?wait=N) parked,
 * holding no worker, and the thread that polls running evaluations (check
 * --since --wait), wakes their long-polls and sweeps idle connections.
 * Must not answer a request itself, or resume a connection. */
#ifndef SLG_WATCHER_H
#define SLG_WATCHER_H

#include <pthread.h>

#include "service/conns.h"
#include "service/workers.h"
#include "util/err.h"

#define SLG_WATCHER_MAX_PARKED 512	/* parked at once; more answer now */
#define SLG_WATCHER_MAX_CLAIMED 1000	/* running evaluations one service polls */

struct slg_watcher {
	struct slg_workers *w;		/* its lock guards everything below */
	struct slg_conns *conns;	/* swept every second */
	pthread_t thread;
	int running;
	struct slg_job *parked;
	int nparked;
	unsigned long gen;		/* bumped by every poll of a watch */
	pthread_cond_t wake;		/* a watch was started, or stopping */
	int fresh;			/* a watch was started */
};

/* w and conns are the caller's and outlive wt. */
void slg_watcher_init(struct slg_watcher *wt, struct slg_workers *w,
    struct slg_conns *conns);
void slg_watcher_release(struct slg_watcher *wt);

/* Starts the thread; SLG_EIO when it cannot. */
int slg_watcher_start(struct slg_watcher *wt, struct slg_err *err);

/* Shuts down: no more parking, every parked long-poll answers with the
 * state now (running evaluations stay running in the database and resume
 * at the next start), and the thread is told to end. */
void slg_watcher_drain(struct slg_watcher *wt);

/* Tells the thread to end, and waits for it. */
void slg_watcher_stop(struct slg_watcher *wt);

/* A GET of a running evaluation with ?wait=N (seconds, at most 120) is
 * parked until the evaluation is polled again or N passes; with &polls=K
 * only while it has had K polls, so a client that has seen the latest
 * poll waits for the next. Gives until when j is to be parked, or 0. */
double slg_watcher_park_until(const struct slg_job *j, int polls);

/* The count of polls so far, for a worker to note when it takes a job.
 * Locked. */
unsigned long slg_watcher_gen(const struct slg_watcher *wt);

/* Parks j, whose answer is freed to be made again when it is woken, or
 * queues it again at once when a poll came since a worker took it. -1
 * when too many are parked (j is then answered now). Locked. */
int slg_watcher_park(struct slg_watcher *wt, struct slg_job *j);

/* A POST started a watch: look at the database now. Locked. */
void slg_watcher_started(struct slg_watcher *wt);

#endif
