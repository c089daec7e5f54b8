/* report_json: verdicts as JSON, the shape scripts and the service use. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "report.h"
#include "timefmt.h"

/* NaN is null; infinities are strings as Prometheus writes them. */
static void
add_value(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else if (isinf(v))
		cJSON_AddStringToObject(o, key, v > 0 ? "+Inf" : "-Inf");
	else
		cJSON_AddNumberToObject(o, key, v);
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
	slg_value_format(r->value, r->unit, text, sizeof(text));
	cJSON_AddStringToObject(o, "value_text", text);
	add_time(o, "value_at", (int64_t)r->value_at);
	cJSON_AddStringToObject(o, "unit", units[r->unit]);
	add_text(o, "pass", r->pass_text);
	add_text(o, "warn", r->warn_text);
	cJSON_AddBoolToObject(o, "judged", r->judged);
	cJSON_AddBoolToObject(o, "sustained", r->sustained);
	if (r->has_baseline) {
		cJSON *b = cJSON_AddObjectToObject(o, "baseline");

		add_value(b, "value", r->baseline);
		add_text(b, "source", r->baseline_source);
	} else {
		cJSON_AddNullToObject(o, "baseline");
	}
	if (r->sustained) {
		cJSON_AddNumberToObject(o, "points", (double)r->points);
		cJSON_AddNumberToObject(o, "points_failed", (double)r->points_failed);
		cJSON_AddNumberToObject(o, "points_warn", (double)r->points_warn);
		cJSON_AddNumberToObject(o, "points_missing",
		    (double)r->points_missing);
	}
	cJSON_AddStringToObject(o, "detail", r->detail ? r->detail : "");
	cJSON_AddStringToObject(o, "promql", r->promql);
	return o;
}

static cJSON *
verdict(const struct slg_verdict *v)
{
	cJSON *o = cJSON_CreateObject(), *w, *ci, *p, *objs;

	if (v->id > 0)
		cJSON_AddNumberToObject(o, "id", (double)v->id);
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
	cJSON_AddNumberToObject(w, "seconds", (double)(v->window_end -
	    v->window_start));
	cJSON_AddNumberToObject(w, "step_seconds", (double)v->step);
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
	objs = cJSON_AddArrayToObject(o, "objectives");
	for (size_t i = 0; i < v->nobj; i++)
		cJSON_AddItemToArray(objs, objective(&v->obj[i]));
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
slg_report_history_json(FILE *f, struct slg_verdict *const *list, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < n; i++)
		cJSON_AddItemToArray(a, verdict(list[i]));
	return emit(f, a);
}
