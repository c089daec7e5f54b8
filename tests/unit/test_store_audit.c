/* test_store_audit: a real database (a SQLite file, or PostgreSQL:
 * storedb.h): past values for baselines made of verdicts, invalidations,
 * approvals and their revocation, stored baselines, abbreviated commits,
 * history filters, and a database of schema 1 brought up to date. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "storedb.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Both NULL or both equal. */
#define assert_str_or_null(got, want) do {				\
	const char *g_ = (got), *w_ = (want);				\
	if ((g_ == NULL) != (w_ == NULL) ||				\
	    (g_ != NULL && strcmp(g_, w_) != 0))			\
		fail_msg("%s is '%s', want '%s'", #got,			\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

#define SHA_A1 "abc1230000000000000000000000000000000001"
#define SHA_A2 "abc1230000000000000000000000000000000002"
#define SHA_B "abd9990000000000000000000000000000000000"
#define SHA_C "def4560000000000000000000000000000000000"
#define SHA_D "d00d000000000000000000000000000000000000"
#define SHA_E "e00e000000000000000000000000000000000000"
#define SHA_X "ffff000000000000000000000000000000000000"	/* never seen */

#define T0 INT64_C(1795676000)

/* ---- a temporary directory and database per test ---- */

struct fixture {
	char dir[64];
	char db[128];
	struct slg_store *st;
};


static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/slg-test-audit-XXXXXX");
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

/* Opens the fixture's database, failing the test when it cannot. */
static struct slg_store *
open_db(struct fixture *fx)
{
	struct slg_err err = { 0, "" };

	if (slg_store_open(fx->db, &fx->st, &err) != 0)
		fail_msg("cannot open: %s", err.msg);
	assert_non_null(fx->st);
	return fx->st;
}

/* ---- verdicts made by hand ---- */

static char *
dup(const char *s)
{
	char *p = s ? strdup(s) : NULL;

	if (s != NULL && p == NULL)
		fail_msg("out of memory");
	return p;
}

/* A verdict with two objectives: latency_p95 measuring p95 (NaN: no
 * value) and availability measuring 99.95%. */
static struct slg_verdict *
make_verdict(const char *service, const char *environment, const char *commit,
    const char *branch, enum slg_verdict_kind kind, double p95,
    int64_t evaluated_at)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_objective_result *o;

	assert_non_null(v);
	v->verdict = kind;
	v->reason = dup(slg_verdict_str(kind));
	v->service = dup(service);
	v->environment = dup(environment);
	v->commit = dup(commit);
	v->commit_time = 1795670000;
	v->commit_author = dup("Ada Lovelace <ada@example.com>");
	v->commit_subject = dup("Make payments faster");
	v->branch = dup(branch);
	v->build_time = 1795672000;
	v->evaluated_at = evaluated_at;
	v->window_start = 1795674600;
	v->window_end = 1795676400;
	v->step = 60;
	v->ref_name = dup(branch);
	v->policy_path = dup("policies/api.json");
	v->policy_digest = dup("0123456789abcdef0123456789abcdef01234567");
	v->prometheus_url = dup("http://127.0.0.1:9090");
	v->version = dup("0.1.0");
	v->guard_value = NAN;

	v->nobj = 2;
	v->obj = calloc(2, sizeof(*v->obj));
	assert_non_null(v->obj);
	o = &v->obj[0];
	o->name = dup("latency_p95");
	o->promql = dup("histogram_quantile(0.95, x)");
	o->judged = 1;
	o->unit = SLG_UNIT_SECONDS;
	o->pass_text = dup("<= 120ms");
	o->status = isnan(p95) ? SLG_ST_NODATA : SLG_ST_PASS;
	o->value = p95;
	o->value_at = isnan(p95) ? 0 : 1795676400;
	o->baseline = NAN;
	o->weight = 1;
	o->detail = dup("");

	o = &v->obj[1];
	o->name = dup("availability");
	o->promql = dup("sum(rate(ok[30m])) / sum(rate(all[30m]))");
	o->judged = 1;
	o->unit = SLG_UNIT_RATIO;
	o->pass_text = dup(">= 99.9%");
	o->status = SLG_ST_PASS;
	o->value = 0.9995;
	o->value_at = 1795676400;
	o->baseline = NAN;
	o->weight = 1;
	o->detail = dup("");
	return v;
}

static int64_t
record(struct slg_store *st, struct slg_verdict *v)
{
	struct slg_err err = { 0, "" };

	if (slg_store_record(st, v, &err) != 0)
		fail_msg("record: %s", err.msg);
	assert_true(v->id > 0);
	return v->id;
}

/* Records a verdict and forgets it, keeping its id. */
static int64_t
add(struct slg_store *st, const char *service, const char *environment,
    const char *commit, const char *branch, enum slg_verdict_kind kind,
    double p95, int64_t evaluated_at)
{
	struct slg_verdict *v = make_verdict(service, environment, commit,
	    branch, kind, p95, evaluated_at);
	int64_t id = record(st, v);

	slg_verdict_free(v);
	return id;
}

/* An approval of verdict_id; the strings are literals, never freed. */
static struct slg_approval
approval(int64_t verdict_id, const char *by, const char *reason,
    int64_t created_at, int64_t expires_at)
{
	struct slg_approval a;

	memset(&a, 0, sizeof(a));
	a.verdict_id = verdict_id;
	a.commit = (char *)SHA_A1;
	a.service = (char *)"api";
	a.environment = (char *)"staging";
	a.by = (char *)by;
	a.reason = (char *)reason;
	a.created_at = created_at;
	a.expires_at = expires_at;
	return a;
}

/* ---- past values, for baselines made of verdicts ---- */

#define V_PASS SLG_V_PASS
#define V_WARN SLG_V_WARN

/* Oldest first; ids follow this order. #2 has no latency value, #5 is
 * invalidated and #6 approved by record_past. */
static const struct {
	const char *service, *environment, *commit;
	enum slg_verdict_kind kind;
	double p95;
} past[] = {
	{ "api", "staging", SHA_A1, V_PASS, 0.10 },		/* 0 */
	{ "api", "staging", SHA_A2, V_WARN, 0.20 },		/* 1 */
	{ "api", "staging", SHA_B, V_PASS, NAN },		/* 2 */
	{ "api", "prod", SHA_C, V_PASS, 0.30 },			/* 3 */
	{ "web", "staging", SHA_C, V_PASS, 0.40 },		/* 4 */
	{ "api", "staging", SHA_C, V_PASS, 0.50 },		/* 5 */
	{ "api", "staging", SHA_C, V_PASS, 0.60 },		/* 6 */
	{ "api", "staging", SHA_D, SLG_V_FAIL, 0.70 },		/* 7 */
	{ "api", "staging", SHA_D, SLG_V_INCONCLUSIVE, 0.75 },	/* 8 */
	{ "api", "staging", SHA_D, SLG_V_ERROR, 0.77 },		/* 9 */
	{ "api", "staging", SHA_A1, V_PASS, 0.80 },		/* 10 */
	{ "api", "staging", SHA_E, V_PASS, 0.90 },		/* 11 */
	{ "api", "staging", SHA_E, V_WARN, 0.95 },		/* 12 */
};

#define NPAST NELEM(past)

/* Records past[], invalidates #5 and approves #6 (a passing verdict: the
 * store allows it, only the CLI refuses). */
