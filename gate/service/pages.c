/* pages: the SLO history as HTML. Everything printed is escaped; pages
 * carry their own CSS and SVG, so they work offline and on a phone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "core/criteria.h"
#include "service/pages.h"
#include "util/timefmt.h"

#define PAGE_SIZE 50

static const char style[] =
"body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;"
"padding:1rem;color:#1d2126;background:#fff}"
"h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}"
"a{color:#0b5cad}nav{margin-bottom:1rem;font-size:.9rem}"
".scroll{overflow-x:auto}table{border-collapse:collapse;min-width:100%}"
"th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e6ea;"
"white-space:nowrap;vertical-align:top}th{background:#f5f6f8;font-weight:600}"
"td.wrap{white-space:normal}code,pre{font:13px/1.4 ui-monospace,monospace}"
"pre{background:#f5f6f8;padding:.6rem;overflow-x:auto;white-space:pre-wrap}"
".v{display:inline-block;padding:.05rem .5rem;border-radius:.8rem;"
"font-weight:600;font-size:.85rem}"
".pass{background:#d9f2e0;color:#0f5a26}.warn{background:#fff1c9;color:#7a5200}"
".fail{background:#fbd9d9;color:#8c1111}.inconclusive{background:#e6e8ec;"
"color:#3a4250}.error{background:#3a4250;color:#fff}"
".no_data,.abandoned{background:#e6e8ec;color:#3a4250}.info,.running{background:#e3eefb;color:#0b4a8a}"
".chart{margin:.3rem 0 1rem}.chart svg{width:100%;max-width:44rem;height:auto;"
"background:#fbfbfc;border:1px solid #e3e6ea}"
".ev{border:1px solid #e3e6ea;border-radius:.4rem;padding:.8rem;margin:1rem 0}"
/* rows and sections carry the verdict as a class: tint, don't paint */
"tr.verdict-row,section.ev{background:#fff;color:inherit}"
"tr.verdict-row.fail{background:#fff5f5}tr.verdict-row.warn{background:#fffbef}"
"section.ev.fail{border-left:5px solid #c0392b}section.ev.warn{border-left:5px "
"solid #c98a00}section.ev.pass{border-left:5px solid #1f8a3e}"
"section.ev.error,section.ev.inconclusive{border-left:5px solid #3a4250}"
".muted{color:#5f6b7a;font-size:.9rem}";

/* ---- escaping ---- */

static void
esc(struct slg_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': slg_buf_puts(b, "&amp;"); break;
		case '<': slg_buf_puts(b, "&lt;"); break;
		case '>': slg_buf_puts(b, "&gt;"); break;
		case '"': slg_buf_puts(b, "&quot;"); break;
		case '\'': slg_buf_puts(b, "&#39;"); break;
		default: slg_buf_add(b, s, 1);
		}
	}
}

/* 1 when u is an http or https URL: a link taken from outside input
 * (a pipeline, a job, Prometheus) with any other scheme (javascript:,
 * data:) would run or load something when clicked. */
static int
web_url(const char *u)
{
	size_t n = strncasecmp(u, "https://", 8) == 0 ? 8 :
	    strncasecmp(u, "http://", 7) == 0 ? 7 : 0;

	if (n == 0 || u[n] == '\0' || u[n] == '/')
		return 0;
	for (; *u; u++) {
		if ((unsigned char)*u <= ' ' || *u == 0x7f)
			return 0;
	}
	return 1;
}

/* " · <a href=URL>text</a>" for a web URL; else the URL as text. */
static void
link(struct slg_buf *b, const char *u, const char *text)
{
	if (web_url(u)) {
		slg_buf_puts(b, " &middot; <a href=\"");
		esc(b, u);
		slg_buf_printf(b, "\" rel=\"noreferrer\">%s</a>", text);
		return;
	}
	slg_buf_printf(b, " &middot; %s <code>", text);
	esc(b, u);
	slg_buf_puts(b, "</code>");
}

static void
head(struct slg_buf *b, const char *title)
{
	slg_buf_puts(b, "<!doctype html><html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta name=\"viewport\" content=\"width="
	    "device-width,initial-scale=1\"><title>");
	esc(b, title);
	slg_buf_printf(b, "</title><style>%s</style></head><body><nav><a "
	    "href=\"/\">slogate</a></nav>", style);
}

static void
badge(struct slg_buf *b, const char *v)
{
	slg_buf_puts(b, "<span class=\"v ");
	esc(b, v);
	slg_buf_puts(b, "\">");
	esc(b, v);
	slg_buf_puts(b, "</span>");
}

static void
when(struct slg_buf *b, int64_t t)
{
	char s[32];

	slg_time_format(t, s, sizeof(s));
	slg_buf_puts(b, t ? s : "-");
}

