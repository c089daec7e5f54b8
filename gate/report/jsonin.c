/* jsonin: the JSON slogate writes, read back into structs. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/jsonin.h"
#include "util/text.h"
#include "util/timefmt.h"

static char *
text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "+Inf") == 0)
		return INFINITY;
	if (cJSON_IsString(v) && strcmp(v->valuestring, "-Inf") == 0)
		return -INFINITY;
	return NAN;
}

/* A count or an id: a whole number from 0 to 2^53, else 0. A cast of
 * NaN or 1e300 to an integer is undefined, and no id is either. */
static int64_t
whole(const cJSON *o, const char *key)
{
	double d = num(o, key);

	if (!(d >= 0) || d > 9007199254740992.0 || d != floor(d))
		return 0;
	return (int64_t)d;
}

static int64_t
when(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t t = 0;

	if (cJSON_IsString(v))
		slg_time_parse(v->valuestring, &t, NULL);
	return t;
}

static int
flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void
approval(const cJSON *o, struct slg_approval *a)
{
	memset(a, 0, sizeof(*a));
	a->id = whole(o, "id");
	a->verdict_id = whole(o, "verdict_id");
	a->commit = text(o, "commit");
	a->service = text(o, "service");
	a->environment = text(o, "environment");
	a->by = text(o, "by");
	a->named_by = text(o, "named_by");
	a->reason = text(o, "reason");
	a->created_at = when(o, "created_at");
	a->expires_at = when(o, "expires_at");
	a->revoked_at = when(o, "revoked_at");
	a->revoked_by = text(o, "revoked_by");
	a->revoked_named_by = text(o, "revoked_named_by");
	a->revoke_reason = text(o, "revoke_reason");
}

/* Fills r from o; -1 when o is no objective a writer can show: every
 * one has a name, and a judged one its pass criteria (the text, tables and
 * JUnit print them). */
static int
objective(const cJSON *o, struct slg_objective_result *r)
{
	static const char *const units[] = { "number", "ratio", "seconds" };
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "baseline"), *c;
	char *unit = text(o, "unit");
	int st;

	r->name = text(o, "name");
	r->promql = text(o, "promql");
	r->detail = text(o, "detail");
	r->pass_text = text(o, "pass");
	r->warn_text = text(o, "warn");
	st = slg_status_parse(cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, "status")));
	r->status = st < 0 ? SLG_ST_ERROR : (enum slg_status)st;
	r->value = num(o, "value");
	r->value_at = (double)when(o, "value_at");
	for (int i = 0; unit && i < 3; i++) {
		if (strcmp(unit, units[i]) == 0)
			r->unit = (enum slg_unit)i;
	}
	free(unit);
	r->judged = flag(o, "judged");
	r->sustained = flag(o, "sustained");
	r->weight = isnan(num(o, "weight")) ? 1 : num(o, "weight");
	r->key = flag(o, "key");
	r->points = (size_t)whole(o, "points");
	r->points_failed = (size_t)whole(o, "points_failed");
	r->points_warn = (size_t)whole(o, "points_warn");
	r->points_missing = (size_t)whole(o, "points_missing");
	if (cJSON_IsObject(b)) {
		struct slg_buf commits = SLG_BUF_INIT;

		r->has_baseline = 1;
		r->baseline = num(b, "value");
		r->baseline_source = text(b, "source");
		r->baseline_detail = text(b, "detail");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(b,
		    "commits")) {
			if (cJSON_IsString(c))
				slg_buf_printf(&commits, "%s%s", commits.len ?
				    "," : "", c->valuestring);
		}
		r->baseline_commits = commits.len ? slg_buf_detach(&commits) :
		    NULL;
		slg_buf_release(&commits);
	} else {
		r->baseline = NAN;
	}
	return r->name != NULL && (!r->judged || r->pass_text != NULL) ? 0 : -1;
}

