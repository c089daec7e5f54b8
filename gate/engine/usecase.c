/* usecase: the rules the CLI and the service share, on the store. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usecase.h"
#include "engine/engine.h"
#include "core/promote.h"
#include "util/text.h"
#include "util/timefmt.h"

/* ---- the window rules ---- */

int
slg_usecase_since_check(int64_t since, int64_t now, const char *name,
    struct slg_err *err)
{
	/* a deploy in the future is a clock or a mistake, not a window */
	if (since > now + SLG_USECASE_CLOCK_SLACK)
		return slg_err_set(err, SLG_EUSAGE, "%s is more than 5 minutes "
		    "in the future", name);
	return 0;
}

int
slg_usecase_since_early(int64_t since, int64_t build_time)
{
	return since != 0 && since < build_time - SLG_USECASE_CLOCK_SLACK;
}

int
slg_usecase_timeout_parse(const char *given, int64_t *out,
    struct slg_err *err)
{
	double secs;

	*out = 0;
	if (given == NULL)
		return 0;
	if (slg_duration_parse(given, &secs, err) != 0 || secs < 1 ||
	    secs > SLG_USECASE_TIMEOUT_MAX)
		return slg_err_set(err, SLG_EUSAGE, "bad duration '%s' (1s to "
		    "7d)", given);
	*out = (int64_t)secs;
	return 0;
}

int64_t
slg_usecase_wait_timeout(const struct slg_policy *p, int64_t timeout)
{
	/* by default a wait may last the window and ten minutes more */
	if (timeout > 0)
		return timeout;
	return p != NULL ? p->window + SLG_USECASE_WAIT_EXTRA : 0;
}

int
slg_usecase_window_judgeable(const struct slg_policy *p, int64_t at,
    int64_t since, int64_t build_time, int64_t now, int64_t max_age,
    struct slg_err *err)
{
	int64_t end = since ? since + p->window : at;
	char t[32], age[32];
	int rc;

	/* a window before the build judges another release */
	if ((rc = slg_engine_window_check(p, at, since, build_time, err)) != 0)
		return rc;
	/* one that ended long before now judges another moment (the build
	 * time is the client's word; the clock here is not). max_age is the
	 * service's --max-window-age, hence the flag in the message */
	if (max_age <= 0 || end >= now - max_age)
		return 0;
	slg_time_format(end, t, sizeof(t));
	slg_duration_format(max_age, age, sizeof(age));
	return slg_err_set(err, SLG_EUSAGE, "the window ends at %s, more than "
	    "%s before now (--max-window-age): an evaluation judges what runs "
	    "now (an admin may ask for a trial)", t, age);
}

int
slg_usecase_reason_given(const char *reason)
{
	return reason != NULL && strspn(reason, " \t\r\n") != strlen(reason);
}

/* ---- approvals ---- */

/* The counted verdicts of commit for service and environment, the last
 * written first, at most limit; free with slg_store_list_free. */
static int
counted(struct slg_store *st, const char *commit, const char *service,
    const char *environment, int limit, struct slg_verdict ***list,
    size_t *n, struct slg_err *err)
{
	struct slg_history_filter f = { 0 };

	f.commit = commit;
	f.service = service;
	f.environment = environment;
	f.limit = limit;
	f.counted = 1;
	f.last_written = 1;
	return slg_store_history(st, &f, list, n, err);
}

/* The latest counted verdict of commit for service and environment into
 * *out (NULL when there is none; the caller frees). */
static int
latest(struct slg_store *st, const char *commit, const char *service,
    const char *environment, struct slg_verdict **out, struct slg_err *err)
{
	struct slg_verdict **list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = counted(st, commit, service, environment, 1, &list, &n,
	    err)) != 0)
		return rc;
	if (n > 0) {
		*out = list[0];
		list[0] = NULL;		/* the caller's now */
	}
	slg_store_list_free(list, n);
	return 0;
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

/* a's strings copied into out, which owns them. */
static int
approval_copy(struct slg_approval *out, const struct slg_approval *a,
    struct slg_err *err)
{
	int oom = 0;

