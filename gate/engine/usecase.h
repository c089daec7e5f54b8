/* usecase: what the CLI and the service both do to the store: approve,
 * revoke, invalidate, status, baselines, and the limits on a window.
 * Must not parse argv or HTTP, nor print: the front ends do, and map codes. */
#ifndef SLG_USECASE_H
#define SLG_USECASE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "core/policy.h"
#include "core/verdict.h"
#include "store/store.h"

/* ---- the window rules ---- */

/* How far ahead of the clock a deploy (since) may lie: more is a clock
 * that is wrong or a mistake, not a window. Also the slack a deploy may
 * lie before the build time before the CLI warns. */
#define SLG_USECASE_CLOCK_SLACK 300

/* The longest wait a caller may ask for. */
#define SLG_USECASE_TIMEOUT_MAX (7 * 86400)

/* What a wait lasts past its window when no timeout is given. */
#define SLG_USECASE_WAIT_EXTRA 600

/* 0 when since (0: none) lies at most SLG_USECASE_CLOCK_SLACK after now;
 * else SLG_EUSAGE: "NAME is more than 5 minutes in the future", name as
 * the front end calls the value ("--since", "'since'"). */
int slg_usecase_since_check(int64_t since, int64_t now, const char *name,
    struct slg_err *err);

/* 1 when since (set) lies more than SLG_USECASE_CLOCK_SLACK before the
 * build: the window may hold the release before this one. */
int slg_usecase_since_early(int64_t since, int64_t build_time);

/* A wait's timeout: given (a duration, 1s to 7d) or, when NULL, 0 for
 * "the default" (slg_usecase_wait_timeout). SLG_EUSAGE "bad duration
 * 'GIVEN' (1s to 7d)" when it is no such duration. */
int slg_usecase_timeout_parse(const char *given, int64_t *out,
    struct slg_err *err);

/* Seconds a wait may last: timeout when set (not 0), else the policy's
 * window and SLG_USECASE_WAIT_EXTRA more; 0 without either. */
int64_t slg_usecase_wait_timeout(const struct slg_policy *p, int64_t timeout);

/* Whether a window may be judged as an evaluation that counts: 0, or
 * SLG_EUSAGE saying why when it ends before the build time (it holds an
 * earlier release: slg_engine_window_check) or, with max_age > 0, ended
 * more than max_age before now (it judges another moment). at, since and
 * build_time as in struct slg_engine_run. A refused window may still be
 * recorded as a trial; who may ask for one is the front end's rule. */
int slg_usecase_window_judgeable(const struct slg_policy *p, int64_t at,
    int64_t since, int64_t build_time, int64_t now, int64_t max_age,
    struct slg_err *err);

/* 1 when a reason was given that is not only blanks: approvals and
 * invalidations must say why. */
int slg_usecase_reason_given(const char *reason);

/* ---- approvals ---- */

struct slg_usecase_approve {
	const char *commit;	/* the full sha, resolved by the caller */
	const char *service;
	const char *environment;
	const char *by;		/* who approves: a token's name or a user */
	const char *named_by;	/* the person a client names; NULL: none */
	const char *reason;
	double expires;		/* seconds it lasts; 0: never */
	int64_t now;
	int forbid_self;	/* --forbid-self-approval: by or named_by
				 * may not be the commit's author, and
				 * named_by must be given */
};

/* Records an approval of the latest counted verdict of in->commit for the
 * service and environment. On success *out is the approval recorded (its
 * id set; the caller releases it, slg_approval_release) and *overridden
 * the verdict it overrides (the caller frees). Gives SLG_ECONFLICT when
 * there is no verdict or it passed or warned (slg_approval_allowed),
 * SLG_EFORBIDDEN when forbid_self refuses it, SLG_ESTORE, SLG_ENOMEM. */
int slg_usecase_approve(struct slg_store *st,
    const struct slg_usecase_approve *in, struct slg_approval *out,
    struct slg_verdict **overridden, struct slg_err *err);

/* Revokes approval id, by (with named_by, the person a client names, or
 * NULL) at now, with reason (NULL: none). With out set, fills it with the
 * approval as it is now (the caller releases it). Gives SLG_ENOTFOUND,
 * SLG_ECONFLICT when it was revoked already, SLG_ESTORE. */