static void
record_past(struct slg_store *st, int64_t ids[NPAST])
{
	struct slg_err err = { 0, "" };
	struct slg_approval a;

	for (size_t i = 0; i < NPAST; i++)
		ids[i] = add(st, past[i].service, past[i].environment,
		    past[i].commit, "main", past[i].kind, past[i].p95,
		    T0 + (int64_t)i);
	if (slg_store_invalidate(st, ids[5], "ops", "staging was down",
	    T0 + 100, &err) != 0)
		fail_msg("invalidate: %s", err.msg);
	a = approval(ids[6], "alice", "why not", T0 + 100, 0);
	if (slg_store_approval_add(st, &a, &err) != 0)
		fail_msg("approve: %s", err.msg);
}

struct past_case {
	const char *what;
	const char *service, *environment, *objective;
	enum slg_bfilter filter;
	const char *commits[6];		/* NULL-terminated; none: previous */
	int limit;
	size_t n;
	int want[8];			/* indexes into past[], in order */
};

#define PASS SLG_BFILTER_PASS
#define PW SLG_BFILTER_PASS_OR_WARN
#define P95 "latency_p95"
#define AV "availability"
#define ALL_COMMITS { SHA_D, SHA_C, SHA_A2, SHA_B, SHA_A1, SHA_X }

static const struct past_case past_cases[] = {
	/* previous: newest first */
	{ "pass only", "api", "staging", P95, PASS, { NULL }, 10, 3,
	    { 11, 10, 0 } },
	{ "pass and warn", "api", "staging", P95, PW, { NULL }, 10, 5,
	    { 12, 11, 10, 1, 0 } },
	{ "limit 2", "api", "staging", P95, PW, { NULL }, 2, 2, { 12, 11 } },
	{ "limit 1", "api", "staging", P95, PASS, { NULL }, 1, 1, { 11 } },
	{ "limit 0", "api", "staging", P95, PW, { NULL }, 0, 0, { 0 } },
	{ "other environment", "api", "prod", P95, PASS, { NULL }, 10, 1,
	    { 3 } },
	{ "other service", "web", "staging", P95, PASS, { NULL }, 10, 1,
	    { 4 } },
	/* B has no latency value but has an availability one */
	{ "another objective", "api", "staging", AV, PW, { NULL }, 10, 6,
	    { 12, 11, 10, 2, 1, 0 } },
	{ "unknown objective", "api", "staging", "nope", PW, { NULL }, 10, 0,
	    { 0 } },
	{ "unknown environment", "api", "dev", P95, PW, { NULL }, 10, 0,
	    { 0 } },
	/* of commits: the newest usable verdict of each, in the order given;
	 * D has none that passed, C's are invalidated, approved or of
	 * another service or environment, B's has no value, X has none */
	{ "commits", "api", "staging", P95, PW, ALL_COMMITS, 10, 2,
	    { 1, 10 } },
	{ "commits, limit 1", "api", "staging", P95, PW, ALL_COMMITS, 1, 1,
	    { 1 } },
	{ "commits, pass", "api", "staging", P95, PASS, ALL_COMMITS, 10, 1,
	    { 10 } },
	{ "newest of E is warn", "api", "staging", P95, PW,
	    { SHA_E, SHA_A1 }, 10, 2, { 12, 10 } },
	{ "newest passing of E", "api", "staging", P95, PASS,
	    { SHA_E, SHA_A1 }, 10, 2, { 11, 10 } },
	{ "order given, not time", "api", "staging", P95, PW,
	    { SHA_A1, SHA_A2, SHA_E }, 10, 3, { 10, 1, 12 } },
	{ "stops at limit", "api", "staging", P95, PW,
	    { SHA_A1, SHA_A2, SHA_E }, 2, 2, { 10, 1 } },
	{ "commits of another service", "web", "staging", P95, PW,
	    { SHA_A1, SHA_C }, 10, 1, { 4 } },
	{ "commit unknown", "api", "staging", P95, PW, { SHA_X }, 10, 0,
	    { 0 } },
	{ "commit with no value", "api", "staging", P95, PW, { SHA_B }, 10, 0,
	    { 0 } },
	{ "availability of B", "api", "staging", AV, PW, { SHA_B }, 10, 1,
	    { 2 } },
};

static void
test_past_values(void **state)
{
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);
	int64_t ids[NPAST];

	record_past(st, ids);
	for (size_t c = 0; c < NELEM(past_cases); c++) {
		const struct past_case *t = &past_cases[c];
		struct slg_err err = { 0, "" };
		struct slg_past_value *vals = (struct slg_past_value *)1;
		size_t n = 99, nc = 0;

		while (nc < NELEM(t->commits) && t->commits[nc] != NULL)
			nc++;
		if (slg_store_past_values(st, t->service, t->environment,
		    t->objective, t->filter, nc ? t->commits : NULL, nc,
		    t->limit, &vals, &n, &err) != 0)
			fail_msg("%s: %s", t->what, err.msg);
		if (n != t->n)
			fail_msg("%s: %zu values, want %zu", t->what, n, t->n);
		for (size_t k = 0; k < n; k++) {
			int w = t->want[k];
			double want = strcmp(t->objective, AV) == 0 ? 0.9995 :
			    past[w].p95;

			if (vals[k].verdict_id != ids[w] ||
			    strcmp(vals[k].commit, past[w].commit) != 0 ||
			    vals[k].value != want)
				fail_msg("%s: #%zu is verdict %lld %s %g, want "
				    "%lld %s %g", t->what, k,
				    (long long)vals[k].verdict_id,
				    vals[k].commit, vals[k].value,
				    (long long)ids[w], past[w].commit, want);
		}
		free(vals);
	}
}

/* An invalidation or an approval is what keeps a verdict out: the same
 * verdicts without them are used. */
