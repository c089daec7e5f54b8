/* rows: records from rows, alike for every backend (see rows.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rows.h"

static char *
text(const struct slg_row *r, int i)
{
	const char *t = r->text(r, i);

	return t ? strdup(t) : NULL;
}

/* NaN for NULL: a value that was not measured */
static double
real(const struct slg_row *r, int i)
{
	return r->null(r, i) ? NAN : r->real(r, i);
}

struct slg_verdict *
slg_row_verdict(const struct slg_row *r)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	int i = 0;

	if (v == NULL)
		return NULL;
	v->id = r->i64(r, i++);
	v->service = text(r, i++);
	v->environment = text(r, i++);
	v->commit = text(r, i++);
	v->commit_time = r->i64(r, i++);
	v->commit_author = text(r, i++);
	v->commit_subject = text(r, i++);
	v->branch = text(r, i++);
	v->build_time = r->i64(r, i++);
	v->evaluated_at = r->i64(r, i++);
	v->window_start = r->i64(r, i++);
	v->window_end = r->i64(r, i++);
	v->step = r->i64(r, i++);
	v->pipeline_id = text(r, i++);
	v->pipeline_url = text(r, i++);
	v->job_url = text(r, i++);
	v->ref_name = text(r, i++);
	v->policy_path = text(r, i++);
	v->policy_digest = text(r, i++);
	v->prometheus_url = text(r, i++);
	v->version = text(r, i++);
	v->verdict = slg_verdict_parse(r->text(r, i++));
	v->reason = text(r, i++);
	v->guard_promql = text(r, i++);
	v->has_guard = v->guard_promql != NULL;
	v->guard_value = real(r, i++);
	v->guard_min = real(r, i++);
	v->has_score = !r->null(r, i);
	v->score = real(r, i++);
	v->score_max = real(r, i++);
	v->score_pass = real(r, i++);
	v->score_warn = real(r, i++);
	v->watch_id = r->i64(r, i++);
	v->trial = (int)r->i64(r, i++);
	v->invalidated = r->i64(r, i++) > 0;
	return v;
}

int
slg_row_objective(const struct slg_row *r, struct slg_verdict *v,
    struct slg_err *err)
{
	struct slg_objective_result *o;
	int i = 1, st;

	/* grows by doubling: nobj is a power of two when it is full */
	if (v->nobj == 0 || (v->nobj >= 4 && (v->nobj & (v->nobj - 1)) == 0)) {
		size_t cap = v->nobj ? v->nobj * 2 : 4;

		if ((o = realloc(v->obj, cap * sizeof(*o))) == NULL)
			return slg_err_set(err, SLG_ENOMEM, "out of memory");
		v->obj = o;
	}
	o = &v->obj[v->nobj++];
	memset(o, 0, sizeof(*o));
	o->name = text(r, i++);
	o->promql = text(r, i++);
	o->sustained = (int)r->i64(r, i++);
	o->judged = (int)r->i64(r, i++);
	o->unit = (enum slg_unit)r->i64(r, i++);
	o->pass_text = text(r, i++);
	o->warn_text = text(r, i++);
	st = slg_status_parse(r->text(r, i++));
	o->status = st < 0 ? SLG_ST_ERROR : (enum slg_status)st;
	o->value = real(r, i++);
	o->value_at = r->real(r, i++);
	o->baseline = real(r, i++);
	o->has_baseline = !isnan(o->baseline);
	o->baseline_source = text(r, i++);
	o->points = (size_t)r->i64(r, i++);
	o->points_failed = (size_t)r->i64(r, i++);
	o->points_warn = (size_t)r->i64(r, i++);
	o->points_missing = (size_t)r->i64(r, i++);
	o->detail = text(r, i++);
	o->baseline_commits = text(r, i++);
	o->baseline_detail = text(r, i++);
	o->weight = r->real(r, i++);
	o->key = (int)r->i64(r, i++);
	return 0;
}

int
slg_row_add_approval(const struct slg_row *r, struct slg_verdict *v,
    struct slg_err *err)
{
	size_t n = v->napprovals;

