/* engine: one evaluation from policy to recorded verdict: renders the
 * queries, finds baselines (stored, previous verdicts, git ancestors), asks
 * Prometheus, lets eval judge, records.
 * Shared by the CLI and the service. Must not print or parse argv. */
#ifndef SLG_ENGINE_H
#define SLG_ENGINE_H

#include <stdint.h>

#include "util/err.h"
#include "core/policy.h"
#include "io/prom.h"
#include "store/store.h"
#include "core/verdict.h"

/* Who and what is being judged; copied into the verdict. */
struct slg_subject {
	const char *commit;	/* full sha */
	int64_t commit_time;	/* 0 when unknown */
	const char *commit_author;
	const char *commit_subject;
	const char *branch;
	int64_t build_time;
	const char *pipeline_id;
	const char *pipeline_url;
	const char *job_url;
	const char *ref_name;
};

struct slg_engine_run {
	const struct slg_policy *policy;
	const struct slg_prom_conf *prom;
	struct slg_store *store;
	const struct slg_subject *subject;
	int64_t at;		/* the window's end */
	int64_t since;		/* 0, or the window's start (the deploy):
				 * then the window is [since, at] */
	int64_t now;		/* when the evaluation ran */
	const char *version;
	const char *repo;	/* for ancestor baselines; NULL: working dir */
	const char *policy_digest;	/* NULL: the policy's own text's */
	const char *actor;	/* who asked, for the audit trail */
	int trial;		/* recorded as a trial: never counted, and
				 * the window may end before the build */
};

/* 0 when the window (ending at, or at since + the policy's window when
 * since is set) ends at or after the build time: a window that ends
 * before the build saw an earlier release, not this one. Else SLG_EUSAGE
 * saying so. */
int slg_engine_window_check(const struct slg_policy *p, int64_t at,
    int64_t since, int64_t build_time, struct slg_err *err);

/* Evaluates and records (refusing, unless a trial, a window that
 * slg_engine_window_check refuses). On success *out is the recorded verdict (caller
 * frees), whatever it says: Prometheus failures are an `error` verdict, not
 * a failed call. With r->since, one look at the window that starts there
 * (r->at is ignored): until the whole window has passed the verdict is
 * inconclusive, unless it has failed for good (see slg_watch_decide).
 * Gives SLG_EPOLICY when a template cannot be rendered, SLG_ESTORE when
 * baselines cannot be read or the verdict cannot be recorded (then nothing
 * is recorded), SLG_ENOMEM. */
int slg_engine_check(const struct slg_engine_run *r, struct slg_verdict **out,
    struct slg_err *err);

/* As slg_engine_check, without recording. With r->since set, the window
 * is [since, at] (at == since: nothing observed yet, nothing is asked and
 * every objective has no data). */
int slg_engine_evaluate(const struct slg_engine_run *r,
    struct slg_verdict **out, struct slg_err *err);

/* One poll of running watch w at r->now (r->at and r->since are taken
 * from w): judges the window observed so far, decides with slg_watch_decide
 * and records the poll in w's timeline, with the final verdict when it
 * ends (then *final is 1). An evaluation that cannot be made (a template,
 * the baselines) is an erring poll, so error_limit and the deadline end
 * it. Before one step has passed a poll does nothing (*out NULL). *out is
 * the poll's verdict (caller frees). Gives SLG_ESTORE when the poll cannot
 * be recorded, SLG_ECONFLICT when w ended elsewhere, SLG_ENOMEM. */
int slg_engine_poll(const struct slg_engine_run *r, struct slg_watch *w,
    struct slg_verdict **out, int *final, struct slg_err *err);

/* Fills w to start a watched evaluation of r (r->since set), whoever
 * starts it, with all it is run from, so that any service can carry it on:
 * the policy inlined, the digest of the file it came from
 * (r->policy_digest, else its own text's), the subject, trial and actor;
 * deadline, owner and lease_until as given. w is the caller's
 * (slg_watch_release). SLG_ENOMEM. */
int slg_engine_watch_init(const struct slg_engine_run *r, int64_t deadline,
    const char *owner, int64_t lease_until, struct slg_watch *w,
    struct slg_err *err);

#endif
