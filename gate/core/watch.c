/* watch: when a wait for the window ends, and how a poll reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "core/eval.h"
#include "util/timefmt.h"
#include "core/watch.h"

int64_t
slg_watch_window_end(const struct slg_policy *p, int64_t since, int64_t now,
    int *complete)
{
	int64_t steps = now > since ? (now - since) / p->step : 0;

	*complete = steps * p->step >= p->window;
	return *complete ? since + p->window : since + steps * p->step;
}

/* Replaces v's verdict and reason with k and "prefix: old reason". */
static int
restate(struct slg_verdict *v, enum slg_verdict_kind k, const char *prefix)
{
	struct slg_buf b = SLG_BUF_INIT;

	slg_buf_puts(&b, prefix);
	if (v->reason != NULL && *v->reason != '\0')
		slg_buf_printf(&b, ": %s", v->reason);
	free(v->reason);
	v->verdict = k;
	v->reason = slg_buf_detach(&b);
	return v->reason ? 1 : -1;
}

static void
observed(const struct slg_policy *p, int64_t since, int64_t end, char *out,
    size_t n)
{
	char seen[32], all[32];

	slg_duration_format(end - since, seen, sizeof(seen));
	slg_duration_format(p->window, all, sizeof(all));
	snprintf(out, n, "%s of %s observed", seen, all);
}

int
slg_watch_decide(const struct slg_policy *p, struct slg_watch *w,
    struct slg_verdict *v, int complete, int wait, int64_t now)
{
	int limit = p->error_limit > 0 ? p->error_limit : 3;
	int timed_out = now >= w->deadline;
	char seen[96], why[256];

	observed(p, w->since, v->window_end, seen, sizeof(seen));
	w->errors = v->verdict == SLG_V_ERROR ? w->errors + 1 : 0;
	if (v->verdict == SLG_V_ERROR) {
		if (w->errors >= limit) {
			snprintf(why, sizeof(why), "%d polls in a row failed "
			    "(error_limit %d)", w->errors, limit);
			return restate(v, SLG_V_ERROR, why);
		}
		if (!wait || timed_out)
			return 1;
		return 0;
	}
	if (complete) {
		if (v->verdict != SLG_V_INCONCLUSIVE)
			return 1;
		/* the last points may be a scrape behind: look again */
		if (wait && !timed_out && ++w->settle <= SLG_WATCH_SETTLE)
			return 0;
		return 1;
	}
	if (slg_eval_fail_is_final(v)) {
		snprintf(why, sizeof(why), "failed fast with %s", seen);
		return restate(v, SLG_V_FAIL, why);
	}
	if (wait && !timed_out)
		return 0;
	/* a pass needs the whole window */
	if (timed_out && wait)
		snprintf(why, sizeof(why), "timed out waiting: only %s; so far "
		    "%s", seen, slg_verdict_str(v->verdict));
	else
		snprintf(why, sizeof(why), "only %s; so far %s", seen,
		    slg_verdict_str(v->verdict));
	return restate(v, SLG_V_INCONCLUSIVE, why);
}

static const char *
word(enum slg_status s)
{
	switch (s) {
	case SLG_ST_PASS:
		return "ok";
	case SLG_ST_WARN:
		return "warn";
	case SLG_ST_FAIL:
		return "FAIL";
	case SLG_ST_NODATA:
		return "no data";
	case SLG_ST_ERROR:
		return "error";
	case SLG_ST_INFO:
		break;
	}
	return "";
}

char *
slg_watch_summary(const struct slg_policy *p, int64_t since,
    const struct slg_verdict *v)
{
	struct slg_buf b = SLG_BUF_INIT;
	char seen[32], all[32], val[64];

	slg_duration_format(v->window_end - since, seen, sizeof(seen));
	slg_duration_format(p->window, all, sizeof(all));
	slg_buf_printf(&b, "%s/%s observed", seen, all);
	if (v->nobj == 0 && v->verdict == SLG_V_ERROR)
		slg_buf_printf(&b, ", error: %s", v->reason ? v->reason : "");
	for (size_t i = 0; i < v->nobj; i++) {
		const struct slg_objective_result *o = &v->obj[i];

		slg_buf_printf(&b, ", %s", o->name);
		if (o->status != SLG_ST_NODATA && o->status != SLG_ST_ERROR) {
			slg_value_text(o, val, sizeof(val));
			slg_buf_printf(&b, " %s", val);
		}
		if (*word(o->status))
			slg_buf_printf(&b, " %s", word(o->status));
	}
	return slg_buf_detach(&b);
}

int64_t
slg_watch_next_poll(const struct slg_policy *p, const struct slg_watch *w,
    int64_t now)
{
	int64_t lag = p->step / 2 < 10 ? p->step / 2 : 10;
	int64_t k = now > w->since ? (now - w->since) / p->step : 0;
	int64_t t = k * p->step >= p->window ? now + p->step :
	    w->since + (k + 1) * p->step + (lag > 0 ? lag : 1);

	return t < w->deadline ? t : w->deadline;
}
