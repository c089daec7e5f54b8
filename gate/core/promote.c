/* promote: the promotion decision and the rules for approvals. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/promote.h"
#include "util/timefmt.h"

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
	char t[32], who[512];

	*by = NULL;
	if (v == NULL) {
		snprintf(why, n, "no verdict recorded for this commit: run "
		    "slogate check first");
		return 0;
	}
	/* a run judged on a broken staging says nothing, either way */
	if (v->invalidated) {
		snprintf(why, n, "verdict %lld (%s) was invalidated: %s; judge "
		    "the commit again", (long long)v->id,
		    slg_verdict_str(v->verdict), v->invalidated_reason ?
		    v->invalidated_reason : "no reason");
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
			    slg_verdict_str(v->verdict),
			    slg_approval_approver(*by, who, sizeof(who)),
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
		    slg_approval_revoker(dead, who, sizeof(who)));
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

/* 1 when a (a name, a login or an address) is one of the author's: the
 * name, the address, or the address's local part ("j.doe" is
 * "J. Doe <j.doe@example.com>"), without regard to case. */
static int
is_author(const char *author, const char *a)
{
	const char *lt, *at, *gt;
	size_t n;

	if (a == NULL || *a == '\0')
		return 0;
	n = strlen(a);
	lt = strchr(author, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt == NULL || gt == NULL)
		return strcasecmp(author, a) == 0;
	at = memchr(lt, '@', (size_t)(gt - lt));
	/* the name, without the blank before '<' */
	if ((size_t)(lt - author) >= n && strncasecmp(author, a, n) == 0 &&
	    strspn(author + n, " ") == (size_t)(lt - author) - n)
		return 1;
	if ((size_t)(gt - lt - 1) == n && strncasecmp(lt + 1, a, n) == 0)
		return 1;
	return at != NULL && (size_t)(at - lt - 1) == n &&
	    strncasecmp(lt + 1, a, n) == 0;
}

int
slg_approval_self(const char *author, const char *by, const char *named,
    struct slg_err *err)
{
	if (author == NULL || strspn(author, " <>") == strlen(author))
		return slg_err_set(err, SLG_EFORBIDDEN, "the commit's author "
		    "was not recorded with its verdict, so an approval by the "
		    "author cannot be ruled out (--forbid-self-approval)");
	if (is_author(author, by) || is_author(author, named))
		return slg_err_set(err, SLG_EFORBIDDEN, "'%s' is the commit's "
		    "author: an approval must come from someone else "
		    "(--forbid-self-approval)", is_author(author, by) ? by :
		    named);
	return 0;
}

int
slg_promote_policy_current(const struct slg_verdict *v,
    const char *registered, char *why, size_t n)
{
	if (v == NULL || registered == NULL || (v->policy_digest != NULL &&
	    strcmp(v->policy_digest, registered) == 0))
		return 1;
	snprintf(why, n, "verdict %lld was judged by policy %.12s, not by the "
	    "one registered now (%.12s): judge the commit again",
	    (long long)v->id, v->policy_digest ? v->policy_digest : "?",
	    registered);
	return 0;
}
