/* fuzz_eval: what the engine hands the evaluator, from the input:
 *
 *	POLICY JSON
 *	----
 *	COVERAGE BASELINE1 BASELINE2 ...	(numbers; "-": none)
 *	----
 *	GUARD ANSWER				(read when the policy has one)
 *	----
 *	ANSWER OF OBJECTIVE 1			(a range answer when sustained)
 *	----
 *	...
 *
 * A missing or refused answer is a failed query, as slg_prom_run reports
 * one. The verdict is then judged (slg_eval), waited on (slg_watch_*),
 * written by every writer and read back; and it must fail closed: a pass
 * has no judged objective in error or without data, no infinite or
 * missing value among its passing objectives, a guard that held, and
 * without a score no failed or warned objective (informational ones are
 * recorded, not judged). With SLOGATE_FUZZ_VERBOSE set,
 * each verdict is printed to stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval.h"
#include "fuzz.h"
#include "report/jsonin.h"
#include "core/policy.h"
#include "io/prom.h"
#include "report/report.h"
#include "same.h"
#include "core/watch.h"

#define END 1795677720LL
#define SEP "\n----\n"
#define MAX_PARTS (2 + 1 + 64)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

struct part {
	const char *p;
	size_t len;
};

/* Splits data at SEP into at most MAX_PARTS parts; returns how many. */
static size_t
split(const uint8_t *data, size_t size, struct part *parts)
{
	const char *p = (const char *)data, *end = p + size;
	size_t n = 0;

	while (n < MAX_PARTS) {
		const char *s = memmem(p, (size_t)(end - p), SEP, strlen(SEP));

		parts[n].p = p;
		parts[n++].len = s ? (size_t)(s - p) : (size_t)(end - p);
		if (s == NULL)
			break;
		p = s + strlen(SEP);
	}
	return n;
}

/* One query's answer, decoded as slg_prom_run would; part NULL: the
 * query failed before an answer. */
static void
answer(const struct part *part, const struct slg_prom_query *q,
    struct slg_series **s, struct slg_err *err)
{
	*s = NULL;
	if (part == NULL) {
		slg_err_set(err, SLG_EPROM, "cannot query prometheus: refused");
		return;
	}
	if (slg_prom_decode(part->p, part->len, q, s, err) != 0)
		*s = NULL;
}

static void
found(const char *what, const struct slg_verdict *v)
{
	fprintf(stderr, "fuzz_eval: %s: verdict %s: %s\n", what,
	    slg_verdict_str(v->verdict), v->reason ? v->reason : "");
	abort();
}

/* What a pass promises (see the top of the file). */
static void
check_pass(const struct slg_policy *p, const struct slg_verdict *v)
{
	if (v->verdict != SLG_V_PASS)
		return;
	if (p->has_guard && !(isfinite(v->guard_value) &&
	    v->guard_value >= v->guard_min))
		found("a pass with a guard that did not hold", v);
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *r = &v->obj[i];

		if (!r->judged)
			continue;
		if (r->status == SLG_ST_ERROR || r->status == SLG_ST_NODATA)
			found("a pass with an objective in error or no data",
			    v);
		if (r->status == SLG_ST_PASS && !isfinite(r->value))
			found("a pass of a value that is no number", v);
		if (!v->has_score && (r->status == SLG_ST_FAIL ||
		    r->status == SLG_ST_WARN))
			found("a pass with a failed objective", v);
		if (r->key && r->status == SLG_ST_FAIL)
			found("a pass with a failed key objective", v);
	}
}