int slg_usecase_revoke(struct slg_store *st, int64_t id, const char *by,
    const char *named_by, const char *reason, int64_t now,
    struct slg_approval *out, struct slg_err *err);

/* ---- invalidation ---- */

/* Marks verdict id unusable as a baseline, by who (as shown) at now.
 * Gives SLG_ENOTFOUND, SLG_ECONFLICT when it was invalidated already,
 * SLG_ESTORE. */
int slg_usecase_invalidate(struct slg_store *st, int64_t id, const char *by,
    const char *reason, int64_t now, struct slg_err *err);

/* ---- status: may this commit be promoted? ---- */

struct slg_usecase_status {
	const char *commit;	/* the full sha; or, with recorded 0, the
				 * commit as given */
	int recorded;		/* 0: no verdict names the commit, so the
				 * answer is no without asking the store */
	const char *service;
	const char *environment;
	int64_t now;
	/* NULL: a verdict of any policy counts. Else called once the latest
	 * verdict is known: sets *found and, when found, digest to the
	 * policy registered now for the service and environment; only a
	 * verdict of that policy counts. Returns 0 or a code, with err. */
	int (*registered)(void *cls, const char *service,
	    const char *environment, char digest[41], int *found,
	    struct slg_err *err);
	void *registered_cls;
};

struct slg_usecase_status_result {
	char commit[65];
	int promote;				/* 1: may be promoted */
	char reason[1024];			/* one line */
	struct slg_verdict *verdict;		/* the latest, or NULL */
	const struct slg_approval *approval;	/* into verdict: the one that
						 * allowed it, or NULL */
};

/* Decides (slg_promote_decide, slg_promote_policy_current) whether
 * in->commit may be promoted, into out (release it with
 * slg_usecase_status_release, also after a failure). Gives SLG_ESTORE,
 * or what in->registered gives. */
int slg_usecase_status(struct slg_store *st,
    const struct slg_usecase_status *in,
    struct slg_usecase_status_result *out, struct slg_err *err);
void slg_usecase_status_release(struct slg_usecase_status_result *r);

/* ---- stored baselines ---- */

/* What a change of stored baselines records besides the values. */
struct slg_usecase_baselines {
	const char *service;		/* NULL: each row's own */
	const char *environment;	/* NULL: each row's own */
	const char *source_commit;	/* NULL: each row's own */
	const char *by;			/* who sets them, as shown */
	const char *note;		/* "set", "import FILE", ... */
	int64_t now;
};

/* Stores n rows (their objective and value, and what in leaves to them)
 * as the newest baselines, all or none; rows stay the caller's. Gives
 * SLG_ESTORE, SLG_ENOMEM. */
int slg_usecase_baseline_set(struct slg_store *st,
    const struct slg_usecase_baselines *in,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err);

/* Reads the baselines file at path (slg_baseline_file_load) and stores
 * its rows with in's by, note and now. On success *rows and *n are what
 * was stored (the caller releases each row and frees the array). Gives
 * what slg_baseline_file_load gives, SLG_ESTORE, SLG_ENOMEM. */
int slg_usecase_baseline_import(struct slg_store *st, const char *path,
    const struct slg_usecase_baselines *in, struct slg_stored_baseline **rows,
    size_t *n, struct slg_err *err);

/* The verdict a promotion copies: the newest counted verdict of commit
 * (the full sha) for service and environment that passed and was not
 * invalidated. *out is the caller's (slg_verdict_free). Gives
 * SLG_ECONFLICT when there is none, SLG_ESTORE. */
int slg_usecase_baseline_source(struct slg_store *st, const char *commit,
    const char *service, const char *environment, struct slg_verdict **out,
    struct slg_err *err);

/* Stores the measured values of v (from slg_usecase_baseline_source) that
 * may become baselines (slg_baseline_promotable), from v's commit, with
 * in's by and now; *stored is how many. Gives SLG_ECONFLICT when v has
 * none, SLG_ESTORE, SLG_ENOMEM. */
int slg_usecase_baseline_promote(struct slg_store *st,
    const struct slg_verdict *v, const struct slg_usecase_baselines *in,
    size_t *stored, struct slg_err *err);

#endif
