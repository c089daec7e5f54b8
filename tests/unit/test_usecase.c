/* test_usecase: the use cases the CLI and the service share, on a real
 * database (a SQLite file, or PostgreSQL: storedb.h): approvals and their
 * refusals, revocation, invalidation, the promotion status, stored
 * baselines (set, import, promote), and the window rules. */
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
#include "storedb.h"
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
	if (t_store_db(fx->db, sizeof(fx->db), fx->dir) != 0) {
		t_rmrf(fx->dir);
		free(fx);
		return -1;
	}
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
	t_rmrf(fx->dir);
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
 * `at`, with objectives latency_p95 (status st, value value) and
 * error_rate (a warning); returns its id. */
static int64_t
record_obj(struct fixture *fx, const char *commit, enum slg_verdict_kind kind,
    int64_t at, int trial, enum slg_status st, double value)
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
	v->nobj = 2;
	v->obj = calloc(2, sizeof(*v->obj));
	assert_non_null(v->obj);
	v->obj[0].name = dup("latency_p95");
	v->obj[0].promql = dup("l");
	v->obj[0].judged = 1;
	v->obj[0].pass_text = dup("<= 120ms");
	v->obj[0].status = st;
	v->obj[0].value = value;
	v->obj[0].baseline = NAN;
	v->obj[0].weight = 1;
	v->obj[1].name = dup("error_rate");
	v->obj[1].promql = dup("e");
	v->obj[1].judged = 1;
	v->obj[1].pass_text = dup("<= 1%");
	v->obj[1].status = SLG_ST_WARN;
	v->obj[1].value = 0.011;
	v->obj[1].baseline = NAN;
	v->obj[1].weight = 1;
	if (slg_store_record(fx->st, v, &err) != 0)
		fail_msg("cannot record: %s", err.msg);
	id = v->id;
	slg_verdict_free(v);
	return id;
}

static int64_t
record(struct fixture *fx, const char *commit, enum slg_verdict_kind kind,
    int64_t at, int trial)
{
	return record_obj(fx, commit, kind, at, trial, SLG_ST_PASS, 0.1);
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

/* A watch's verdict keeps its start's id, and is written after a verdict
 * judged and approved meanwhile: it is the latest, and the approval of
 * the other does not carry over to it. */
static void
approval_does_not_outlive_a_watch(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_approve in = approval_of(SHA_A, "release-manager");
	struct slg_err err = { 0, "" };
	struct slg_watch w;
	struct slg_watch_poll poll = { NOW, NOW, SLG_V_FAIL,
	    (char *)"600s/600s observed", (char *)"latency_p95 failed", NULL };
	struct slg_approval a;
	struct slg_verdict *final, *v = NULL;
	int64_t first;

	memset(&w, 0, sizeof(w));
	w.service = dup("api");
	w.environment = dup("staging");
	w.commit = dup(SHA_A);
	w.since = NOW - 700;
	w.deadline = NOW + 600;
	w.created_at = NOW - 700;
	w.policy = dup("{}");
	assert_int_equal(slg_store_watch_add(fx->st, &w, &err), 0);
	first = record(fx, SHA_A, SLG_V_FAIL, NOW - 60, 0);
	assert_true(first > w.id);
	assert_int_equal(approve(fx, &in, NULL, &err), 0);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 1);

	/* the watch ends: its fail is written last */
	assert_int_equal(slg_store_get(fx->st, first, &v, &err), 0);
	final = v;
	free(final->reason);
	final->reason = dup("latency_p95 failed over the whole window");
	final->id = 0;
	final->watch_id = w.id;
	assert_int_equal(slg_store_watch_poll(fx->st, &w, &poll, final, &err),
	    0);
	assert_int_equal(final->id, w.id);
	assert_int_equal(promote(fx, SHA_A, NOW, NULL), 0);
	/* and an approval now is of the watch's verdict */
	assert_int_equal(slg_usecase_approve(fx->st, &in, &a, &v, &err), 0);
	slg_verdict_free(final);
	assert_int_equal(v->id, w.id);
	assert_int_equal(a.verdict_id, w.id);
	slg_approval_release(&a);
	slg_verdict_free(v);
	slg_watch_release(&w);
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

/* ---- stored baselines ---- */

/* The current baseline of objective on api/staging; fails when none. */
static void
current(struct fixture *fx, const char *objective,
    struct slg_stored_baseline *b)
{
	struct slg_err err = { 0, "" };
	int found = 0;

	if (slg_store_baseline_current(fx->st, "api", "staging", objective, b,
	    &found, &err) != 0)
		fail_msg("baseline: %s", err.msg);
	if (!found)
		fail_msg("no baseline of '%s'", objective);
}

static int
has_baseline(struct fixture *fx, const char *objective)
{
	struct slg_stored_baseline b = { 0 };
	struct slg_err err = { 0, "" };
	int found = 0;

	if (slg_store_baseline_current(fx->st, "api", "staging", objective, &b,
	    &found, &err) != 0)
		fail_msg("baseline: %s", err.msg);
	if (found)
		slg_stored_baseline_release(&b);
	return found;
}

static void
baseline_set(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline rows[2] = { { 0 }, { 0 } };
	struct slg_stored_baseline b = { 0 };
	struct slg_err err = { 0, "" };

	rows[0].objective = (char *)"latency_p95";
	rows[0].value = 0.08;
	rows[1].objective = (char *)"availability";
	rows[1].value = 0.9995;
	in.service = "api";
	in.environment = "staging";
	in.source_commit = SHA_A;
	in.by = "grace via ops-token";
	in.note = "set through the API";
	in.now = NOW;
	assert_int_equal(slg_usecase_baseline_set(fx->st, &in, rows, 2, &err),
	    0);
	current(fx, "availability", &b);
	assert_true(b.value == 0.9995);
	assert_string_equal(b.set_by, "grace via ops-token");
	assert_string_equal(b.note, "set through the API");
	assert_string_equal(b.source_commit, SHA_A);
	assert_int_equal(b.set_at, NOW);
	slg_stored_baseline_release(&b);
	/* the rows stay the caller's, untouched */
	assert_null(rows[0].service);
	assert_null(rows[0].set_by);
	/* the newest row counts */
	rows[0].value = 0.09;
	in.now = NOW + 1;
	in.source_commit = NULL;
	assert_int_equal(slg_usecase_baseline_set(fx->st, &in, rows, 1, &err),
	    0);
	current(fx, "latency_p95", &b);
	assert_true(b.value == 0.09);
	assert_null(b.source_commit);
	slg_stored_baseline_release(&b);
}

static void
baseline_import(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline *rows = NULL, b = { 0 };
	struct slg_err err = { 0, "" };
	char path[160];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/slo-baseline.json", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("{\"service\": \"api\", \"environment\": \"staging\", "
	    "\"commit\": \"" SHA_B "\", \"objectives\": "
	    "{\"latency_p95\": \"80ms\", \"availability\": \"99.9%\"}}", f);
	fclose(f);
	in.service = "ignored";		/* the file names them */
	in.by = "ada";
	in.note = "import slo-baseline.json";
	in.now = NOW;
	assert_int_equal(slg_usecase_baseline_import(fx->st, path, &in, &rows,
	    &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].service, "api");
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&rows[i]);
	free(rows);
	current(fx, "latency_p95", &b);
	assert_true(fabs(b.value - 0.08) < 1e-12);
	assert_string_equal(b.set_by, "ada");
	assert_string_equal(b.note, "import slo-baseline.json");
	assert_string_equal(b.source_commit, SHA_B);
	slg_stored_baseline_release(&b);

	/* a file that cannot be read stores nothing */
	snprintf(path, sizeof(path), "%s/missing.json", fx->dir);
	rows = (struct slg_stored_baseline *)&b;
	assert_true(slg_usecase_baseline_import(fx->st, path, &in, &rows, &n,
	    &err) < 0);
	assert_null(rows);
	assert_int_equal(n, 0);
}

