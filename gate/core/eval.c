/* eval: objectives x series -> results and a verdict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "core/eval.h"
#include "util/timefmt.h"

/* The unit values of this objective are best shown in. */
static enum slg_unit
objective_unit(const struct slg_objective *o)
{
	for (size_t i = 0; i < o->npass; i++) {
		if (o->pass[i].unit != SLG_UNIT_NUMBER)
			return o->pass[i].unit;
	}
	for (size_t i = 0; i < o->nwarn; i++) {
		if (o->warn[i].unit != SLG_UNIT_NUMBER)
			return o->warn[i].unit;
	}
	return SLG_UNIT_NUMBER;
}

static char *
criteria_text(const struct slg_criterion *c, size_t n)
{
	struct slg_buf b = SLG_BUF_INIT;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < n; i++)
		slg_buf_printf(&b, "%s%s", i ? ", " : "", c[i].text);
	return slg_buf_detach(&b);
}

/* What one list of criteria (pass or warn) says of a value. */
enum lstate { L_HOLDS, L_MISSES, L_UNKNOWN };

/* Classifies v against one list. A relative criterion without a
 * baseline is left out (noted in *skipped); a list with nothing left is
 * unknown, or, when the policy skips such criteria, holds for pass and
 * misses for warn: a warn list of relative criteria alone cannot turn a
 * value that missed its pass criteria into a warning when nothing was
 * compared. An infinity misses every list: no threshold is met by a
 * value that is not one. */
static enum lstate
list_state(const struct slg_policy *p, const struct slg_criterion *c,
    size_t n, int is_warn, double v, const struct slg_eval_input *in,
    int *skipped)
{
	int judged = 0, ok = 1;

	if (isinf(v))
		return L_MISSES;
	for (size_t i = 0; i < n; i++) {
		if (c[i].rel != SLG_REL_NONE && !in->has_baseline) {
			*skipped = 1;
			continue;
		}
		judged = 1;
		ok &= slg_criterion_holds(&c[i], v, in->has_baseline,
		    in->baseline, NULL);
	}
	if (!judged && p->on_no_baseline == SLG_NOBASE_SKIP)
		return is_warn ? L_MISSES : L_HOLDS;
	if (!judged)
		return L_UNKNOWN;
	return ok ? L_HOLDS : L_MISSES;
}

/* Stands for "cannot be told for want of a baseline" among statuses. */
#define ST_UNKNOWN (-1)

static int
classify(const struct slg_policy *p, const struct slg_objective *o, double v,
    const struct slg_eval_input *in, int *skipped)
{
	enum lstate ps, ws;

	if (isnan(v))
		return SLG_ST_NODATA;
	if ((ps = list_state(p, o->pass, o->npass, 0, v, in, skipped)) ==
	    L_HOLDS)
		return SLG_ST_PASS;
	if (o->nwarn == 0)
		return ps == L_MISSES ? SLG_ST_FAIL : ST_UNKNOWN;
	ws = list_state(p, o->warn, o->nwarn, 1, v, in, skipped);
	if (ws == L_MISSES)
		return SLG_ST_FAIL;	/* misses even the looser limit */
	if (ps == L_MISSES && ws == L_HOLDS)
		return SLG_ST_WARN;
	return ST_UNKNOWN;
}

/* 1 when a is worse than b for this objective. */
static int
worse(const struct slg_objective *o, double a, double b)
{
	if (isnan(b))
		return 1;
	return slg_op_higher_is_better(o->pass[0].op) ? a < b : a > b;
}

/* Why a value is infinite, in words a person can act on. */
static const char *
inf_why(const char *promql, double v)
{
	if (v > 0 && promql != NULL && strstr(promql, "histogram_quantile"))
		return "the quantile lies beyond the largest histogram bucket";
	return "the query divides by zero";
}

