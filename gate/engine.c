/* engine: policy -> queries -> eval -> recorded verdict. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "eval.h"
#include "gitmeta.h"
#include "template.h"
#include "timefmt.h"

static int
render(const struct slg_engine_run *r, const char *tmpl, int sustained,
    const char *what, char **out, struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	char window[32], step[32];
	struct slg_tvar vars[6];

	slg_duration_format(p->window, window, sizeof(window));
	slg_duration_format(p->step, step, sizeof(step));
	vars[0] = (struct slg_tvar){ "service", p->service, 1 };
	vars[1] = (struct slg_tvar){ "environment", p->environment, 1 };
	vars[2] = (struct slg_tvar){ "commit", r->subject->commit, 1 };
	vars[3] = (struct slg_tvar){ "window", window, 0 };
	vars[4] = (struct slg_tvar){ "step", step, 0 };
	vars[5] = (struct slg_tvar){ "range", sustained ? step : window, 0 };
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

	if (slg_git_blob_id(p->source, p->source_len, digest, err) != 0)
		return err->code;
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
	v->window_start = r->at - p->window;
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

int
slg_engine_check(const struct slg_engine_run *r, struct slg_verdict **out,
    struct slg_err *err)
{
	const struct slg_policy *p = r->policy;
	size_t n = p->nobj + (p->has_guard ? 1 : 0);
	struct slg_prom_query *q = NULL;
	struct slg_eval_input *in = NULL;
	struct slg_eval_input guard = { 0 };
	struct slg_verdict *v = NULL;
	char **promql = NULL;
	int rc = 0;

	*out = NULL;
	if ((q = calloc(n, sizeof(*q))) == NULL ||
	    (in = calloc(p->nobj, sizeof(*in))) == NULL ||
	    (promql = calloc(n, sizeof(*promql))) == NULL ||
	    (v = calloc(1, sizeof(*v))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = fill_subject(r, v, err)) != 0)
		goto out;

	/* render everything first: a policy mistake must not cost queries */
	for (size_t i = 0; i < p->nobj; i++) {
		const struct slg_objective *o = &p->obj[i];

		if ((rc = render(r, o->tmpl, o->sustained, o->name, &promql[i],
		    err)) != 0)
			goto out;
		q[i].promql = promql[i];
		q[i].range = o->sustained;
		q[i].start = r->at - p->window + p->step;
		q[i].end = r->at;
		q[i].step = p->step;
	}
	if (p->has_guard) {
		if ((rc = render(r, p->guard_tmpl, 0, "guard", &promql[p->nobj],
		    err)) != 0)
			goto out;
		q[p->nobj].promql = promql[p->nobj];
		q[p->nobj].end = r->at;
	}

	for (size_t i = 0; i < p->nobj; i++) {
		in[i].baseline = NAN;
		if (!slg_objective_relative(&p->obj[i]))
			continue;
		if ((rc = slg_store_baseline_get(r->store, p->service,
		    p->environment, p->obj[i].name, &in[i].has_baseline,
		    &in[i].baseline, err)) != 0)
			goto out;
		in[i].baseline_source = "stored";
	}

	if ((rc = slg_prom_run(r->prom, q, n, err)) != 0)
		goto out;
	for (size_t i = 0; i < p->nobj; i++) {
		in[i].promql = promql[i];
		in[i].series = q[i].result;
		in[i].error = &q[i].err;
	}
	if (p->has_guard) {
		guard.promql = promql[p->nobj];
		guard.series = q[p->nobj].result;
		guard.error = &q[p->nobj].err;
	}
	if ((rc = slg_eval(p, in, &guard, v, err)) != 0)
		goto out;
	if ((rc = slg_store_record(r->store, v, err)) != 0)
		goto out;
	*out = v;
	v = NULL;
out:
	for (size_t i = 0; q != NULL && i < n; i++)
		slg_series_free(q[i].result);
	for (size_t i = 0; promql != NULL && i < n; i++)
		free(promql[i]);
	free(promql);
	free(q);
	free(in);
	slg_verdict_free(v);
	return rc;
}
