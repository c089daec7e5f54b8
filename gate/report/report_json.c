/* report_json: verdicts as JSON, the shape scripts and the service use. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/timefmt.h"

/* A finite number as the shortest text that reads back as exactly v:
 * cJSON's own printing settles for 15 digits when they come within an
 * epsilon, and 0.9994999999999999 would read as 0.9995 (and an id of
 * 2^53 as 9007199254740990). */
static void
add_number(cJSON *o, const char *key, double v)
{
	char buf[40];

	slg_number_format(v, buf, sizeof(buf));
	cJSON_AddRawToObject(o, key, buf);
}

/* NaN is null; infinities are strings as Prometheus writes them. */
static void
add_value(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else if (isinf(v))
		cJSON_AddStringToObject(o, key, v > 0 ? "+Inf" : "-Inf");
	else
		add_number(o, key, v);
}

static void
add_text(cJSON *o, const char *key, const char *s)
{
	if (s == NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, s);
}

static void
add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[32];

	if (t == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	slg_time_format(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

static cJSON *
objective(const struct slg_objective_result *r)
{
	cJSON *o = cJSON_CreateObject();
	char text[64];
	static const char *const units[] = { "number", "ratio", "seconds" };

	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "status", slg_status_str(r->status));
	add_value(o, "value", r->value);
	slg_value_text(r, text, sizeof(text));
	cJSON_AddStringToObject(o, "value_text", text);
	add_time(o, "value_at", (int64_t)r->value_at);
	cJSON_AddStringToObject(o, "unit", units[r->unit]);
	add_text(o, "pass", r->pass_text);
	add_text(o, "warn", r->warn_text);
	cJSON_AddBoolToObject(o, "judged", r->judged);
	cJSON_AddBoolToObject(o, "sustained", r->sustained);
	if (r->has_baseline) {
		cJSON *b = cJSON_AddObjectToObject(o, "baseline");
		cJSON *c = cJSON_AddArrayToObject(b, "commits");

		add_value(b, "value", r->baseline);
		add_text(b, "source", r->baseline_source);
		add_text(b, "detail", r->baseline_detail);
		/* the stored text is comma separated */
		for (const char *p = r->baseline_commits; p && *p;) {
			size_t l = strcspn(p, ",");
			char sha[65];

			snprintf(sha, sizeof(sha), "%.*s", (int)l, p);
			cJSON_AddItemToArray(c, cJSON_CreateString(sha));
			p += l + (p[l] == ',');
		}
	} else {
		cJSON_AddNullToObject(o, "baseline");
	}
	add_value(o, "weight", r->weight > 0 ? r->weight : 1);
	cJSON_AddBoolToObject(o, "key", r->key);
	if (r->sustained) {
		add_number(o, "points", (double)r->points);
		add_number(o, "points_failed", (double)r->points_failed);
		add_number(o, "points_warn", (double)r->points_warn);
		add_number(o, "points_missing",
		    (double)r->points_missing);
	}
	cJSON_AddStringToObject(o, "detail", r->detail ? r->detail : "");
	cJSON_AddStringToObject(o, "promql", r->promql);
	return o;
}

static cJSON *
slg_json_approval(const struct slg_approval *a)
{
	cJSON *o = cJSON_CreateObject();
	char who[512];

	add_number(o, "id", (double)a->id);
	add_number(o, "verdict_id", (double)a->verdict_id);
	add_text(o, "commit", a->commit);
	add_text(o, "service", a->service);
	add_text(o, "environment", a->environment);
	add_text(o, "by", a->by);
	add_text(o, "named_by", a->named_by);
	add_text(o, "approver", slg_approval_approver(a, who, sizeof(who)));
	add_text(o, "reason", a->reason);
	add_time(o, "created_at", a->created_at);
	add_time(o, "expires_at", a->expires_at);
	add_time(o, "revoked_at", a->revoked_at);
	add_text(o, "revoked_by", a->revoked_by);
	add_text(o, "revoked_named_by", a->revoked_named_by);
	add_text(o, "revoke_reason", a->revoke_reason);
	return o;
}

static cJSON *
verdict(const struct slg_verdict *v)
{
	cJSON *o = cJSON_CreateObject(), *w, *ci, *p, *objs;

	if (v->id > 0)
		add_number(o, "id", (double)v->id);
	else
		cJSON_AddNullToObject(o, "id");
	cJSON_AddStringToObject(o, "verdict", slg_verdict_str(v->verdict));
	cJSON_AddNumberToObject(o, "exit_code", (int)v->verdict);
	cJSON_AddStringToObject(o, "reason", v->reason ? v->reason : "");
	cJSON_AddStringToObject(o, "service", v->service);
	cJSON_AddStringToObject(o, "environment", v->environment);
	cJSON_AddStringToObject(o, "commit", v->commit);
	add_time(o, "commit_time", v->commit_time);
	add_text(o, "commit_author", v->commit_author);
	add_text(o, "commit_subject", v->commit_subject);
	add_text(o, "branch", v->branch);
	add_time(o, "build_time", v->build_time);
	add_time(o, "evaluated_at", v->evaluated_at);
	w = cJSON_AddObjectToObject(o, "window");
	add_time(w, "start", v->window_start);
	add_time(w, "end", v->window_end);
	add_number(w, "seconds", (double)(v->window_end -
	    v->window_start));
	add_number(w, "step_seconds", (double)v->step);
	/* watched: the window started at the deploy (check --since) */
	cJSON_AddBoolToObject(w, "watched", v->watch_id != 0);
	ci = cJSON_AddObjectToObject(o, "ci");
	add_text(ci, "pipeline_id", v->pipeline_id);
	add_text(ci, "pipeline_url", v->pipeline_url);
	add_text(ci, "job_url", v->job_url);
	add_text(ci, "ref_name", v->ref_name);
	p = cJSON_AddObjectToObject(o, "policy");
	add_text(p, "path", v->policy_path);
	add_text(p, "digest", v->policy_digest);
	add_text(o, "prometheus_url", v->prometheus_url);
	add_text(o, "slogate_version", v->version);
	if (v->has_guard) {
		cJSON *g = cJSON_AddObjectToObject(o, "guard");

		add_value(g, "value", v->guard_value);
		add_value(g, "min", v->guard_min);
		add_text(g, "promql", v->guard_promql);
	} else {
		cJSON_AddNullToObject(o, "guard");
	}
	if (v->has_score) {
		cJSON *s = cJSON_AddObjectToObject(o, "score");

		add_value(s, "score", v->score);
		add_value(s, "max", v->score_max);
		add_value(s, "ratio", v->score_max > 0 ? v->score / v->score_max :
		    0);
		add_value(s, "pass", v->score_pass);
		add_value(s, "warn", v->score_warn);
	} else {
		cJSON_AddNullToObject(o, "score");
	}
	objs = cJSON_AddArrayToObject(o, "objectives");
	for (size_t i = 0; i < v->nobj; i++)
		cJSON_AddItemToArray(objs, objective(&v->obj[i]));
	objs = cJSON_AddArrayToObject(o, "approvals");
	for (size_t i = 0; i < v->napprovals; i++)
		cJSON_AddItemToArray(objs, slg_json_approval(&v->approvals[i]));
	cJSON_AddBoolToObject(o, "trial", v->trial);
	if (v->invalidated) {
		cJSON *inv = cJSON_AddObjectToObject(o, "invalidated");

		add_text(inv, "by", v->invalidated_by);
		add_text(inv, "reason", v->invalidated_reason);
		add_time(inv, "at", v->invalidated_at);
	} else {
		cJSON_AddNullToObject(o, "invalidated");
	}
	return o;
}

static int
emit(FILE *f, cJSON *root)
{
	char *s = root ? cJSON_Print(root) : NULL;
	int rc = -1;

	if (s != NULL) {
		fprintf(f, "%s\n", s);
		rc = ferror(f) ? -1 : 0;
	}
	free(s);
	cJSON_Delete(root);
	return rc;
}

int
slg_report_json(FILE *f, const struct slg_verdict *v)
{
	return emit(f, verdict(v));
}

int
slg_report_watch_json(FILE *f, const struct slg_watch *w)
{
	cJSON *o = cJSON_CreateObject();

	add_number(o, "id", (double)w->id);
	cJSON_AddStringToObject(o, "state", w->running ? "running" : "done");
	cJSON_AddStringToObject(o, "service", w->service);
	cJSON_AddStringToObject(o, "environment", w->environment);
	cJSON_AddStringToObject(o, "commit", w->commit);
	add_time(o, "since", w->since);
	add_time(o, "deadline", w->deadline);
	add_time(o, "created_at", w->created_at);
	cJSON_AddNumberToObject(o, "polls", w->polls);
	cJSON_AddNumberToObject(o, "errors_in_a_row", w->errors);
	add_text(o, "progress", w->progress);
	return emit(f, o);
}

int
slg_report_history_json(FILE *f, struct slg_verdict *const *list, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a, verdict(list[i]));
	return emit(f, a);
}