static struct slg_verdict *
verdict(const cJSON *o, struct slg_err *err)
{
	const cJSON *w, *ci, *p, *g, *s, *objs, *it, *inv;
	struct slg_verdict *v;
	size_t i = 0;
	int k;

	if (!cJSON_IsObject(o) || (k = slg_verdict_parse(cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, "verdict")))) < 0) {
		slg_err_set(err, SLG_EPARSE, "the service answered with something "
		    "that is not a verdict");
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		slg_err_set(err, SLG_ENOMEM, "out of memory");
		return NULL;
	}
	v->verdict = (enum slg_verdict_kind)k;
	v->id = whole(o, "id");
	if (flag(cJSON_GetObjectItemCaseSensitive(o, "window"), "watched"))
		v->watch_id = v->id;
	v->reason = text(o, "reason");
	v->service = text(o, "service");
	v->environment = text(o, "environment");
	v->commit = text(o, "commit");
	v->commit_time = when(o, "commit_time");
	v->commit_author = text(o, "commit_author");
	v->commit_subject = text(o, "commit_subject");
	v->branch = text(o, "branch");
	v->build_time = when(o, "build_time");
	v->evaluated_at = when(o, "evaluated_at");
	w = cJSON_GetObjectItemCaseSensitive(o, "window");
	v->window_start = when(w, "start");
	v->window_end = when(w, "end");
	v->step = whole(w, "step_seconds");
	ci = cJSON_GetObjectItemCaseSensitive(o, "ci");
	v->pipeline_id = text(ci, "pipeline_id");
	v->pipeline_url = text(ci, "pipeline_url");
	v->job_url = text(ci, "job_url");
	v->ref_name = text(ci, "ref_name");
	p = cJSON_GetObjectItemCaseSensitive(o, "policy");
	v->policy_path = text(p, "path");
	v->policy_digest = text(p, "digest");
	v->prometheus_url = text(o, "prometheus_url");
	v->version = text(o, "slogate_version");
	g = cJSON_GetObjectItemCaseSensitive(o, "guard");
	v->guard_value = NAN;
	if (cJSON_IsObject(g)) {
		v->has_guard = 1;
		v->guard_value = num(g, "value");
		v->guard_min = num(g, "min");
		v->guard_promql = text(g, "promql");
	}
	s = cJSON_GetObjectItemCaseSensitive(o, "score");
	if (cJSON_IsObject(s)) {
		v->has_score = 1;
		v->score = num(s, "score");
		v->score_max = num(s, "max");
		v->score_pass = num(s, "pass");
		v->score_warn = num(s, "warn");
	}
	objs = cJSON_GetObjectItemCaseSensitive(o, "objectives");
	if (cJSON_GetArraySize(objs) > 0 && (v->obj = calloc((size_t)
	    cJSON_GetArraySize(objs), sizeof(*v->obj))) == NULL)
		goto nomem;
	cJSON_ArrayForEach(it, objs) {
		if (objective(it, &v->obj[v->nobj++]) != 0) {
			slg_err_set(err, SLG_EPARSE, "the service answered "
			    "with a verdict whose objective #%zu has no name "
			    "or no criteria", v->nobj);
			slg_verdict_free(v);
			return NULL;
		}
	}
	objs = cJSON_GetObjectItemCaseSensitive(o, "approvals");
	if (cJSON_GetArraySize(objs) > 0 && (v->approvals = calloc((size_t)
	    cJSON_GetArraySize(objs), sizeof(*v->approvals))) == NULL)
		goto nomem;
	cJSON_ArrayForEach(it, objs)
		approval(it, &v->approvals[i++]);
	v->napprovals = i;
	v->trial = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "trial"));
	inv = cJSON_GetObjectItemCaseSensitive(o, "invalidated");
	if (cJSON_IsObject(inv)) {
		v->invalidated = 1;
		v->invalidated_by = text(inv, "by");
		v->invalidated_reason = text(inv, "reason");
		v->invalidated_at = when(inv, "at");
	}
	if (v->service == NULL || v->environment == NULL || v->commit == NULL) {
		slg_err_set(err, SLG_EPARSE, "the service answered with a verdict "
		    "without service, environment or commit");
		slg_verdict_free(v);
		return NULL;
	}
	return v;
nomem:
	slg_verdict_free(v);
	slg_err_set(err, SLG_ENOMEM, "out of memory");
	return NULL;
}