static void
finish(struct slg_page *out, struct slg_buf *b, int status)
{
	slg_buf_puts(b, "</body></html>\n");
	out->status = status;
	out->len = b->len;
	out->body = slg_buf_detach(b);
}

static void
error_page(struct slg_page *out, int status, const char *title,
    const char *detail)
{
	struct slg_buf b = SLG_BUF_INIT;

	head(&b, title);
	slg_buf_puts(&b, "<h1>");
	esc(&b, title);
	slg_buf_puts(&b, "</h1><p>");
	esc(&b, detail);
	slg_buf_puts(&b, "</p>");
	finish(out, &b, status);
}

/* Drops the verdicts of services the caller's token does not cover. */
static void
keep_covered(const struct slg_page_req *q, struct slg_verdict **list,
    size_t *n)
{
	for (size_t i = 0; q->who != NULL && i < *n;) {
		if (slg_caller_may(q->who, SLG_ROLE_READ, list[i]->service)) {
			i++;
			continue;
		}
		slg_verdict_free(list[i]);
		memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
		(*n)--;
	}
}

/* 1 when the caller may read service; else a 403 page in out. */
static int
covered(const struct slg_page_req *q, const char *service,
    struct slg_page *out)
{
	if (q->who == NULL || slg_caller_may(q->who, SLG_ROLE_READ, service))
		return 1;
	error_page(out, 403, "slogate: forbidden", "this token does not cover "
	    "the service");
	return 0;
}

/* ---- index: services and environments ---- */

static void
index_page(const struct slg_page_req *q, struct slg_page *out)
{
	struct slg_verdict **list = NULL;
	struct slg_buf b = SLG_BUF_INIT, title = SLG_BUF_INIT;
	struct slg_err err;
	size_t n = 0, counts[5] = { 0 };

	if (slg_store_latest_per_service(q->store, &list, &n, &err) != 0) {
		error_page(out, 503, "slogate: database unavailable", err.msg);
		return;
	}
	keep_covered(q, list, &n);
	for (size_t i = 0; i < n; i++)
		counts[list[i]->verdict]++;
	slg_buf_puts(&title, "slogate:");
	for (int k = 0; k < 5; k++) {
		if (counts[k])
			slg_buf_printf(&title, " %zu %s", counts[k],
			    slg_verdict_str((enum slg_verdict_kind)k));
	}
	if (n == 0)
		slg_buf_puts(&title, " no verdicts yet");
	head(&b, title.data);
	slg_buf_puts(&b, "<h1>Services</h1><div class=\"scroll\"><table><tr>"
	    "<th>Service</th><th>Environment</th><th>Latest verdict</th>"
	    "<th>Commit</th><th>Branch</th><th>Evaluated</th></tr>");
	for (size_t i = 0; i < n; i++) {
		const struct slg_verdict *v = list[i];

		slg_buf_puts(&b, "<tr><td><a href=\"/services/");
		slg_buf_urlencode(&b, v->service);
		slg_buf_puts(&b, "?environment=");
		slg_buf_urlencode(&b, v->environment);
		slg_buf_puts(&b, "\">");
		esc(&b, v->service);
		slg_buf_puts(&b, "</a></td><td>");
		esc(&b, v->environment);
		slg_buf_puts(&b, "</td><td>");
		badge(&b, slg_verdict_str(v->verdict));
		slg_buf_puts(&b, "</td><td><a href=\"/commits/");
		slg_buf_urlencode(&b, v->commit);
		slg_buf_printf(&b, "\"><code>%.8s</code></a></td><td>", v->commit);
		esc(&b, v->branch ? v->branch : "-");
		slg_buf_puts(&b, "</td><td>");
		when(&b, v->evaluated_at);
		slg_buf_puts(&b, "</td></tr>");
	}
	slg_buf_puts(&b, "</table></div>");
	if (n == 0)
		slg_buf_puts(&b, "<p class=\"muted\">Run <code>slogate check"
		    "</code> to record the first verdict.</p>");
	finish(out, &b, 200);
	slg_buf_release(&title);
	slg_store_list_free(list, n);
}

/* ---- a service's history ---- */

/* The first absolute threshold among "<= 120ms, <= +10%". */
static int
threshold(const char *text, double *out)
{
	char buf[512], *save = NULL, *tok;
	struct slg_criterion c;

	if (text == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",",
	    &save)) {
		if (slg_criterion_parse(tok, &c, NULL) == 0 &&
		    c.rel == SLG_REL_NONE) {
			*out = c.value;
			return 1;
		}
	}
	return 0;
}

static const struct slg_objective_result *
find(const struct slg_verdict *v, const char *name)
{
	for (size_t i = 0; i < v->nobj; i++) {
		if (strcmp(v->obj[i].name, name) == 0)
			return &v->obj[i];
	}
	return NULL;
}