/* The words for an objective none of whose criteria could be judged. */
static void
no_baseline(const struct slg_eval_input *in, struct slg_buf *d)
{
	slg_buf_printf(d, "no data: its relative criteria cannot be judged "
	    "without a baseline (%s; on_no_baseline: inconclusive)",
	    in->baseline_detail ? in->baseline_detail : "no baseline stored");
}

/* A windowed objective's value is one number over the whole window; it
 * stands only when the window held data. Returns 1 when it covers at
 * least min_coverage of the steps (or coverage was not measured). */
static int
covered(const struct slg_policy *p, const struct slg_eval_input *in,
    const struct slg_verdict *v, struct slg_objective_result *r,
    struct slg_buf *d)
{
	int64_t steps = v->step > 0 ? (v->window_end - v->window_start) /
	    v->step : 0;
	double n = 0, share;
	char have[32], all[32], pct[16];

	if (in->coverage_error != NULL && in->coverage_error->code != 0) {
		r->status = SLG_ST_ERROR;
		slg_buf_printf(d, "coverage query: %s", in->coverage_error->msg);
		return 0;
	}
	if (in->coverage == NULL || steps <= 0)
		return 1;
	if (in->coverage->npts > 0)
		n = in->coverage->pts[0].v;
	/* the subquery's points are the window's steps, at most */
	if (!isfinite(n) || n < 0 || n != floor(n) || n > (double)steps) {
		r->status = SLG_ST_ERROR;
		slg_buf_printf(d, "coverage query answered %g, not a count of "
		    "the window's %lld steps", n, (long long)steps);
		return 0;
	}
	share = n / (double)steps;
	if (share >= p->min_coverage)
		return 1;
	slg_duration_format((int64_t)n * v->step, have, sizeof(have));
	slg_duration_format(steps * v->step, all, sizeof(all));
	/* rounded, unless rounding would make it read as enough */
	if (round(share * 100) < p->min_coverage * 100)
		snprintf(pct, sizeof(pct), "%.0f", share * 100);
	else
		snprintf(pct, sizeof(pct), "%.1f", floor(share * 1000) / 10);
	r->status = SLG_ST_NODATA;
	slg_buf_printf(d, "no data: data for %s of %s (%s%%), min_coverage "
	    "%.4g%%", have, all, pct, p->min_coverage * 100);
	return 0;
}

static void
judge_windowed(const struct slg_policy *p, const struct slg_objective *o,
    const struct slg_eval_input *in, const struct slg_verdict *v,
    struct slg_objective_result *r, struct slg_buf *d, int *skipped)
{
	char val[64];
	int st;

	if (in->series->npts == 0 || isnan(in->series->pts[0].v)) {
		r->status = SLG_ST_NODATA;
		slg_buf_puts(d, in->series->npts == 0 ? "no data: the query "
		    "returned no series" : "no data: the query returned NaN");
		return;
	}
	r->value = in->series->pts[0].v;
	r->value_at = in->series->pts[0].t;
	if (!r->judged) {
		r->status = SLG_ST_INFO;
		return;
	}
	if (!covered(p, in, v, r, d))
		return;
	st = classify(p, o, r->value, in, skipped);
	slg_value_text(r, val, sizeof(val));
	if (st == ST_UNKNOWN) {
		r->status = SLG_ST_NODATA;
		no_baseline(in, d);
		*skipped = 0;
		return;
	}
	r->status = (enum slg_status)st;
	if (isinf(r->value))
		slg_buf_printf(d, "%s: %s; an infinite value meets no "
		    "criterion (%s)", val, inf_why(in->promql, r->value),
		    r->pass_text);
	else if (r->status == SLG_ST_FAIL)
		slg_buf_printf(d, "%s misses %s%s%s", val, r->pass_text,
		    r->warn_text ? " and warn " : "",
		    r->warn_text ? r->warn_text : "");
	else if (r->status == SLG_ST_WARN)
		slg_buf_printf(d, "%s misses %s, meets warn %s", val,
		    r->pass_text, r->warn_text);
}

