/* test_promote: the promotion decision and the rules for approvals. promote
 * is pure, so verdicts and approvals are made here by hand, with string
 * literals that are never freed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/promote.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define assert_not_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ != NULL && strstr(h_, n_) != NULL)			\
		fail_msg("'%s' contains '%s'", h_, n_);			\
} while (0)

/* 2026-11-26T07:00:00Z, the time every decision is taken at. */
#define NOW INT64_C(1795676400)

#define SHA "abc1230000000000000000000000000000000001"

/* ---- verdicts and approvals by hand ---- */

static void
make_verdict(struct slg_verdict *v, enum slg_verdict_kind kind)
{
	memset(v, 0, sizeof(*v));
	v->id = 42;
	v->verdict = kind;
	v->reason = (char *)"latency_p95: 200ms misses <= 120ms";
	v->service = (char *)"api";
	v->environment = (char *)"staging";
	v->commit = (char *)SHA;
	v->evaluated_at = NOW - 3600;
}

/* A live approval of verdict 42 unless the caller changes it. */
static void
make_approval(struct slg_approval *a, int64_t id, const char *by,
    const char *reason)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->verdict_id = 42;
	a->commit = (char *)SHA;
	a->service = (char *)"api";
	a->environment = (char *)"staging";
	a->by = (char *)by;
	a->reason = (char *)reason;
	a->created_at = NOW - 600;
}

/* ---- slg_approval_live ---- */

struct live_case {
	const char *what;
	int64_t expires_at;
	int64_t revoked_at;
	int64_t now;
	int live;
};

static const struct live_case lives[] = {
	{ "never expires", 0, 0, NOW, 1 },
	{ "never expires, far future", 0, 0, NOW + 100 * 365 * 86400LL, 1 },
	{ "expires later", NOW + 3600, 0, NOW, 1 },
	{ "a second before expiry", NOW + 1, 0, NOW, 1 },
	{ "expired exactly now", NOW, 0, NOW, 0 },
	{ "expired a second ago", NOW - 1, 0, NOW, 0 },
	{ "expired long ago", NOW - 86400, 0, NOW, 0 },
	{ "revoked", 0, NOW - 60, NOW, 0 },
	{ "revoked, not yet expired", NOW + 3600, NOW - 60, NOW, 0 },
	{ "revoked and expired", NOW - 1, NOW - 60, NOW, 0 },
};

static void
test_approval_live(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(lives); i++) {
		const struct live_case *t = &lives[i];
		struct slg_approval a;
		int got;

		make_approval(&a, 1, "alice", "hotfix");
		a.expires_at = t->expires_at;
		a.revoked_at = t->revoked_at;
		got = slg_approval_live(&a, t->now);
		if (got != t->live)
			fail_msg("%s: live %d, want %d", t->what, got, t->live);
	}
}

/* ---- slg_promote_decide ---- */

static void
test_decide_no_verdict(void **state)
{
	const struct slg_approval *by = (const struct slg_approval *)1;
	char why[256] = "";

	(void)state;
	assert_int_equal(slg_promote_decide(NULL, NOW, why, sizeof(why), &by),
	    0);
	assert_null(by);
	assert_contains(why, "no verdict");
}

/* An invalidated verdict promotes nothing, whatever it says and whatever
 * approves it (it passed on a broken staging, say). */
static void
test_decide_invalidated(void **state)
{
	static const enum slg_verdict_kind kinds[] = { SLG_V_PASS, SLG_V_WARN,
	    SLG_V_FAIL };
	struct slg_approval ap[1];

	(void)state;
	make_approval(&ap[0], 7, "alice", "hotfix");
	for (size_t i = 0; i < NELEM(kinds); i++) {
		const struct slg_approval *by = (const struct slg_approval *)1;
		struct slg_verdict v;
		char why[256] = "";

		make_verdict(&v, kinds[i]);
		v.approvals = ap;
		v.napprovals = 1;
		v.invalidated = 1;
		v.invalidated_reason = (char *)"staging was down";
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 0);
		assert_null(by);
		assert_contains(why, "was invalidated: staging was down");
	}
}