/* An SVG line chart of one objective across the listed verdicts (oldest
 * on the left), with the pass and warn thresholds and failed points. */
static void
chart(struct slg_buf *b, struct slg_verdict **list, size_t n,
    const char *name)
{
	const double W = 640, H = 200, L = 64, R = 12, T = 12, B = 28;
	double lo = INFINITY, hi = -INFINITY, pass = NAN, warn = NAN, t;
	const struct slg_objective_result *o;
	enum slg_unit unit = SLG_UNIT_NUMBER;
	char val[64];
	int first = 1;

	for (size_t i = 0; i < n; i++) {
		if ((o = find(list[i], name)) == NULL)
			continue;
		unit = o->unit;
		if (isfinite(o->value)) {
			lo = fmin(lo, o->value);
			hi = fmax(hi, o->value);
		}
		if (isnan(pass) && threshold(o->pass_text, &t))
			pass = t;
		if (isnan(warn) && threshold(o->warn_text, &t))
			warn = t;
	}
	if (isfinite(pass)) {
		lo = fmin(lo, pass);
		hi = fmax(hi, pass);
	}
	if (isfinite(warn)) {
		lo = fmin(lo, warn);
		hi = fmax(hi, warn);
	}
	if (!isfinite(lo)) {
		slg_buf_puts(b, "<p class=\"muted\">no values to chart</p>");
		return;
	}
	if (hi - lo < 1e-12) {
		hi += fabs(hi) * 0.05 + 1e-9;
		lo -= fabs(lo) * 0.05 + 1e-9;
	}
	t = (hi - lo) * 0.08;
	hi += t;
	lo -= t;
#define X(i) (n > 1 ? L + (W - L - R) * (double)(i) / (double)(n - 1) : \
    L + (W - L - R) / 2)
#define Y(v) (T + (H - T - B) * (1 - ((v) - lo) / (hi - lo)))
	slg_buf_puts(b, "<div class=\"chart\"><svg role=\"img\" class=\""
	    "objective-chart\" data-objective=\"");
	esc(b, name);
	slg_buf_printf(b, "\" viewBox=\"0 0 %g %g\" xmlns=\"http://www.w3.org/"
	    "2000/svg\"><title>", W, H);
	esc(b, name);
	slg_buf_puts(b, " across commits</title>");
	slg_value_format(hi, unit, val, sizeof(val));
	slg_buf_printf(b, "<text x=\"4\" y=\"%g\" font-size=\"11\" fill=\""
	    "#5f6b7a\">%s</text>", T + 8, val);
	slg_value_format(lo, unit, val, sizeof(val));
	slg_buf_printf(b, "<text x=\"4\" y=\"%g\" font-size=\"11\" fill=\""
	    "#5f6b7a\">%s</text>", H - B, val);
	if (isfinite(pass))
		slg_buf_printf(b, "<line class=\"threshold-pass\" x1=\"%g\" "
		    "x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1f8a3e\" "
		    "stroke-dasharray=\"6 4\"/><text x=\"%g\" y=\"%.1f\" "
		    "font-size=\"10\" fill=\"#1f8a3e\">pass</text>", L, W - R,
		    Y(pass), Y(pass), W - R - 28, Y(pass) - 3);
	if (isfinite(warn))
		slg_buf_printf(b, "<line class=\"threshold-warn\" x1=\"%g\" "
		    "x2=\"%g\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c98a00\" "
		    "stroke-dasharray=\"2 4\"/><text x=\"%g\" y=\"%.1f\" "
		    "font-size=\"10\" fill=\"#c98a00\">warn</text>", L, W - R,
		    Y(warn), Y(warn), W - R - 28, Y(warn) - 3);
	slg_buf_puts(b, "<polyline fill=\"none\" stroke=\"#0b5cad\" "
	    "stroke-width=\"1.5\" points=\"");
	/* oldest on the left: the list is newest first */
	for (size_t k = 0; k < n; k++) {
		o = find(list[n - 1 - k], name);
		if (o == NULL || !isfinite(o->value))
			continue;
		slg_buf_printf(b, "%s%.1f,%.1f", first ? "" : " ", X(k),
		    Y(o->value));
		first = 0;
	}
	slg_buf_puts(b, "\"/>");
	for (size_t k = 0; k < n; k++) {
		const struct slg_verdict *v = list[n - 1 - k];

		o = find(v, name);
		if (o == NULL || !isfinite(o->value))
			continue;
		slg_value_text(o, val, sizeof(val));
		slg_buf_printf(b, "<circle class=\"point %s\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%.8s: %s (%s)"
		    "</title></circle>", o->status == SLG_ST_FAIL ? "failed" :
		    slg_status_str(o->status), X(k), Y(o->value),
		    o->status == SLG_ST_FAIL ? "5" : "3.5",
		    o->status == SLG_ST_FAIL ? "#c0392b" :
		    o->status == SLG_ST_WARN ? "#c98a00" : "#0b5cad", v->commit,
		    val, slg_status_str(o->status));
		if (o->status == SLG_ST_FAIL)
			slg_buf_printf(b, "<path class=\"failed-mark\" d=\"M%.1f "
			    "%.1fl8 8m0 -8l-8 8\" stroke=\"#c0392b\" stroke-width="
			    "\"1.5\"/>", X(k) - 4, Y(o->value) - 4);
	}
