/* engine: policy -> queries -> eval -> recorded verdict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/aggregate.h"
#include "util/buf.h"
#include "engine/engine.h"
#include "core/eval.h"
#include "io/gitmeta.h"
#include "core/template.h"
#include "util/timefmt.h"
#include "core/watch.h"

/* How a template's lookback is rendered. */
enum lookback {
	LB_WINDOW,	/* a windowed objective, the guard: ${range} = window */
	LB_STEP,	/* a sustained objective: ${range} = one step */
	LB_COVERAGE	/* a windowed objective counted step by step: both
			 * ${range} and ${window} are one step */
};

static int
render(const struct slg_engine_run *r, const char *tmpl, enum lookback lb,
    const char *what, char **out, struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	char window[32], step[32];
	struct slg_tvar vars[6];

	/* a watched window holds only what was observed since the deploy */
	slg_duration_format(r->since ? r->at - r->since : p->window, window,
	    sizeof(window));
	slg_duration_format(p->step, step, sizeof(step));
	vars[0] = (struct slg_tvar){ "service", p->service, 1 };
	vars[1] = (struct slg_tvar){ "environment", p->environment, 1 };
	vars[2] = (struct slg_tvar){ "commit", r->subject->commit, 1 };
	vars[3] = (struct slg_tvar){ "window", lb == LB_COVERAGE ? step :
	    window, 0 };
	vars[4] = (struct slg_tvar){ "step", step, 0 };
	vars[5] = (struct slg_tvar){ "range", lb == LB_WINDOW ? window : step,
	    0 };
	if (slg_template_render(tmpl, vars, 6, out, err) != 0)
		return slg_err_prefix(err, "policy '%s': %s '%s'", p->path,
		    strcmp(what, "guard") == 0 ? "the" : "objective", what);
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int
fill_subject(const struct slg_engine_run *r, struct slg_verdict *v,
    struct slg_err *err)
{
	const struct slg_subject *s = r->subject;
	const struct slg_policy *p = r->policy;
	char digest[41];

	if (r->policy_digest != NULL)
		snprintf(digest, sizeof(digest), "%s", r->policy_digest);
	else if (slg_git_blob_id(p->source, p->source_len, digest, err) != 0)
		return err->code;
	v->trial = r->trial;
	v->actor = dup_or_null(r->actor);
	v->service = strdup(p->service);
	v->environment = strdup(p->environment);
	v->commit = strdup(s->commit);
	v->commit_time = s->commit_time;
	v->commit_author = dup_or_null(s->commit_author);
	v->commit_subject = dup_or_null(s->commit_subject);
	v->branch = dup_or_null(s->branch);
	v->build_time = s->build_time;
	v->evaluated_at = r->now;
	v->window_end = r->at;
	v->window_start = r->since ? r->since : r->at - p->window;
	v->step = p->step;
	v->pipeline_id = dup_or_null(s->pipeline_id);
	v->pipeline_url = dup_or_null(s->pipeline_url);
	v->job_url = dup_or_null(s->job_url);
	v->ref_name = dup_or_null(s->ref_name);
	v->policy_path = strdup(p->path);
	v->policy_digest = strdup(digest);
	v->prometheus_url = strdup(r->prom->url);
	v->version = strdup(r->version);
	if (!v->service || !v->environment || !v->commit || !v->policy_path ||
	    !v->policy_digest || !v->prometheus_url || !v->version)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	return 0;
}

/* How far back an ancestor baseline looks for verdicts. */
#define ANCESTOR_DEPTH 200

/* Owned strings behind one objective's slg_eval_input. */
struct baseline_text {
	char *commits;
	char *detail;
};

static void
baseline_text_release(struct baseline_text *t)
{
	free(t->commits);
	free(t->detail);
}

/* Aggregates past verdicts' values into in; says which and how. */
static void
from_past(const struct slg_objective *o, const struct slg_past_value *pv,
    size_t n, struct slg_eval_input *in, struct baseline_text *t)
{
	struct slg_buf c = SLG_BUF_INIT, d = SLG_BUF_INIT;
	double *vals = calloc(n ? n : 1, sizeof(*vals));
	const char *what = o->baseline.source == SLG_BASE_ANCESTOR ?
	    "ancestor" : "previous";

	if (vals == NULL)
		return;
	if (n == 0) {
		slg_buf_printf(&d, "no %s %s verdict with a value",
		    o->baseline.filter == SLG_BFILTER_PASS ? "passing" :
		    "passing or warning", what);
		t->detail = slg_buf_detach(&d);
		free(vals);
		return;
	}
	slg_buf_printf(&d, "%s of %zu %s verdict%s (ids", slg_aggregate_str(
	    o->baseline.aggregate), n, what, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		vals[i] = pv[i].value;
		slg_buf_printf(&c, "%s%s", i ? "," : "", pv[i].commit);
		slg_buf_printf(&d, "%s %lld", i ? "," : "",
		    (long long)pv[i].verdict_id);
	}
	slg_buf_puts(&d, ")");
	in->has_baseline = 1;
	in->baseline = slg_aggregate(vals, n, o->baseline.aggregate);
	t->commits = slg_buf_detach(&c);
	t->detail = slg_buf_detach(&d);
	free(vals);
}

/* Finds the baseline of one objective with relative criteria. A source
 * that has nothing leaves in without one (the criterion is skipped and the
 * result says why); only a database failure is an error. */
static int
find_baseline(const struct slg_engine_run *r, const struct slg_objective *o,
    struct slg_eval_input *in, struct baseline_text *t, struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	struct slg_past_value *pv = NULL;
	struct slg_stored_baseline sb;
	struct slg_err gerr;
	char **ancestors = NULL;
	size_t n = 0, na = 0;
	int found, rc = 0;

	in->baseline_source = slg_bsource_str(o->baseline.source);
	switch (o->baseline.source) {
	case SLG_BASE_STORED:
		if ((rc = slg_store_baseline_current(r->store, p->service,
		    p->environment, o->name, &sb, &found, err)) != 0)
			return rc;
		if (found) {
			in->has_baseline = 1;
			in->baseline = sb.value;
			t->commits = slg_strdup(sb.source_commit);
		} else {
			t->detail = strdup("no baseline stored");
		}
		slg_stored_baseline_release(&sb);
		return 0;
	case SLG_BASE_PREVIOUS:
		rc = slg_store_past_values(r->store, p->service, p->environment,
		    o->name, o->baseline.filter, NULL, 0, o->baseline.results,
		    &pv, &n, err);
		break;
	case SLG_BASE_ANCESTOR:
		if (slg_git_first_parents(r->repo, r->subject->commit,
		    ANCESTOR_DEPTH, &ancestors, &na, &gerr) != 0) {
			struct slg_buf d = SLG_BUF_INIT;

			slg_buf_printf(&d, "no ancestor baseline: %s", gerr.msg);
			t->detail = slg_buf_detach(&d);
			return 0;
		}
		rc = slg_store_past_values(r->store, p->service, p->environment,
		    o->name, o->baseline.filter, (const char *const *)ancestors,
		    na, o->baseline.results, &pv, &n, err);
		break;
	}
	if (rc == 0)
		from_past(o, pv, n, in, t);
	free(pv);
	slg_git_list_free(ancestors, na);
	return rc;
}

/* A judged windowed objective is one number over the whole window:
 * whether its data covers the window is asked for apart. */
static int
wants_coverage(const struct slg_policy *p, const struct slg_objective *o)
{
	return p->min_coverage > 0 && !o->sustained && slg_objective_judged(o);
}

/* The query that tells how much of a windowed objective's window held
 * data: the template with its lookback one step (${range} and ${window}),
 * counted at every step of the window where it has a value. Rendered
 * over the whole window instead, each step would look back over old data
 * and the count would always be full. ">= -Inf" drops NaN, a step with
 * no traffic (0/0). The subquery's range is a second short of the window:
 * a range includes its start, and the step there looks back before the
 * window. */
static int
coverage_query(const struct slg_engine_run *r, const struct slg_objective *o,
    char **out, struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	struct slg_buf b = SLG_BUF_INIT;
	char window[32], step[32], *expr = NULL;
	int rc;

	*out = NULL;
	if ((rc = render(r, o->tmpl, LB_COVERAGE, o->name, &expr, err)) != 0)
		return rc;
	slg_duration_format((r->since ? r->at - r->since : p->window) - 1,
	    window, sizeof(window));
	slg_duration_format(p->step, step, sizeof(step));
	/* the newline ends a # comment on the template's last line */
	slg_buf_printf(&b, "count_over_time(((\n%s\n) >= -Inf)[%s:%s])", expr,
	    window, step);
	free(expr);
	if ((*out = slg_buf_detach(&b)) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	return 0;
}

int
slg_engine_evaluate(const struct slg_engine_run *r, struct slg_verdict **out,
    struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	/* objectives, the guard, then one coverage query per windowed one */
	size_t n = p->nobj + (p->has_guard ? 1 : 0), ncov = n;
	struct slg_prom_query *q = NULL;
	struct slg_eval_input *in = NULL;
	struct slg_eval_input guard = { 0 };
	struct slg_verdict *v = NULL;
	struct baseline_text *bt = NULL;
	char **promql = NULL;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < p->nobj; i++)
		n += wants_coverage(p, &p->obj[i]);
	if ((q = calloc(n, sizeof(*q))) == NULL ||
	    (in = calloc(p->nobj, sizeof(*in))) == NULL ||
	    (promql = calloc(n, sizeof(*promql))) == NULL ||
	    (bt = calloc(p->nobj, sizeof(*bt))) == NULL ||
	    (v = calloc(1, sizeof(*v))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = fill_subject(r, v, err)) != 0)
		goto out;

	/* render everything first: a policy mistake must not cost queries */
	for (size_t i = 0; i < p->nobj; i++) {
		const struct slg_objective *o = &p->obj[i];

		if ((rc = render(r, o->tmpl, o->sustained ? LB_STEP : LB_WINDOW,
		    o->name, &promql[i], err)) != 0)
			goto out;
		q[i].promql = promql[i];
		q[i].range = o->sustained;
		q[i].start = (r->since ? r->since : r->at - p->window) + p->step;
		q[i].end = r->at;
		q[i].step = p->step;
	}
	if (p->has_guard) {
		if ((rc = render(r, p->guard_tmpl, LB_WINDOW, "guard",
		    &promql[p->nobj], err)) != 0)
			goto out;
		q[p->nobj].promql = promql[p->nobj];
		q[p->nobj].end = r->at;
	}
	for (size_t i = 0, k = ncov; i < p->nobj; i++) {
		if (!wants_coverage(p, &p->obj[i]))
			continue;
		if ((rc = coverage_query(r, &p->obj[i], &promql[k], err)) != 0)
			goto out;
		q[k].promql = promql[k];
		q[k++].end = r->at;
	}

	for (size_t i = 0; i < p->nobj; i++) {
		in[i].baseline = NAN;
		if (!slg_objective_relative(&p->obj[i]))
			continue;
		if ((rc = find_baseline(r, &p->obj[i], &in[i], &bt[i], err)) != 0)
			goto out;
		in[i].baseline_commits = bt[i].commits;
		in[i].baseline_detail = bt[i].detail;
	}

	if (r->since && r->at <= r->since) {
		/* nothing observed yet: no data, nothing to ask */
		for (size_t i = 0; i < n; i++)
			q[i].result = calloc(1, sizeof(*q[i].result));
	} else if ((rc = slg_prom_run(r->prom, q, n, err)) != 0) {
		goto out;
	}
	for (size_t i = 0, k = ncov; i < p->nobj; i++) {
		in[i].promql = promql[i];
		in[i].series = q[i].result;
		in[i].error = &q[i].err;
		if (wants_coverage(p, &p->obj[i])) {
			in[i].coverage = q[k].result;
			in[i].coverage_error = &q[k++].err;
		}
	}
	if (p->has_guard) {
		guard.promql = promql[p->nobj];
		guard.series = q[p->nobj].result;
		guard.error = &q[p->nobj].err;
	}
	if ((rc = slg_eval(p, in, &guard, v, err)) != 0)
		goto out;
	*out = v;
	v = NULL;
out:
	for (size_t i = 0; q != NULL && i < n; i++)
		slg_series_free(q[i].result);
	for (size_t i = 0; promql != NULL && i < n; i++)
		free(promql[i]);
	free(promql);
	for (size_t i = 0; bt != NULL && i < p->nobj; i++)
		baseline_text_release(&bt[i]);
	free(bt);
	free(q);
	free(in);
	slg_verdict_free(v);
	return rc;
}

/* A verdict that says the evaluation could not be made, for a watch:
 * counted like a poll Prometheus failed, so error_limit and the deadline
 * still end it. */
static int
error_verdict(const struct slg_engine_run *r, const struct slg_err *why,
    struct slg_verdict **out, struct slg_err *err)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_buf b = SLG_BUF_INIT;
	int rc;

	*out = NULL;
	if (v == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if ((rc = fill_subject(r, v, err)) != 0) {
		slg_verdict_free(v);
		return rc;
	}
	v->verdict = SLG_V_ERROR;
	slg_buf_printf(&b, "cannot evaluate: %s", why->msg);
	if ((v->reason = slg_buf_detach(&b)) == NULL) {
		slg_verdict_free(v);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	*out = v;
	return 0;
}

int
slg_engine_window_check(const struct slg_policy *p, int64_t at,
    int64_t since, int64_t build_time, struct slg_err *err)
{
	int64_t end = since ? since + p->window : at;
	char e[32], b[32];

	if (end >= build_time)
		return 0;
	slg_time_format(end, e, sizeof(e));
	slg_time_format(build_time, b, sizeof(b));
	return slg_err_set(err, SLG_EUSAGE, "the window ends at %s, before the "
	    "build time %s: it holds an earlier release, not this build (an "
	    "admin may ask for a trial)", e, b);
}

int
slg_engine_check(const struct slg_engine_run *r, struct slg_verdict **out,
    struct slg_err *err)
{
	struct slg_engine_run run = *r;
	struct slg_verdict *v = NULL;
	int complete = 1, rc;

	*out = NULL;
	if (!r->trial && (rc = slg_engine_window_check(r->policy, r->at,
	    r->since, r->subject->build_time, err)) != 0)
		return rc;
	/* with since, one look at what was observed of its window */
	if (r->since)
		run.at = slg_watch_window_end(r->policy, r->since, r->now,
		    &complete);
	if ((rc = slg_engine_evaluate(&run, &v, err)) != 0)
		return rc;
	if (r->since) {
		struct slg_watch once = { 0 };

		once.since = r->since;
		once.deadline = r->now;
		if (slg_watch_decide(r->policy, &once, v, complete, 0,
		    r->now) < 0) {
			slg_verdict_free(v);
			return slg_err_set(err, SLG_ENOMEM, "out of memory");
		}
	}
	if ((rc = slg_store_record(r->store, v, err)) != 0) {
		slg_verdict_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int
slg_engine_poll(const struct slg_engine_run *r, struct slg_watch *w,
    struct slg_verdict **out, int *final, struct slg_err *err)
{
	struct slg_engine_run run = *r;
	struct slg_watch_poll poll = { 0 };
	struct slg_verdict *v = NULL;
	struct slg_err why = { 0 };
	int complete, end, rc;

	*out = NULL;
	*final = 0;
	run.since = w->since;
	run.at = slg_watch_window_end(r->policy, w->since, r->now, &complete);
	if (run.at == w->since && r->now < w->deadline)
		return 0;
	if (slg_engine_evaluate(&run, &v, &why) != 0 &&
	    (rc = error_verdict(&run, &why, &v, err)) != 0)
		return rc;
	if ((end = slg_watch_decide(r->policy, w, v, complete, 1,
	    r->now)) < 0) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	poll.polled_at = r->now;
	poll.window_end = run.at;
	poll.verdict = v->verdict;
	poll.reason = v->reason;
	if ((poll.summary = slg_watch_summary(r->policy, w->since, v)) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = slg_store_watch_poll(r->store, w, &poll, end ? v : NULL,
	    err)) != 0)
		goto out;
	free(w->progress);
	w->progress = poll.summary;
	poll.summary = NULL;
	*final = end;
	*out = v;
	v = NULL;
out:
	free(poll.summary);
	slg_verdict_free(v);
	return rc;
}

static void
dup_to(char **to, const char *s, int *bad)
{
	if (s != NULL && (*to = strdup(s)) == NULL)
		*bad = 1;
}

int
slg_engine_watch_init(const struct slg_engine_run *r, int64_t deadline,
    const char *owner, int64_t lease_until, struct slg_watch *w,
    struct slg_err *err)
{
	const struct slg_subject *s = r->subject;
	char digest[41];
	int bad = 0, rc;

	memset(w, 0, sizeof(*w));
	if (r->policy_digest != NULL)
		snprintf(digest, sizeof(digest), "%s", r->policy_digest);
	else if ((rc = slg_git_blob_id(r->policy->source, r->policy->source_len,
	    digest, err)) != 0)
		return rc;
	if ((rc = slg_policy_inlined(r->policy, &w->policy, err)) != 0)
		return rc;
	dup_to(&w->service, r->policy->service, &bad);
	dup_to(&w->environment, r->policy->environment, &bad);
	dup_to(&w->commit, s->commit, &bad);
	dup_to(&w->policy_path, r->policy->path, &bad);
	dup_to(&w->policy_digest, digest, &bad);
	dup_to(&w->actor, r->actor, &bad);
	dup_to(&w->branch, s->branch, &bad);
	dup_to(&w->ref_name, s->ref_name, &bad);
	dup_to(&w->commit_author, s->commit_author, &bad);
	dup_to(&w->commit_subject, s->commit_subject, &bad);
	dup_to(&w->pipeline_id, s->pipeline_id, &bad);
	dup_to(&w->pipeline_url, s->pipeline_url, &bad);
	dup_to(&w->job_url, s->job_url, &bad);
	dup_to(&w->owner, owner, &bad);
	w->commit_time = s->commit_time;
	w->build_time = s->build_time;
	w->trial = r->trial;
	w->since = r->since;
	w->created_at = r->now;
	w->deadline = deadline;
	w->lease_until = lease_until;
	if (bad || w->service == NULL || w->commit == NULL) {
		slg_watch_release(w);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	return 0;
}