static void
test_past_values_control(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_past_value *vals = NULL;
	struct slg_approval a;
	int64_t id1, id2;
	size_t n = 0;

	id1 = add(st, "api", "staging", SHA_C, "main", SLG_V_PASS, 0.5, T0);
	id2 = add(st, "api", "staging", SHA_C, "main", SLG_V_PASS, 0.6, T0 + 1);
	assert_int_equal(slg_store_past_values(st, "api", "staging", P95,
	    PASS, NULL, 0, 10, &vals, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vals[0].verdict_id, id2);
	assert_int_equal(vals[1].verdict_id, id1);
	free(vals);

	assert_int_equal(slg_store_invalidate(st, id1, "ops", "broken", T0 + 5,
	    &err), 0);
	assert_int_equal(slg_store_past_values(st, "api", "staging", P95,
	    PASS, NULL, 0, 10, &vals, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(vals[0].verdict_id, id2);
	free(vals);

	a = approval(id2, "alice", "override", T0 + 6, 0);
	assert_int_equal(slg_store_approval_add(st, &a, &err), 0);
	assert_int_equal(slg_store_past_values(st, "api", "staging", P95,
	    PASS, NULL, 0, 10, &vals, &n, &err), 0);
	assert_int_equal(n, 0);
	free(vals);
}

/* A passing verdict is no baseline for an objective that did not pass
 * itself: one outscored under scoring, or only recorded (informational).
 * Before, such values became baselines, and a failure the score let
 * through became what the next build was measured against. */
static void
test_past_values_objective_status(void **state)
{
	static const struct {
		enum slg_status status;
		int judged;
		enum slg_bfilter filter;
		size_t n;
	} t[] = {
		{ SLG_ST_PASS, 1, SLG_BFILTER_PASS, 1 },
		{ SLG_ST_FAIL, 1, SLG_BFILTER_PASS, 0 },
		{ SLG_ST_FAIL, 1, SLG_BFILTER_PASS_OR_WARN, 0 },
		{ SLG_ST_WARN, 1, SLG_BFILTER_PASS, 0 },
		{ SLG_ST_WARN, 1, SLG_BFILTER_PASS_OR_WARN, 1 },
		{ SLG_ST_INFO, 0, SLG_BFILTER_PASS_OR_WARN, 0 },
	};
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);

	for (size_t i = 0; i < NELEM(t); i++) {
		char service[16];
		struct slg_err err = { 0, "" };
		struct slg_past_value *vals = NULL;
		struct slg_verdict *v;
		size_t n = 99;

		snprintf(service, sizeof(service), "svc%zu", i);
		v = make_verdict(service, "staging", SHA_C, "main", SLG_V_PASS,
		    5.0, T0 + (int64_t)i);
		v->obj[0].status = t[i].status;
		v->obj[0].judged = t[i].judged;
		record(st, v);
		slg_verdict_free(v);
		assert_int_equal(slg_store_past_values(st, service, "staging", P95,
		    t[i].filter, NULL, 0, 10, &vals, &n, &err), 0);
		if (n != t[i].n)
			fail_msg("case %zu: %zu values, want %zu", i, n, t[i].n);
		free(vals);
	}
}

/* ---- invalidations ---- */

static void
test_invalidate(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_history_filter all = { 0 };
	struct slg_verdict *got = NULL, **list = NULL;
	int64_t id, other;
	size_t n = 0;

	id = add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS, 0.1, T0);
	other = add(st, "api", "staging", SHA_A2, "main", SLG_V_PASS, 0.1,
	    T0 + 1);

	/* not invalidated yet */
	assert_int_equal(slg_store_get(st, id, &got, &err), 0);
	assert_int_equal(got->invalidated, 0);
	assert_null(got->invalidated_by);
	assert_null(got->invalidated_reason);
	assert_int_equal(got->invalidated_at, 0);
	slg_verdict_free(got);

	assert_int_equal(slg_store_invalidate(st, id, "ops",
	    "staging was broken", T0 + 50, &err), 0);

	/* a second time is refused, and changes nothing */
	assert_int_equal(slg_store_invalidate(st, id, "mallory", "again",
	    T0 + 60, &err), SLG_ECONFLICT);
	assert_int_equal(err.code, SLG_ECONFLICT);
	assert_contains(err.msg, "invalidated already");

	/* an unknown verdict */
	assert_int_equal(slg_store_invalidate(st, 9999, "ops", "x", T0 + 60,
	    &err), SLG_ENOTFOUND);
	assert_int_equal(err.code, SLG_ENOTFOUND);
	assert_contains(err.msg, "9999");

	/* the verdict is kept, marked, with who, why and when */
	assert_int_equal(slg_store_get(st, id, &got, &err), 0);
	assert_int_equal(got->id, id);
	assert_int_equal(got->verdict, SLG_V_PASS);
	assert_int_equal(got->nobj, 2);
	assert_int_equal(got->invalidated, 1);
	assert_string_equal(got->invalidated_by, "ops");
	assert_string_equal(got->invalidated_reason, "staging was broken");
	assert_int_equal(got->invalidated_at, T0 + 50);
	slg_verdict_free(got);

	/* the history lists it, marked; the other is not */
	assert_int_equal(slg_store_history(st, &all, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0]->id, other);
	assert_int_equal(list[0]->invalidated, 0);
	assert_int_equal(list[1]->id, id);
	assert_int_equal(list[1]->invalidated, 1);
	assert_string_equal(list[1]->invalidated_reason, "staging was broken");
	slg_store_list_free(list, n);

	/* without who: NULL is kept as NULL */
	assert_int_equal(slg_store_invalidate(st, other, NULL, "flaky", T0 + 70,
	    &err), 0);
	assert_int_equal(slg_store_get(st, other, &got, &err), 0);
	assert_int_equal(got->invalidated, 1);
	assert_null(got->invalidated_by);
	assert_string_equal(got->invalidated_reason, "flaky");
	slg_verdict_free(got);
}

/* ---- approvals ---- */

static void
test_approvals(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_approval a1, a2, bad, got;
	int64_t vid;

	vid = add(st, "api", "staging", SHA_A1, "main", SLG_V_FAIL, 0.3, T0);

	a1 = approval(vid, "alice", "hotfix for the outage", T0 + 10,
	    T0 + 3600);
	assert_int_equal(slg_store_approval_add(st, &a1, &err), 0);
	assert_true(a1.id > 0);
	a2 = approval(vid, "bob", "second opinion", T0 + 20, 0);
	assert_int_equal(slg_store_approval_add(st, &a2, &err), 0);
	assert_true(a2.id > a1.id);

	assert_int_equal(slg_store_approval_get(st, a1.id, &got, &err), 0);
	assert_int_equal(got.id, a1.id);
	assert_int_equal(got.verdict_id, vid);
	assert_string_equal(got.commit, SHA_A1);
	assert_string_equal(got.service, "api");
	assert_string_equal(got.environment, "staging");
	assert_string_equal(got.by, "alice");
	assert_string_equal(got.reason, "hotfix for the outage");
	assert_int_equal(got.created_at, T0 + 10);
	assert_int_equal(got.expires_at, T0 + 3600);
	assert_int_equal(got.revoked_at, 0);
	assert_null(got.revoked_by);
	assert_null(got.revoke_reason);
	slg_approval_release(&got);

	/* no expiry reads back as 0 */
	assert_int_equal(slg_store_approval_get(st, a2.id, &got, &err), 0);
	assert_int_equal(got.expires_at, 0);
	assert_string_equal(got.by, "bob");
	slg_approval_release(&got);

	/* revoke: recorded on the approval, which stays */
	assert_int_equal(slg_store_approval_revoke(st, a1.id, "carol", NULL,
	    "outage is over", T0 + 100, &err), 0);
	assert_int_equal(slg_store_approval_get(st, a1.id, &got, &err), 0);
	assert_int_equal(got.revoked_at, T0 + 100);
	assert_string_equal(got.revoked_by, "carol");
	assert_string_equal(got.revoke_reason, "outage is over");
	assert_string_equal(got.by, "alice");
	assert_string_equal(got.reason, "hotfix for the outage");
	slg_approval_release(&got);

	/* twice is refused and keeps the first revocation */
	assert_int_equal(slg_store_approval_revoke(st, a1.id, "dave", NULL, "again",
	    T0 + 200, &err), SLG_ECONFLICT);
	assert_int_equal(err.code, SLG_ECONFLICT);
	assert_contains(err.msg, "revoked already");
	assert_int_equal(slg_store_approval_get(st, a1.id, &got, &err), 0);
	assert_int_equal(got.revoked_at, T0 + 100);
	assert_string_equal(got.revoked_by, "carol");
	slg_approval_release(&got);

	/* the other approval is untouched */
	assert_int_equal(slg_store_approval_get(st, a2.id, &got, &err), 0);
	assert_int_equal(got.revoked_at, 0);
	slg_approval_release(&got);

	/* unknown ids */
	assert_int_equal(slg_store_approval_revoke(st, 9999, "carol", NULL, "x",
	    T0, &err), SLG_ENOTFOUND);
	assert_int_equal(err.code, SLG_ENOTFOUND);
	assert_int_equal(slg_store_approval_get(st, 9999, &got, &err),
	    SLG_ENOTFOUND);
	assert_contains(err.msg, "no approval with id 9999");
	slg_approval_release(&got);
	bad = approval(9999, "alice", "nothing there", T0, 0);
	assert_int_equal(slg_store_approval_add(st, &bad, &err), SLG_ENOTFOUND);
	assert_int_equal(err.code, SLG_ENOTFOUND);
	assert_contains(err.msg, "no verdict with id 9999");
	assert_int_equal(bad.id, 0);

	/* a reason is required by the schema */
	bad = approval(vid, "alice", "", T0, 0);
	assert_int_equal(slg_store_approval_add(st, &bad, &err), SLG_ESTORE);
	assert_int_equal(bad.id, 0);

	/* the store is usable after the refusals */
	assert_int_equal(slg_store_approval_revoke(st, a2.id, NULL, NULL, NULL,
	    T0 + 300, &err), 0);
	assert_int_equal(slg_store_approval_get(st, a2.id, &got, &err), 0);
	assert_int_equal(got.revoked_at, T0 + 300);
	assert_null(got.revoked_by);
	assert_null(got.revoke_reason);
	slg_approval_release(&got);
}

/* A verdict read back carries its own approvals, oldest first. */
static void
test_approvals_on_verdicts(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_history_filter f = { .commit = SHA_A1 };
	struct slg_verdict *got = NULL, **list = NULL;
	struct slg_approval a[3];
	int64_t v1, v2;
	size_t n = 0;

	v1 = add(st, "api", "staging", SHA_A1, "main", SLG_V_FAIL, 0.3, T0);
	v2 = add(st, "api", "staging", SHA_A1, "main", SLG_V_FAIL, 0.3, T0 + 1);
	a[0] = approval(v1, "alice", "first", T0 + 10, 0);
	a[1] = approval(v2, "bob", "for the newer verdict", T0 + 11, 0);
	a[2] = approval(v1, "carol", "second", T0 + 12, T0 + 1000);
	for (size_t i = 0; i < NELEM(a); i++)
		assert_int_equal(slg_store_approval_add(st, &a[i], &err), 0);
	assert_int_equal(slg_store_approval_revoke(st, a[0].id, "dave", NULL, "no",
	    T0 + 20, &err), 0);

	assert_int_equal(slg_store_get(st, v1, &got, &err), 0);
	assert_int_equal(got->napprovals, 2);
	assert_int_equal(got->approvals[0].id, a[0].id);
	assert_string_equal(got->approvals[0].by, "alice");
	assert_int_equal(got->approvals[0].revoked_at, T0 + 20);
	assert_string_equal(got->approvals[0].revoked_by, "dave");
	assert_int_equal(got->approvals[1].id, a[2].id);
	assert_string_equal(got->approvals[1].by, "carol");
	assert_int_equal(got->approvals[1].expires_at, T0 + 1000);
	assert_int_equal(got->approvals[1].revoked_at, 0);
	for (size_t i = 0; i < got->napprovals; i++)
		assert_int_equal(got->approvals[i].verdict_id, v1);
	slg_verdict_free(got);

	assert_int_equal(slg_store_history(st, &f, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0]->id, v2);
	assert_int_equal(list[0]->napprovals, 1);
	assert_string_equal(list[0]->approvals[0].reason,
	    "for the newer verdict");
	assert_int_equal(list[1]->id, v1);
	assert_int_equal(list[1]->napprovals, 2);
	assert_int_equal(list[1]->approvals[0].id, a[0].id);
	assert_int_equal(list[1]->approvals[1].id, a[2].id);
	slg_store_list_free(list, n);

	/* a verdict without approvals has none */
	v2 = add(st, "api", "staging", SHA_A2, "main", SLG_V_FAIL, 0.3, T0 + 2);
	assert_int_equal(slg_store_get(st, v2, &got, &err), 0);
	assert_int_equal(got->napprovals, 0);
	assert_null(got->approvals);
	slg_verdict_free(got);
}

/* ---- stored baselines ---- */

static size_t
count_baselines(struct slg_store *st)
{
	struct slg_err err = { 0, "" };
	struct slg_stored_baseline *rows = NULL;
	size_t n = 0;

	if (slg_store_baseline_list(st, NULL, NULL, 1, &rows, &n, &err) != 0)
		fail_msg("list: %s", err.msg);
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&rows[i]);
	free(rows);
	return n;
}

