/* report_text: verdicts as tables for a terminal or a CI log. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "report/report.h"
#include "util/text.h"
#include "util/timefmt.h"

/* Outside text (branches, reasons, Prometheus's words) goes through
 * slg_esc, so it cannot forge a line of the log. */
#define E(s) slg_esc(&esc, (s))

static void
target_text(const struct slg_objective_result *o, char *out, size_t n)
{
	struct slg_esc esc = SLG_ESC_INIT;

	if (!o->judged)
		snprintf(out, n, "(informational)");
	else if (o->warn_text)
		snprintf(out, n, "%s (warn %s)", E(o->pass_text),
		    E(o->warn_text));
	else
		snprintf(out, n, "%s", E(o->pass_text));
	slg_esc_release(&esc);
}

static int
width(int w, const char *s)
{
	int l = (int)strlen(s);

	return l > w ? l : w;
}

int
slg_report_text(FILE *f, const struct slg_verdict *v, const char *where)
{
	char a[32], b[32], c[32], win[16], step[16];
	int wn = 9, wv = 5, wt = 6, wb = 8;
	char val[64], tgt[256], base[64];
	struct slg_esc esc = SLG_ESC_INIT;

	slg_time_format(v->build_time, a, sizeof(a));
	fprintf(f, "slogate: %s/%s commit %.12s%s%s%s, build %s\n",
	    E(v->service), E(v->environment), E(v->commit), v->branch ? " (" :
	    "", E(v->branch), v->branch ? ")" : "", a);
	slg_time_format(v->window_start, b, sizeof(b));
	slg_time_format(v->window_end, c, sizeof(c));
	slg_duration_format(v->window_end - v->window_start, win, sizeof(win));
	slg_duration_format(v->step, step, sizeof(step));
	fprintf(f, "window %s .. %s (%s, step %s)\n\n", b, c, win, step);

	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_value_text(o, val, sizeof(val));
		target_text(o, tgt, sizeof(tgt));
		slg_value_format(o->baseline, o->unit, base, sizeof(base));
		wn = width(wn, o->name);
		wv = width(wv, val);
		wt = width(wt, tgt);
		wb = width(wb, o->has_baseline ? base : "-");
	}
	fprintf(f, "  %-*s  %-*s  %-*s  %-*s  %s\n", wn, "OBJECTIVE", wv, "VALUE",
	    wt, "TARGET", wb, "BASELINE", "STATUS");
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_value_text(o, val, sizeof(val));
		target_text(o, tgt, sizeof(tgt));
		slg_value_format(o->baseline, o->unit, base, sizeof(base));
		fprintf(f, "  %-*s  %-*s  %-*s  %-*s  %s\n", wn, o->name, wv, val,
		    wt, tgt, wb, o->has_baseline ? base : "-",
		    slg_status_str(o->status));
		if (o->detail && *o->detail)
			fprintf(f, "  %-*s  %s\n", wn, "", E(o->detail));
		if (!o->has_baseline)
			continue;
		fprintf(f, "  %-*s  baseline %s (%s", wn, "", base,
		    o->baseline_source ? E(o->baseline_source) : "stored");
		if (o->baseline_detail)
			fprintf(f, ": %s", E(o->baseline_detail));
		else if (o->baseline_commits)
			fprintf(f, ", measured on %.12s", E(o->baseline_commits));
		fputs(")\n", f);
	}
	if (v->has_guard) {
		slg_value_format_exact(v->guard_value, SLG_UNIT_NUMBER,
		    &v->guard_min, 1, val, sizeof(val));
		slg_value_format(v->guard_min, SLG_UNIT_NUMBER, base, sizeof(base));
		snprintf(tgt, sizeof(tgt), ">= %s", base);
		fprintf(f, "  %-*s  %-*s  %-*s  %-*s  %s\n", wn, "(guard)", wv, val,
		    wt, tgt, wb, "-", isfinite(v->guard_value) &&
		    v->guard_value >= v->guard_min ? "ok" : "low");
	}
	if (v->has_score)
		fprintf(f, "\nscore: %g of %g (%.4g%%); pass at %.4g%%, warn at "
		    "%.4g%%\n", v->score, v->score_max, v->score_max > 0 ?
		    100 * v->score / v->score_max : 0, 100 * v->score_pass,
		    100 * v->score_warn);
	fprintf(f, "\nverdict: %s (exit %d): %s\n", slg_verdict_str(v->verdict),
	    (int)v->verdict, E(v->reason));
	if (v->trial)
		fputs("a trial: shown, never counted by status or baselines\n", f);
	if (where != NULL && v->id > 0)
		fprintf(f, "recorded as verdict %lld in %s\n", (long long)v->id,
		    E(where));
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}