#undef X
#undef Y
	slg_buf_puts(b, "</svg></div>");
}

static void
service_page(const struct slg_page_req *q, const char *service,
    struct slg_page *out)
{
	struct slg_history_filter f = { 0 };
	struct slg_verdict **list = NULL, **all = NULL;
	struct slg_buf b = SLG_BUF_INIT, title = SLG_BUF_INIT;
	const char *names[16], *a;
	struct slg_err err;
	size_t n = 0, nall = 0, nn = 0;
	char *end;

	if (!covered(q, service, out))
		return;
	if (slg_store_latest_per_service(q->store, &all, &nall, &err) != 0) {
		error_page(out, 503, "slogate: database unavailable", err.msg);
		return;
	}
	f.service = service;
	f.environment = q->arg(q->arg_cls, "environment");
	for (size_t i = 0; f.environment == NULL && i < nall; i++) {
		if (strcmp(all[i]->service, service) == 0)
			f.environment = all[i]->environment;
	}
	f.limit = PAGE_SIZE;
	if ((a = q->arg(q->arg_cls, "before")) != NULL) {
		f.before = strtoll(a, &end, 10);
		if (*end != '\0' || f.before < 1) {
			error_page(out, 400, "slogate: bad request", "'before' "
			    "must be a verdict id");
			goto out;
		}
	}
	if (f.environment == NULL || slg_store_history(q->store, &f, &list, &n,
	    &err) != 0 || n == 0) {
		error_page(out, f.environment ? 404 : 404, "slogate: no verdicts",
		    "nothing recorded for this service and environment");
		goto out;
	}
	slg_buf_printf(&title, "%s/%s: %s - slogate", service, f.environment,
	    slg_verdict_str(list[0]->verdict));
	head(&b, title.data);
	slg_buf_puts(&b, "<h1>");
	esc(&b, service);
	slg_buf_puts(&b, " <span class=\"muted\">");
	esc(&b, f.environment);
	slg_buf_puts(&b, "</span> ");
	badge(&b, slg_verdict_str(list[0]->verdict));
	slg_buf_puts(&b, "</h1>");
	/* other environments of the service */
	slg_buf_puts(&b, "<p class=\"muted\">Environments:");
	for (size_t i = 0; i < nall; i++) {
		if (strcmp(all[i]->service, service) != 0)
			continue;
		slg_buf_puts(&b, " <a href=\"/services/");
		slg_buf_urlencode(&b, service);
		slg_buf_puts(&b, "?environment=");
		slg_buf_urlencode(&b, all[i]->environment);
		slg_buf_puts(&b, "\">");
		esc(&b, all[i]->environment);
		slg_buf_puts(&b, "</a>");
	}
	slg_buf_puts(&b, " &middot; <a href=\"/audit?service=");
	slg_buf_urlencode(&b, service);
	slg_buf_puts(&b, "&amp;environment=");
	slg_buf_urlencode(&b, f.environment);
	slg_buf_puts(&b, "\">audit trail</a></p>");

