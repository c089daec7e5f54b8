/* eval: judges what Prometheus answered against a policy's objectives and
 * decides the verdict. Pure: must not do I/O, read the clock or allocate
 * anything the verdict does not own. */
#ifndef SLG_EVAL_H
#define SLG_EVAL_H

#include "util/err.h"
#include "core/policy.h"
#include "core/series.h"
#include "core/verdict.h"

/* What was fetched for one query (an objective or the guard). */
struct slg_eval_input {
	const char *promql;		/* as rendered */
	const struct slg_series *series;	/* NULL when the query failed */
	const struct slg_err *error;	/* set (code != 0) when it failed */
	int has_baseline;
	double baseline;
	const char *baseline_source;	/* "stored", "previous", "ancestor" */
	const char *baseline_commits;	/* where it came from, or NULL */
	const char *baseline_detail;	/* how, or why there is none */
	/* a judged windowed objective: how many of the window's steps hold
	 * data (count_over_time at the window's end); NULL when not asked */
	const struct slg_series *coverage;
	const struct slg_err *coverage_error;
};

/* Fills v->obj, v->nobj, v->verdict, v->reason, the guard and score fields
 * from
 * policy p, one input per objective (in[i] for p->obj[i]) and the guard's
 * input (ignored when p has no guard). v->window_start, window_end and step
 * must be set: they tell how many points a sustained objective needs and
 * how many steps a windowed objective's coverage counts. Values are
 * finite or not judged: NaN is no data, an infinity meets no criterion
 * (the objective fails and says why), a guard that is not finite is
 * inconclusive, a baseline that is not finite is none. An objective whose
 * criteria cannot be judged for want of a baseline has no data, unless
 * the policy's on_no_baseline is skip; a windowed objective whose data
 * covers less than min_coverage of its window has no data.
 * Without a score the worst objective decides: fail, then error, then
 * inconclusive (guard low, no data), then warn, then pass. With a score a
 * failing key objective fails; then error and inconclusive as before; then
 * pass earns an objective's weight, warn half of it, and the share of the
 * judged weight decides against the policy's pass and warn thresholds.
 * Gives SLG_ENOMEM only; every judgement is in v. */
int slg_eval(const struct slg_policy *p, const struct slg_eval_input *in,
    const struct slg_eval_input *guard, struct slg_verdict *v,
    struct slg_err *err);

/* 1 when v, judged over part of its window, has failed in a way the rest
 * of the window cannot change: a sustained objective failed by a run of
 * fail_after points that decides the verdict (without a score; or a key
 * objective; or one whose lost weight keeps the score below warn). A
 * windowed objective's value may still recover, so it never counts. */
int slg_eval_fail_is_final(const struct slg_verdict *v);

#endif