int
slg_report_status_json(FILE *f, const struct slg_status_report *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "commit", s->commit);
	cJSON_AddStringToObject(o, "service", s->service);
	cJSON_AddStringToObject(o, "environment", s->environment);
	cJSON_AddBoolToObject(o, "promote", s->promote);
	cJSON_AddStringToObject(o, "reason", s->reason);
	if (s->verdict != NULL)
		cJSON_AddItemToObject(o, "verdict", verdict(s->verdict));
	else
		cJSON_AddNullToObject(o, "verdict");
	if (s->approval != NULL)
		cJSON_AddItemToObject(o, "approval",
		    slg_json_approval(s->approval));
	else
		cJSON_AddNullToObject(o, "approval");
	return emit(f, o);
}

int
slg_report_baselines_json(FILE *f, const struct slg_stored_baseline *b,
    size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		add_number(o, "id", (double)b[i].id);
		add_text(o, "service", b[i].service);
		add_text(o, "environment", b[i].environment);
		add_text(o, "objective", b[i].objective);
		add_value(o, "value", b[i].value);
		add_time(o, "set_at", b[i].set_at);
		add_text(o, "set_by", b[i].set_by);
		add_text(o, "source_commit", b[i].source_commit);
		if (b[i].source_verdict)
			add_number(o, "source_verdict",
			    (double)b[i].source_verdict);
		else
			cJSON_AddNullToObject(o, "source_verdict");
		add_text(o, "note", b[i].note);
		cJSON_AddItemToArray(a, o);
	}
	return emit(f, a);
}