/* Rank of a point's status for picking the worst point: what failed
 * first, then what warned, then the rest by value. */
static int
rank(int st)
{
	return st == SLG_ST_FAIL ? 2 : st == SLG_ST_WARN ? 1 : 0;
}

static void
judge_sustained(const struct slg_policy *p, const struct slg_objective *o,
    const struct slg_eval_input *in, const struct slg_verdict *v,
    struct slg_objective_result *r, struct slg_buf *d, int *skipped)
{
	size_t expected = (size_t)((v->window_end - v->window_start) / v->step);
	size_t valid = 0, run = 0, unknown = 0, infinite = 0;
	size_t fail_after = p->fail_after > 0 ? (size_t)p->fail_after : 1;
	double inf_value = 0;
	int worst = -1;
	char val[64], at[32];

	for (size_t i = 0; i < in->series->npts; i++) {
		const struct slg_point *pt = &in->series->pts[i];
		int st;

		if (isnan(pt->v))
			continue;
		valid++;
		if (!r->judged) {
			r->value = pt->v;	/* informational: the latest */
			r->value_at = pt->t;
			continue;
		}
		st = classify(p, o, pt->v, in, skipped);
		if (isinf(pt->v)) {
			infinite++;
			inf_value = pt->v;
		}
		unknown += st == ST_UNKNOWN;
		r->points_failed += st == SLG_ST_FAIL;
		/* a missing point neither breaks nor extends a run: a gap
		 * must not excuse a breach */
		run = st == SLG_ST_FAIL ? run + 1 : 0;
		if (run > r->failed_run)
			r->failed_run = run;
		r->points_warn += st == SLG_ST_WARN;
		if (rank(st) > worst || (rank(st) == worst &&
		    worse(o, pt->v, r->value))) {
			worst = rank(st);
			r->value = pt->v;
			r->value_at = pt->t;
		}
	}
	r->points = valid;
	r->points_missing = valid < expected ? expected - valid : 0;
	slg_value_text(r, val, sizeof(val));
	slg_time_format((int64_t)r->value_at, at, sizeof(at));
	if (valid == 0) {
		r->status = SLG_ST_NODATA;
		slg_buf_printf(d, "no data: none of %zu points has a value",
		    expected);
	} else if (!r->judged) {
		r->status = SLG_ST_INFO;
	} else if (r->failed_run >= fail_after) {
		r->status = SLG_ST_FAIL;
		slg_buf_printf(d, "%zu of %zu points miss %s%s%s", r->points_failed,
		    expected, r->pass_text, r->warn_text ? " and warn " : "",
		    r->warn_text ? r->warn_text : "");
		if (fail_after > 1)
			slg_buf_printf(d, ", %zu in a row (fail_after %zu)",
			    r->failed_run, fail_after);
		slg_buf_printf(d, "; worst %s at %s", val, at);
	} else if (r->points_missing > 0) {
		/* a gap can hide a breach, so it cannot count as held */
		r->status = SLG_ST_NODATA;
		slg_buf_printf(d, "no data for %zu of %zu points; not held for "
		    "the whole window", r->points_missing, expected);
	} else if (unknown > 0) {
		r->status = SLG_ST_NODATA;
		no_baseline(in, d);
		*skipped = 0;
	} else if (r->points_failed > 0) {
		/* misses shorter than fail_after: tolerated, not hidden */
		r->status = SLG_ST_WARN;
		slg_buf_printf(d, "%zu of %zu points miss %s%s%s, at most %zu in "
		    "a row (fail_after %zu); worst %s at %s", r->points_failed,
		    expected, r->pass_text, r->warn_text ? " and warn " : "",
		    r->warn_text ? r->warn_text : "", r->failed_run, fail_after,
		    val, at);
	} else if (r->points_warn > 0) {
		r->status = SLG_ST_WARN;
		slg_buf_printf(d, "%zu of %zu points miss %s, meet warn %s; "
		    "worst %s at %s", r->points_warn, expected, r->pass_text,
		    r->warn_text, val, at);
	} else {
		r->status = SLG_ST_PASS;
		slg_buf_printf(d, "all %zu points meet %s; worst %s", expected,
		    r->pass_text, val);
	}
	if (infinite > 0 && r->judged)
		slg_buf_printf(d, "; %zu point%s %s: %s", infinite, infinite == 1 ?
		    " is" : "s are", inf_value > 0 ? "+Inf" : "-Inf",
		    inf_why(in->promql, inf_value));
}