/* Objective names across the list, in order of first appearance. */
static size_t
columns(struct slg_verdict *const *list, size_t n, const char **names,
    size_t max)
{
	size_t nc = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < list[i]->nobj; k++) {
			size_t j;

			for (j = 0; j < nc; j++) {
				if (strcmp(names[j], list[i]->obj[k].name) == 0)
					break;
			}
			if (j == nc && nc < max)
				names[nc++] = list[i]->obj[k].name;
		}
	}
	return nc;
}

int
slg_report_history_text(FILE *f, struct slg_verdict *const *list, size_t n)
{
	const char *names[8];
	size_t nc = columns(list, n, names, 8);
	char bt[32], ev[32], val[64];
	struct slg_esc esc = SLG_ESC_INIT;

	if (n == 0) {
		fprintf(f, "no verdicts recorded yet\n");
		return ferror(f) ? -1 : 0;
	}
	int scored = 0;

	for (size_t i = 0; i < n; i++)
		scored |= list[i]->has_score;
	fprintf(f, "%-6s  %-10s  %-20s  %-20s  %-20s  %-12s", "ID", "COMMIT",
	    "BRANCH", "BUILD TIME", "EVALUATED AT", "VERDICT");
	if (scored)
		fprintf(f, "  %-9s", "SCORE");
	for (size_t c = 0; c < nc; c++)
		fprintf(f, "  %-16s", names[c]);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		const struct slg_verdict *v = list[i];

		slg_time_format(v->build_time, bt, sizeof(bt));
		slg_time_format(v->evaluated_at, ev, sizeof(ev));
		fprintf(f, "%-6lld  %-10.10s  %-20.20s  %-20s  %-20s  %-12s",
		    (long long)v->id, E(v->commit), v->branch ? E(v->branch) :
		    v->ref_name ? E(v->ref_name) : "-", bt, ev,
		    slg_verdict_str(v->verdict));
		if (scored && v->has_score) {
			snprintf(val, sizeof(val), "%g/%g", v->score, v->score_max);
			fprintf(f, "  %-9s", val);
		} else if (scored) {
			fprintf(f, "  %-9s", "-");
		}
		for (size_t c = 0; c < nc; c++) {
			const struct slg_objective_result *o = NULL;

			for (size_t k = 0; k < v->nobj; k++) {
				if (strcmp(v->obj[k].name, names[c]) == 0)
					o = &v->obj[k];
			}
			if (o == NULL)
				snprintf(val, sizeof(val), "-");
			else if (o->status == SLG_ST_ERROR)
				snprintf(val, sizeof(val), "error");
			else
				slg_value_text(o, val, sizeof(val));
			/* a reader scanning the column sees what missed */
			if (o != NULL && (o->status == SLG_ST_FAIL ||
			    o->status == SLG_ST_WARN))
				snprintf(val + strlen(val), sizeof(val) - strlen(val),
				    " %s", slg_status_str(o->status));
			fprintf(f, "  %-16s", val);
		}
		fputc('\n', f);
	}
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}

int
slg_report_status_text(FILE *f, const struct slg_status_report *s)
{
	struct slg_esc esc = SLG_ESC_INIT;

	fprintf(f, "%s: %.12s %s/%s: %s\n", s->promote ? "promote" :
	    "do not promote", E(s->commit), E(s->service), E(s->environment),
	    E(s->reason));
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}

/* RFC 4180: quote when needed, double the quotes inside; control
 * characters escaped as everywhere a terminal may show the text. */