static void
baseline_promote(void **state)
{
	struct fixture *fx = *state;
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline b = { 0 };
	struct slg_verdict *v = NULL;
	struct slg_err err = { 0, "" };
	char note[64];
	int64_t old, inval;
	size_t n = 0;

	in.by = "ada";
	in.now = NOW;
	/* nothing, a failure or a passing trial: nothing to promote */
	assert_int_equal(slg_usecase_baseline_source(fx->st, SHA_A, "api",
	    "staging", &v, &err), SLG_ECONFLICT);
	assert_null(v);
	record(fx, SHA_A, SLG_V_FAIL, NOW - 500, 0);
	record(fx, SHA_A, SLG_V_PASS, NOW - 400, 1);
	assert_int_equal(slg_usecase_baseline_source(fx->st, SHA_A, "api",
	    "staging", &v, &err), SLG_ECONFLICT);
	assert_contains(err.msg, "no passing verdict");
	/* the newest pass that was not invalidated */
	old = record_obj(fx, SHA_A, SLG_V_PASS, NOW - 300, 0, SLG_ST_PASS, 0.07);
	inval = record_obj(fx, SHA_A, SLG_V_PASS, NOW - 200, 0, SLG_ST_PASS,
	    0.2);
	record(fx, SHA_A, SLG_V_FAIL, NOW - 100, 0);
	assert_int_equal(slg_usecase_invalidate(fx->st, inval, "ops", "broken",
	    NOW, &err), 0);
	assert_int_equal(slg_usecase_baseline_source(fx->st, SHA_A, "api",
	    "staging", &v, &err), 0);
	assert_int_equal(v->id, old);
	/* only what passed is copied, not the warning */
	assert_int_equal(slg_usecase_baseline_promote(fx->st, v, &in, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	slg_verdict_free(v);
	v = NULL;
	assert_false(has_baseline(fx, "error_rate"));
	current(fx, "latency_p95", &b);
	assert_true(b.value == 0.07);
	assert_int_equal(b.source_verdict, old);
	assert_string_equal(b.source_commit, SHA_A);
	assert_string_equal(b.set_by, "ada");
	snprintf(note, sizeof(note), "promoted from verdict %lld",
	    (long long)old);
	assert_string_equal(b.note, note);
	slg_stored_baseline_release(&b);

	/* a pass without a measured value to keep */
	record_obj(fx, SHA_B, SLG_V_PASS, NOW - 50, 0, SLG_ST_NODATA, NAN);
	assert_int_equal(slg_usecase_baseline_source(fx->st, SHA_B, "api",
	    "staging", &v, &err), 0);
	assert_int_equal(slg_usecase_baseline_promote(fx->st, v, &in, &n,
	    &err), SLG_ECONFLICT);
	assert_contains(err.msg, "no measured values");
	assert_int_equal(n, 0);
	slg_verdict_free(v);
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
		cmocka_unit_test_setup_teardown(approval_does_not_outlive_a_watch,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(approval_covers_its_verdict_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(revoke_approval, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(invalidate_verdict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(status_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(baseline_set, setup, teardown),
		cmocka_unit_test_setup_teardown(baseline_import, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(baseline_promote, setup,
		    teardown),
		cmocka_unit_test(since_rules),
		cmocka_unit_test(timeout_rules),
		cmocka_unit_test(window_rules),
		cmocka_unit_test(reason_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