/* Every writer; the JSON must read back as the same verdict. */
static void
write_all(const struct slg_verdict *v)
{
	struct slg_verdict *again = NULL;
	struct slg_err err = { 0, "" };
	const char *why = NULL;
	char *json = NULL;
	size_t len = 0;
	FILE *f = fopen("/dev/null", "w"), *j;

	if (f == NULL || (j = open_memstream(&json, &len)) == NULL)
		abort();
	slg_report_text(f, v, "fuzz.db");
	slg_report_junit(f, v);
	slg_report_dotenv(f, v);
	slg_report_show_text(f, (struct slg_verdict *const *)&v, 1);
	slg_report_history_text(f, (struct slg_verdict *const *)&v, 1);
	slg_report_history_csv(f, (struct slg_verdict *const *)&v, 1);
	fclose(f);
	slg_report_json(j, v);
	fclose(j);
	if (slg_jsonin_verdict(json, len, &again, &err) != 0 ||
	    (why = same_verdict(v, again)) != NULL) {
		fprintf(stderr, "fuzz_eval: the verdict's JSON does not read "
		    "back the same: %s\n%s\n", again ? why : err.msg, json);
		abort();
	}
	slg_verdict_free(again);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part parts[MAX_PARTS];
	size_t n = split(data, size, parts), k = 3;
	struct slg_err err = { 0, "" }, gerr = { 0, "" };
	struct slg_err oerr[64], cerr = { 0, "" };
	struct slg_series *series[64] = { NULL }, *gs = NULL, cov = { 0 };
	struct slg_point cpt = { (double)END, NAN };
	struct slg_eval_input in[64], guard = { 0 };
	struct slg_watch w = { 0 };
	struct slg_policy *p = NULL;
	struct slg_verdict *v = NULL;
	char *meta = NULL, *tok, *save = NULL, *summary;
	int complete;

	if (slg_policy_parse(parts[0].p, parts[0].len, "fuzz.json", NULL, NULL,
	    &p, &err) != 0)
		return 0;
	memset(in, 0, sizeof(in));
	memset(oerr, 0, sizeof(oerr));
	/* the coverage count and the baselines */
	if (n > 1 && (meta = strndup(parts[1].p, parts[1].len)) != NULL &&
	    (tok = strtok_r(meta, " \t\n", &save)) != NULL &&
	    strcmp(tok, "-") != 0) {
		cpt.v = strtod(tok, NULL);
		cov.npts = 1;
		cov.pts = &cpt;
	}
	for (size_t i = 0; i < p->nobj; i++) {
		in[i].baseline = NAN;
		if (meta != NULL && (tok = strtok_r(NULL, " \t\n",
		    &save)) != NULL && strcmp(tok, "-") != 0) {
			in[i].has_baseline = 1;
			in[i].baseline = strtod(tok, NULL);
			in[i].baseline_source = "stored";
			in[i].baseline_commits = "a1b2c3d4,e5f60718";
		}
	}
	free(meta);
	if (p->has_guard) {
		struct slg_prom_query q = { 0 };

		q.promql = p->guard_tmpl;
		q.end = END;
		answer(n > 2 ? &parts[2] : NULL, &q, &gs, &gerr);
		guard.promql = p->guard_tmpl;
		guard.series = gs;
		guard.error = &gerr;
	}
	for (size_t i = 0; i < p->nobj; i++) {
		const struct slg_objective *o = &p->obj[i];
		struct slg_prom_query q = { 0 };

		q.promql = o->tmpl;
		q.range = o->sustained;
		q.start = END - p->window + p->step;
		q.end = END;
		q.step = p->step;
		answer(k < n ? &parts[k] : NULL, &q, &series[i], &oerr[i]);
		k++;
		in[i].promql = o->tmpl;
		in[i].series = series[i];
		in[i].error = &oerr[i];
		/* as the engine asks: a judged windowed objective's steps */
		if (p->min_coverage > 0 && !o->sustained &&
		    slg_objective_judged(o) && cov.npts > 0) {
			in[i].coverage = &cov;
			in[i].coverage_error = &cerr;
		}
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		goto out;
	v->service = strdup(p->service);
	v->environment = strdup(p->environment);
	v->commit = strdup("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678");
	v->window_end = END;
	v->window_start = END - p->window;
	v->step = p->step;
	if (!v->service || !v->environment || !v->commit)
		goto out;
	if (slg_eval(p, in, &guard, v, &err) != 0)
		goto out;
	if (getenv("SLOGATE_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s: %s\n", slg_verdict_str(v->verdict),
		    v->reason);
	check_pass(p, v);
	write_all(v);
	(void)slg_eval_fail_is_final(v);

	/* a watch that started with the window, polled at its end */
	w.since = v->window_start;
	w.deadline = END + 600;
	w.created_at = w.since;
	(void)slg_watch_window_end(p, w.since, END, &complete);
	if ((summary = slg_watch_summary(p, w.since, v)) != NULL)
		free(summary);
	if (slg_watch_decide(p, &w, v, complete, 1, END) >= 0) {
		check_pass(p, v);
		(void)slg_watch_next_poll(p, &w, END);
		write_all(v);
	}
out:
	slg_verdict_free(v);
	for (size_t i = 0; i < p->nobj; i++)
		slg_series_free(series[i]);
	slg_series_free(gs);
	slg_policy_free(p);
	return 0;
}
