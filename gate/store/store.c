/* store: the interface every command and the service use; it picks the
 * backend from the database's URL and passes each call to it. Holds no SQL:
 * that is in each backend (sqlite.c, postgres.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/store.h"

/* The SQLite file a database URL names: a plain path or sqlite:PATH. Any
 * other scheme is refused here rather than made a file of that name. The
 * URL is not echoed: a postgresql:// one may hold a password. */
static int
sqlite_path(const char *url, const char **path, struct slg_err *err)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	*path = NULL;
	/* a mistyped postgresql:// URL is no file name, and is not echoed */
	if (strncasecmp(url, "postgres", 8) == 0)
		return slg_err_set(err, SLG_EUSAGE, "database URL starting with "
		    "'postgres' is not postgresql://USER@HOST:PORT/DBNAME (not "
		    "shown: it may hold a password)");
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	else if (colon != NULL && strncmp(colon, "://", 3) == 0 &&
	    (slash == NULL || slash > colon))
		return slg_err_set(err, SLG_EUSAGE, "database '%.*s://...': "
		    "unknown kind of database (a file path, sqlite:PATH or "
		    "postgresql://...)",
		    (int)(colon - url < 32 ? colon - url : 32), url);
	if (*url == '\0')
		return slg_err_set(err, SLG_EUSAGE, "empty database path");
	/* SQLite's own names: a database in memory keeps nothing, and a file:
	 * URI's parameters can turn off locking or read an old snapshot */
	if (strcmp(url, ":memory:") == 0 || strncmp(url, "file:", 5) == 0)
		return slg_err_set(err, SLG_EUSAGE, "database '%.40s': SQLite "
		    "URIs and :memory: are refused, as they can lose or hide "
		    "what is recorded (for a file of that name: ./%.40s)", url,
		    url);
	*path = url;
	return 0;
}


static int
is_postgres(const char *url)
{
	return strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0;
}

static int
open_url(const char *url, int migrating, struct slg_store **out,
    struct slg_err *err)
{
	const char *path;
	int rc;

	*out = NULL;
	if (is_postgres(url))
		return slg_pg_open(url, migrating, out, err);
	if ((rc = sqlite_path(url, &path, err)) != 0)
		return rc;
	return slg_sqlite_open(path, out, err);
}

int
slg_store_open(const char *url, struct slg_store **out, struct slg_err *err)
{
	return open_url(url, 0, out, err);
}

int
slg_store_migrate(const char *url, struct slg_store **out,
    struct slg_err *err)
{
	return open_url(url, 1, out, err);
}

const char *
slg_store_label(struct slg_store *st)
{
	return st->ops->label(st);
}

int
slg_store_schema_latest(struct slg_store *st)
{
	return st->ops->schema_latest();
}