static void
note_skipped(const struct slg_objective *o, struct slg_buf *d,
    const char *why)
{
	const struct slg_criterion *lists[2] = { o->pass, o->warn };
	size_t counts[2] = { o->npass, o->nwarn };

	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < counts[l]; i++) {
			if (lists[l][i].rel == SLG_REL_NONE)
				continue;
			slg_buf_printf(d, "%srelative criterion '%s' skipped: "
			    "%s", d->len ? "; " : "", lists[l][i].text,
			    why ? why : "no baseline stored");
		}
	}
}

static int
judge(const struct slg_policy *p, const struct slg_objective *o,
    const struct slg_eval_input *in, const struct slg_verdict *v,
    struct slg_objective_result *r)
{
	struct slg_eval_input use = *in;
	struct slg_buf d = SLG_BUF_INIT;
	char bad[96];
	int skipped = 0;

	/* a baseline that is no number makes every threshold from it
	 * meaningless (x <= +Inf * 1.1 always holds): it is none */
	if (use.has_baseline && !isfinite(use.baseline)) {
		snprintf(bad, sizeof(bad), "the baseline is %s, not a finite "
		    "number", isnan(use.baseline) ? "NaN" : use.baseline > 0 ?
		    "+Inf" : "-Inf");
		use.has_baseline = 0;
		use.baseline_detail = bad;
	}
	in = &use;
	r->value = NAN;
	r->name = strdup(o->name);
	r->promql = strdup(in->promql ? in->promql : "");
	r->sustained = o->sustained;
	r->judged = slg_objective_judged(o);
	r->unit = objective_unit(o);
	r->pass_text = criteria_text(o->pass, o->npass);
	r->warn_text = criteria_text(o->warn, o->nwarn);
	r->has_baseline = in->has_baseline;
	r->baseline = in->has_baseline ? in->baseline : NAN;
	r->baseline_source = in->has_baseline ?
	    slg_strdup(in->baseline_source) : NULL;
	r->baseline_commits = in->has_baseline ?
	    slg_strdup(in->baseline_commits) : NULL;
	r->baseline_detail = slg_strdup(in->baseline_detail);
	r->weight = o->weight;
	r->key = o->key;
	if (in->error != NULL && in->error->code != 0) {
		r->status = SLG_ST_ERROR;
		slg_buf_puts(&d, in->error->msg);
	} else if (in->series == NULL) {
		r->status = SLG_ST_ERROR;
		slg_buf_puts(&d, "no answer from prometheus");
	} else if (o->sustained) {
		judge_sustained(p, o, in, v, r, &d, &skipped);
	} else {
		judge_windowed(p, o, in, v, r, &d, &skipped);
	}
	if (r->status == SLG_ST_NODATA && r->judged &&
	    p->on_no_data == SLG_NODATA_FAIL) {
		r->status = SLG_ST_FAIL;
		r->failed_no_data = 1;
		slg_buf_puts(&d, " (on_no_data: fail)");
	}
	if (skipped)
		note_skipped(o, &d, in->baseline_detail);
	r->detail = slg_buf_detach(&d);
	if (r->name == NULL || r->promql == NULL || r->detail == NULL ||
	    (o->npass && r->pass_text == NULL) ||
	    (o->nwarn && r->warn_text == NULL))
		return SLG_ENOMEM;
	return 0;
}