	*out = *a;
	out->commit = dup_or_null(a->commit, &oom);
	out->service = dup_or_null(a->service, &oom);
	out->environment = dup_or_null(a->environment, &oom);
	out->by = dup_or_null(a->by, &oom);
	out->named_by = dup_or_null(a->named_by, &oom);
	out->reason = dup_or_null(a->reason, &oom);
	out->revoked_by = dup_or_null(a->revoked_by, &oom);
	out->revoked_named_by = dup_or_null(a->revoked_named_by, &oom);
	out->revoke_reason = dup_or_null(a->revoke_reason, &oom);
	if (!oom)
		return 0;
	slg_approval_release(out);
	return slg_err_set(err, SLG_ENOMEM, "out of memory");
}

int
slg_usecase_approve(struct slg_store *st,
    const struct slg_usecase_approve *in, struct slg_approval *out,
    struct slg_verdict **overridden, struct slg_err *err)
{
	struct slg_verdict *v = NULL;
	struct slg_approval a = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	*overridden = NULL;
	if ((rc = latest(st, in->commit, in->service, in->environment, &v,
	    err)) != 0)
		return rc;
	if ((rc = slg_approval_allowed(v, err)) != 0)
		goto out;
	/* a token a group shares says nothing of the person: one must be
	 * named for the rule to have someone to compare */
	if (in->forbid_self && in->named_by == NULL) {
		rc = slg_err_set(err, SLG_EFORBIDDEN, "name the person who "
		    "approves ('by'): with --forbid-self-approval an approval "
		    "says who gives it");
		goto out;
	}
	if (in->forbid_self && (rc = slg_approval_self(v->commit_author,
	    in->by, in->named_by, err)) != 0)
		goto out;
	a.verdict_id = v->id;
	a.commit = (char *)in->commit;
	a.service = (char *)in->service;
	a.environment = (char *)in->environment;
	a.by = (char *)in->by;
	a.named_by = (char *)in->named_by;
	a.reason = (char *)in->reason;
	a.created_at = in->now;
	a.expires_at = in->expires > 0 ? in->now + (int64_t)ceil(in->expires) :
	    0;
	if ((rc = slg_store_approval_add(st, &a, err)) != 0 ||
	    (rc = approval_copy(out, &a, err)) != 0)
		goto out;
	*overridden = v;
	v = NULL;		/* the caller's now */
out:
	slg_verdict_free(v);
	return rc;
}

int
slg_usecase_revoke(struct slg_store *st, int64_t id, const char *by,
    const char *named_by, const char *reason, int64_t now,
    struct slg_approval *out, struct slg_err *err)
{
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if ((rc = slg_store_approval_revoke(st, id, by, named_by, reason, now,
	    err)) != 0)
		return rc;
	return out != NULL ? slg_store_approval_get(st, id, out, err) : 0;
}

/* ---- invalidation ---- */

int
slg_usecase_invalidate(struct slg_store *st, int64_t id, const char *by,
    const char *reason, int64_t now, struct slg_err *err)
{
	return slg_store_invalidate(st, id, by, reason, now, err);
}

/* ---- status ---- */

int
slg_usecase_status(struct slg_store *st,
    const struct slg_usecase_status *in,
    struct slg_usecase_status_result *out, struct slg_err *err)
{
	char digest[41];
	int found = 0, rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->commit, sizeof(out->commit), "%s", in->commit);
	if (in->recorded && (rc = latest(st, in->commit, in->service,
	    in->environment, &out->verdict, err)) != 0)
		return rc;
	if (in->registered != NULL && (rc = in->registered(in->registered_cls,
	    in->service, in->environment, digest, &found, err)) != 0)
		return rc;
	out->promote = slg_promote_decide(out->verdict, in->now, out->reason,
	    sizeof(out->reason), &out->approval);
	/* only a verdict of the policy registered now counts */
	if (in->registered != NULL && !slg_promote_policy_current(out->verdict,
	    found ? digest : NULL, out->reason, sizeof(out->reason))) {
		out->promote = 0;
		out->approval = NULL;
	}
	return 0;
}