	/* objective names, in the newest verdict's order first */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < list[i]->nobj && nn < 16; k++) {
			size_t j;

			for (j = 0; j < nn && strcmp(names[j],
			    list[i]->obj[k].name) != 0; j++)
				;
			if (j == nn)
				names[nn++] = list[i]->obj[k].name;
		}
	}
	slg_buf_puts(&b, "<h2>SLO history per commit</h2><div class=\"scroll\">"
	    "<table class=\"history\"><tr><th>Commit</th><th>Branch</th>"
	    "<th>Build time</th><th>Verdict</th>");
	for (size_t k = 0; k < nn; k++) {
		slg_buf_puts(&b, "<th>");
		esc(&b, names[k]);
		slg_buf_puts(&b, "</th>");
	}
	slg_buf_puts(&b, "</tr>");
	for (size_t i = 0; i < n; i++) {
		const struct slg_verdict *v = list[i];

		slg_buf_printf(&b, "<tr class=\"verdict-row %s\"><td><a href=\""
		    "/commits/", slg_verdict_str(v->verdict));
		slg_buf_urlencode(&b, v->commit);
		slg_buf_printf(&b, "\"><code>%.8s</code></a></td><td>", v->commit);
		esc(&b, v->branch ? v->branch : "-");
		slg_buf_puts(&b, "</td><td>");
		when(&b, v->build_time);
		slg_buf_puts(&b, "</td><td>");
		badge(&b, slg_verdict_str(v->verdict));
		if (v->napprovals > 0)
			slg_buf_puts(&b, " <span class=\"muted\">approved</span>");
		slg_buf_puts(&b, "</td>");
		for (size_t k = 0; k < nn; k++) {
			const struct slg_objective_result *o = find(v, names[k]);
			char val[64];

			slg_buf_puts(&b, "<td>");
			if (o != NULL) {
				slg_value_text(o, val,
				    sizeof(val));
				slg_buf_printf(&b, "<span class=\"v %s\">",
				    slg_status_str(o->status));
				esc(&b, val);
				slg_buf_puts(&b, "</span>");
				if (o->pass_text) {
					slg_buf_puts(&b, " <span class=\"muted\">");
					esc(&b, o->pass_text);
					slg_buf_puts(&b, "</span>");
				}
			}
			slg_buf_puts(&b, "</td>");
		}
		slg_buf_puts(&b, "</tr>");
	}
	slg_buf_puts(&b, "</table></div>");
	if (n == PAGE_SIZE) {
		slg_buf_puts(&b, "<p><a rel=\"next\" href=\"/services/");
		slg_buf_urlencode(&b, service);
		slg_buf_puts(&b, "?environment=");
		slg_buf_urlencode(&b, f.environment);
		slg_buf_printf(&b, "&amp;before=%lld\">Older verdicts</a></p>",
		    (long long)list[n - 1]->id);
	}
	for (size_t k = 0; k < nn; k++) {
		slg_buf_puts(&b, "<h2>");
		esc(&b, names[k]);
		slg_buf_puts(&b, "</h2>");
		chart(&b, list, n, names[k]);
	}
	finish(out, &b, 200);
out:
	slg_buf_release(&title);
	slg_store_list_free(list, n);
	slg_store_list_free(all, nall);
}

/* ---- a commit ---- */

static void
graph_link(struct slg_buf *b, const char *prom, const struct slg_verdict *v,
    const struct slg_objective_result *o)
{
	char end[32], range[16];
	int64_t t = v->window_end;

	slg_time_format(t, end, sizeof(end));
	end[10] = ' ';		/* the graph page wants "YYYY-MM-DD HH:MM:SS" */
	end[19] = '\0';
	slg_duration_format(v->window_end - v->window_start, range,
	    sizeof(range));
	if (!web_url(prom))
		return;
	slg_buf_puts(b, "<a class=\"graph\" href=\"");
	esc(b, prom);
	slg_buf_puts(b, "/graph?g0.expr=");
	slg_buf_urlencode(b, o->promql);
	slg_buf_printf(b, "&amp;g0.tab=0&amp;g0.range_input=%s&amp;"
	    "g0.end_input=", range);
	slg_buf_urlencode(b, end);
	slg_buf_printf(b, "&amp;g0.step_input=%lld\">open in Prometheus</a>",
	    (long long)v->step);
}

/* The polls of a watched evaluation, oldest first. */
static void
timeline(struct slg_buf *b, const struct slg_page_req *q, int64_t id)
{
	struct slg_watch_poll *p = NULL;
	struct slg_err err;
	size_t n = 0;

	if (slg_store_watch_polls(q->store, id, &p, &n, &err) != 0 || n == 0)
		return;
	slg_buf_printf(b, "<details><summary>Timeline: %zu poll%s while the "
	    "window filled</summary><div class=\"scroll\"><table><tr><th>"
	    "Polled</th><th>Verdict so far</th><th>Progress</th></tr>", n,
	    n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		slg_buf_puts(b, "<tr><td>");
		when(b, p[i].polled_at);
		slg_buf_puts(b, "</td><td>");
		badge(b, slg_verdict_str(p[i].verdict));
		slg_buf_puts(b, "</td><td class=\"wrap\">");
		esc(b, p[i].summary);
		slg_buf_puts(b, "</td></tr>");
		slg_watch_poll_release(&p[i]);
	}
	slg_buf_puts(b, "</table></div></details>");
	free(p);
}

/* How long past its deadline a running watch is taken as abandoned. */
#define ABANDONED_AFTER 300

