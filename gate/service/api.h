/* api: the JSON API under /api/v1: a request (method, path, arguments,
 * body) in, a status and a JSON answer out, on the engine and the store.
 * It decides what the caller's roles allow, once it knows the service a
 * request is for. Must not know the HTTP library, authenticate (the server
 * finds who a token is), or print. */
#ifndef SLG_API_H
#define SLG_API_H

#include <stddef.h>
#include <stdint.h>

#include "service/auth.h"
#include "io/prom.h"
#include "store/store.h"

struct slg_api_conf {
	const char *policies_dir;	/* policies by name; NULL: inline only */
	const char *queries_dir;	/* NULL: looked for as check does */
	const char *datadir;
	const char *repo;		/* for ancestor baselines; NULL: none */
	struct slg_prom_conf prom;
	const char *version;
	int forbid_self_approval;	/* approver = the commit's author: 403 */
	int64_t max_window_age;		/* seconds a window may have ended
					 * before the request; older is an
					 * admin's trial */
	const char *owner;		/* this service among replicas: the
					 * name its leases are held in */
	int64_t lease;			/* seconds a lease on a running
					 * evaluation lasts unrenewed */
};

struct slg_api_req {
	const char *method;
	const char *path;		/* decoded, without the query string */
	/* a query-string argument, or NULL */
	const char *(*arg)(void *cls, const char *name);
	void *arg_cls;
	const char *body;
	size_t len;
	struct slg_store *store;	/* this thread's */
	int64_t now;
	const struct slg_caller *who;	/* NULL: anonymous (reads only) */
};

struct slg_api_resp {
	int status;
	char *body;			/* JSON; the caller frees */
	size_t len;
	const char *allow;		/* methods, for a 405 */
	char location[96];		/* for a 201, or "" */
	int verdict;			/* of an evaluation, else -1 */
	int query_errors;		/* objectives whose query failed */
	int64_t watch_id;		/* a watch started or still running */
	int watch_polls;		/* its polls so far (GET) */
};

/* 1 when path is under /api/v1. */
int slg_api_owns(const char *path);

/* Handles one request; always fills resp (errors are JSON
 * {"error", "detail"} with the status that fits). */
void slg_api_handle(const struct slg_api_conf *conf,
    const struct slg_api_req *req, struct slg_api_resp *resp);

/* Polls running watch id once at now with this thread's store (the
 * service's watcher). *next is when to poll it next, 0 once it ended
 * (then *verdict is its verdict, else -1). Gives SLG_ENOTFOUND, the
 * engine's errors, SLG_EPARSE for a request that no longer reads. */
int slg_api_watch_poll(const struct slg_api_conf *conf, struct slg_store *st,
    int64_t id, int64_t now, int64_t *next, int *verdict,
    struct slg_err *err);

#endif
