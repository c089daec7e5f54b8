/* test_usecase: the use cases the CLI and the service share, on a real
 * SQLite file in a temporary directory: approvals and their refusals,
 * revocation, invalidation, the promotion status, and the window rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/usecase.h"
#include "testutil.h"

#define SHA_A "abc1230000000000000000000000000000000001"
#define SHA_B "abd9990000000000000000000000000000000000"
#define DIGEST "0123456789abcdef0123456789abcdef01234567"
#define AUTHOR "Ada Lovelace <ada@example.com>"
#define NOW INT64_C(1795680000)

struct fixture {
	char dir[64];
	char db[128];
	struct slg_store *st;
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct slg_err err = { 0, "" };

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/slg-test-usecase-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/slogate.db", fx->dir);
	*state = fx;
	if (slg_store_open(fx->db, &fx->st, &err) != 0) {
		fprintf(stderr, "cannot open: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	slg_store_close(fx->st);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static char *
dup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	if (s != NULL && p == NULL)
		fail_msg("out of memory");
	return p;
}

/* Records a verdict of kind for commit on api/staging, evaluated at
 * `at`, with one passing objective; returns its id. */
static int64_t
record(struct fixture *fx, const char *commit, enum slg_verdict_kind kind,
    int64_t at, int trial)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_err err = { 0, "" };
	int64_t id;

	assert_non_null(v);
	v->verdict = kind;
	v->reason = dup("made by the test");
	v->service = dup("api");
	v->environment = dup("staging");
	v->commit = dup(commit);
	v->commit_author = dup(AUTHOR);
	v->branch = dup("main");
	v->build_time = at - 900;
	v->evaluated_at = at;
	v->window_start = at - 600;
	v->window_end = at;
	v->step = 60;
	v->policy_path = dup("policies/api.json");
	v->policy_digest = dup(DIGEST);
	v->prometheus_url = dup("http://127.0.0.1:9090");
	v->version = dup("0.1.0");
	v->guard_value = NAN;
	v->trial = trial;
	v->nobj = 1;
	v->obj = calloc(1, sizeof(*v->obj));
	assert_non_null(v->obj);
	v->obj[0].name = dup("latency_p95");
	v->obj[0].promql = dup("l");
	v->obj[0].judged = 1;
	v->obj[0].pass_text = dup("<= 120ms");
	v->obj[0].status = SLG_ST_PASS;
	v->obj[0].value = 0.1;
	v->obj[0].baseline = NAN;
	v->obj[0].weight = 1;
	if (slg_store_record(fx->st, v, &err) != 0)
		fail_msg("cannot record: %s", err.msg);
	id = v->id;
	slg_verdict_free(v);
	return id;
}

static struct slg_usecase_approve
approval_of(const char *commit, const char *by)
{
	struct slg_usecase_approve in = { 0 };

	in.commit = commit;
	in.service = "api";
	in.environment = "staging";
	in.by = by;
	in.reason = "hotfix, latency is the load test's";
	in.now = NOW;
	return in;
}

/* The approve use case's answer: its code, with out and the verdict
 * released. */
static int
approve(struct fixture *fx, const struct slg_usecase_approve *in,
    int64_t *id, struct slg_err *err)
{
	struct slg_approval a;
	struct slg_verdict *v = NULL;
	int rc;

	rc = slg_usecase_approve(fx->st, in, &a, &v, err);
	if (rc == 0) {
		assert_non_null(v);
		assert_true(a.id > 0);
		assert_int_equal(a.verdict_id, v->id);
		if (id != NULL)
			*id = a.id;
	} else {
		assert_null(v);
		assert_int_equal(a.id, 0);
	}
	slg_approval_release(&a);
	slg_verdict_free(v);
	return rc;
}

/* Number of approvals the latest counted verdict of commit has. */
static size_t
approvals_of(struct fixture *fx, const char *commit)
{
	struct slg_history_filter f = { 0 };
	struct slg_verdict **list = NULL;
	struct slg_err err = { 0, "" };
	size_t n = 0, k;

	f.commit = commit;
	f.limit = 1;
	f.counted = 1;
	if (slg_store_history(fx->st, &f, &list, &n, &err) != 0)
		fail_msg("history: %s", err.msg);
	k = n ? list[0]->napprovals : 0;
	slg_store_list_free(list, n);
	return k;
}

/* The status use case's answer for commit, without a registered policy. */
static int
promote(struct fixture *fx, const char *commit, int64_t now,
    int64_t *approval)
{
	struct slg_usecase_status in = { 0 };
	struct slg_usecase_status_result res;
	struct slg_err err = { 0, "" };
	int p;

	in.commit = commit;
	in.recorded = 1;
	in.service = "api";
	in.environment = "staging";
	in.now = now;
	if (slg_usecase_status(fx->st, &in, &res, &err) != 0)
		fail_msg("status: %s", err.msg);
	assert_true(res.reason[0] != '\0');
	assert_string_equal(res.commit, commit);
	p = res.promote;
	if (approval != NULL)
		*approval = res.approval ? res.approval->id : 0;
	slg_usecase_status_release(&res);
	return p;
}