static void
test_baseline_add_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_stored_baseline rows[3] = {
		{ 0, (char *)"api", (char *)"staging", (char *)"latency_p95",
		    0.08, T0, (char *)"alice", NULL, 0, NULL },
		{ 0, (char *)"api", (char *)"staging", (char *)"availability",
		    0.9995, T0, (char *)"alice", NULL, 0, NULL },
		{ 0, (char *)"api", (char *)"staging", (char *)"latency_p99",
		    NAN, T0, (char *)"alice", NULL, 0, NULL },
	};
	int found = -1;
	double value = 0;

	/* a value that is not a number: nothing is written */
	assert_int_equal(slg_store_baseline_add(st, rows, 3, &err),
	    SLG_EINPUT);
	assert_contains(err.msg, "latency_p99");
	assert_int_equal(count_baselines(st), 0);
	assert_int_equal(slg_store_baseline_get(st, "api", "staging",
	    "latency_p95", &found, &value, &err), 0);
	assert_int_equal(found, 0);

	/* the database refusing the third row undoes the first two */
	rows[2].value = 0.2;
	rows[2].objective = NULL;		/* NOT NULL in the schema */
	assert_int_equal(slg_store_baseline_add(st, rows, 3, &err),
	    SLG_ESTORE);
	assert_contains(err.msg, fx->db);
	assert_int_equal(count_baselines(st), 0);

	/* and a source verdict that does not exist */
	rows[2].objective = (char *)"latency_p99";
	rows[2].source_verdict = 9999;
	assert_int_equal(slg_store_baseline_add(st, rows, 3, &err),
	    SLG_ESTORE);
	assert_int_equal(count_baselines(st), 0);

	/* all three when all are good */
	rows[2].source_verdict = 0;
	assert_int_equal(slg_store_baseline_add(st, rows, 3, &err), 0);
	assert_int_equal(count_baselines(st), 3);
}