/* Lists the objectives with status st as "a: detail; b: detail". */
static void
list_status(const struct slg_verdict *v, enum slg_status st, struct slg_buf *b)
{
	int first = 1;

	for (size_t i = 0; i < v->nobj; i++) {
		if (v->obj[i].status != st || !v->obj[i].judged)
			continue;
		slg_buf_printf(b, "%s%s: %s", first ? "" : "; ", v->obj[i].name,
		    v->obj[i].detail);
		first = 0;
	}
}

static int
count(const struct slg_verdict *v, enum slg_status st)
{
	int n = 0;

	for (size_t i = 0; i < v->nobj; i++)
		n += v->obj[i].judged && v->obj[i].status == st;
	return n;
}

/* Pass earns the weight, warn half of it, anything else nothing. */
static void
score(const struct slg_policy *p, struct slg_verdict *v)
{
	v->has_score = 1;
	v->score_pass = p->score_pass;
	v->score_warn = p->score_warn;
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		if (!o->judged)
			continue;
		v->score_max += o->weight;
		if (o->status == SLG_ST_PASS)
			v->score += o->weight;
		else if (o->status == SLG_ST_WARN)
			v->score += o->weight / 2;
	}
}

/* A failure no score may make up for: of a key objective (what 1), or
 * for want of data (what 2: on_no_data fail must not turn missing data
 * into a failure the other objectives outscore). Returns which, or 0. */
static int
key_failed(const struct slg_verdict *v)
{
	int what = 0;

	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		if (!o->judged || o->status != SLG_ST_FAIL)
			continue;
		if (o->key)
			return 1;
		if (o->failed_no_data)
			what = 2;
	}
	return what;
}

/* The verdict by score, once nothing failed outright, erred or lacked data. */
static void
decide_by_score(struct slg_verdict *v, struct slg_buf *why)
{
	double share = v->score_max > 0 ? v->score / v->score_max : 0;

	/* weights like 0.1 + 0.2 do not add up exactly: a share within
	 * rounding of a threshold meets it, as the policy's words say */
	share = round(share * 1e9) / 1e9;
	if (share >= v->score_pass) {
		v->verdict = SLG_V_PASS;
		slg_buf_printf(why, "score %g of %g (%.4g%%) meets pass %.4g%%",
		    v->score, v->score_max, share * 100, v->score_pass * 100);
		return;
	}
	v->verdict = share >= v->score_warn ? SLG_V_WARN : SLG_V_FAIL;
	slg_buf_printf(why, "score %g of %g (%.4g%%) is below %s %.4g%%",
	    v->score, v->score_max, share * 100,
	    v->verdict == SLG_V_WARN ? "pass" : "warn",
	    (v->verdict == SLG_V_WARN ? v->score_pass : v->score_warn) * 100);
	if (count(v, SLG_ST_FAIL) > 0) {
		slg_buf_puts(why, "; failed: ");
		list_status(v, SLG_ST_FAIL, why);
	}
	if (count(v, SLG_ST_WARN) > 0) {
		slg_buf_puts(why, "; warned: ");
		list_status(v, SLG_ST_WARN, why);
	}
}

int
slg_eval(const struct slg_policy *p, const struct slg_eval_input *in,
    const struct slg_eval_input *guard, struct slg_verdict *v,
    struct slg_err *err)
{
	struct slg_buf why = SLG_BUF_INIT;
	int guard_error = 0, guard_low = 0;
	char gv[64], gm[64];

