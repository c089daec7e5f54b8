/* store: keeps verdicts and baselines in SQLite and applies the schema/
 * migrations. Every SQL statement of slogate lives here. Must not see HTTP
 * or argv, and must not print. */
#ifndef SLG_STORE_H
#define SLG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "verdict.h"

struct slg_store;

/* Opens (creating when missing) the database at path and brings its schema
 * up to date in one transaction. A database whose schema is newer than this
 * binary knows is refused. One handle per thread. Gives SLG_ESTORE. */
int slg_store_open(const char *path, struct slg_store **out,
    struct slg_err *err);
void slg_store_close(struct slg_store *st);

/* The schema version this binary writes, and the one the database has. */
int slg_store_schema_latest(void);
int slg_store_schema_version(struct slg_store *st);

/* Records v and its objectives in one transaction and sets v->id. Nothing
 * is written when it fails. Gives SLG_ESTORE. */
int slg_store_record(struct slg_store *st, struct slg_verdict *v,
    struct slg_err *err);

/* Appends a baseline value; the newest one counts. */
int slg_store_baseline_set(struct slg_store *st, const char *service,
    const char *environment, const char *objective, double value,
    int64_t set_at, const char *set_by, const char *source_commit,
    struct slg_err *err);

/* *found is 0 when no baseline is stored. */
int slg_store_baseline_get(struct slg_store *st, const char *service,
    const char *environment, const char *objective, int *found,
    double *value, struct slg_err *err);

struct slg_history_filter {
	const char *service;		/* NULL: any */
	const char *environment;
	const char *commit;		/* full or abbreviated (prefix) */
	int limit;			/* 0: 20 */
};

/* Verdicts matching f, newest first, with their objectives. *out is an
 * array of *n verdicts; free with slg_store_list_free. */
int slg_store_history(struct slg_store *st, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err);

/* One verdict by id; SLG_ENOTFOUND when there is none. */
int slg_store_get(struct slg_store *st, int64_t id, struct slg_verdict **out,
    struct slg_err *err);

void slg_store_list_free(struct slg_verdict **list, size_t n);

#endif
