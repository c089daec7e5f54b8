/* same: whether a verdict read back from its JSON (report_json, then
 * jsonin) is the verdict that was written, for the harnesses that write
 * one. What the JSON does not carry is left out: an objective's weight
 * (written as 1 unless above 0), detail (NULL is written as ""), baseline
 * commits (written split at commas) and, for one that is not sustained,
 * its point counts. */
#ifndef SLG_FUZZ_SAME_H
#define SLG_FUZZ_SAME_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/verdict.h"

static inline int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Equal, or both NaN. */
static inline int
same_num(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* NULL when b is a as written, else the first member that differs. */
static inline const char *
same_verdict(const struct slg_verdict *a, const struct slg_verdict *b)
{
#define SAME(cond, what) do { if (!(cond)) return what; } while (0)
	SAME(a->verdict == b->verdict, "verdict");
	SAME(a->id == b->id, "id");
	SAME((a->watch_id != 0) == (b->watch_id != 0), "watched");
	SAME(same_str(a->reason ? a->reason : "", b->reason), "reason");
	SAME(same_str(a->service, b->service), "service");
	SAME(same_str(a->environment, b->environment), "environment");
	SAME(same_str(a->commit, b->commit), "commit");
	SAME(a->commit_time == b->commit_time, "commit_time");
	SAME(same_str(a->commit_author, b->commit_author), "commit_author");
	SAME(same_str(a->commit_subject, b->commit_subject), "commit_subject");
	SAME(same_str(a->branch, b->branch), "branch");
	SAME(a->build_time == b->build_time, "build_time");
	SAME(a->evaluated_at == b->evaluated_at, "evaluated_at");
	SAME(a->window_start == b->window_start, "window.start");
	SAME(a->window_end == b->window_end, "window.end");
	SAME(a->step == b->step, "window.step_seconds");
	SAME(same_str(a->pipeline_id, b->pipeline_id), "ci.pipeline_id");
	SAME(same_str(a->pipeline_url, b->pipeline_url), "ci.pipeline_url");
	SAME(same_str(a->job_url, b->job_url), "ci.job_url");
	SAME(same_str(a->ref_name, b->ref_name), "ci.ref_name");
	SAME(same_str(a->policy_path, b->policy_path), "policy.path");
	SAME(same_str(a->policy_digest, b->policy_digest), "policy.digest");
	SAME(same_str(a->prometheus_url, b->prometheus_url), "prometheus_url");
	SAME(same_str(a->version, b->version), "slogate_version");
	SAME(a->has_guard == b->has_guard, "guard");
	SAME(!a->has_guard || (same_num(a->guard_value, b->guard_value) &&
	    same_num(a->guard_min, b->guard_min) &&
	    same_str(a->guard_promql, b->guard_promql)), "guard");
	SAME(a->has_score == b->has_score, "score");
	SAME(!a->has_score || (same_num(a->score, b->score) &&
	    same_num(a->score_max, b->score_max) &&
	    same_num(a->score_pass, b->score_pass) &&
	    same_num(a->score_warn, b->score_warn)), "score");
	SAME(a->nobj == b->nobj, "objectives");
	for (size_t i = 0; i < a->nobj; i++) {
		const struct slg_objective_result *x = &a->obj[i];
		const struct slg_objective_result *y = &b->obj[i];

		SAME(same_str(x->name, y->name), "objective name");
		SAME(x->status == y->status, "objective status");
		SAME(same_num(x->value, y->value), "objective value");
		SAME(same_num(x->value_at, y->value_at), "objective value_at");
		SAME(x->unit == y->unit, "objective unit");
		SAME(same_str(x->pass_text, y->pass_text), "objective pass");
		SAME(same_str(x->warn_text, y->warn_text), "objective warn");
		SAME(x->judged == y->judged, "objective judged");
		SAME(x->sustained == y->sustained, "objective sustained");
		SAME(x->key == y->key, "objective key");
		SAME(!x->sustained || (x->points == y->points &&
		    x->points_failed == y->points_failed &&
		    x->points_warn == y->points_warn &&
		    x->points_missing == y->points_missing),
		    "objective points");
		SAME(x->has_baseline == y->has_baseline, "objective baseline");
		SAME(!x->has_baseline || (same_num(x->baseline, y->baseline) &&
		    same_str(x->baseline_source, y->baseline_source) &&
		    same_str(x->baseline_detail, y->baseline_detail)),
		    "objective baseline");
		SAME(same_str(x->promql, y->promql), "objective promql");
	}
	SAME(a->napprovals == b->napprovals, "approvals");
	for (size_t i = 0; i < a->napprovals; i++) {
		const struct slg_approval *x = &a->approvals[i];
		const struct slg_approval *y = &b->approvals[i];

		SAME(x->id == y->id && x->verdict_id == y->verdict_id &&
		    same_str(x->commit, y->commit) &&
		    same_str(x->service, y->service) &&
		    same_str(x->environment, y->environment) &&
		    same_str(x->by, y->by) && same_str(x->reason, y->reason) &&
		    x->created_at == y->created_at &&
		    x->expires_at == y->expires_at &&
		    x->revoked_at == y->revoked_at &&
		    same_str(x->revoked_by, y->revoked_by) &&
		    same_str(x->revoke_reason, y->revoke_reason), "approval");
	}
	SAME(a->invalidated == b->invalidated, "invalidated");
	SAME(!a->invalidated || (same_str(a->invalidated_by,
	    b->invalidated_by) && same_str(a->invalidated_reason,
	    b->invalidated_reason) && a->invalidated_at == b->invalidated_at),
	    "invalidated");
#undef SAME
	return NULL;
}

#endif