void
slg_usecase_status_release(struct slg_usecase_status_result *r)
{
	slg_verdict_free(r->verdict);
	memset(r, 0, sizeof(*r));
}

/* ---- stored baselines ---- */

int
slg_usecase_baseline_set(struct slg_store *st,
    const struct slg_usecase_baselines *in,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err)
{
	struct slg_stored_baseline *b;
	int rc;

	/* shallow copies: the strings stay the caller's and in's */
	if ((b = calloc(n ? n : 1, sizeof(*b))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		b[i] = rows[i];
		if (in->service != NULL)
			b[i].service = (char *)in->service;
		if (in->environment != NULL)
			b[i].environment = (char *)in->environment;
		if (in->source_commit != NULL)
			b[i].source_commit = (char *)in->source_commit;
		b[i].set_at = in->now;
		b[i].set_by = (char *)in->by;
		b[i].note = (char *)in->note;
	}
	rc = slg_store_baseline_add(st, b, n, err);
	free(b);
	return rc;
}

int
slg_usecase_baseline_import(struct slg_store *st, const char *path,
    const struct slg_usecase_baselines *in, struct slg_stored_baseline **rows,
    size_t *n, struct slg_err *err)
{
	struct slg_usecase_baselines each = *in;
	struct slg_stored_baseline *r = NULL;
	size_t nr = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if ((rc = slg_baseline_file_load(path, &r, &nr, err)) != 0)
		return rc;
	/* the file names the service, environment and commit */
	each.service = NULL;
	each.environment = NULL;
	each.source_commit = NULL;
	if ((rc = slg_usecase_baseline_set(st, &each, r, nr, err)) != 0) {
		for (size_t i = 0; i < nr; i++)
			slg_stored_baseline_release(&r[i]);
		free(r);
		return rc;
	}
	*rows = r;
	*n = nr;
	return 0;
}

int
slg_usecase_baseline_source(struct slg_store *st, const char *commit,
    const char *service, const char *environment, struct slg_verdict **out,
    struct slg_err *err)
{
	struct slg_verdict **list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = counted(st, commit, service, environment, 1000, &list, &n,
	    err)) != 0)
		return rc;
	for (size_t i = 0; i < n && *out == NULL; i++) {
		if (list[i]->verdict == SLG_V_PASS && !list[i]->invalidated) {
			*out = list[i];
			list[i] = NULL;		/* the caller's now */
		}
	}
	slg_store_list_free(list, n);
	if (*out == NULL)
		return slg_err_set(err, SLG_ECONFLICT, "commit %.12s has no "
		    "passing verdict for %s/%s to promote", commit, service,
		    environment);
	return 0;
}

int
slg_usecase_baseline_promote(struct slg_store *st,
    const struct slg_verdict *v, const struct slg_usecase_baselines *in,
    size_t *stored, struct slg_err *err)
{
	struct slg_stored_baseline *rows = NULL;
	size_t nr = 0;
	char note[64];
	int rc;

	*stored = 0;
	if ((rows = calloc(v->nobj ? v->nobj : 1, sizeof(*rows))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	snprintf(note, sizeof(note), "promoted from verdict %lld",
	    (long long)v->id);
	for (size_t i = 0; i < v->nobj; i++) {
		if (!slg_baseline_promotable(&v->obj[i]))
			continue;
		rows[nr].service = v->service;
		rows[nr].environment = v->environment;
		rows[nr].objective = v->obj[i].name;
		rows[nr].value = v->obj[i].value;
		rows[nr].set_at = in->now;
		rows[nr].set_by = (char *)in->by;
		rows[nr].source_commit = v->commit;
		rows[nr].source_verdict = v->id;
		rows[nr].note = note;
		nr++;
	}
	if (nr == 0)
		rc = slg_err_set(err, SLG_ECONFLICT, "verdict %lld has no "
		    "measured values to promote", (long long)v->id);
	else if ((rc = slg_store_baseline_add(st, rows, nr, err)) == 0)
		*stored = nr;
	free(rows);	/* the strings are v's */
	return rc;
}