	if ((v->obj = calloc(p->nobj, sizeof(*v->obj))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	v->nobj = p->nobj;
	for (size_t i = 0; i < p->nobj; i++) {
		if (judge(p, &p->obj[i], &in[i], v, &v->obj[i]) != 0)
			return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}

	v->has_guard = p->has_guard;
	v->guard_value = NAN;
	v->guard_min = p->guard_min;
	if (p->has_guard) {
		v->guard_promql = slg_strdup(guard->promql);
		if (guard->error != NULL && guard->error->code != 0)
			guard_error = 1;
		else if (guard->series == NULL)
			guard_error = 1;
		else if (guard->series->npts > 0)
			v->guard_value = guard->series->pts[0].v;
		/* no data or NaN is no traffic, not an error; an infinity
		 * is no measure of traffic either */
		guard_low = !guard_error && (!isfinite(v->guard_value) ||
		    v->guard_value < p->guard_min);
	}

	if (p->has_score)
		score(p, v);
	if (p->has_score ? key_failed(v) : count(v, SLG_ST_FAIL) > 0) {
		v->verdict = SLG_V_FAIL;
		if (p->has_score)
			slg_buf_puts(&why, key_failed(v) == 1 ? "a key objective "
			    "failed: " : "an objective without data fails the "
			    "gate whatever the score (on_no_data: fail): ");
		list_status(v, SLG_ST_FAIL, &why);
	} else if (count(v, SLG_ST_ERROR) > 0 || guard_error) {
		v->verdict = SLG_V_ERROR;
		if (guard_error)
			slg_buf_printf(&why, "guard: %s", guard->error &&
			    guard->error->code ? guard->error->msg :
			    "no answer from prometheus");
		if (count(v, SLG_ST_ERROR) > 0 && why.len > 0)
			slg_buf_puts(&why, "; ");
		list_status(v, SLG_ST_ERROR, &why);
	} else if (guard_low && isinf(v->guard_value)) {
		v->verdict = SLG_V_INCONCLUSIVE;
		slg_buf_printf(&why, "cannot tell the traffic: guard %s is %s "
		    "(%s), not a finite number", p->guard_query ?
		    p->guard_query : "(inline)", v->guard_value > 0 ? "+Inf" :
		    "-Inf", inf_why(NULL, v->guard_value));
	} else if (guard_low) {
		v->verdict = SLG_V_INCONCLUSIVE;
		slg_value_format_exact(v->guard_value, SLG_UNIT_NUMBER,
		    &v->guard_min, 1, gv, sizeof(gv));
		slg_value_format(p->guard_min, SLG_UNIT_NUMBER, gm, sizeof(gm));
		slg_buf_printf(&why, "not enough traffic to judge: guard %s is "
		    "%s, below its floor %s", p->guard_query ? p->guard_query :
		    "(inline)", gv, gm);
	} else if (count(v, SLG_ST_NODATA) > 0) {
		v->verdict = SLG_V_INCONCLUSIVE;
		list_status(v, SLG_ST_NODATA, &why);
	} else if (p->has_score) {
		decide_by_score(v, &why);
	} else if (count(v, SLG_ST_WARN) > 0) {
		v->verdict = SLG_V_WARN;
		list_status(v, SLG_ST_WARN, &why);
	} else {
		v->verdict = SLG_V_PASS;
		slg_buf_printf(&why, "all %d judged objectives met their pass "
		    "criteria", count(v, SLG_ST_PASS));
	}
	v->reason = slg_buf_detach(&why);
	if (v->reason == NULL || (p->has_guard && v->guard_promql == NULL))
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	return 0;
}

/* A sustained objective failed by a run of points: more data cannot
 * undo it, since those points stay in the window. */
static int
failed_for_good(const struct slg_objective_result *r)
{
	return r->judged && r->sustained && r->status == SLG_ST_FAIL &&
	    r->failed_run > 0;
}

int
slg_eval_fail_is_final(const struct slg_verdict *v)
{
	double total = 0, lost = 0;

	if (v->verdict != SLG_V_FAIL)
		return 0;
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *r = &v->obj[i];

		if (!r->judged)
			continue;
		total += r->weight;
		if (!failed_for_good(r))
			continue;
		if (!v->has_score || r->key)
			return 1;
		lost += r->weight;
	}
	/* scored: final when even every other objective passing could not
	 * bring the share up to warn */
	return v->has_score && total > 0 &&
	    round((total - lost) / total * 1e9) / 1e9 < v->score_warn;
}