static cJSON *
parse(const char *json, size_t len, struct slg_err *err)
{
	cJSON *root;

	if (slg_json_check(json, len, "the service's answer", err) != 0) {
		if (err != NULL)
			err->code = SLG_EPARSE;
		return NULL;
	}
	if ((root = cJSON_ParseWithLength(json, len)) == NULL)
		slg_err_set(err, SLG_EPARSE, "the service answered with invalid "
		    "JSON");
	return root;
}

int
slg_jsonin_verdict(const char *json, size_t len, struct slg_verdict **out,
    struct slg_err *err)
{
	cJSON *root = parse(json, len, err);

	*out = root ? verdict(root, err) : NULL;
	cJSON_Delete(root);
	return *out ? 0 : err->code;
}

int
slg_jsonin_verdicts(const char *json, size_t len, struct slg_verdict ***out,
    size_t *n, struct slg_err *err)
{
	cJSON *root = parse(json, len, err), *arr, *it;
	struct slg_verdict **list = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return err->code;
	/* a bare array, or the API's {"verdicts": [...], "next": ...} */
	arr = cJSON_IsArray(root) ? root :
	    cJSON_GetObjectItemCaseSensitive(root, "verdicts");
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_EPARSE, "the service answered without "
		    "a list of verdicts");
	}
	if ((list = calloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof(*list))) == NULL) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, arr) {
		if ((list[cnt] = verdict(it, err)) == NULL) {
			for (size_t i = 0; i < cnt; i++)
				slg_verdict_free(list[i]);
			free(list);
			cJSON_Delete(root);
			return err->code;
		}
		cnt++;
	}
	cJSON_Delete(root);
	*out = list;
	*n = cnt;
	return 0;
}

int
slg_jsonin_status(const char *json, size_t len, int *promote, char **reason,
    struct slg_verdict **v, struct slg_approval **a, struct slg_err *err)
{
	cJSON *root = parse(json, len, err), *x;

	*promote = 0;
	*reason = NULL;
	*v = NULL;
	*a = NULL;
	if (root == NULL)
		return err->code;
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(root, "promote"))) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_EPARSE, "the service answered "
		    "without a promotion decision");
	}
	*promote = flag(root, "promote");
	*reason = text(root, "reason");
	if (cJSON_IsObject(x = cJSON_GetObjectItemCaseSensitive(root, "verdict")))
		*v = verdict(x, err);
	if (cJSON_IsObject(x = cJSON_GetObjectItemCaseSensitive(root,
	    "approval")) && (*a = calloc(1, sizeof(**a))) != NULL)
		approval(x, *a);
	cJSON_Delete(root);
	return 0;
}

int
slg_jsonin_approval(const char *json, size_t len, struct slg_approval *out,
    int *overrides, struct slg_err *err)
{
	cJSON *root = parse(json, len, err);

	memset(out, 0, sizeof(*out));
	if (root == NULL)
		return err->code;
	approval(root, out);
	if (overrides != NULL)
		*overrides = slg_verdict_parse(cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    root, "overrides"), "verdict")));
	cJSON_Delete(root);
	return out->id > 0 ? 0 : slg_err_set(err, SLG_EPARSE, "the service "
	    "answered without an approval");
}

int
slg_jsonin_baselines(const char *json, size_t len,
    struct slg_stored_baseline **out, size_t *n, struct slg_err *err)
{
	cJSON *root = parse(json, len, err), *it;
	struct slg_stored_baseline *b;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return err->code;
	if (!cJSON_IsArray(root) || (b = calloc((size_t)cJSON_GetArraySize(root)
	    + 1, sizeof(*b))) == NULL) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_EPARSE, "the service answered without "
		    "a list of baselines");
	}
	cJSON_ArrayForEach(it, root) {
		b[cnt].id = whole(it, "id");
		b[cnt].service = text(it, "service");
		b[cnt].environment = text(it, "environment");
		b[cnt].objective = text(it, "objective");
		b[cnt].value = num(it, "value");
		b[cnt].set_at = when(it, "set_at");
		b[cnt].set_by = text(it, "set_by");
		b[cnt].source_commit = text(it, "source_commit");
		b[cnt].source_verdict = whole(it, "source_verdict");
		b[cnt].note = text(it, "note");
		cnt++;
	}
	cJSON_Delete(root);
	*out = b;
	*n = cnt;
	return 0;
}