int
slg_report_approval_json(FILE *f, const struct slg_approval *a,
    const struct slg_verdict *overrides)
{
	cJSON *o = slg_json_approval(a);

	if (overrides != NULL) {
		cJSON *v = cJSON_AddObjectToObject(o, "overrides");

		add_number(v, "id", (double)overrides->id);
		cJSON_AddStringToObject(v, "verdict",
		    slg_verdict_str(overrides->verdict));
	}
	return emit(f, o);
}

int
slg_report_verdict_page_json(FILE *f, struct slg_verdict *const *list,
    size_t n, const char *next)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "verdicts");

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, verdict(list[i]));
	add_text(o, "next", next);
	return emit(f, o);
}

int
slg_report_error_json(FILE *f, const char *error, const char *detail)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", error);
	cJSON_AddStringToObject(o, "detail", detail ? detail : "");
	return emit(f, o);
}

int
slg_report_audit_json(FILE *f, const struct slg_audit_entry *e, size_t n,
    const char *next)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "entries");

	for (size_t i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();

		add_number(x, "id", (double)e[i].id);
		add_time(x, "at", e[i].at);
		add_text(x, "actor", e[i].actor);
		add_text(x, "kind", e[i].kind);
		add_text(x, "service", e[i].service);
		add_text(x, "environment", e[i].environment);
		add_text(x, "commit", e[i].commit);
		add_number(x, "subject_id", (double)e[i].subject_id);
		add_text(x, "what", e[i].what);
		add_text(x, "why", e[i].why);
		add_text(x, "content_hash", e[i].content_hash);
		add_text(x, "prev_hash", e[i].prev_hash);
		add_text(x, "hash", e[i].hash);
		cJSON_AddItemToArray(a, x);
	}
	add_text(o, "next", next);
	return emit(f, o);
}

int
slg_report_audit_check_json(FILE *f, const struct slg_audit_check *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", c->ok);
	add_number(o, "entries", (double)c->entries);
	if (c->bad)
		add_number(o, "bad_entry", (double)c->bad);
	else
		cJSON_AddNullToObject(o, "bad_entry");
	add_text(o, "why", c->ok ? NULL : c->why);
	add_number(o, "older_rows", (double)c->older);
	add_number(o, "head", (double)c->head);
	add_text(o, "head_hash", c->head_hash);
	return emit(f, o);
}
