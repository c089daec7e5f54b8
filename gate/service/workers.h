/* workers: the request queue and the bounded pools of workers that answer
 * requests from the database and Prometheus, each worker with its own
 * database handle. Must not call libmicrohttpd itself (the server's
 * callbacks suspend and resume), nor resume a connection with a lock held. */
#ifndef SLG_WORKERS_H
#define SLG_WORKERS_H

#include <pthread.h>
#include <stdint.h>

#include "service/api.h"
#include "service/auth.h"
#include "service/metrics.h"
#include "util/buf.h"
#include "util/err.h"

#define SLG_WORKERS_MAX_ARGS 16

/* Evaluations wait on Prometheus, so they have workers of their own: a
 * hung Prometheus holds at most those, and reads go on. */
enum slg_pool_kind { SLG_POOL_READ, SLG_POOL_EVAL, SLG_NPOOLS };

/* One request, from its first byte to its log line. */
struct slg_job {
	void *conn;			/* the server's connection; opaque here */
	char method[8];
	char path[1024];
	char *arg_name[SLG_WORKERS_MAX_ARGS];
	char *arg_value[SLG_WORKERS_MAX_ARGS];
	int nargs;
	int oom;			/* an argument could not be copied */
	struct slg_buf body;
	int too_big;
	int queued;			/* handed to a worker */
	int done;			/* the worker answered */
	int status;
	char *answer;
	size_t answer_len;
	const char *type;
	const char *allow;
	char location[96];
	int verdict;
	int query_errors;
	double t0;
	/* long-poll of a running evaluation (GET ...?wait=N) */
	int64_t watch_id;		/* answered or started one */
	double park_until;		/* parked until a poll or this time */
	int no_park;			/* answer now: woken or timed out */
	unsigned long gen;		/* the watcher's gen when a worker took it */
	int woken;			/* queued again from the parked list */
	int page;			/* an HTML page: a browser may log in */
	int pool;			/* enum slg_pool_kind */
	struct slg_caller who;		/* the token's; name NULL: anonymous */
	struct slg_job *next;
};

struct slg_workers;

struct slg_pool {
	struct slg_workers *owner;
	struct slg_job *head, *tail;
	int queued, busy;
	pthread_cond_t work;		/* a job was queued, or stopping */
};

struct slg_watcher;

struct slg_workers {
	const char *db_path;
	const struct slg_api_conf *api;
	struct slg_metrics *metrics;
	struct slg_watcher *watcher;	/* parks long-polls */
	void (*suspend)(void *conn);	/* called locked, before enqueueing */
	void (*resume)(void *conn);	/* called with no lock held */
	int queue;			/* requests waiting for a worker */
	/* the service's one lock: everything below, and the watcher's
	 * parked long-polls; never held across file I/O or a resume */
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* a job finished */
	struct slg_pool pool[SLG_NPOOLS];
	int stopping, draining;
	int woken;			/* queued again from the parked list */
	pthread_t *threads;
	int nthreads;
};

/* What slg_workers_submit did with a job. */
enum { SLG_WORKERS_TAKEN, SLG_WORKERS_FULL, SLG_WORKERS_DRAINING };

/* Everything given is the caller's and outlives w; no thread runs yet. */
void slg_workers_init(struct slg_workers *w, const char *db_path,
    const struct slg_api_conf *api, struct slg_metrics *metrics,
    struct slg_watcher *watcher, int queue, void (*suspend)(void *conn),
    void (*resume)(void *conn));

/* Starts nread workers for reads and neval for evaluations. SLG_ENOMEM or
 * SLG_EIO when not all start; those that did are stopped by
 * slg_workers_stop. */
int slg_workers_start(struct slg_workers *w, int nread, int neval,
    struct slg_err *err);

/* Hands j (its pool set) to the workers, suspending its connection, or
 * gives why not: SLG_WORKERS_FULL when its pool's queue is full (long-polls
 * woken from the parked list were admitted already and do not count),
 * SLG_WORKERS_DRAINING when shutting down. */
int slg_workers_submit(struct slg_workers *w, struct slg_job *j);

/* Queues j again after it was parked (it was admitted already). Locked. */
void slg_workers_requeue(struct slg_workers *w, struct slg_job *j);

/* Waits until no job is queued or being handled; every grace seconds past
 * that, it logs how many it waits for. */
void slg_workers_wait_idle(struct slg_workers *w, int grace);

/* Stops the workers once their queues are empty and waits for them. */
void slg_workers_stop(struct slg_workers *w);
void slg_workers_release(struct slg_workers *w);

/* The query argument name of a job (cls), or NULL. */
const char *slg_workers_arg(void *cls, const char *name);

#endif