/* ---- approvals ---- */

static void
approve_failed_verdict(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct slg_approval a;
	struct slg_verdict *v = NULL;
	struct slg_err err = { 0, "" };
	int64_t vid, by = 0;

	vid = record(fx, SHA_A, SLG_V_FAIL, NOW - 60, 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 0);
	in.expires = 3599.2;
	assert_int_equal(slg_usecase_approve(fx->st, &in, &a, &v, &err), 0);
	assert_int_equal(a.verdict_id, vid);
	assert_int_equal(v->id, vid);
	assert_int_equal(v->verdict, SLG_V_FAIL);
	assert_string_equal(a.commit, SHA_A);
	assert_string_equal(a.by, "release-manager");
	assert_null(a.named_by);
	assert_int_equal(a.created_at, NOW);
	/* a part of a second still counts: rounded up, never down */
	assert_int_equal(a.expires_at, NOW + 3600);
	/* the approval lets the failed verdict through while it lives */
	assert_int_equal(promote(fx, SHA_A, NOW + 10, &by), 1);
	assert_int_equal(by, a.id);
	assert_int_equal(promote(fx, SHA_A, NOW + 3601, NULL), 0);
	slg_approval_release(&a);
	slg_verdict_free(v);
}

static void
approve_refused_when_pointless(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct slg_err err = { 0, "" };

	/* nothing recorded: nothing to approve */
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_ECONFLICT);
	assert_contains(err.msg, "nothing to approve");
	/* a failed trial does not count, so there is still nothing */
	record(fx, SHA_A, SLG_V_FAIL, NOW - 120, 1);
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_ECONFLICT);
	/* the gate let it through: pointless */
	record(fx, SHA_A, SLG_V_PASS, NOW - 60, 0);
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_ECONFLICT);
	assert_contains(err.msg, "pointless");
	assert_int_equal(approvals_of(fx, SHA_A), 0);
	record(fx, SHA_B, SLG_V_WARN, NOW - 60, 0);
	in.commit = SHA_B;
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_ECONFLICT);
	assert_int_equal(approvals_of(fx, SHA_B), 0);
}

static void
approve_forbid_self(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "ada");
	struct slg_err err = { 0, "" };

	record(fx, SHA_A, SLG_V_FAIL, NOW - 60, 0);
	in.forbid_self = 1;
	/* the author, by login or address, may not approve her own commit */
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_EFORBIDDEN);
	in.by = "ci-token";
	in.named_by = "Ada@Example.com";
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_EFORBIDDEN);
	/* a shared token must name a person */
	in.named_by = NULL;
	assert_int_equal(approve(fx, &in, NULL, &err), SLG_EFORBIDDEN);
	assert_contains(err.msg, "name the person who approves");
	assert_int_equal(approvals_of(fx, SHA_A), 0);
	in.named_by = "grace";
	assert_int_equal(approve(fx, &in, NULL, &err), 0);
	assert_int_equal(approvals_of(fx, SHA_A), 1);
	/* without the rule the author may */
	in.forbid_self = 0;
	in.by = "ada";
	in.named_by = NULL;
	assert_int_equal(approve(fx, &in, NULL, &err), 0);
	assert_int_equal(approvals_of(fx, SHA_A), 2);
}

static void
approval_covers_its_verdict_only(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct slg_err err = { 0, "" };

	record(fx, SHA_A, SLG_V_FAIL, NOW - 60, 0);
	assert_int_equal(approve(fx, &in, NULL, &err), 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 1);
	/* judged again and failed: the old approval does not carry over */
	record(fx, SHA_A, SLG_V_FAIL, NOW - 30, 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 0);
}

static void
revoke_approval(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct slg_approval a;
	struct slg_err err = { 0, "" };
	int64_t id = 0;

	record(fx, SHA_A, SLG_V_FAIL, NOW - 60, 0);
	assert_int_equal(approve(fx, &in, &id, &err), 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 1);
	assert_int_equal(slg_usecase_revoke(fx->st, id, "ops-token", "grace",
	    "wrong commit", NOW + 5, &a, &err), 0);
	assert_int_equal(a.id, id);
	assert_int_equal(a.revoked_at, NOW + 5);
	assert_string_equal(a.revoked_by, "ops-token");
	assert_string_equal(a.revoked_named_by, "grace");
	slg_approval_release(&a);
	assert_int_equal(promote(fx, SHA_A, NOW + 10, NULL), 0);
	/* twice, or one that is not there */
	assert_int_equal(slg_usecase_revoke(fx->st, id, "ops", NULL, NULL,
	    NOW + 6, NULL, &err), SLG_ECONFLICT);
	assert_int_equal(slg_usecase_revoke(fx->st, id + 100, "ops", NULL,
	    NULL, NOW + 6, &a, &err), SLG_ENOTFOUND);
	assert_int_equal(a.id, 0);
}