/* Evaluations of the commit still waiting for their window. */
static size_t
running(struct slg_buf *b, const struct slg_page_req *q, const char *sha)
{
	struct slg_watch *w = NULL;
	struct slg_err err;
	size_t n = 0, live = 0;

	if (slg_store_watch_list(q->store, sha, &w, &n, &err) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		/* long past its deadline nobody is polling it: a local wait
		 * that was killed. It has no verdict and never counts. */
		int abandoned = q->now > w[i].deadline + ABANDONED_AFTER;

		if (!w[i].running)
			continue;
		live += !abandoned;
		slg_buf_printf(b, "<section class=\"ev\" id=\"v%lld\"><h2>",
		    (long long)w[i].id);
		badge(b, abandoned ? "abandoned" : "running");
		slg_buf_puts(b, " ");
		esc(b, w[i].service);
		slg_buf_puts(b, "/");
		esc(b, w[i].environment);
		slg_buf_printf(b, " <span class=\"muted\">evaluation %lld"
		    "</span></h2><p>", (long long)w[i].id);
		esc(b, w[i].progress ? w[i].progress : "waiting for the first "
		    "step of data");
		slg_buf_puts(b, "</p><p class=\"muted\">deployed ");
		when(b, w[i].since);
		slg_buf_puts(b, " &middot; gives up ");
		when(b, w[i].deadline);
		slg_buf_puts(b, "</p>");
		timeline(b, q, w[i].id);
		slg_buf_puts(b, "</section>");
	}
	slg_store_watch_list_free(w, n);
	return live;
}

static void
evaluation(struct slg_buf *b, const struct slg_page_req *q,
    const struct slg_verdict *v)
{
	char val[64], base[64], ws[32], we[32], step[16];

	slg_time_format(v->window_start, ws, sizeof(ws));
	slg_time_format(v->window_end, we, sizeof(we));
	slg_duration_format(v->step, step, sizeof(step));
	slg_buf_printf(b, "<section class=\"ev %s\" id=\"v%lld\"><h2>",
	    slg_verdict_str(v->verdict), (long long)v->id);
	badge(b, slg_verdict_str(v->verdict));
	slg_buf_puts(b, " ");
	esc(b, v->service);
	slg_buf_puts(b, "/");
	esc(b, v->environment);
	slg_buf_printf(b, " <span class=\"muted\">verdict %lld</span></h2>",
	    (long long)v->id);
	slg_buf_puts(b, "<p class=\"wrap\">");
	esc(b, v->reason);
	slg_buf_puts(b, "</p><p class=\"muted\">evaluated ");
	when(b, v->evaluated_at);
	slg_buf_puts(b, " &middot; build ");
	when(b, v->build_time);
	slg_buf_printf(b, " &middot; window %s .. %s, step %s &middot; policy ",
	    ws, we, step);
	esc(b, v->policy_path);
	slg_buf_printf(b, " <code>%.12s</code>", v->policy_digest ?
	    v->policy_digest : "");
	if (v->pipeline_url)
		link(b, v->pipeline_url, "pipeline");
	if (v->job_url)
		link(b, v->job_url, "job");
	if (v->has_score)
		slg_buf_printf(b, " &middot; score %g of %g", v->score,
		    v->score_max);
	slg_buf_puts(b, "</p><div class=\"scroll\"><table><tr><th>Objective"
	    "</th><th>Status</th><th>Value</th><th>Target</th><th>Baseline"
	    "</th><th>Detail</th></tr>");
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_value_text(o, val, sizeof(val));
		slg_buf_puts(b, "<tr><td>");
		esc(b, o->name);
		slg_buf_puts(b, "</td><td>");
		badge(b, slg_status_str(o->status));
		slg_buf_puts(b, "</td><td>");
		esc(b, val);
		slg_buf_puts(b, "</td><td>");
		esc(b, o->pass_text ? o->pass_text : "(informational)");
		if (o->warn_text) {
			slg_buf_puts(b, " (warn ");
			esc(b, o->warn_text);
			slg_buf_puts(b, ")");
		}
		slg_buf_puts(b, "</td><td class=\"wrap\">");
		if (o->has_baseline) {
			slg_value_format(o->baseline, o->unit, base, sizeof(base));
			esc(b, base);
			slg_buf_puts(b, " from ");
			esc(b, o->baseline_source);
			if (o->baseline_detail) {
				slg_buf_puts(b, ": ");
				esc(b, o->baseline_detail);
			}
			if (o->baseline_commits) {
				slg_buf_puts(b, "<br><code>");
				esc(b, o->baseline_commits);
				slg_buf_puts(b, "</code>");
			}
		} else {
			slg_buf_puts(b, "-");
		}
		slg_buf_puts(b, "</td><td class=\"wrap\">");
		esc(b, o->detail);
		slg_buf_puts(b, "</td></tr>");
	}
	slg_buf_puts(b, "</table></div>");
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_buf_puts(b, "<p><strong>");
		esc(b, o->name);
		slg_buf_puts(b, "</strong> ");
		if (o->sustained)
			slg_buf_printf(b, "range query %s .. %s, step %s", ws, we,
			    step);
		else
			slg_buf_printf(b, "instant query at %s", we);
		slg_buf_puts(b, " &middot; ");
		graph_link(b, q->prometheus_url, v, o);
		slg_buf_puts(b, "</p><pre>");
		esc(b, o->promql);
		slg_buf_puts(b, "</pre>");
	}
	for (size_t i = 0; i < v->napprovals; i++) {
		const struct slg_approval *a = &v->approvals[i];

		char who[512];

		slg_buf_puts(b, "<p class=\"approval\">Approved by <strong>");
		esc(b, slg_approval_approver(a, who, sizeof(who)));
		slg_buf_puts(b, "</strong> at ");
		when(b, a->created_at);
		slg_buf_puts(b, ": ");
		esc(b, a->reason);
		if (a->expires_at) {
			slg_buf_puts(b, " <span class=\"muted\">(expires ");
			when(b, a->expires_at);
			slg_buf_puts(b, ")</span>");
		}
		if (a->revoked_at) {
			slg_buf_puts(b, " <strong>revoked</strong> by ");
			esc(b, slg_approval_revoker(a, who, sizeof(who)));
			slg_buf_puts(b, " at ");
			when(b, a->revoked_at);
			if (a->revoke_reason) {
				slg_buf_puts(b, ": ");
				esc(b, a->revoke_reason);
			}
		}
		slg_buf_puts(b, "</p>");
	}
	if (v->trial)
		slg_buf_puts(b, "<p class=\"muted\">A trial: shown, never counted "
		    "by status or baselines.</p>");
	if (v->invalidated) {
		slg_buf_puts(b, "<p class=\"muted\">Invalidated by ");
		esc(b, v->invalidated_by ? v->invalidated_by : "-");
		slg_buf_puts(b, ": ");
		esc(b, v->invalidated_reason);
		slg_buf_puts(b, "</p>");
	}
	if (v->watch_id)
		timeline(b, q, v->watch_id);
	slg_buf_puts(b, "</section>");
}

