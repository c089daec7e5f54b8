/* promote: the promotion decision and the rules for approvals. */
#include <math.h>
#include <stdio.h>

#include "promote.h"
#include "timefmt.h"

int
slg_baseline_promotable(const struct slg_objective_result *o)
{
	return isfinite(o->value) && (o->status == SLG_ST_PASS ||
	    o->status == SLG_ST_INFO);
}

int
slg_approval_live(const struct slg_approval *a, int64_t now)
{
	return a->revoked_at == 0 && (a->expires_at == 0 || now < a->expires_at);
}

int
slg_promote_decide(const struct slg_verdict *v, int64_t now, char *why,
    size_t n, const struct slg_approval **by)
{
	const struct slg_approval *dead = NULL;
	char t[32];

	*by = NULL;
	if (v == NULL) {
		snprintf(why, n, "no verdict recorded for this commit: run "
		    "slogate check first");
		return 0;
	}
	if (v->verdict == SLG_V_PASS || v->verdict == SLG_V_WARN) {
		snprintf(why, n, "verdict %lld is %s", (long long)v->id,
		    slg_verdict_str(v->verdict));
		return 1;
	}
	for (size_t i = v->napprovals; i-- > 0;) {
		if (slg_approval_live(&v->approvals[i], now)) {
			*by = &v->approvals[i];
			snprintf(why, n, "verdict %lld is %s, approved by %s "
			    "(approval %lld): %s", (long long)v->id,
			    slg_verdict_str(v->verdict), (*by)->by,
			    (long long)(*by)->id, (*by)->reason);
			return 1;
		}
		if (dead == NULL)
			dead = &v->approvals[i];
	}
	if (dead != NULL && dead->revoked_at != 0) {
		snprintf(why, n, "verdict %lld is %s; its approval %lld was "
		    "revoked by %s", (long long)v->id,
		    slg_verdict_str(v->verdict), (long long)dead->id,
		    dead->revoked_by ? dead->revoked_by : "someone");
	} else if (dead != NULL) {
		slg_time_format(dead->expires_at, t, sizeof(t));
		snprintf(why, n, "verdict %lld is %s; its approval %lld expired "
		    "at %s", (long long)v->id, slg_verdict_str(v->verdict),
		    (long long)dead->id, t);
	} else {
		snprintf(why, n, "verdict %lld is %s and not approved: %s",
		    (long long)v->id, slg_verdict_str(v->verdict),
		    v->reason ? v->reason : "");
	}
	return 0;
}

int
slg_approval_allowed(const struct slg_verdict *v, struct slg_err *err)
{
	if (v == NULL)
		return slg_err_set(err, SLG_ECONFLICT, "no verdict recorded for "
		    "this commit: there is nothing to approve");
	if (v->verdict == SLG_V_PASS || v->verdict == SLG_V_WARN)
		return slg_err_set(err, SLG_ECONFLICT, "verdict %lld is %s: the "
		    "gate let it through, an approval would be pointless",
		    (long long)v->id, slg_verdict_str(v->verdict));
	return 0;
}