static void
csv_field(FILE *f, const char *raw)
{
	struct slg_esc esc = SLG_ESC_INIT;
	const char *s = E(raw);

	if (raw == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		slg_esc_release(&esc);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
	slg_esc_release(&esc);
}

int
slg_report_history_csv(FILE *f, struct slg_verdict *const *list, size_t n)
{
	const char *names[64];
	size_t nc = columns(list, n, names, 64);
	char bt[32], ev[32], num[40];

	fputs("id,commit,branch,service,environment,build_time,evaluated_at,"
	    "verdict,score,score_max", f);
	for (size_t c = 0; c < nc; c++) {
		fputc(',', f);
		csv_field(f, names[c]);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct slg_verdict *v = list[i];

		slg_time_format(v->build_time, bt, sizeof(bt));
		slg_time_format(v->evaluated_at, ev, sizeof(ev));
		fprintf(f, "%lld,", (long long)v->id);
		csv_field(f, v->commit);
		fputc(',', f);
		csv_field(f, v->branch);
		fputc(',', f);
		csv_field(f, v->service);
		fputc(',', f);
		csv_field(f, v->environment);
		fprintf(f, ",%s,%s,%s,", bt, ev, slg_verdict_str(v->verdict));
		if (v->has_score) {
			slg_number_format(v->score, num, sizeof(num));
			fprintf(f, "%s,", num);
			slg_number_format(v->score_max, num, sizeof(num));
			fputs(num, f);
		} else {
			fputc(',', f);
		}
		for (size_t c = 0; c < nc; c++) {
			fputc(',', f);
			for (size_t k = 0; k < v->nobj; k++) {
				double x = v->obj[k].value;

				if (strcmp(v->obj[k].name, names[c]) != 0 ||
				    isnan(x))
					continue;
				/* the exact value, as JSON has it */
				if (isinf(x))
					snprintf(num, sizeof(num), "%cInf",
					    x > 0 ? '+' : '-');
				else
					slg_number_format(x, num, sizeof(num));
				fputs(num, f);
			}
		}
		fputs("\r\n", f);
	}
	return ferror(f) ? -1 : 0;
}

static void
show_approval(FILE *f, const struct slg_approval *a)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char t[32], who[512];

	slg_time_format(a->created_at, t, sizeof(t));
	fprintf(f, "  approval %lld by %s at %s: %s\n", (long long)a->id,
	    E(slg_approval_approver(a, who, sizeof(who))), t, E(a->reason));
	if (a->expires_at != 0) {
		slg_time_format(a->expires_at, t, sizeof(t));
		fprintf(f, "    expires %s\n", t);
	}
	if (a->revoked_at != 0) {
		slg_time_format(a->revoked_at, t, sizeof(t));
		fprintf(f, "    revoked by %s at %s%s%s\n",
		    E(slg_approval_revoker(a, who, sizeof(who))), t, a->revoke_reason ? ": " : "",
		    E(a->revoke_reason));
	}
	slg_esc_release(&esc);
}

/* PromQL on lines of its own, indented, each line escaped. */
static void
show_promql(FILE *f, const char *q)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char *copy = strdup(q ? q : ""), *line, *save = NULL;

	for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		fprintf(f, "      %s\n", E(line));
	free(copy);
	slg_esc_release(&esc);
}

static void
show_one(FILE *f, const struct slg_verdict *v)
{
	char a[32], b[32], c[32], val[64], base[64], step[16];
	struct slg_esc esc = SLG_ESC_INIT;

	slg_time_format(v->evaluated_at, a, sizeof(a));
	fprintf(f, "verdict %lld: %s  %s/%s  evaluated %s\n", (long long)v->id,
	    slg_verdict_str(v->verdict), E(v->service), E(v->environment), a);
	fprintf(f, "  commit   %s%s%s%s\n", E(v->commit), v->branch ? " (" : "",
	    E(v->branch), v->branch ? ")" : "");
	if (v->commit_subject)
		fprintf(f, "           %s%s%s\n", E(v->commit_subject),
		    v->commit_author ? " -- " : "", E(v->commit_author));
	slg_time_format(v->build_time, a, sizeof(a));
	fprintf(f, "  build    %s%s%s\n", a, v->pipeline_url ? "  " : "",
	    E(v->pipeline_url));
	slg_time_format(v->window_start, b, sizeof(b));
	slg_time_format(v->window_end, c, sizeof(c));
	slg_duration_format(v->step, step, sizeof(step));
	fprintf(f, "  window   %s .. %s, step %s\n", b, c, step);
	fprintf(f, "  policy   %s (git blob %.12s), slogate %s\n",
	    E(v->policy_path), E(v->policy_digest), E(v->version));
	fprintf(f, "  reason   %s\n", E(v->reason));
	if (v->has_score)
		fprintf(f, "  score    %g of %g (%.4g%%)\n", v->score,
		    v->score_max, v->score_max > 0 ? 100 * v->score /
		    v->score_max : 0);
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_value_text(o, val, sizeof(val));
		fprintf(f, "  - %s: %s %s", o->name, slg_status_str(o->status),
		    val);
		if (o->judged)
			fprintf(f, " (pass %s%s%s)", o->pass_text,
			    o->warn_text ? ", warn " : "",
			    o->warn_text ? o->warn_text : "");
		fputc('\n', f);
		if (o->detail && *o->detail)
			fprintf(f, "      %s\n", E(o->detail));
		if (o->has_baseline) {
			slg_value_format(o->baseline, o->unit, base, sizeof(base));
			fprintf(f, "      baseline %s from %s%s%s\n", base,
			    o->baseline_source ? E(o->baseline_source) :
			    "stored", o->baseline_detail ? ": " : "",
			    E(o->baseline_detail));
			if (o->baseline_commits)
				fprintf(f, "      baseline commits %s\n",
				    E(o->baseline_commits));
		}
		if (o->sustained)
			fprintf(f, "      range query %s .. %s step %s:\n",
			    b, c, step);
		else
			fprintf(f, "      instant query at %s:\n", c);
		show_promql(f, o->promql);
	}
	for (size_t i = 0; i < v->napprovals; i++)
		show_approval(f, &v->approvals[i]);
	if (v->invalidated) {
		slg_time_format(v->invalidated_at, a, sizeof(a));
		fprintf(f, "  invalidated by %s at %s: %s\n", v->invalidated_by ?
		    E(v->invalidated_by) : "-", a, E(v->invalidated_reason));
	}
	slg_esc_release(&esc);
}