static void
commit_page(const struct slg_page_req *q, const char *sha,
    struct slg_page *out)
{
	struct slg_history_filter f = { 0 };
	struct slg_verdict **list = NULL;
	struct slg_buf b = SLG_BUF_INIT, title = SLG_BUF_INIT, ev = SLG_BUF_INIT;
	struct slg_err err;
	const char *state;
	char full[65];
	size_t n = 0, live;

	if (strlen(sha) < 4 || strlen(sha) > 64 ||
	    strspn(sha, "0123456789abcdef") != strlen(sha)) {
		error_page(out, 400, "slogate: bad commit", "not a hex sha");
		return;
	}
	if (strlen(sha) == 40 || strlen(sha) == 64)
		snprintf(full, sizeof(full), "%s", sha);
	else if (slg_store_resolve_commit(q->store, sha, full, &err) != 0) {
		error_page(out, err.code == SLG_ENOTFOUND ? 404 : 400,
		    "slogate: commit", err.msg);
		return;
	}
	f.commit = full;
	f.limit = 1000;
	if (slg_store_history(q->store, &f, &list, &n, &err) != 0) {
		error_page(out, 503, "slogate: database unavailable", err.msg);
		return;
	}
	keep_covered(q, list, &n);
	/* evaluations still waiting come first; they count as the latest */
	live = running(&ev, q, full);
	if (n == 0 && live == 0) {
		error_page(out, 404, "slogate: commit not found",
		    "no verdict recorded for this commit");
		slg_buf_release(&ev);
		slg_store_list_free(list, n);	/* allocated, if empty */
		return;
	}
	state = live ? "running" : slg_verdict_str(list[0]->verdict);
	slg_buf_printf(&title, "commit %.8s: %s - slogate", full, state);
	head(&b, title.data);
	slg_buf_printf(&b, "<h1>Commit <code>%.12s</code> ", full);
	badge(&b, state);
	slg_buf_puts(&b, "</h1><p class=\"muted\"><code>");
	esc(&b, full);
	slg_buf_puts(&b, "</code>");
	if (n > 0 && list[0]->branch) {
		slg_buf_puts(&b, " on ");
		esc(&b, list[0]->branch);
	}
	if (n > 0 && list[0]->commit_subject) {
		slg_buf_puts(&b, "<br>");
		esc(&b, list[0]->commit_subject);
		slg_buf_puts(&b, " &mdash; ");
		esc(&b, list[0]->commit_author);
	}
	slg_buf_puts(&b, "</p>");
	slg_buf_add(&b, ev.data ? ev.data : "", ev.len);
	for (size_t i = 0; i < n; i++)
		evaluation(&b, q, list[i]);
	finish(out, &b, 200);
	slg_buf_release(&ev);
	slg_buf_release(&title);
	slg_store_list_free(list, n);
}