void
slg_store_close(struct slg_store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

int
slg_store_schema_version(struct slg_store *st)
{
	return st->ops->schema_version(st);
}

int
slg_store_schema_found(struct slg_store *st)
{
	return st->ops->schema_found(st);
}

int
slg_store_record_batch(struct slg_store *st, struct slg_verdict **v,
    size_t n, struct slg_err *err)
{
	return st->ops->record_batch(st, v, n, err);
}

int
slg_store_baseline_add(struct slg_store *st,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err)
{
	return st->ops->baseline_add(st, rows, n, err);
}

int
slg_store_baseline_current(struct slg_store *st, const char *service,
    const char *environment, const char *objective,
    struct slg_stored_baseline *out, int *found, struct slg_err *err)
{
	return st->ops->baseline_current(st, service, environment, objective,
	    out, found, err);
}

int
slg_store_baseline_list(struct slg_store *st, const char *service,
    const char *environment, int history, struct slg_stored_baseline **out,
    size_t *n, struct slg_err *err)
{
	return st->ops->baseline_list(st, service, environment, history, out,
	    n, err);
}

int
slg_store_past_values(struct slg_store *st, const char *service,
    const char *environment, const char *objective, enum slg_bfilter filter,
    const char *const *commits, size_t ncommits, int limit,
    struct slg_past_value **out, size_t *n, struct slg_err *err)
{
	return st->ops->past_values(st, service, environment, objective,
	    filter, commits, ncommits, limit, out, n, err);
}

int
slg_store_approval_add(struct slg_store *st, struct slg_approval *a,
    struct slg_err *err)
{
	return st->ops->approval_add(st, a, err);
}

int
slg_store_approval_revoke(struct slg_store *st, int64_t id,
    const char *by, const char *named_by, const char *reason, int64_t at,
    struct slg_err *err)
{
	return st->ops->approval_revoke(st, id, by, named_by, reason, at, err);
}

int
slg_store_approval_get(struct slg_store *st, int64_t id,
    struct slg_approval *out, struct slg_err *err)
{
	return st->ops->approval_get(st, id, out, err);
}

int
slg_store_invalidate(struct slg_store *st, int64_t verdict_id,
    const char *by, const char *reason, int64_t at, struct slg_err *err)
{
	return st->ops->invalidate(st, verdict_id, by, reason, at, err);
}

int
slg_store_resolve_commit(struct slg_store *st, const char *prefix,
    char out[65], struct slg_err *err)
{
	return st->ops->resolve_commit(st, prefix, out, err);
}

int
slg_store_history(struct slg_store *st, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	return st->ops->history(st, f, out, n, err);
}

int
slg_store_get(struct slg_store *st, int64_t id, struct slg_verdict **out,
    struct slg_err *err)
{
	return st->ops->get(st, id, out, err);
}

int
slg_store_latest_per_service(struct slg_store *st,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	return st->ops->latest_per_service(st, out, n, err);
}

int
slg_store_watch_add(struct slg_store *st, struct slg_watch *w,
    struct slg_err *err)
{
	return st->ops->watch_add(st, w, err);
}

int
slg_store_watch_poll(struct slg_store *st, struct slg_watch *w,
    const struct slg_watch_poll *p, struct slg_verdict *final,
    struct slg_err *err)
{
	return st->ops->watch_poll(st, w, p, final, err);
}

int
slg_store_watch_get(struct slg_store *st, int64_t id,
    struct slg_watch *out, struct slg_err *err)
{
	return st->ops->watch_get(st, id, out, err);
}

int
slg_store_watch_list(struct slg_store *st, const char *commit,
    struct slg_watch **out, size_t *n, struct slg_err *err)
{
	return st->ops->watch_list(st, commit, out, n, err);
}

int
slg_store_watch_claim(struct slg_store *st, const char *owner, int64_t now,
    int64_t lease, size_t max, struct slg_watch **out, size_t *n,
    struct slg_err *err)
{
	return st->ops->watch_claim(st, owner, now, lease, max, out, n, err);
}

int
slg_store_watch_release(struct slg_store *st, const char *owner,
    struct slg_err *err)
{
	return st->ops->watch_release(st, owner, err);
}

int
slg_store_watch_polls(struct slg_store *st, int64_t id,
    struct slg_watch_poll **out, size_t *n, struct slg_err *err)
{
	return st->ops->watch_polls(st, id, out, n, err);
}

int
slg_store_ping(struct slg_store *st, struct slg_err *err)
{
	return st->ops->ping(st, err);
}

int
slg_store_audit_list(struct slg_store *st, const struct slg_audit_filter *f,
    struct slg_audit_entry **out, size_t *n, struct slg_err *err)
{
	return st->ops->audit_list(st, f, out, n, err);
}

int
slg_store_audit_verify(struct slg_store *st, const char *expect_head,
    struct slg_audit_check *c, struct slg_err *err)
{
	return st->ops->audit_verify(st, expect_head, c, err);
}

/* ---- made of the operations above, the same for every backend ---- */

int
slg_store_record(struct slg_store *st, struct slg_verdict *v,
    struct slg_err *err)
{
	return slg_store_record_batch(st, &v, 1, err);
}

int
slg_store_baseline_set(struct slg_store *st, const char *service,
    const char *environment, const char *objective, double value,
    int64_t set_at, const char *set_by, const char *source_commit,
    struct slg_err *err)
{
	struct slg_stored_baseline b = { 0, (char *)service, (char *)environment,
	    (char *)objective, value, set_at, (char *)set_by,
	    (char *)source_commit, 0, NULL };

	return slg_store_baseline_add(st, &b, 1, err);
}

int
slg_store_baseline_get(struct slg_store *st, const char *service,
    const char *environment, const char *objective, int *found,
    double *value, struct slg_err *err)
{
	struct slg_stored_baseline b;
	int rc = slg_store_baseline_current(st, service, environment, objective,
	    &b, found, err);

	*value = *found ? b.value : NAN;
	slg_stored_baseline_release(&b);
	return rc;
}

void
slg_store_list_free(struct slg_verdict **list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		slg_verdict_free(list[i]);
	free(list);
}

void
slg_store_watch_list_free(struct slg_watch *w, size_t n)
{
	for (size_t i = 0; w != NULL && i < n; i++)
		slg_watch_release(&w[i]);
	free(w);
}

void
slg_store_audit_list_free(struct slg_audit_entry *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++)
		slg_audit_entry_release(&e[i]);
	free(e);
}