static void
test_baseline_current_and_list(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_stored_baseline b, *list = NULL;
	int64_t vid;
	int found = -1;
	size_t n = 0;

	vid = add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS, 0.09, T0);
	{
		/* ids follow this order; set_at does not decide */
		struct slg_stored_baseline rows[] = {
			{ 0, (char *)"api", (char *)"staging",
			    (char *)"latency_p95", 0.08, T0 + 50,
			    (char *)"bob", NULL, 0, NULL },		/* 1 */
			{ 0, (char *)"api", (char *)"staging",
			    (char *)"availability", 0.999, T0 + 10,
			    NULL, NULL, 0, (char *)"import f" },	/* 2 */
			{ 0, (char *)"api", (char *)"prod",
			    (char *)"latency_p95", 0.5, T0 + 10,
			    NULL, NULL, 0, NULL },			/* 3 */
			{ 0, (char *)"web", (char *)"staging",
			    (char *)"latency_p95", 0.7, T0 + 10,
			    NULL, NULL, 0, NULL },			/* 4 */
			{ 0, (char *)"api", (char *)"staging",
			    (char *)"latency_p95", 0.09, T0 + 20,
			    (char *)"alice", (char *)SHA_A1, vid,
			    (char *)"promote" },			/* 5 */
		};

		for (size_t i = 0; i < NELEM(rows); i++)
			assert_int_equal(slg_store_baseline_add(st, &rows[i], 1,
			    &err), 0);
	}

	assert_int_equal(slg_store_baseline_current(st, "api", "staging",
	    "latency_p95", &b, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_true(b.value == 0.09);
	assert_int_equal(b.set_at, T0 + 20);
	assert_string_equal(b.set_by, "alice");
	assert_string_equal(b.source_commit, SHA_A1);
	assert_int_equal(b.source_verdict, vid);
	assert_string_equal(b.note, "promote");
	slg_stored_baseline_release(&b);

	assert_int_equal(slg_store_baseline_current(st, "api", "staging",
	    "availability", &b, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_true(b.value == 0.999);
	assert_null(b.set_by);
	assert_null(b.source_commit);
	assert_int_equal(b.source_verdict, 0);
	slg_stored_baseline_release(&b);

	assert_int_equal(slg_store_baseline_current(st, "api", "dev",
	    "latency_p95", &b, &found, &err), 0);
	assert_int_equal(found, 0);
	slg_stored_baseline_release(&b);

	/* current: one row per objective, the newest */
	assert_int_equal(slg_store_baseline_list(st, "api", "staging", 0,
	    &list, &n, &err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(list[i].service, "api");
		assert_string_equal(list[i].environment, "staging");
		if (strcmp(list[i].objective, "latency_p95") == 0) {
			assert_true(list[i].value == 0.09);
			assert_string_equal(list[i].set_by, "alice");
		} else {
			assert_string_equal(list[i].objective, "availability");
			assert_true(list[i].value == 0.999);
			assert_string_equal(list[i].note, "import f");
		}
	}
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&list[i]);
	free(list);

	/* history: every row, newest first */
	assert_int_equal(slg_store_baseline_list(st, "api", "staging", 1,
	    &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(list[0].value == 0.09);
	assert_true(list[1].value == 0.999);
	assert_true(list[2].value == 0.08);
	assert_string_equal(list[2].set_by, "bob");
	assert_true(list[0].id > list[1].id && list[1].id > list[2].id);
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&list[i]);
	free(list);

	/* filters */
	{
		static const struct {
			const char *service, *environment;
			int history;
			size_t n;
		} t[] = {
			{ NULL, NULL, 0, 4 },
			{ NULL, NULL, 1, 5 },
			{ "api", NULL, 0, 3 },
			{ "api", NULL, 1, 4 },
			{ NULL, "staging", 0, 3 },
			{ NULL, "prod", 1, 1 },
			{ "web", "staging", 1, 1 },
			{ "web", "prod", 0, 0 },
			{ "nope", NULL, 1, 0 },
		};

		for (size_t c = 0; c < NELEM(t); c++) {
			int64_t last = INT64_MAX;

			assert_int_equal(slg_store_baseline_list(st,
			    t[c].service, t[c].environment, t[c].history,
			    &list, &n, &err), 0);
			if (n != t[c].n)
				fail_msg("case %zu: %zu rows, want %zu", c, n,
				    t[c].n);
			for (size_t i = 0; i < n; i++) {
				if (t[c].service != NULL)
					assert_string_equal(list[i].service,
					    t[c].service);
				if (t[c].environment != NULL)
					assert_string_equal(
					    list[i].environment,
					    t[c].environment);
				if (t[c].history) {
					assert_true(list[i].id < last);
					last = list[i].id;
				}
				/* current never lists the older p95 */
				if (!t[c].history)
					assert_false(list[i].value == 0.08);
				slg_stored_baseline_release(&list[i]);
			}
			free(list);
		}
	}
}

/* ---- abbreviated commits ---- */

static void
test_resolve_commit(void **state)
{
	static const struct {
		const char *prefix;
		int rc;
		const char *full;
	} t[] = {
		{ "abd", 0, SHA_B },
		{ "abd9", 0, SHA_B },
		{ SHA_B, 0, SHA_B },
		{ SHA_A1, 0, SHA_A1 },
		{ "abc1230000000000000000000000000000000002", 0, SHA_A2 },
		/* two verdicts of one commit are still one commit */
		{ "def", 0, SHA_C },
		{ "d", 0, SHA_C },
		{ "abc", SLG_EAMBIGUOUS, "" },
		{ "abc123", SLG_EAMBIGUOUS, "" },
		{ "ab", SLG_EAMBIGUOUS, "" },
		{ "a", SLG_EAMBIGUOUS, "" },
		{ "fff", SLG_ENOTFOUND, "" },
		{ "abe", SLG_ENOTFOUND, "" },
		{ "abc1230000000000000000000000000000000003", SLG_ENOTFOUND,
		    "" },
	};
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);

	add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS, 0.1, T0);
	add(st, "api", "staging", SHA_A2, "main", SLG_V_PASS, 0.1, T0 + 1);
	add(st, "api", "staging", SHA_B, "main", SLG_V_PASS, 0.1, T0 + 2);
	add(st, "api", "staging", SHA_C, "main", SLG_V_PASS, 0.1, T0 + 3);
	add(st, "web", "prod", SHA_C, "main", SLG_V_FAIL, 0.1, T0 + 4);
	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_err err = { 0, "" };
		char out[65];
		int rc;

		memset(out, 'x', sizeof(out));
		rc = slg_store_resolve_commit(st, t[i].prefix, out, &err);
		if (rc != t[i].rc || strcmp(out, t[i].full) != 0)
			fail_msg("'%s': %d '%.64s' (%s), want %d '%s'",
			    t[i].prefix, rc, out, err.msg, t[i].rc,
			    t[i].full);
		if (rc != 0) {
			assert_int_equal(err.code, rc);
			assert_contains(err.msg, t[i].prefix);
			assert_contains(err.msg, rc == SLG_EAMBIGUOUS ?
			    "ambiguous" : "no verdict recorded");
		}
	}
}

/* ---- history by branch and time ---- */

static void
test_history_filters(void **state)
{
	static const struct {
		const char *service, *environment, *commit, *branch;
		int64_t at;
	} rows[] = {
		{ "api", "staging", SHA_A1, "main", T0 },		/* 0 */
		{ "api", "staging", SHA_B, "feature", T0 + 10 },	/* 1 */
		{ "api", "staging", SHA_A2, "main", T0 + 20 },		/* 2 */
		{ "web", "staging", SHA_C, "release", T0 + 30 },	/* 3 */
		{ "api", "staging", SHA_D, NULL, T0 + 40 },		/* 4 */
	};
	static const struct {
		struct slg_history_filter f;
		size_t n;
		int want[5];
	} t[] = {
		{ { .branch = "main" }, 2, { 2, 0 } },
		{ { .branch = "feature" }, 1, { 1 } },
		{ { .branch = "nope" }, 0, { 0 } },
		{ { .branch = "mai" }, 0, { 0 } },
		{ { .since = T0 + 10 }, 4, { 4, 3, 2, 1 } },
		{ { .since = T0 + 30 }, 2, { 4, 3 } },
		{ { .since = T0 + 41 }, 0, { 0 } },
		{ { .since = T0 + 1, .branch = "main" }, 1, { 2 } },
		{ { .service = "api", .branch = "main", .since = T0 }, 2,
		    { 2, 0 } },
		{ { .service = "web", .branch = "main" }, 0, { 0 } },
		{ { .branch = "release", .commit = "def" }, 1, { 3 } },
		{ { .since = T0 + 10, .limit = 2 }, 2, { 4, 3 } },
	};
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);
	int64_t ids[NELEM(rows)];

	for (size_t i = 0; i < NELEM(rows); i++)
		ids[i] = add(st, rows[i].service, rows[i].environment,
		    rows[i].commit, rows[i].branch, SLG_V_PASS, 0.1,
		    rows[i].at);
	for (size_t c = 0; c < NELEM(t); c++) {
		struct slg_err err = { 0, "" };
		struct slg_verdict **list = NULL;
		size_t n = 99;

		if (slg_store_history(st, &t[c].f, &list, &n, &err) != 0)
			fail_msg("case %zu: %s", c, err.msg);
		if (n != t[c].n)
			fail_msg("case %zu: %zu verdicts, want %zu", c, n,
			    t[c].n);
		for (size_t k = 0; k < n; k++) {
			if (list[k]->id != ids[t[c].want[k]])
				fail_msg("case %zu: #%zu is id %lld, want %lld",
				    c, k, (long long)list[k]->id,
				    (long long)ids[t[c].want[k]]);
			assert_str_or_null(list[k]->branch,
			    rows[t[c].want[k]].branch);
			assert_int_equal(list[k]->evaluated_at,
			    rows[t[c].want[k]].at);
		}
		slg_store_list_free(list, n);
	}
}