/* Pass and warn may be promoted; their approvals do not matter. */
static void
test_decide_pass_warn(void **state)
{
	static const struct {
		enum slg_verdict_kind kind;
		const char *why;
	} t[] = {
		{ SLG_V_PASS, "verdict 42 is pass" },
		{ SLG_V_WARN, "verdict 42 is warn" },
	};
	struct slg_approval ap[1];

	(void)state;
	make_approval(&ap[0], 7, "alice", "hotfix");
	ap[0].revoked_at = NOW - 1;
	for (size_t i = 0; i < NELEM(t); i++) {
		const struct slg_approval *by = (const struct slg_approval *)1;
		struct slg_verdict v;
		char why[256] = "";

		make_verdict(&v, t[i].kind);
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 1);
		assert_null(by);
		assert_string_equal(why, t[i].why);

		/* a revoked approval on it changes nothing */
		v.approvals = ap;
		v.napprovals = 1;
		by = (const struct slg_approval *)1;
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 1);
		assert_null(by);
		assert_string_equal(why, t[i].why);
	}
}

static const enum slg_verdict_kind blocked[] = { SLG_V_FAIL,
    SLG_V_INCONCLUSIVE, SLG_V_ERROR };

static void
test_decide_blocked_not_approved(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(blocked); i++) {
		const struct slg_approval *by = (const struct slg_approval *)1;
		struct slg_verdict v;
		char why[256] = "", want[256];

		make_verdict(&v, blocked[i]);
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 0);
		assert_null(by);
		assert_contains(why, "not approved");
		snprintf(want, sizeof(want), "verdict 42 is %s",
		    slg_verdict_str(blocked[i]));
		assert_contains(why, want);
		/* says why the gate blocked it */
		assert_contains(why, "latency_p95: 200ms misses <= 120ms");
	}
}

static void
test_decide_live_approval(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(blocked); i++) {
		const struct slg_approval *by = NULL;
		struct slg_approval ap[1];
		struct slg_verdict v;
		char why[256] = "";

		make_verdict(&v, blocked[i]);
		make_approval(&ap[0], 7, "carol", "known flaky canary");
		ap[0].expires_at = NOW + 3600;
		v.approvals = ap;
		v.napprovals = 1;
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 1);
		assert_ptr_equal(by, &ap[0]);
		assert_contains(why, "carol");
		assert_contains(why, "known flaky canary");
		assert_contains(why, "approval 7");
		assert_contains(why, slg_verdict_str(blocked[i]));
	}
}

static void
test_decide_revoked(void **state)
{
	const struct slg_approval *by = (const struct slg_approval *)1;
	struct slg_approval ap[1];
	struct slg_verdict v;
	char why[256] = "";

	(void)state;
	make_verdict(&v, SLG_V_FAIL);
	make_approval(&ap[0], 9, "carol", "hotfix");
	ap[0].revoked_at = NOW - 60;
	ap[0].revoked_by = (char *)"dave";
	v.approvals = ap;
	v.napprovals = 1;
	assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why), &by),
	    0);
	assert_null(by);
	assert_contains(why, "revoked");
	assert_contains(why, "dave");
	assert_contains(why, "approval 9");
	assert_not_contains(why, "expired");
}

static void
test_decide_expired(void **state)
{
	static const int64_t at[] = { NOW, NOW - 1, NOW - 86400 };

	(void)state;
	for (size_t i = 0; i < NELEM(at); i++) {
		const struct slg_approval *by = (const struct slg_approval *)1;
		struct slg_approval ap[1];
		struct slg_verdict v;
		char why[256] = "";

		make_verdict(&v, SLG_V_INCONCLUSIVE);
		make_approval(&ap[0], 11, "carol", "hotfix");
		ap[0].expires_at = at[i];
		v.approvals = ap;
		v.napprovals = 1;
		assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why),
		    &by), 0);
		assert_null(by);
		assert_contains(why, "expired");
		assert_contains(why, "approval 11");
		assert_not_contains(why, "revoked");
	}
	/* exactly when it expires, and one second before it still holds */
	{
		const struct slg_approval *by = NULL;
		struct slg_approval ap[1];
		struct slg_verdict v;
		char why[256] = "";

		make_verdict(&v, SLG_V_INCONCLUSIVE);
		make_approval(&ap[0], 11, "carol", "hotfix");
		ap[0].expires_at = NOW;
		v.approvals = ap;
		v.napprovals = 1;
		assert_int_equal(slg_promote_decide(&v, NOW - 1, why,
		    sizeof(why), &by), 1);
		assert_ptr_equal(by, &ap[0]);
	}
}

/* Approvals come oldest first, as the store lists them; the newest live one
 * is the one named, and a live one wins over newer dead ones. */