/* ---- the audit trail of a service ---- */

static void
audit_page(const struct slg_page_req *q, struct slg_page *out)
{
	struct slg_audit_filter f = { 0 };
	struct slg_audit_entry *e = NULL;
	struct slg_buf b = SLG_BUF_INIT, title = SLG_BUF_INIT;
	struct slg_err err;
	const char *a;
	size_t n = 0;
	char *end;

	f.service = q->arg(q->arg_cls, "service");
	f.environment = q->arg(q->arg_cls, "environment");
	f.limit = PAGE_SIZE;
	/* without a service, every service's: a token of some sees none */
	if (!covered(q, f.service, out))
		return;
	if ((a = q->arg(q->arg_cls, "before")) != NULL) {
		f.before = strtoll(a, &end, 10);
		if (*end != '\0' || f.before < 1) {
			error_page(out, 400, "slogate: bad request", "'before' "
			    "must be an entry id");
			return;
		}
	}
	if (slg_store_audit_list(q->store, &f, &e, &n, &err) != 0) {
		error_page(out, 503, "slogate: database unavailable", err.msg);
		return;
	}
	slg_buf_printf(&title, "audit trail%s%s - slogate", f.service ? ": " :
	    "", f.service ? f.service : "");
	head(&b, title.data);
	slg_buf_puts(&b, "<h1>Audit trail");
	if (f.service) {
		slg_buf_puts(&b, " <span class=\"muted\">");
		esc(&b, f.service);
		slg_buf_puts(&b, " ");
		esc(&b, f.environment);
		slg_buf_puts(&b, "</span>");
	}
	slg_buf_puts(&b, "</h1><p class=\"muted\">Every change, newest first, "
	    "each entry chained to the one before by its SHA-256; <code>slogate "
	    "audit verify</code> checks the chain.</p><div class=\"scroll\">"
	    "<table><tr><th>Entry</th><th>At</th><th>Kind</th><th>Who</th>"
	    "<th>Commit</th><th>What</th><th>Why</th><th>Hash</th></tr>");
	for (size_t i = 0; i < n; i++) {
		slg_buf_printf(&b, "<tr><td>%lld</td><td>", (long long)e[i].id);
		when(&b, e[i].at);
		slg_buf_printf(&b, "</td><td>%s</td><td>", e[i].kind);
		esc(&b, e[i].actor);
		slg_buf_puts(&b, "</td><td>");
		if (e[i].commit) {
			slg_buf_puts(&b, "<a href=\"/commits/");
			slg_buf_urlencode(&b, e[i].commit);
			char sha[13];

			snprintf(sha, sizeof(sha), "%s", e[i].commit);
			slg_buf_puts(&b, "\"><code>");
			esc(&b, sha);
			slg_buf_puts(&b, "</code></a>");
		}
		slg_buf_puts(&b, "</td><td>");
		esc(&b, e[i].what);
		slg_buf_puts(&b, "</td><td>");
		esc(&b, e[i].why);
		slg_buf_printf(&b, "</td><td><code>%.12s</code></td></tr>",
		    e[i].hash);
	}
	slg_buf_puts(&b, "</table></div>");
	if (n == (size_t)f.limit) {
		slg_buf_puts(&b, "<p><a rel=\"next\" href=\"/audit?");
		if (f.service) {
			slg_buf_puts(&b, "service=");
			slg_buf_urlencode(&b, f.service);
			slg_buf_puts(&b, "&amp;");
		}
		if (f.environment) {
			slg_buf_puts(&b, "environment=");
			slg_buf_urlencode(&b, f.environment);
			slg_buf_puts(&b, "&amp;");
		}
		slg_buf_printf(&b, "before=%lld\">older</a></p>",
		    (long long)e[n - 1].id);
	}
	finish(out, &b, 200);
	slg_buf_release(&title);
	slg_store_audit_list_free(e, n);
}

int
slg_pages_owns(const char *path)
{
	return strcmp(path, "/") == 0 || strncmp(path, "/services/", 10) == 0 ||
	    strncmp(path, "/commits/", 9) == 0 || strcmp(path, "/audit") == 0;
}

void
slg_pages_handle(const struct slg_page_req *q, struct slg_page *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(q->path, "/") == 0)
		index_page(q, out);
	else if (strncmp(q->path, "/services/", 10) == 0 && q->path[10] &&
	    !strchr(q->path + 10, '/'))
		service_page(q, q->path + 10, out);
	else if (strncmp(q->path, "/commits/", 9) == 0 && q->path[9] &&
	    !strchr(q->path + 9, '/'))
		commit_page(q, q->path + 9, out);
	else if (strcmp(q->path, "/audit") == 0)
		audit_page(q, out);
	else
		error_page(out, 404, "slogate: not found", "no such page");
}
