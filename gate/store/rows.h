/* rows: the store's records read back from a row of any backend, so each
 * backend only says how to read one value. The column lists below are
 * what each reader expects, in order; only store/ includes this. */
#ifndef SLG_STORE_ROWS_H
#define SLG_STORE_ROWS_H

#include <stdint.h>

#include "util/err.h"
#include "core/verdict.h"

/* One row of a result: i64 and real give 0, text NULL, for SQL NULL. */
struct slg_row {
	const void *res;
	int row;
	int (*null)(const struct slg_row *r, int col);
	int64_t (*i64)(const struct slg_row *r, int col);
	double (*real)(const struct slg_row *r, int col);
	const char *(*text)(const struct slg_row *r, int col);
};

#define SLG_VERDICT_COLUMNS "id, service, environment, commit_sha, " \
    "commit_time, commit_author, commit_subject, branch, build_time, " \
    "evaluated_at, window_start, window_end, step, pipeline_id, " \
    "pipeline_url, job_url, ref_name, policy_path, policy_digest, " \
    "prometheus_url, slogate_version, verdict, reason, guard_promql, " \
    "guard_value, guard_min, score, score_max, score_pass, score_warn, " \
    "watch_id, trial, (SELECT count(*) FROM invalidations i WHERE " \
    "i.verdict_id = verdicts.id)"
#define SLG_OBJECTIVE_COLUMNS "verdict_id, name, promql, sustained, " \
    "judged, unit, pass_criteria, warn_criteria, status, value, value_at, " \
    "baseline, baseline_source, points, points_failed, points_warn, " \
    "points_missing, detail, baseline_commits, baseline_detail, weight, key"
#define SLG_APPROVAL_COLUMNS "id, verdict_id, commit_sha, service, " \
    "environment, approved_by, reason, created_at, expires_at, revoked_at, " \
    "revoked_by, revoke_reason, named_by, revoked_named_by"
#define SLG_BASELINE_COLUMNS "id, service, environment, objective, value, " \
    "set_at, set_by, source_commit, source_verdict, note"
#define SLG_WATCH_COLUMNS "id, service, environment, commit_sha, since, " \
    "deadline, created_at, state, errors, settle, progress, " \
    "(SELECT count(*) FROM watch_polls p WHERE p.watch_id = watches.id), " \
    "lease_owner, lease_until, policy, policy_path, policy_digest, trial, " \
    "actor, branch, ref_name, commit_author, commit_subject, commit_time, " \
    "build_time, pipeline_id, pipeline_url, job_url"
#define SLG_POLL_COLUMNS "polled_at, window_end, verdict, summary, reason, " \
    "polled_by"
#define SLG_AUDIT_COLUMNS "id, at, actor, kind, service, environment, " \
    "commit_sha, subject_id, what, why, content_hash, prev_hash, hash"
#define SLG_INVALIDATION_COLUMNS "verdict_id, invalidated_by, reason, " \
    "created_at"

/* A verdict without its objectives and approvals; NULL when out of
 * memory. */
struct slg_verdict *slg_row_verdict(const struct slg_row *r);

/* Appends the objective of r to v (r's verdict_id is the caller's to
 * match). SLG_ENOMEM. */
int slg_row_objective(const struct slg_row *r, struct slg_verdict *v,
    struct slg_err *err);

/* Appends the approval of r to v. SLG_ENOMEM. */
int slg_row_add_approval(const struct slg_row *r, struct slg_verdict *v,
    struct slg_err *err);

/* Sets v's invalidation from r (SLG_INVALIDATION_COLUMNS). */
void slg_row_invalidation(const struct slg_row *r, struct slg_verdict *v);

void slg_row_approval(const struct slg_row *r, struct slg_approval *a);
void slg_row_baseline(const struct slg_row *r, struct slg_stored_baseline *b);
void slg_row_watch(const struct slg_row *r, struct slg_watch *w);
void slg_row_poll(const struct slg_row *r, struct slg_watch_poll *p);
void slg_row_audit(const struct slg_row *r, struct slg_audit_entry *e);

#endif