static void
test_decide_several(void **state)
{
	const struct slg_approval *by = NULL;
	struct slg_approval ap[4];
	struct slg_verdict v;
	char why[256] = "";

	(void)state;
	make_verdict(&v, SLG_V_FAIL);
	make_approval(&ap[0], 1, "alice", "first");
	make_approval(&ap[1], 2, "bob", "second");
	make_approval(&ap[2], 3, "carol", "third, revoked");
	ap[2].revoked_at = NOW - 5;
	ap[2].revoked_by = (char *)"dave";
	make_approval(&ap[3], 4, "erin", "fourth, expired");
	ap[3].expires_at = NOW - 5;
	v.approvals = ap;

	/* two live ones: the newer */
	v.napprovals = 2;
	assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why), &by),
	    1);
	assert_ptr_equal(by, &ap[1]);
	assert_contains(why, "bob");
	assert_contains(why, "second");
	assert_not_contains(why, "alice");

	/* newer dead ones do not hide a live one */
	v.napprovals = 4;
	assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why), &by),
	    1);
	assert_ptr_equal(by, &ap[1]);

	/* all dead: the newest dead one is reported */
	ap[0].revoked_at = ap[1].revoked_at = NOW - 10;
	assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why), &by),
	    0);
	assert_null(by);
	assert_contains(why, "approval 4");
	assert_contains(why, "expired");
}

/* why is always terminated, even when too small for the reason. */
static void
test_decide_short_buffer(void **state)
{
	const struct slg_approval *by = NULL;
	struct slg_verdict v;
	char why[12];

	(void)state;
	memset(why, 'x', sizeof(why));
	make_verdict(&v, SLG_V_FAIL);
	assert_int_equal(slg_promote_decide(&v, NOW, why, sizeof(why), &by),
	    0);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_memory_equal(why, "verdict 42 ", sizeof(why) - 1);
}

/* ---- slg_approval_allowed ---- */

static void
test_approval_allowed(void **state)
{
	static const struct {
		enum slg_verdict_kind kind;
		int rc;
	} t[] = {
		{ SLG_V_PASS, SLG_ECONFLICT },
		{ SLG_V_WARN, SLG_ECONFLICT },
		{ SLG_V_FAIL, 0 },
		{ SLG_V_INCONCLUSIVE, 0 },
		{ SLG_V_ERROR, 0 },
	};
	struct slg_err err = { 0, "" };

	(void)state;
	assert_int_equal(slg_approval_allowed(NULL, &err), SLG_ECONFLICT);
	assert_int_equal(err.code, SLG_ECONFLICT);
	assert_contains(err.msg, "nothing to approve");

	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_verdict v;
		int rc;

		slg_err_clear(&err);
		make_verdict(&v, t[i].kind);
		rc = slg_approval_allowed(&v, &err);
		if (rc != t[i].rc)
			fail_msg("%s: %d (%s), want %d",
			    slg_verdict_str(t[i].kind), rc, err.msg, t[i].rc);
		if (rc != 0) {
			assert_int_equal(err.code, rc);
			assert_contains(err.msg, "pointless");
			assert_contains(err.msg, "verdict 42");
			assert_contains(err.msg, slg_verdict_str(t[i].kind));
		} else {
			assert_int_equal(err.code, 0);
		}
	}
}

/* A NULL err is fine: the code alone says it. */
static void
test_approval_allowed_null_err(void **state)
{
	struct slg_verdict v;

	(void)state;
	make_verdict(&v, SLG_V_PASS);
	assert_int_equal(slg_approval_allowed(&v, NULL), SLG_ECONFLICT);
	assert_int_equal(slg_approval_allowed(NULL, NULL), SLG_ECONFLICT);
	make_verdict(&v, SLG_V_FAIL);
	assert_int_equal(slg_approval_allowed(&v, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_approval_live),
		cmocka_unit_test(test_decide_no_verdict),
		cmocka_unit_test(test_decide_invalidated),
		cmocka_unit_test(test_decide_pass_warn),
		cmocka_unit_test(test_decide_blocked_not_approved),
		cmocka_unit_test(test_decide_live_approval),
		cmocka_unit_test(test_decide_revoked),
		cmocka_unit_test(test_decide_expired),
		cmocka_unit_test(test_decide_several),
		cmocka_unit_test(test_decide_short_buffer),
		cmocka_unit_test(test_approval_allowed),
		cmocka_unit_test(test_approval_allowed_null_err),
	};

	return cmocka_run_group_tests_name("promote", tests, NULL, NULL);
}