/* ---- invalidation and status ---- */

static void
invalidate_verdict(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	int64_t vid;

	vid = record(fx, SHA_A, SLG_V_PASS, NOW - 60, 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 1);
	assert_int_equal(slg_usecase_invalidate(fx->st, vid + 100, "ops",
	    "staging was down", NOW, &err), SLG_ENOTFOUND);
	assert_int_equal(slg_usecase_invalidate(fx->st, vid, "ops",
	    "staging was down", NOW, &err), 0);
	/* an invalidated verdict lets nothing through */
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 0);
	assert_int_equal(slg_usecase_invalidate(fx->st, vid, "ops", "again",
	    NOW, &err), SLG_ECONFLICT);
}

struct registered {
	const char *digest;	/* NULL: none registered */
	int rc;			/* what the lookup gives */
	int calls;
};

static int
registered(void *cls, const char *service, const char *environment,
    char digest[41], int *found, struct slg_err *err)
{
	struct registered *r = cls;

	r->calls++;
	assert_string_equal(service, "api");
	assert_string_equal(environment, "staging");
	*found = r->digest != NULL;
	if (r->digest != NULL)
		snprintf(digest, 41, "%s", r->digest);
	return r->rc ? slg_err_set(err, r->rc, "policies cannot be read") : 0;
}

static int
promote_registered(struct fixture *fx, const char *commit, int recorded,
    struct registered *reg, int *rc)
{
	struct slg_usecase_status in = { 0 };
	struct slg_usecase_status_result res;
	struct slg_err err = { 0, "" };
	int p;

	in.commit = commit;
	in.recorded = recorded;
	in.service = "api";
	in.environment = "staging";
	in.now = NOW;
	in.registered = registered;
	in.registered_cls = reg;
	*rc = slg_usecase_status(fx->st, &in, &res, &err);
	p = res.promote;
	if (*rc == 0 && !p)
		assert_true(res.reason[0] != '\0');
	if (!p)
		assert_null(res.approval);
	slg_usecase_status_release(&res);
	return p;
}

static void
status_rules(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct registered reg = { DIGEST, 0, 0 };
	struct slg_usecase_status_result res;
	struct slg_usecase_status st = { 0 };
	struct slg_err err = { 0, "" };
	int rc;

	/* never recorded: no, and not an error */
	st.commit = "abc";
	st.service = "api";
	st.environment = "staging";
	st.now = NOW;
	assert_int_equal(slg_usecase_status(fx->st, &st, &res, &err), 0);
	assert_int_equal(res.promote, 0);
	assert_null(res.verdict);
	assert_string_equal(res.commit, "abc");
	slg_usecase_status_release(&res);

	record(fx, SHA_A, SLG_V_FAIL, NOW - 120, 0);
	assert_int_equal(approve(fx, &in, NULL, &err), 0);
	assert_int_equal(promote_registered(fx, SHA_A, 1, &reg, &rc), 1);
	assert_int_equal(rc, 0);
	/* judged by another policy than the one registered now: no, even
	 * approved */
	reg.digest = "fedcba9876543210fedcba9876543210fedcba98";
	assert_int_equal(promote_registered(fx, SHA_A, 1, &reg, &rc), 0);
	assert_int_equal(rc, 0);
	/* none registered: any policy's verdict counts */
	reg.digest = NULL;
	assert_int_equal(promote_registered(fx, SHA_A, 1, &reg, &rc), 1);
	/* the lookup's failure is the answer's */
	reg.rc = SLG_EPOLICY;
	promote_registered(fx, SHA_A, 1, &reg, &rc);
	assert_int_equal(rc, SLG_EPOLICY);
	assert_int_equal(reg.calls, 4);

	reg.rc = 0;
	reg.digest = DIGEST;
	record(fx, SHA_B, SLG_V_WARN, NOW - 60, 0);
	assert_int_equal(promote_registered(fx, SHA_B, 1, &reg, &rc), 1);
	/* a trial after it changes nothing */
	record(fx, SHA_B, SLG_V_FAIL, NOW - 30, 1);
	assert_int_equal(promote_registered(fx, SHA_B, 1, &reg, &rc), 1);
	/* not recorded: the store is not asked, the answer is no */
	assert_int_equal(promote_registered(fx, SHA_B, 0, &reg, &rc), 0);
	assert_int_equal(rc, 0);
}

/* ---- the window rules ---- */