int
slg_report_show_text(FILE *f, struct slg_verdict *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', f);
		show_one(f, list[i]);
	}
	return ferror(f) ? -1 : 0;
}

int
slg_report_baselines_text(FILE *f, const struct slg_stored_baseline *b,
    size_t n)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char t[32];

	if (n == 0) {
		fprintf(f, "no baselines stored\n");
		return ferror(f) ? -1 : 0;
	}
	fprintf(f, "%-6s  %-20s  %-12s  %-16s  %-12s  %-20s  %-12s  %-12s  %s\n",
	    "ID", "SERVICE", "ENVIRONMENT", "OBJECTIVE", "VALUE", "SET AT", "BY",
	    "COMMIT", "HOW");
	for (size_t i = 0; i < n; i++) {
		slg_time_format(b[i].set_at, t, sizeof(t));
		fprintf(f, "%-6lld  %-20s  %-12s  %-16s  %-12.6g  %-20s  %-12s  "
		    "%-12.12s  %s\n", (long long)b[i].id, E(b[i].service),
		    E(b[i].environment), E(b[i].objective), b[i].value, t,
		    b[i].set_by ? E(b[i].set_by) : "-",
		    b[i].source_commit ? E(b[i].source_commit) : "-",
		    b[i].note ? E(b[i].note) : "-");
	}
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}

int
slg_report_audit_text(FILE *f, const struct slg_audit_entry *e, size_t n)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char t[32];

	if (n == 0) {
		fprintf(f, "no audit entries\n");
		return ferror(f) ? -1 : 0;
	}
	fprintf(f, "%-6s  %-20s  %-12s  %-20s  %-24s  %-12s  %s\n", "ENTRY",
	    "AT", "KIND", "WHO", "SERVICE", "COMMIT", "WHAT");
	for (size_t i = 0; i < n; i++) {
		slg_time_format(e[i].at, t, sizeof(t));
		fprintf(f, "%-6lld  %-20s  %-12s  %-20s  %-24s  %-12.12s  %s%s%s\n",
		    (long long)e[i].id, t, e[i].kind, E(e[i].actor),
		    e[i].service ? E(e[i].service) : "-",
		    e[i].commit ? E(e[i].commit) : "-", E(e[i].what),
		    e[i].why ? ": " : "", e[i].why ? E(e[i].why) : "");
	}
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}

int
slg_report_audit_check_text(FILE *f, const struct slg_audit_check *c)
{
	struct slg_esc esc = SLG_ESC_INIT;

	if (c->ok)
		fprintf(f, "audit trail intact: %lld entries, each chained to the "
		    "one before and matching what it records; head: entry %lld "
		    "%s", (long long)c->entries, (long long)c->head, c->head_hash);
	else
		fprintf(f, "audit trail broken: %s", E(c->why));
	if (c->older > 0)
		fprintf(f, " (%lld rows predate the trail)", (long long)c->older);
	fputc('\n', f);
	slg_esc_release(&esc);
	return ferror(f) ? -1 : 0;
}
