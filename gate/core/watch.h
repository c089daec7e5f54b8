/* watch: the rules of an evaluation that waits for its window after a
 * deploy: which window a poll judges, when the wait ends and with which
 * verdict, and a poll's progress in one line.
 * Pure: must not do I/O or read the clock. */
#ifndef SLG_WATCH_H
#define SLG_WATCH_H

#include <stdint.h>

#include "core/policy.h"
#include "core/verdict.h"

/* Polls of the whole window that may still lack data (Prometheus is a
 * scrape behind) before its inconclusive verdict stands. */
#define SLG_WATCH_SETTLE 2

/* The end of the window a poll at now judges: the last step boundary
 * after since, at most since + the policy's window. *complete is 1 when
 * that is the whole window. Gives since when not one step has passed. */
int64_t slg_watch_window_end(const struct slg_policy *p, int64_t since,
    int64_t now, int *complete);

/* When to poll w next after a poll at now: just after the next step
 * boundary, by which Prometheus has scraped it (half a step later, at
 * most 10 s); a step on once the window is whole; never past the
 * deadline. */
int64_t slg_watch_next_poll(const struct slg_policy *p,
    const struct slg_watch *w, int64_t now);

/* Decides after a poll whose verdict v was judged over [w->since,
 * v->window_end], at time now; wait is 0 for a single look. Counts w's
 * errors and settle polls. Returns 1 when the evaluation ends: then
 * v->verdict and v->reason are its final ones (an early fail, an error
 * past the policy's error_limit, inconclusive for a window not yet
 * observed or a timeout, or the whole window's verdict); 0 to poll again.
 * Gives -1 only when out of memory. */
int slg_watch_decide(const struct slg_policy *p, struct slg_watch *w,
    struct slg_verdict *v, int complete, int wait, int64_t now);

/* One line: "17m/30m observed, availability 99.97% ok, latency_p95 96ms
 * ok". The caller frees it; NULL when out of memory. */
char *slg_watch_summary(const struct slg_policy *p, int64_t since,
    const struct slg_verdict *v);

#endif