/* ---- migration from schema 1 ---- */

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long len;

	if (f == NULL)
		fail_msg("cannot open '%s' (run from the top of the tree)",
		    path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	s = malloc((size_t)len + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
	s[len] = '\0';
	fclose(f);
	return s;
}

static void
sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char copy[512];

		snprintf(copy, sizeof(copy), "%s", msg ? msg : "?");
		sqlite3_free(msg);
		fail_msg("sql failed: %s", copy);
	}
}

static const char v1_rows[] =
    "INSERT INTO verdicts (id, service, environment, commit_sha, "
    "commit_time, commit_author, commit_subject, branch, build_time, "
    "evaluated_at, window_start, window_end, step, pipeline_id, "
    "pipeline_url, job_url, ref_name, policy_path, policy_digest, "
    "prometheus_url, slogate_version, verdict, reason, guard_promql, "
    "guard_value, guard_min) VALUES (7, 'api', 'staging', '" SHA_A1 "', "
    "1795670000, 'Ada', 'Old change', 'main', 1795672000, 1795676000, "
    "1795674200, 1795676000, 60, '11', NULL, NULL, 'main', "
    "'policies/api.json', 'deadbeef', 'http://127.0.0.1:9090', '0.0.9', "
    "'pass', 'all 2 judged objectives met their pass criteria', "
    "'sum(rate(x[30m]))', 250, 100);"
    "INSERT INTO objective_results (verdict_id, position, name, promql, "
    "sustained, judged, unit, pass_criteria, warn_criteria, status, value, "
    "value_at, baseline, baseline_source, points, points_failed, "
    "points_warn, points_missing, detail) VALUES "
    "(7, 0, 'latency_p95', 'p95', 1, 1, 2, '<= 120ms', NULL, 'pass', 0.1, "
    "1795676000, NULL, NULL, 30, 0, 0, 0, 'all 30 points meet <= 120ms'), "
    "(7, 1, 'availability', 'avail', 0, 1, 1, '>= 99.9%', '>= 99%', "
    "'pass', 0.9995, 1795676000, 0.999, 'stored', 0, 0, 0, 0, '');"
    "INSERT INTO baselines (service, environment, objective, value, set_at, "
    "set_by, source_commit, note) VALUES ('api', 'staging', 'latency_p95', "
    "0.11, 1795660000, 'alice', NULL, 'before 2');";

