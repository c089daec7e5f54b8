/* backend: what a database backend of the store provides, one function
 * per operation of store.h that needs SQL. Only store/ includes it. */
#ifndef SLG_STORE_BACKEND_H
#define SLG_STORE_BACKEND_H

#include "store/copy.h"
#include "store/store.h"

struct slg_store_ops {
	const char *name;
	void (*close)(struct slg_store *);
	int (*schema_latest)(void);
	const char *(*label)(struct slg_store *);
	int (*schema_version)(struct slg_store *);
	int (*schema_found)(struct slg_store *);
	int (*record_batch)(struct slg_store *, struct slg_verdict **v,
	    size_t n, struct slg_err *err);
	int (*baseline_add)(struct slg_store *,
	    const struct slg_stored_baseline *rows, size_t n,
	    struct slg_err *err);
	int (*baseline_current)(struct slg_store *, const char *service,
	    const char *environment, const char *objective,
	    struct slg_stored_baseline *out, int *found, struct slg_err *err);
	int (*baseline_list)(struct slg_store *, const char *service,
	    const char *environment, int history,
	    struct slg_stored_baseline **out, size_t *n, struct slg_err *err);
	int (*past_values)(struct slg_store *, const char *service,
	    const char *environment, const char *objective,
	    enum slg_bfilter filter, const char *const *commits,
	    size_t ncommits, int limit, struct slg_past_value **out, size_t *n,
	    struct slg_err *err);
	int (*approval_add)(struct slg_store *, struct slg_approval *a,
	    struct slg_err *err);
	int (*approval_revoke)(struct slg_store *, int64_t id, const char *by,
	    const char *named_by, const char *reason, int64_t at,
	    struct slg_err *err);
	int (*approval_get)(struct slg_store *, int64_t id,
	    struct slg_approval *out, struct slg_err *err);
	int (*invalidate)(struct slg_store *, int64_t verdict_id,
	    const char *by, const char *reason, int64_t at,
	    struct slg_err *err);
	int (*resolve_commit)(struct slg_store *, const char *prefix,
	    char out[65], struct slg_err *err);
	int (*history)(struct slg_store *, const struct slg_history_filter *f,
	    struct slg_verdict ***out, size_t *n, struct slg_err *err);
	int (*get)(struct slg_store *, int64_t id, struct slg_verdict **out,
	    struct slg_err *err);
	int (*latest_per_service)(struct slg_store *,
	    struct slg_verdict ***out, size_t *n, struct slg_err *err);
	int (*watch_add)(struct slg_store *, struct slg_watch *w,
	    struct slg_err *err);
	int (*watch_poll)(struct slg_store *, struct slg_watch *w,
	    const struct slg_watch_poll *p, struct slg_verdict *final,
	    struct slg_err *err);
	int (*watch_get)(struct slg_store *, int64_t id, struct slg_watch *out,
	    struct slg_err *err);
	int (*watch_list)(struct slg_store *, const char *commit,
	    struct slg_watch **out, size_t *n, struct slg_err *err);
	int (*watch_claim)(struct slg_store *, const char *owner, int64_t now,
	    int64_t lease, size_t max, struct slg_watch **out, size_t *n,
	    struct slg_err *err);
	int (*watch_release)(struct slg_store *, const char *owner,
	    struct slg_err *err);
	int (*watch_polls)(struct slg_store *, int64_t id,
	    struct slg_watch_poll **out, size_t *n, struct slg_err *err);
	int (*ping)(struct slg_store *, struct slg_err *err);
	int (*audit_list)(struct slg_store *, const struct slg_audit_filter *f,
	    struct slg_audit_entry **out, size_t *n, struct slg_err *err);
	int (*audit_verify)(struct slg_store *, const char *expect_head,
	    struct slg_audit_check *c, struct slg_err *err);
	/* db copy: a read snapshot (writing 0) or the one writing
	 * transaction (1), ended by copy_end (ok 0: rolled back) */
	int (*copy_begin)(struct slg_store *, int writing, struct slg_err *err);
	int (*copy_read)(struct slg_store *, const struct slg_copy_table *t,
	    slg_copy_row_fn row, void *ctx, struct slg_err *err);
	int (*copy_write)(struct slg_store *, const struct slg_copy_table *t,
	    const struct slg_copy_value *v, int n, struct slg_err *err);
	int (*copy_count)(struct slg_store *, const char *table, int64_t *n,
	    struct slg_err *err);
	int (*copy_end)(struct slg_store *, int writing, int ok,
	    struct slg_err *err);
};

/* Each backend's handle starts with this, so the interface can dispatch. */
struct slg_store {
	const struct slg_store_ops *ops;
};

/* Opens the SQLite file at path (store.h's slg_store_open): a file is
 * migrated whenever it is opened. */
int slg_sqlite_open(const char *path, struct slg_store **out,
    struct slg_err *err);
int slg_sqlite_schema_latest(void);

/* Opens the PostgreSQL database of a libpq connection URL; migrating: as
 * slg_store_migrate, otherwise an out-of-date schema is refused. */
int slg_pg_open(const char *url, int migrating, struct slg_store **out,
    struct slg_err *err);
int slg_pg_schema_latest(void);

#endif
