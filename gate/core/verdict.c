/* verdict: the result of one evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/verdict.h"

static const char *const verdicts[] = { "pass", "fail", "warn",
    "inconclusive", "error" };
static const char *const statuses[] = { "pass", "warn", "fail", "no_data",
    "error", "info" };

/* Adds the thresholds of the criteria in text ("<= 120ms, <= +10%"). */
static size_t
thresholds(const char *text, const struct slg_objective_result *r,
    double *out, size_t n, size_t max)
{
	char one[64];

	for (const char *p = text; p != NULL && *p && n < max;) {
		size_t l = strcspn(p, ",");
		struct slg_criterion c;

		snprintf(one, sizeof(one), "%.*s", (int)l, p);
		if (slg_criterion_parse(one, &c, NULL) == 0 &&
		    (c.rel == SLG_REL_NONE || r->has_baseline))
			out[n++] = slg_criterion_threshold(&c, r->baseline);
		p += l + (p[l] == ',');
	}
	return n;
}

void
slg_value_text(const struct slg_objective_result *r, char *out, size_t n)
{
	double t[2 * 8];
	size_t nt;

	nt = thresholds(r->pass_text, r, t, 0, 8);
	nt = thresholds(r->warn_text, r, t, nt, 16);
	slg_value_format_exact(r->value, r->unit, t, nt, out, n);
}

void
slg_verdict_free(struct slg_verdict *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nobj; i++) {
		struct slg_objective_result *o = &v->obj[i];

		free(o->name);
		free(o->promql);
		free(o->pass_text);
		free(o->warn_text);
		free(o->baseline_source);
		free(o->baseline_commits);
		free(o->baseline_detail);
		free(o->detail);
	}
	free(v->obj);
	for (size_t i = 0; i < v->napprovals; i++)
		slg_approval_release(&v->approvals[i]);
	free(v->approvals);
	free(v->invalidated_by);
	free(v->invalidated_reason);
	free(v->reason);
	free(v->service);
	free(v->environment);
	free(v->commit);
	free(v->commit_author);
	free(v->commit_subject);
	free(v->branch);
	free(v->pipeline_id);
	free(v->pipeline_url);
	free(v->job_url);
	free(v->ref_name);
	free(v->policy_path);
	free(v->actor);
	free(v->policy_digest);
	free(v->prometheus_url);
	free(v->version);
	free(v->guard_promql);
	free(v);
}

void
slg_approval_release(struct slg_approval *a)
{
	free(a->commit);
	free(a->service);
	free(a->environment);
	free(a->by);
	free(a->reason);
	free(a->revoked_by);
	free(a->named_by);
	free(a->revoked_named_by);
	free(a->revoke_reason);
	memset(a, 0, sizeof(*a));
}

void
slg_watch_release(struct slg_watch *w)
{
	free(w->service);
	free(w->environment);
	free(w->commit);
	free(w->progress);
	free(w->policy);
	free(w->policy_path);
	free(w->policy_digest);
	free(w->actor);
	free(w->branch);
	free(w->ref_name);
	free(w->commit_author);
	free(w->commit_subject);
	free(w->pipeline_id);
	free(w->pipeline_url);
	free(w->job_url);
	free(w->owner);
	memset(w, 0, sizeof(*w));
}

void
slg_watch_poll_release(struct slg_watch_poll *p)
{
	free(p->summary);
	free(p->reason);
	free(p->polled_by);
	memset(p, 0, sizeof(*p));
}

void
slg_stored_baseline_release(struct slg_stored_baseline *b)
{
	free(b->service);
	free(b->environment);
	free(b->objective);
	free(b->set_by);
	free(b->source_commit);
	free(b->note);
	memset(b, 0, sizeof(*b));
}

const char *
slg_verdict_str(enum slg_verdict_kind k)
{
	return (unsigned)k < 5 ? verdicts[k] : "error";
}

int
slg_verdict_parse(const char *s)
{
	for (int i = 0; s != NULL && i < 5; i++) {
		if (strcmp(s, verdicts[i]) == 0)
			return i;
	}
	return -1;
}

const char *
slg_status_str(enum slg_status s)
{
	return (unsigned)s < 6 ? statuses[s] : "error";
}

int
slg_status_parse(const char *s)
{
	for (int i = 0; s != NULL && i < 6; i++) {
		if (strcmp(s, statuses[i]) == 0)
			return i;
	}
	return -1;
}

static const char *
display(const char *who, const char *named, char *buf, size_t n)
{
	if (named != NULL && *named != '\0' && (who == NULL ||
	    strcmp(named, who) != 0))
		snprintf(buf, n, "%s via %s", named, who ? who : "?");
	else
		snprintf(buf, n, "%s", who ? who : "?");
	return buf;
}

char *
slg_who_display(const char *who, const char *named)
{
	char buf[512];

	return strdup(display(who, named, buf, sizeof(buf)));
}

const char *
slg_approval_approver(const struct slg_approval *a, char *buf, size_t n)
{
	return display(a->by, a->named_by, buf, n);
}

const char *
slg_approval_revoker(const struct slg_approval *a, char *buf, size_t n)
{
	return display(a->revoked_by, a->revoked_named_by, buf, n);
}

void
slg_audit_entry_release(struct slg_audit_entry *e)
{
	free(e->actor);
	free(e->service);
	free(e->environment);
	free(e->commit);
	free(e->what);
	free(e->why);
	memset(e, 0, sizeof(*e));
}

const char *
slg_audit_kind(const char *k)
{
	static const char *const kinds[] = { "evaluation", "trial", "approval",
	    "revocation", "baseline", "invalidation" };

	for (size_t i = 0; k != NULL && i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (strcmp(kinds[i], k) == 0)
			return kinds[i];
	}
	return NULL;
}