static void
test_migrate_from_v1(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_verdict *got = NULL;
	struct slg_past_value *vals = NULL;
	struct slg_stored_baseline b;
	struct slg_approval a;
	struct slg_store *st;
	sqlite3 *db = NULL;
	char *schema1;
	int found = 0;
	size_t n = 0;

	schema1 = read_text("schema/sqlite/001_init.sql");
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sql_exec(db, "BEGIN");
	sql_exec(db, schema1);
	sql_exec(db, "PRAGMA user_version = 1");
	sql_exec(db, v1_rows);
	sql_exec(db, "COMMIT");
	free(schema1);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	st = open_db(fx);
	assert_true(slg_store_schema_latest(st) >= 2);
	assert_int_equal(slg_store_schema_version(st),
	    slg_store_schema_latest(st));

	/* the migration fills the latest verdicts from the history */
	{
		struct slg_verdict **latest = NULL;
		size_t nl = 0;

		assert_int_equal(slg_store_latest_per_service(st, &latest, &nl,
		    &err), 0);
		assert_true(nl >= 1);
		assert_string_equal(latest[0]->service, "api");
		assert_int_equal(latest[0]->id, 7);
		slg_store_list_free(latest, nl);
	}
	assert_int_equal(slg_store_get(st, 7, &got, &err), 0);
	assert_int_equal(got->id, 7);
	assert_int_equal(got->verdict, SLG_V_PASS);
	assert_string_equal(got->service, "api");
	assert_string_equal(got->environment, "staging");
	assert_string_equal(got->commit, SHA_A1);
	assert_string_equal(got->commit_subject, "Old change");
	assert_string_equal(got->branch, "main");
	assert_int_equal(got->evaluated_at, 1795676000);
	assert_string_equal(got->version, "0.0.9");
	assert_int_equal(got->has_guard, 1);
	assert_true(got->guard_value == 250);
	/* columns added by schema 2 read as absent */
	assert_int_equal(got->has_score, 0);
	assert_true(isnan(got->score));
	assert_int_equal(got->napprovals, 0);
	assert_int_equal(got->invalidated, 0);
	assert_int_equal(got->nobj, 2);
	for (size_t i = 0; i < got->nobj; i++) {
		assert_true(got->obj[i].weight == 1);
		assert_int_equal(got->obj[i].key, 0);
		assert_null(got->obj[i].baseline_commits);
		assert_null(got->obj[i].baseline_detail);
	}
	assert_string_equal(got->obj[0].name, "latency_p95");
	assert_true(got->obj[0].value == 0.1);
	assert_int_equal(got->obj[0].points, 30);
	assert_string_equal(got->obj[1].name, "availability");
	assert_int_equal(got->obj[1].has_baseline, 1);
	assert_true(got->obj[1].baseline == 0.999);
	assert_string_equal(got->obj[1].baseline_source, "stored");
	slg_verdict_free(got);

	/* the old baseline is still the current one, with no verdict */
	assert_int_equal(slg_store_baseline_current(st, "api", "staging",
	    "latency_p95", &b, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_true(b.value == 0.11);
	assert_string_equal(b.set_by, "alice");
	assert_int_equal(b.source_verdict, 0);
	slg_stored_baseline_release(&b);

	/* the old verdict serves as a baseline, and the new tables work */
	assert_int_equal(slg_store_past_values(st, "api", "staging",
	    "latency_p95", SLG_BFILTER_PASS, NULL, 0, 5, &vals, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(vals[0].verdict_id, 7);
	assert_true(vals[0].value == 0.1);
	free(vals);
	assert_int_equal(slg_store_invalidate(st, 7, "ops", "pre-upgrade run",
	    T0, &err), 0);
	a = approval(7, "alice", "audit", T0, 0);
	assert_int_equal(slg_store_approval_add(st, &a, &err), 0);
	assert_int_equal(slg_store_get(st, 7, &got, &err), 0);
	assert_int_equal(got->invalidated, 1);
	assert_int_equal(got->napprovals, 1);
	slg_verdict_free(got);

	/* a new verdict goes after the old one */
	assert_true(add(st, "api", "staging", SHA_A2, "main", SLG_V_PASS, 0.1,
	    T0) > 7);

	/* opening again migrates nothing more */
	slg_store_close(st);
	fx->st = NULL;
	st = open_db(fx);
	assert_int_equal(slg_store_schema_version(st),
	    slg_store_schema_latest(st));
	assert_int_equal(slg_store_get(st, 7, &got, &err), 0);
	assert_int_equal(got->napprovals, 1);
	slg_verdict_free(got);
}

/* A watched evaluation: its id comes from the sequence verdicts use, its
 * polls are its timeline, and its verdict takes its id when it ends. */
/* A watch of api/staging for SHA_B from T0, ten minutes long. */
static void
new_watch(struct slg_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->service = dup("api");
	w->environment = dup("staging");
	w->commit = dup(SHA_B);
	w->since = T0;
	w->deadline = T0 + 600;
	w->created_at = T0;
	w->policy = dup("{}");
}

static void
test_watches(void **state)
{
	struct slg_store *st = open_db(*state);
	struct slg_err err = { 0, "" };
	struct slg_watch w, got, *list = NULL;
	struct slg_watch_poll poll = { T0 + 10, T0 + 10, SLG_V_PASS,
	    (char *)"10s/20s observed", (char *)"all good", NULL }, *polls = NULL;
	struct slg_verdict *v, *back = NULL;
	int64_t before = add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS,
	    0.1, T0), after, mid;
	size_t n = 0;

	new_watch(&w);
	assert_int_equal(slg_store_watch_add(st, &w, &err), 0);
	assert_int_equal(w.id, before + 1);
	/* a verdict recorded meanwhile does not take the watch's id */
	after = add(st, "api", "staging", SHA_A2, "main", SLG_V_PASS, 0.1, T0);
	assert_int_equal(after, w.id + 1);
	/* and one of the watch's own commit, which it will outlast */
	mid = add(st, "api", "staging", SHA_B, "main", SLG_V_PASS, 0.1, T0);

	w.errors = 1;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, NULL, &err), 0);
	assert_int_equal(slg_store_watch_list(st, NULL, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, w.id);
	assert_true(list[0].running);
	assert_int_equal(list[0].polls, 1);
	assert_int_equal(list[0].errors, 1);
	assert_string_equal(list[0].progress, "10s/20s observed");
	slg_store_watch_list_free(list, n);
	/* nothing counts in the history yet */
	assert_int_equal(slg_store_get(st, w.id, &back, &err), SLG_ENOTFOUND);

	v = make_verdict("api", "staging", SHA_B, "main", SLG_V_FAIL, 0.3,
	    T0 + 12);
	poll.polled_at = T0 + 12;
	poll.verdict = SLG_V_FAIL;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, v, &err), 0);
	assert_int_equal(v->id, w.id);
	assert_false(w.running);
	assert_int_equal(slg_store_get(st, w.id, &back, &err), 0);
	assert_int_equal(back->watch_id, w.id);
	assert_int_equal(back->verdict, SLG_V_FAIL);
	slg_verdict_free(back);
	/* the latest verdict is the one written last, not the highest id:
	 * the watch's fail, not the pass recorded while it ran */
	{
		struct slg_history_filter f = { .commit = SHA_B, .service = "api",
		    .environment = "staging", .limit = 1, .last_written = 1 };
		struct slg_verdict **latest = NULL;
		size_t nl = 0;

		assert_int_equal(slg_store_latest_per_service(st, &latest, &nl,
		    &err), 0);
		assert_int_equal(nl, 1);
		assert_int_equal(latest[0]->id, w.id);
		slg_store_list_free(latest, nl);
		assert_int_equal(slg_store_history(st, &f, &latest, &nl, &err),
		    0);
		assert_int_equal(nl, 1);
		assert_int_equal(latest[0]->id, w.id);
		assert_int_equal(latest[0]->verdict, SLG_V_FAIL);
		slg_store_list_free(latest, nl);
		f.last_written = 0;	/* by id, the pass came after */
		assert_int_equal(slg_store_history(st, &f, &latest, &nl, &err),
		    0);
		assert_int_equal(latest[0]->id, mid);
		slg_store_list_free(latest, nl);
	}
	/* an ended watch is not polled again, nor recorded twice */
	v->id = 0;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, v, &err),
	    SLG_ECONFLICT);
	assert_contains(err.msg, "has ended or is polled by another service");
	assert_int_equal(slg_store_watch_get(st, w.id, &got, &err), 0);
	assert_false(got.running);
	assert_int_equal(got.polls, 2);
	slg_watch_release(&got);
	assert_int_equal(slg_store_watch_polls(st, w.id, &polls, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(polls[0].verdict, SLG_V_PASS);
	assert_int_equal(polls[1].verdict, SLG_V_FAIL);
	assert_string_equal(polls[1].reason, "all good");
	for (size_t i = 0; i < n; i++)
		slg_watch_poll_release(&polls[i]);
	free(polls);
	assert_int_equal(slg_store_watch_list(st, NULL, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	free(list);
	assert_int_equal(slg_store_watch_list(st, SHA_B, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	slg_store_watch_list_free(list, n);
	assert_int_equal(slg_store_watch_get(st, 999, &got, &err),
	    SLG_ENOTFOUND);
	slg_verdict_free(v);
	slg_watch_release(&w);
}

/* A running watch is polled by the service holding its lease: a claim
 * takes a free or lapsed one, renews one's own and skips another's; a
 * poll by anyone else is refused and writes nothing; once the holder's
 * lease lapses another takes it over, and each poll names its poller. */
static void
test_watch_lease(void **state)
{
	struct slg_store *st = open_db(*state);
	struct slg_err err = { 0, "" };
	struct slg_watch w, *a = NULL, *b = NULL;
	struct slg_watch_poll poll = { T0 + 10, T0 + 10, SLG_V_PASS,
	    (char *)"10s/20s observed", (char *)"", NULL }, *polls = NULL;
	size_t na = 0, nb = 0, np = 0;

	new_watch(&w);
	assert_int_equal(slg_store_watch_add(st, &w, &err), 0);

	/* a renewal alone (max 0) takes nothing */
	assert_int_equal(slg_store_watch_claim(st, "replica-b", T0, 15, 0, &b,
	    &nb, &err), 0);
	assert_int_equal(nb, 0);
	slg_store_watch_list_free(b, nb);
	/* replica-a claims it; replica-b, within a's lease, gets nothing */
	assert_int_equal(slg_store_watch_claim(st, "replica-a", T0, 15, 10, &a,
	    &na, &err), 0);
	assert_int_equal(na, 1);
	assert_int_equal(a[0].id, w.id);
	assert_string_equal(a[0].owner, "replica-a");
	assert_int_equal(a[0].lease_until, T0 + 15);
	assert_int_equal(slg_store_watch_claim(st, "replica-b", T0 + 5, 15, 10,
	    &b, &nb, &err), 0);
	assert_int_equal(nb, 0);
	slg_store_watch_list_free(b, nb);

	/* b cannot poll it, nor can a poll that names nobody */
	free(w.owner);
	w.owner = dup("replica-b");
	w.lease_until = T0 + 20;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, NULL, &err),
	    SLG_ECONFLICT);
	free(w.owner);
	w.owner = NULL;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, NULL, &err),
	    SLG_ECONFLICT);
	/* a renewal alone keeps a's own, however small max is */
	slg_store_watch_list_free(a, na);
	assert_int_equal(slg_store_watch_claim(st, "replica-a", T0 + 1, 15, 0,
	    &a, &na, &err), 0);
	assert_int_equal(na, 1);
	assert_int_equal(a[0].lease_until, T0 + 16);
	/* a polls, renewing its lease */
	w.owner = dup("replica-a");
	w.lease_until = T0 + 25;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, NULL, &err), 0);
	slg_store_watch_list_free(a, na);
	assert_int_equal(slg_store_watch_claim(st, "replica-b", T0 + 20, 15, 10,
	    &b, &nb, &err), 0);
	assert_int_equal(nb, 0);
	slg_store_watch_list_free(b, nb);

	/* a is gone: once its lease lapses b takes the watch over */
	assert_int_equal(slg_store_watch_claim(st, "replica-b", T0 + 26, 15, 10,
	    &b, &nb, &err), 0);
	assert_int_equal(nb, 1);
	assert_string_equal(b[0].owner, "replica-b");
	assert_int_equal(b[0].lease_until, T0 + 41);
	assert_int_equal(b[0].polls, 1);
	/* a, back late, is refused; b's poll counts */
	w.lease_until = T0 + 40;
	assert_int_equal(slg_store_watch_poll(st, &w, &poll, NULL, &err),
	    SLG_ECONFLICT);
	b[0].lease_until = T0 + 45;
	poll.polled_at = T0 + 30;
	assert_int_equal(slg_store_watch_poll(st, &b[0], &poll, NULL, &err), 0);
	assert_int_equal(slg_store_watch_polls(st, w.id, &polls, &np, &err), 0);
	assert_int_equal(np, 2);
	assert_string_equal(polls[0].polled_by, "replica-a");
	assert_string_equal(polls[1].polled_by, "replica-b");
	for (size_t i = 0; i < np; i++)
		slg_watch_poll_release(&polls[i]);
	free(polls);
	slg_store_watch_list_free(b, nb);
	slg_watch_release(&w);
}

