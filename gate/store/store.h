/* store: keeps verdicts, approvals, baselines, watches and the audit trail
 * in a database, one backend per kind (store/sqlite.c, store/postgres.c:
 * every SQL statement).
 * Must not see HTTP or argv, must not print, and shows no backend's types. */
#ifndef SLG_STORE_H
#define SLG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "core/policy.h"
#include "core/verdict.h"

struct slg_store;

/* Opens the database url names: a file path or sqlite:PATH (SQLite,
 * created when missing and its schema brought up to date in one
 * transaction), or postgresql://user@host:port/dbname (libpq's URL and
 * PG* environment variables; its schema must be up to date: see
 * slg_store_migrate). A database whose schema is newer than this binary
 * knows is refused. One handle per thread. Gives SLG_EUSAGE for a URL it
 * cannot take, SLG_ESTORE. */
int slg_store_open(const char *url, struct slg_store **out,
    struct slg_err *err);

/* As slg_store_open, and brings the schema up to date on any backend, in
 * one transaction, one migrating process at a time (`slogate db
 * migrate`). */
int slg_store_migrate(const char *url, struct slg_store **out,
    struct slg_err *err);
void slg_store_close(struct slg_store *st);

/* The database in words for messages: the file's path, or
 * postgresql://user@host:port/dbname (never a password). */
const char *slg_store_label(struct slg_store *st);

/* The schema version this binary writes to st's kind of database, the one
 * the database has, and the one it had when opened (0: it was new). */
int slg_store_schema_latest(struct slg_store *st);
int slg_store_schema_version(struct slg_store *st);
int slg_store_schema_found(struct slg_store *st);

/* Records v and its objectives in one transaction and sets v->id. Nothing
 * is written when it fails. Gives SLG_ESTORE. */
int slg_store_record(struct slg_store *st, struct slg_verdict *v,
    struct slg_err *err);

/* Records n verdicts in one transaction (all or none), for imports and
 * benchmarks; sets each id. */
int slg_store_record_batch(struct slg_store *st, struct slg_verdict **v,
    size_t n, struct slg_err *err);

/* Appends a baseline value; the newest one counts. */
int slg_store_baseline_set(struct slg_store *st, const char *service,
    const char *environment, const char *objective, double value,
    int64_t set_at, const char *set_by, const char *source_commit,
    struct slg_err *err);

/* *found is 0 when no baseline is stored. */
int slg_store_baseline_get(struct slg_store *st, const char *service,
    const char *environment, const char *objective, int *found,
    double *value, struct slg_err *err);

/* Appends n baseline rows in one transaction (all or none); the newest row
 * of an objective counts. */
int slg_store_baseline_add(struct slg_store *st,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err);

/* The current baseline of one objective (*found 0 when none); out is the
 * caller's (slg_stored_baseline_release). */
int slg_store_baseline_current(struct slg_store *st, const char *service,
    const char *environment, const char *objective,
    struct slg_stored_baseline *out, int *found, struct slg_err *err);

/* Baselines of a service and environment (NULL: all): the current one per
 * objective, by service, environment and objective; or with history set
 * every row, newest first. */
int slg_store_baseline_list(struct slg_store *st, const char *service,
    const char *environment, int history, struct slg_stored_baseline **out,
    size_t *n, struct slg_err *err);

/* A measured value of a past verdict, for baselines made of verdicts. */
struct slg_past_value {
	int64_t verdict_id;
	char commit[65];
	double value;
};

/* Values of objective in past verdicts of service and environment whose
 * verdict and whose objective itself pass filter (so not an informational
 * or an outscored one), that were not invalidated and not overridden by an
 * approval, and have a value. With commits NULL: the newest `limit`
 * verdicts. With commits: the newest such verdict of each commit, in the
 * order given, until `limit` are found. *out is the caller's (free). */
int slg_store_past_values(struct slg_store *st, const char *service,
    const char *environment, const char *objective, enum slg_bfilter filter,
    const char *const *commits, size_t ncommits, int limit,
    struct slg_past_value **out, size_t *n, struct slg_err *err);

/* Records an approval of the verdict a->verdict_id; sets a->id. */
int slg_store_approval_add(struct slg_store *st, struct slg_approval *a,
    struct slg_err *err);

/* Marks approval id revoked (it stays in the trail). SLG_ENOTFOUND when
 * there is none, SLG_ECONFLICT when it was revoked already. */
int slg_store_approval_revoke(struct slg_store *st, int64_t id,
    const char *by, const char *named_by, const char *reason, int64_t at,
    struct slg_err *err);

/* One approval by id; out is the caller's (slg_approval_release). */
int slg_store_approval_get(struct slg_store *st, int64_t id,
    struct slg_approval *out, struct slg_err *err);

/* Marks a verdict unusable as a baseline; it is kept. SLG_ENOTFOUND when
 * there is no such verdict, SLG_ECONFLICT when it is invalidated already. */
int slg_store_invalidate(struct slg_store *st, int64_t verdict_id,
    const char *by, const char *reason, int64_t at, struct slg_err *err);

/* The full commit for an abbreviated one, among recorded verdicts.
 * SLG_ENOTFOUND when none matches, SLG_EAMBIGUOUS when several do. */
int slg_store_resolve_commit(struct slg_store *st, const char *prefix,
    char out[65], struct slg_err *err);

struct slg_history_filter {
	const char *service;		/* NULL: any */
	const char *environment;
	const char *commit;		/* full or abbreviated (prefix) */
	const char *branch;
	int64_t since;			/* evaluated at or after; 0: any */
	int64_t before;			/* ids below this (paging); 0: any */
	int counted;			/* 1: no trials */
	int last_written;		/* 1: in the order written, not by id
					 * (a watch's verdict has its start's
					 * id): the latest of a commit */
	int limit;			/* 0: 20 */
};

