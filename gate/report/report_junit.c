/* report_junit: JUnit XML, one test case per objective, for merge requests. */
#include <math.h>
#include <string.h>

#include "report/report.h"
#include "util/text.h"
#include "util/timefmt.h"

/* Escapes for XML text and attributes. Control characters (which XML
 * 1.0 forbids) and bytes that are not UTF-8 (which would make the file
 * unreadable) are written as \xHH first, as on a terminal. */
static void
xml(FILE *f, const char *raw)
{
	struct slg_esc esc = SLG_ESC_INIT;
	const char *s = raw ? slg_esc(&esc, raw) : NULL;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			fputc(c, f);
		}
	}
	slg_esc_release(&esc);
}

static void
testcase(FILE *f, const struct slg_verdict *v, const struct slg_objective_result *o)
{
	char val[64], base[64];
	const char *tag = NULL;

	slg_value_text(o, val, sizeof(val));
	slg_value_format(o->baseline, o->unit, base, sizeof(base));
	fputs("    <testcase classname=\"slogate.", f);
	xml(f, v->service);
	fputc('.', f);
	xml(f, v->environment);
	fputs("\" name=\"", f);
	xml(f, o->name);
	fputs("\" time=\"0\">\n", f);
	switch (o->status) {
	case SLG_ST_FAIL: tag = "failure"; break;
	case SLG_ST_WARN: tag = "failure"; break;	/* it missed pass */
	case SLG_ST_NODATA: tag = "error"; break;
	case SLG_ST_ERROR: tag = "error"; break;
	default: break;
	}
	if (tag != NULL) {
		fprintf(f, "      <%s type=\"%s\" message=\"", tag,
		    slg_status_str(o->status));
		xml(f, o->name);
		fputs(": ", f);
		xml(f, o->detail);
		fputs("\">", f);
		fputs("value: ", f);
		xml(f, val);
		fputs("\ntarget: ", f);
		xml(f, o->pass_text ? o->pass_text : "-");
		if (o->warn_text) {
			fputs(" (warn ", f);
			xml(f, o->warn_text);
			fputc(')', f);
		}
		if (o->has_baseline) {
			fputs("\nbaseline: ", f);
			xml(f, base);
		}
		fputs("\npromql: ", f);
		xml(f, o->promql);
		fprintf(f, "</%s>\n", tag);
	}
	fputs("      <system-out>", f);
	xml(f, o->name);
	fputs(" = ", f);
	xml(f, val);
	fputs(" (", f);
	xml(f, slg_status_str(o->status));
	fputs(")", f);
	if (o->detail && *o->detail) {
		fputs(": ", f);
		xml(f, o->detail);
	}
	fputs("</system-out>\n    </testcase>\n", f);
}

int
slg_report_junit(FILE *f, const struct slg_verdict *v)
{
	size_t tests = v->nobj + (v->has_guard ? 1 : 0), failures = 0, errors = 0;
	int guard_low = v->has_guard && (!isfinite(v->guard_value) ||
	    v->guard_value < v->guard_min);
	char ts[32], gv[64], gm[64];

	for (size_t i = 0; i < v->nobj; i++) {
		failures += v->obj[i].status == SLG_ST_FAIL ||
		    v->obj[i].status == SLG_ST_WARN;
		errors += v->obj[i].status == SLG_ST_ERROR ||
		    v->obj[i].status == SLG_ST_NODATA;
	}
	errors += guard_low;
	/* an evaluation that could not be made has no objectives to show */
	if (v->nobj == 0 && v->verdict == SLG_V_ERROR) {
		tests++;
		errors++;
	}
	slg_time_format(v->evaluated_at, ts, sizeof(ts));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"slogate\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"%zu\">\n", tests, failures, errors);
	fputs("  <testsuite name=\"slogate ", f);
	xml(f, v->service);
	fputc('/', f);
	xml(f, v->environment);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	    "timestamp=\"%s\">\n", tests, failures, errors, ts);
	fputs("    <properties>\n      <property name=\"verdict\" value=\"", f);
	xml(f, slg_verdict_str(v->verdict));
	fprintf(f, "\"/>\n      <property name=\"verdict_id\" value=\"%lld\"/>\n",
	    (long long)v->id);
	fputs("      <property name=\"commit\" value=\"", f);
	xml(f, v->commit);
	fputs("\"/>\n      <property name=\"reason\" value=\"", f);
	xml(f, v->reason);
	fputs("\"/>\n", f);
	if (v->has_score)
		fprintf(f, "      <property name=\"score\" value=\"%g of %g\"/>\n",
		    v->score, v->score_max);
	fputs("    </properties>\n", f);
	for (size_t i = 0; i < v->nobj; i++)
		testcase(f, v, &v->obj[i]);
	if (v->nobj == 0 && v->verdict == SLG_V_ERROR) {
		fputs("    <testcase classname=\"slogate.", f);
		xml(f, v->service);
		fputc('.', f);
		xml(f, v->environment);
		fputs("\" name=\"evaluation\" time=\"0\">\n      <error "
		    "type=\"error\" message=\"", f);
		xml(f, v->reason);
		fputs("\"/>\n    </testcase>\n", f);
	}
	if (v->has_guard) {
		slg_value_format_exact(v->guard_value, SLG_UNIT_NUMBER,
		    &v->guard_min, 1, gv, sizeof(gv));
		slg_value_format(v->guard_min, SLG_UNIT_NUMBER, gm, sizeof(gm));
		fputs("    <testcase classname=\"slogate.", f);
		xml(f, v->service);
		fputc('.', f);
		xml(f, v->environment);
		fputs("\" name=\"guard\" time=\"0\">\n", f);
		if (guard_low)
			fprintf(f, "      <error type=\"inconclusive\" message=\""
			    "not enough traffic to judge: %s below %s\"/>\n",
			    gv, gm);
		fprintf(f, "      <system-out>guard = %s (floor %s)</system-out>\n"
		    "    </testcase>\n", gv, gm);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