/* A watch the service of schema 6 started kept its HTTP request; schema 7
 * moves what it runs from into the watch's own columns (the policy
 * inlined, its digest, the subject, trial, who asked), so any service can
 * carry it on. A local wait of schema 6 kept none: it gets no policy. */
static void
test_migrate_watch_request(void **state)
{
	H_SQLITE_ONLY();
	static const char *const files[] = { "schema/sqlite/001_init.sql",
	    "schema/sqlite/002_baselines_scores_approvals.sql",
	    "schema/sqlite/003_watches.sql", "schema/sqlite/004_roles_trials.sql",
	    "schema/sqlite/005_audit.sql", "schema/sqlite/006_latest.sql" };
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_watch w;
	struct slg_store *st;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sql_exec(db, "BEGIN");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = read_text(files[i]);

		sql_exec(db, text);
		free(text);
	}
	sql_exec(db, "PRAGMA user_version = 6");
	sql_exec(db, "INSERT INTO watches (id, service, environment, commit_sha, "
	    "since, deadline, created_at, state, request) VALUES (1, 'api', "
	    "'staging', '" SHA_B "', 1795000000, 1795003600, 1795000000, "
	    "'running', '{\"policy\": {\"service\": \"api\", "
	    "\"environment\": \"staging\"}, \"commit\": \"" SHA_B "\", "
	    "\"policy_path\": \"policies/api.json\", \"policy_digest\": "
	    "\"abc123\", \"trial\": true, \"requested_by\": \"ci-api\", "
	    "\"branch\": \"main\", \"build_time\": \"2026-11-18T08:00:00Z\", "
	    "\"commit_time\": \"1794999000\", \"pipeline_url\": "
	    "\"https://ci.example/p/1\"}'), (2, 'api', 'staging', '" SHA_A1 "', "
	    "1795000000, 1795003600, 1795000000, 'running', '{}')");
	sql_exec(db, "COMMIT");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	st = open_db(fx);
	assert_int_equal(slg_store_watch_get(st, 1, &w, &err), 0);
	assert_non_null(w.policy);
	assert_contains(w.policy, "\"environment\":\"staging\"");
	assert_string_equal(w.policy_path, "policies/api.json");
	assert_string_equal(w.policy_digest, "abc123");
	assert_int_equal(w.trial, 1);
	assert_string_equal(w.actor, "ci-api");
	assert_string_equal(w.branch, "main");
	assert_int_equal(w.build_time, 1794988800);
	assert_int_equal(w.commit_time, 1794999000);
	assert_string_equal(w.pipeline_url, "https://ci.example/p/1");
	assert_null(w.owner);
	slg_watch_release(&w);
	assert_int_equal(slg_store_watch_get(st, 2, &w, &err), 0);
	assert_null(w.policy);
	assert_int_equal(w.build_time, 0);
	slg_watch_release(&w);
}

/* A slogate older than schema 6 that had the file open goes on writing
 * verdicts without `recorded`: the database numbers them, so the fail it
 * writes after a pass is the latest, for status and for the pages. */
static void
test_older_writer_counts_as_written_last(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_history_filter f = { .commit = SHA_A1, .service = "api",
	    .environment = "staging", .limit = 1, .counted = 1,
	    .last_written = 1 };
	struct slg_store *st = open_db(fx);
	struct slg_verdict **list = NULL;
	int64_t pass = add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS,
	    0.1, T0);
	size_t n = 0;
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sql_exec(db, "INSERT INTO verdicts (id, service, environment, "
	    "commit_sha, build_time, evaluated_at, window_start, window_end, "
	    "step, policy_path, policy_digest, prometheus_url, slogate_version, "
	    "verdict, reason) VALUES (100, 'api', 'staging', '" SHA_A1 "', 1, "
	    "2, 1, 2, 60, 'p.json', 'd', 'http://p', '0.0.9', 'fail', 'old')");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	assert_int_equal(slg_store_history(st, &f, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0]->id, 100);
	assert_int_equal(list[0]->verdict, SLG_V_FAIL);
	slg_store_list_free(list, n);
	assert_int_equal(slg_store_latest_per_service(st, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0]->id, 100);
	slg_store_list_free(list, n);
	/* and one written after it is later still */
	assert_true(add(st, "api", "staging", SHA_A1, "main", SLG_V_PASS, 0.1,
	    T0) > pass);
	assert_int_equal(slg_store_history(st, &f, &list, &n, &err), 0);
	assert_int_not_equal(list[0]->id, 100);
	slg_store_list_free(list, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_past_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_past_values_objective_status,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_past_values_control, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invalidate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_approvals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_approvals_on_verdicts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_baseline_add_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_current_and_list,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_commit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_filters, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watch_lease, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_watch_request, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_older_writer_counts_as_written_last, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_audit", tests, NULL, NULL);
}