/* Verdicts matching f, newest first, with their objectives, approvals and
 * whether they were invalidated. *out is an
 * array of *n verdicts; free with slg_store_list_free. */
int slg_store_history(struct slg_store *st, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err);

/* One verdict by id; SLG_ENOTFOUND when there is none. */
int slg_store_get(struct slg_store *st, int64_t id, struct slg_verdict **out,
    struct slg_err *err);

void slg_store_list_free(struct slg_verdict **list, size_t n);

/* The latest verdict of every service and environment, by service, then
 * environment (without objectives). */
int slg_store_latest_per_service(struct slg_store *st,
    struct slg_verdict ***out, size_t *n, struct slg_err *err);

/* Starts a watched evaluation: records w (service, environment, commit,
 * since, deadline, created_at, and what it runs from: the policy inlined,
 * its digest, the subject, trial, actor; owner and lease_until) as running
 * and sets w->id, taken
 * from the sequence verdict ids come from. */
int slg_store_watch_add(struct slg_store *st, struct slg_watch *w,
    struct slg_err *err);

/* Records poll p of running watch w with w's errors, settle and p's
 * summary as its progress, in one transaction; with final, also the
 * watch's verdict (id = w->id) and w done. The poll is w->owner's, who
 * must hold the watch's lease (NULL: a watch nobody leases), and renews it
 * to w->lease_until. SLG_ECONFLICT when w ended already or another holds
 * it (nothing is written), SLG_ESTORE. */
int slg_store_watch_poll(struct slg_store *st, struct slg_watch *w,
    const struct slg_watch_poll *p, struct slg_verdict *final,
    struct slg_err *err);

/* One watch; SLG_ENOTFOUND when there is none. out is the caller's
 * (slg_watch_release). */
int slg_store_watch_get(struct slg_store *st, int64_t id,
    struct slg_watch *out, struct slg_err *err);

/* The watches of commit (full sha), or with commit NULL every running
 * one, oldest first; free with slg_store_watch_list_free. */
int slg_store_watch_list(struct slg_store *st, const char *commit,
    struct slg_watch **out, size_t *n, struct slg_err *err);
void slg_store_watch_list_free(struct slg_watch *w, size_t n);

/* Leases running watches to owner (a service's name) until now + lease:
 * renews all those it holds and takes, up to max, those whose lease ended
 * or that have none (another service holding one right now is skipped).
 * *out is every running watch owner holds, oldest first; only the holder
 * can record a poll (slg_store_watch_poll checks w->owner and sets the
 * lease to w->lease_until). Free with slg_store_watch_list_free. */
int slg_store_watch_claim(struct slg_store *st, const char *owner,
    int64_t now, int64_t lease, size_t max, struct slg_watch **out,
    size_t *n, struct slg_err *err);

/* Ends owner's leases at once (a service stopping), so another service,
 * or this one started again, takes its watches over without waiting. */
int slg_store_watch_release(struct slg_store *st, const char *owner,
    struct slg_err *err);

/* The timeline of watch id, oldest first; *out is the caller's (release
 * each, then free). */
int slg_store_watch_polls(struct slg_store *st, int64_t id,
    struct slg_watch_poll **out, size_t *n, struct slg_err *err);

/* 0 when the database answers a trivial query (readiness). */
int slg_store_ping(struct slg_store *st, struct slg_err *err);

/* ---- moving a history ---- */

struct slg_copy_report {
	size_t ntables;
	char table[12][24];
	int64_t rows[12];
};

/* Copies every verdict, objective, watch and its polls, baseline,
 * approval, invalidation and audit entry of from into to, which must hold
 * none, ids and hashes kept: read in one snapshot, written in one
 * transaction, committed only when every table's count in to equals
 * from's. rep says what was copied. SLG_ECONFLICT when to is not empty. */
int slg_store_copy(struct slg_store *from, struct slg_store *to,
    struct slg_copy_report *rep, struct slg_err *err);

/* ---- the audit trail ---- */

struct slg_audit_filter {
	const char *service;		/* NULL: any */
	const char *environment;
	const char *commit;		/* the full sha */
	const char *kind;		/* evaluation, trial, approval, ... */
	int64_t before;			/* ids below this (paging); 0: any */
	int limit;			/* 0: 50 */
};

/* Entries matching f, newest first; *out is the caller's
 * (slg_store_audit_list_free). Every change the store makes (a verdict,
 * an approval, a revocation, a baseline, an invalidation) adds its entry
 * in the same transaction. */
int slg_store_audit_list(struct slg_store *st, const struct slg_audit_filter *f,
    struct slg_audit_entry **out, size_t *n, struct slg_err *err);
void slg_store_audit_list_free(struct slg_audit_entry *e, size_t n);

/* Walks the trail in one snapshot: each entry's id follows the last, its
 * prev_hash is the last entry's hash, its hash matches its fields, and what
 * it records is there and unchanged; then that no verdict, approval,
 * revocation, baseline or invalidation newer than the trail lacks an
 * entry; with expect_head (a head's hash noted earlier, outside the
 * database), that an entry still has it, so a cut-off end is told too.
 * The result is in *c; the return is for a database that cannot be read
 * (SLG_ESTORE). */
int slg_store_audit_verify(struct slg_store *st, const char *expect_head,
    struct slg_audit_check *c, struct slg_err *err);

#endif