	if (n == 0 || (n >= 2 && (n & (n - 1)) == 0)) {
		struct slg_approval *p = realloc(v->approvals, (n ? n * 2 : 2) *
		    sizeof(*p));

		if (p == NULL)
			return slg_err_set(err, SLG_ENOMEM, "out of memory");
		v->approvals = p;
	}
	slg_row_approval(r, &v->approvals[v->napprovals++]);
	return 0;
}

void
slg_row_invalidation(const struct slg_row *r, struct slg_verdict *v)
{
	v->invalidated_by = text(r, 1);
	v->invalidated_reason = text(r, 2);
	v->invalidated_at = r->i64(r, 3);
}

void
slg_row_approval(const struct slg_row *r, struct slg_approval *a)
{
	a->id = r->i64(r, 0);
	a->verdict_id = r->i64(r, 1);
	a->commit = text(r, 2);
	a->service = text(r, 3);
	a->environment = text(r, 4);
	a->by = text(r, 5);
	a->reason = text(r, 6);
	a->created_at = r->i64(r, 7);
	a->expires_at = r->i64(r, 8);
	a->revoked_at = r->i64(r, 9);
	a->revoked_by = text(r, 10);
	a->revoke_reason = text(r, 11);
	a->named_by = text(r, 12);
	a->revoked_named_by = text(r, 13);
}

void
slg_row_baseline(const struct slg_row *r, struct slg_stored_baseline *b)
{
	b->id = r->i64(r, 0);
	b->service = text(r, 1);
	b->environment = text(r, 2);
	b->objective = text(r, 3);
	b->value = r->real(r, 4);
	b->set_at = r->i64(r, 5);
	b->set_by = text(r, 6);
	b->source_commit = text(r, 7);
	b->source_verdict = r->i64(r, 8);
	b->note = text(r, 9);
}

void
slg_row_watch(const struct slg_row *r, struct slg_watch *w)
{
	const char *state = r->text(r, 7);

	memset(w, 0, sizeof(*w));
	w->id = r->i64(r, 0);
	w->service = text(r, 1);
	w->environment = text(r, 2);
	w->commit = text(r, 3);
	w->since = r->i64(r, 4);
	w->deadline = r->i64(r, 5);
	w->created_at = r->i64(r, 6);
	w->running = state && strcmp(state, "running") == 0;
	w->errors = (int)r->i64(r, 8);
	w->settle = (int)r->i64(r, 9);
	w->progress = text(r, 10);
	w->polls = (int)r->i64(r, 11);
	w->owner = text(r, 12);
	w->lease_until = r->i64(r, 13);
	w->policy = text(r, 14);
	w->policy_path = text(r, 15);
	w->policy_digest = text(r, 16);
	w->trial = (int)r->i64(r, 17);
	w->actor = text(r, 18);
	w->branch = text(r, 19);
	w->ref_name = text(r, 20);
	w->commit_author = text(r, 21);
	w->commit_subject = text(r, 22);
	w->commit_time = r->i64(r, 23);
	w->build_time = r->i64(r, 24);
	w->pipeline_id = text(r, 25);
	w->pipeline_url = text(r, 26);
	w->job_url = text(r, 27);
}

void
slg_row_poll(const struct slg_row *r, struct slg_watch_poll *p)
{
	p->polled_at = r->i64(r, 0);
	p->window_end = r->i64(r, 1);
	p->verdict = slg_verdict_parse(r->text(r, 2));
	p->summary = text(r, 3);
	p->reason = text(r, 4);
	p->polled_by = text(r, 5);
}

static void
hash_copy(char out[65], const char *t)
{
	snprintf(out, 65, "%s", t ? t : "");
}

void
slg_row_audit(const struct slg_row *r, struct slg_audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = r->i64(r, 0);
	e->at = r->i64(r, 1);
	e->actor = text(r, 2);
	e->kind = slg_audit_kind(r->text(r, 3));
	if (e->kind == NULL)
		e->kind = "unknown";
	e->service = text(r, 4);
	e->environment = text(r, 5);
	e->commit = text(r, 6);
	e->subject_id = r->i64(r, 7);
	e->what = text(r, 8);
	e->why = text(r, 9);
	hash_copy(e->content_hash, r->text(r, 10));
	hash_copy(e->prev_hash, r->text(r, 11));
	hash_copy(e->hash, r->text(r, 12));
}