int
slg_jsonin_evaluation(const char *json, size_t len, struct slg_watch *w,
    struct slg_verdict **v, struct slg_err *err)
{
	cJSON *root = parse(json, len, err);
	const char *state;

	memset(w, 0, sizeof(*w));
	*v = NULL;
	if (root == NULL)
		return err->code;
	state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "state"));
	if (state != NULL && strcmp(state, "running") == 0) {
		w->running = 1;
		w->id = whole(root, "id");
		w->service = text(root, "service");
		w->environment = text(root, "environment");
		w->commit = text(root, "commit");
		w->since = when(root, "since");
		w->deadline = when(root, "deadline");
		w->polls = whole(root, "polls") > INT_MAX ? INT_MAX :
		    (int)whole(root, "polls");
		w->progress = text(root, "progress");
	} else {
		*v = verdict(root, err);
	}
	cJSON_Delete(root);
	return w->running || *v ? 0 : err->code;
}

char *
slg_jsonin_error(const char *json, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	char *e, *d, *msg = NULL;

	if (root == NULL)
		return NULL;
	e = text(root, "error");
	d = text(root, "detail");
	if (e != NULL && asprintf(&msg, "%s%s%s", e, d && *d ? ": " : "",
	    d && *d ? d : "") < 0)
		msg = NULL;
	free(e);
	free(d);
	cJSON_Delete(root);
	return msg;
}

static void
hash_member(const cJSON *o, const char *key, char out[65])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(out, 65, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

int
slg_jsonin_audit(const char *json, size_t len, struct slg_audit_entry **out,
    size_t *n, struct slg_err *err)
{
	cJSON *root = parse(json, len, err), *a, *it;
	struct slg_audit_entry *e;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return err->code;
	a = cJSON_GetObjectItemCaseSensitive(root, "entries");
	if (!cJSON_IsArray(a) || (e = calloc((size_t)cJSON_GetArraySize(a) + 1,
	    sizeof(*e))) == NULL) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_EPARSE, "the service answered without "
		    "audit entries");
	}
	cJSON_ArrayForEach(it, a) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "kind");

		e[cnt].id = whole(it, "id");
		e[cnt].at = when(it, "at");
		e[cnt].actor = text(it, "actor");
		e[cnt].kind = slg_audit_kind(cJSON_IsString(k) ? k->valuestring :
		    NULL);
		if (e[cnt].kind == NULL)
			e[cnt].kind = "unknown";
		e[cnt].service = text(it, "service");
		e[cnt].environment = text(it, "environment");
		e[cnt].commit = text(it, "commit");
		e[cnt].subject_id = whole(it, "subject_id");
		e[cnt].what = text(it, "what");
		e[cnt].why = text(it, "why");
		hash_member(it, "content_hash", e[cnt].content_hash);
		hash_member(it, "prev_hash", e[cnt].prev_hash);
		hash_member(it, "hash", e[cnt].hash);
		cnt++;
	}
	cJSON_Delete(root);
	*out = e;
	*n = cnt;
	return 0;
}

int
slg_jsonin_audit_check(const char *json, size_t len, struct slg_audit_check *c,
    struct slg_err *err)
{
	cJSON *root = parse(json, len, err);
	const cJSON *ok, *why;

	memset(c, 0, sizeof(*c));
	if (root == NULL)
		return err->code;
	ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
	why = cJSON_GetObjectItemCaseSensitive(root, "why");
	if (!cJSON_IsBool(ok)) {
		cJSON_Delete(root);
		return slg_err_set(err, SLG_EPARSE, "the service answered without "
		    "what the check found");
	}
	c->ok = cJSON_IsTrue(ok);
	c->entries = whole(root, "entries");
	c->bad = whole(root, "bad_entry");
	c->older = whole(root, "older_rows");
	c->head = whole(root, "head");
	{
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(root,
		    "head_hash");

		snprintf(c->head_hash, sizeof(c->head_hash), "%s",
		    cJSON_IsString(h) ? h->valuestring : "");
	}
	snprintf(c->why, sizeof(c->why), "%s", cJSON_IsString(why) ?
	    why->valuestring : c->ok ? "" : "the service did not say why");
	cJSON_Delete(root);
	return 0;
}
