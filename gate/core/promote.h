/* promote: the promotion decision (may this commit go to production?) and
 * the rules for approvals. Pure: must not do I/O or read the clock. */
#ifndef SLG_PROMOTE_H
#define SLG_PROMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "core/verdict.h"

/* 1 when objective o of a passing verdict may become a stored baseline
 * (slogate baseline promote): a finite value the gate accepted (pass) or
 * recorded to be kept (informational); never an outscored failure, a
 * warning, no data or an error. */
int slg_baseline_promotable(const struct slg_objective_result *o);

/* 1 when a is neither revoked nor expired at now. */
int slg_approval_live(const struct slg_approval *a, int64_t now);

/* Decides from the latest verdict of a commit for one service and
 * environment (NULL when there is none) and the approvals of that verdict:
 * 1 (may be promoted) when it is pass or warn, or a live approval overrides
 * it, and it was not invalidated; else 0. Writes the reason, one line,
 * into why. *by is set to the approval that allowed it, or NULL. An approval covers only the verdict
 * it overrode: a newer verdict needs a new approval. */
int slg_promote_decide(const struct slg_verdict *latest, int64_t now,
    char *why, size_t n, const struct slg_approval **by);

/* 1 when verdict v was judged by the policy whose digest is registered
 * now (NULL: any policy counts); else 0 with the reason in why: after a
 * policy changes, a commit must be judged again. */
int slg_promote_policy_current(const struct slg_verdict *v,
    const char *registered, char *why, size_t n);

/* Whether an approval may be recorded against latest: SLG_ECONFLICT when
 * there is no verdict to override, or when it passed or warned (nothing to
 * approve). */
int slg_approval_allowed(const struct slg_verdict *latest, struct slg_err *err);

/* For --forbid-self-approval: SLG_EFORBIDDEN when the approver (by, the
 * authenticated name, or named, the person the client names) is the
 * commit's author (its name, address or the address's local part, in any
 * case), or when the author is not known. */
int slg_approval_self(const char *author, const char *by, const char *named,
    struct slg_err *err);

#endif