#define POLICY "{'service': 'api', 'environment': 'staging', " \
	"'window': '10m', 'step': '1m', 'objectives': [{'name': 'l', " \
	"'promql': 'l', 'pass': '<= 120ms'}]}"

static void
since_rules(void **state)
{
	struct slg_err err = { 0, "" };

	(void)state;
	assert_int_equal(slg_usecase_since_check(0, NOW, "--since", &err), 0);
	assert_int_equal(slg_usecase_since_check(NOW + 300, NOW, "--since",
	    &err), 0);
	assert_int_equal(slg_usecase_since_check(NOW + 301, NOW, "'since'",
	    &err), SLG_EUSAGE);
	assert_string_equal(err.msg, "'since' is more than 5 minutes in the "
	    "future");
	assert_int_equal(slg_usecase_since_early(0, NOW), 0);
	assert_int_equal(slg_usecase_since_early(NOW - 300, NOW), 0);
	assert_int_equal(slg_usecase_since_early(NOW - 301, NOW), 1);
}

static void
timeout_rules(void **state)
{
	static const struct {
		const char *given;
		int rc;
		int64_t secs;
	} t[] = {
		{ NULL, 0, 0 }, { "1s", 0, 1 }, { "90m", 0, 5400 },
		{ "7d", 0, 7 * 86400 }, { "604801s", SLG_EUSAGE, 0 },
		{ "8d", SLG_EUSAGE, 0 }, { "500ms", SLG_EUSAGE, 0 },
		{ "0s", SLG_EUSAGE, 0 }, { "soon", SLG_EUSAGE, 0 },
	};
	struct slg_policy *p = test_policy("api.json", POLICY);
	struct slg_err err = { 0, "" };
	int64_t secs;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		secs = -1;
		if (slg_usecase_timeout_parse(t[i].given, &secs, &err) != t[i].rc)
			fail_msg("'%s': want %d", t[i].given ? t[i].given :
			    "(null)", t[i].rc);
		assert_int_equal(secs, t[i].secs);
		if (t[i].rc != 0)
			assert_contains(err.msg, "(1s to 7d)");
	}
	/* by default the window and ten minutes more */
	assert_int_equal(slg_usecase_wait_timeout(p, 0), 600 + 600);
	assert_int_equal(slg_usecase_wait_timeout(p, 30), 30);
	assert_int_equal(slg_usecase_wait_timeout(NULL, 0), 0);
	slg_policy_free(p);
}

static void
window_rules(void **state)
{
	struct slg_policy *p = test_policy("api.json", POLICY);
	struct slg_err err = { 0, "" };
	int64_t build = NOW - 3600;

	(void)state;
	/* a window that ends after the build judges it */
	assert_int_equal(slg_usecase_window_judgeable(p, NOW, 0, build, NOW,
	    0, &err), 0);
	assert_int_equal(slg_usecase_window_judgeable(p, build, 0, build, NOW,
	    0, &err), 0);
	/* one that ends before it saw the release before */
	assert_int_equal(slg_usecase_window_judgeable(p, build - 1, 0, build,
	    NOW, 0, &err), SLG_EUSAGE);
	assert_contains(err.msg, "before the build time");
	/* with since, the window ends one policy window after it */
	assert_int_equal(slg_usecase_window_judgeable(p, 0, build - 600, build,
	    NOW, 0, &err), 0);
	assert_int_equal(slg_usecase_window_judgeable(p, 0, build - 601, build,
	    NOW, 0, &err), SLG_EUSAGE);
	/* with a maximal age, one that ended longer ago is refused */
	assert_int_equal(slg_usecase_window_judgeable(p, NOW - 900, 0, build,
	    NOW, 900, &err), 0);
	assert_int_equal(slg_usecase_window_judgeable(p, NOW - 901, 0, build,
	    NOW, 900, &err), SLG_EUSAGE);
	assert_contains(err.msg, "--max-window-age");
	assert_int_equal(slg_usecase_window_judgeable(p, 0, NOW - 1501, build,
	    NOW, 900, &err), SLG_EUSAGE);
	assert_int_equal(slg_usecase_window_judgeable(p, NOW - 901, 0, build,
	    NOW, 0, &err), 0);
	slg_policy_free(p);
}

static void
reason_rule(void **state)
{
	(void)state;
	assert_false(slg_usecase_reason_given(NULL));
	assert_false(slg_usecase_reason_given(""));
	assert_false(slg_usecase_reason_given(" \t\r\n"));
	assert_true(slg_usecase_reason_given(" why"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(approve_failed_verdict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(approve_refused_when_pointless,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(approve_forbid_self, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(approval_covers_its_verdict_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_approval, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(invalidate_verdict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(status_rules, setup, teardown),
		cmocka_unit_test(since_rules),
		cmocka_unit_test(timeout_rules),
		cmocka_unit_test(window_rules),
		cmocka_unit_test(reason_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
