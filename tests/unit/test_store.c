/* test_store: a real database (a SQLite file, or PostgreSQL: storedb.h):
 * schema, recording verdicts and reading them back, history filters,
 * baselines, and the databases the store must refuse. */
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

/* Equal, or both NaN. */
#define assert_same_double(got, want) do {				\
	double g_ = (got), w_ = (want);					\
	if (!(g_ == w_ || (isnan(g_) && isnan(w_))))			\
		fail_msg("%s is %.17g, want %.17g", #got, g_, w_);	\
} while (0)

#define SHA_A1 "abc1230000000000000000000000000000000001"
#define SHA_A2 "abc1230000000000000000000000000000000002"
#define SHA_B "abd9990000000000000000000000000000000000"
#define SHA_C "def4560000000000000000000000000000000000"

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
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/slg-test-store-XXXXXX");
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

/* A verdict with every field set and two objectives, the second with no
 * value. evaluated_at tells verdicts apart. */
static struct slg_verdict *
make_verdict(const char *service, const char *environment, const char *commit,
    const char *branch, int64_t evaluated_at)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_objective_result *o;

	assert_non_null(v);
	v->verdict = SLG_V_INCONCLUSIVE;
	v->reason = dup("availability: no data: the query returned no series");
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
	v->pipeline_id = dup("4242");
	v->pipeline_url = dup("https://ci.example.com/p/4242");
	v->job_url = dup("https://ci.example.com/j/99");
	v->ref_name = dup(branch);
	v->policy_path = dup("policies/payment-gateway.json");
	v->policy_digest = dup("0123456789abcdef0123456789abcdef01234567");
	v->prometheus_url = dup("http://127.0.0.1:9090");
	v->version = dup("0.1.0");
	v->has_guard = 1;
	v->guard_promql = dup("sum(rate(http_requests_total[30m]))");
	v->guard_value = 250.5;
	v->guard_min = 100;
	v->has_score = 1;
	v->score = 2;
	v->score_max = 3;
	v->score_pass = 0.9;
	v->score_warn = 0.5;

	v->nobj = 2;
	v->obj = calloc(2, sizeof(*v->obj));
	assert_non_null(v->obj);
	o = &v->obj[0];
	o->name = dup("latency_p95");
	o->promql = dup("histogram_quantile(0.95, sum by (le) (rate(x[1m])))");
	o->sustained = 1;
	o->judged = 1;
	o->unit = SLG_UNIT_SECONDS;
	o->pass_text = dup("<= 120ms, <= +10%");
	o->status = SLG_ST_PASS;
	o->value = 0.1125;
	o->value_at = 1795675260;
	o->has_baseline = 1;
	o->baseline = 0.105;
	o->baseline_source = dup("previous");
	o->baseline_commits = dup(SHA_C "," SHA_B);
	o->baseline_detail = dup("avg of 2 verdicts (0.1, 0.11)");
	o->weight = 2;
	o->key = 1;
	o->points = 30;
	o->points_warn = 0;
	o->detail = dup("all 30 points meet <= 120ms, <= +10%; worst 112.5ms");

	o = &v->obj[1];
	o->name = dup("availability");
	o->promql = dup("sum(rate(ok[30m])) / sum(rate(all[30m]))");
	o->judged = 1;
	o->unit = SLG_UNIT_RATIO;
	o->pass_text = dup(">= 99.9%");
	o->warn_text = dup(">= 99%");
	o->status = SLG_ST_NODATA;
	o->value = NAN;
	o->baseline = NAN;
	o->weight = 1;
	o->detail = dup("no data: the query returned no series");
	return v;
}

static void
assert_same_objective(const struct slg_objective_result *g,
    const struct slg_objective_result *w)
{
	assert_string_equal(g->name, w->name);
	assert_string_equal(g->promql, w->promql);
	assert_int_equal(g->sustained, w->sustained);
	assert_int_equal(g->judged, w->judged);
	assert_int_equal(g->unit, w->unit);
	assert_str_or_null(g->pass_text, w->pass_text);
	assert_str_or_null(g->warn_text, w->warn_text);
	assert_int_equal(g->status, w->status);
	assert_same_double(g->value, w->value);
	assert_same_double(g->value_at, w->value_at);
	assert_int_equal(g->has_baseline, w->has_baseline);
	assert_same_double(g->baseline, w->baseline);
	assert_str_or_null(g->baseline_source, w->baseline_source);
	assert_str_or_null(g->baseline_commits, w->baseline_commits);
	assert_str_or_null(g->baseline_detail, w->baseline_detail);
	assert_same_double(g->weight, w->weight);
	assert_int_equal(g->key, w->key);
	assert_int_equal(g->points, w->points);
	assert_int_equal(g->points_failed, w->points_failed);
	assert_int_equal(g->points_warn, w->points_warn);
	assert_int_equal(g->points_missing, w->points_missing);
	assert_string_equal(g->detail, w->detail);
}

static void
assert_same_verdict(const struct slg_verdict *g, const struct slg_verdict *w)
{
	assert_int_equal(g->id, w->id);
	assert_int_equal(g->verdict, w->verdict);
	assert_string_equal(g->reason, w->reason);
	assert_string_equal(g->service, w->service);
	assert_string_equal(g->environment, w->environment);
	assert_string_equal(g->commit, w->commit);
	assert_int_equal(g->commit_time, w->commit_time);
	assert_str_or_null(g->commit_author, w->commit_author);
	assert_str_or_null(g->commit_subject, w->commit_subject);
	assert_str_or_null(g->branch, w->branch);
	assert_int_equal(g->build_time, w->build_time);
	assert_int_equal(g->evaluated_at, w->evaluated_at);
	assert_int_equal(g->window_start, w->window_start);
	assert_int_equal(g->window_end, w->window_end);
	assert_int_equal(g->step, w->step);
	assert_str_or_null(g->pipeline_id, w->pipeline_id);
	assert_str_or_null(g->pipeline_url, w->pipeline_url);
	assert_str_or_null(g->job_url, w->job_url);
	assert_str_or_null(g->ref_name, w->ref_name);
	assert_string_equal(g->policy_path, w->policy_path);
	assert_string_equal(g->policy_digest, w->policy_digest);
	assert_string_equal(g->prometheus_url, w->prometheus_url);
	assert_string_equal(g->version, w->version);
	assert_int_equal(g->has_guard, w->has_guard);
	assert_str_or_null(g->guard_promql, w->guard_promql);
	assert_same_double(g->guard_value, w->guard_value);
	assert_same_double(g->guard_min, w->guard_min);
	assert_int_equal(g->has_score, w->has_score);
	if (w->has_score) {
		assert_same_double(g->score, w->score);
		assert_same_double(g->score_max, w->score_max);
		assert_same_double(g->score_pass, w->score_pass);
		assert_same_double(g->score_warn, w->score_warn);
	}
	assert_int_equal(g->invalidated, 0);
	assert_int_equal(g->napprovals, 0);
	assert_int_equal(g->nobj, w->nobj);
	for (size_t i = 0; i < w->nobj; i++)
		assert_same_objective(&g->obj[i], &w->obj[i]);
}

/* Records v, failing the test when it cannot. */
static void
record(struct slg_store *st, struct slg_verdict *v)
{
	struct slg_err err = { 0, "" };

	if (slg_store_record(st, v, &err) != 0)
		fail_msg("cannot record: %s", err.msg);
	assert_true(v->id > 0);
}

/* ---- opening ---- */

static void
test_open_new(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_store *st;
	struct stat sb;

	assert_int_not_equal(stat(fx->db, &sb), 0);
	st = open_db(fx);
	assert_int_equal(stat(fx->db, &sb), 0);
	assert_true(slg_store_schema_latest(st) >= 1);
	assert_int_equal(slg_store_schema_version(st),
	    slg_store_schema_latest(st));
}

static void
test_reopen(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_verdict *v, *got = NULL;
	struct slg_store *st = open_db(fx);
	int found = 0;
	double value = 0;

	v = make_verdict("api", "staging", SHA_A1, "main", 1795676500);
	record(st, v);
	assert_int_equal(slg_store_baseline_set(st, "api", "staging", "p95",
	    0.2, 1795676000, "ci", SHA_A1, &err), 0);
	slg_store_close(st);
	fx->st = NULL;

	st = open_db(fx);
	assert_int_equal(slg_store_schema_version(st),
	    slg_store_schema_latest(st));
	assert_int_equal(slg_store_get(st, v->id, &got, &err), 0);
	assert_same_verdict(got, v);
	assert_int_equal(slg_store_baseline_get(st, "api", "staging", "p95",
	    &found, &value, &err), 0);
	assert_int_equal(found, 1);
	assert_true(value == 0.2);
	slg_verdict_free(got);
	slg_verdict_free(v);
}

/* A database from a newer slogate is refused and left as it was. */
static void
test_open_newer_schema(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = (struct slg_store *)1;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE future (x); "
	    "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(slg_store_open(fx->db, &st, &err), SLG_ESTORE);
	assert_null(st);
	assert_int_equal(err.code, SLG_ESTORE);
	assert_contains(err.msg, fx->db);
	assert_contains(err.msg, "schema version 99");
	assert_contains(err.msg, "newer");

	/* no migration ran, and the journal mode was not switched to WAL */
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "delete");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 99);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'verdicts'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* --db takes a URL: sqlite:PATH is the file at PATH, postgresql:// a
 * PostgreSQL server (none listens on port 1 here); a kind of database this
 * slogate cannot open is refused, and a URL's password never shown. */
static void
test_open_url(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = NULL;
	char url[160];

	snprintf(url, sizeof(url), "sqlite:%s", fx->db);
	assert_int_equal(slg_store_open(url, &fx->st, &err), 0);
	assert_int_equal(stat(fx->db, &(struct stat){ 0 }), 0);
	assert_int_equal(slg_store_open("postgresql://gate:s3cret@127.0.0.1:1/x",
	    &st, &err), SLG_ESTORE);
	assert_null(st);
	assert_contains(err.msg, "PostgreSQL");
	assert_null(strstr(err.msg, "s3cret"));
	/* URLs libpq cannot read, or mistyped: refused, never quoted */
	{
		static const char *const bad[] = {
		    "postgresql://u:s3cret@[::1/x",
		    "postgresql://u:s3cr%zzet@127.0.0.1:1/x",
		    "postgresql:/u:s3cret@127.0.0.1/x",
		    "Postgres://u:s3cret@127.0.0.1/x" };

		for (size_t i = 0; i < NELEM(bad); i++) {
			assert_int_not_equal(slg_store_open(bad[i], &st, &err), 0);
			assert_null(st);
			assert_null(strstr(err.msg, "s3cr"));
		}
	}
	assert_int_equal(slg_store_open("mysql://h/x", &st, &err), SLG_EUSAGE);
	assert_contains(err.msg, "unknown kind of database");
	assert_int_equal(slg_store_open("sqlite:", &st, &err), SLG_EUSAGE);
	assert_null(st);
	/* SQLite would take these: nothing kept, or an old snapshot read */
	assert_int_equal(slg_store_open(":memory:", &st, &err), SLG_EUSAGE);
	assert_int_equal(slg_store_open("sqlite::memory:", &st, &err),
	    SLG_EUSAGE);
	snprintf(url, sizeof(url), "file:%s?immutable=1", fx->db);
	assert_int_equal(slg_store_open(url, &st, &err), SLG_EUSAGE);
	assert_contains(err.msg, "SQLite URIs");
	snprintf(url, sizeof(url), "sqlite:file:%s?vfs=unix-none", fx->db);
	assert_int_equal(slg_store_open(url, &st, &err), SLG_EUSAGE);
	assert_null(st);
}

static void
test_open_missing_dir(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = (struct slg_store *)1;
	char path[256];

	snprintf(path, sizeof(path), "%s/no/such/dir/slogate.db", fx->dir);
	assert_int_equal(slg_store_open(path, &st, &err), SLG_ESTORE);
	assert_null(st);
	assert_int_equal(err.code, SLG_ESTORE);
	assert_contains(err.msg, path);
}

/* A file that is not SQLite is refused, not overwritten. */
static void
test_open_not_a_database(void **state)
{
	H_SQLITE_ONLY();
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = (struct slg_store *)1;
	char buf[64] = "";
	FILE *f;

	assert_non_null(f = fopen(fx->db, "w"));
	fputs("this is not a database, it is a text file\n", f);
	fputs("with a few lines of text in it, long enough\n", f);
	fclose(f);
	assert_int_equal(slg_store_open(fx->db, &st, &err), SLG_ESTORE);
	assert_null(st);
	assert_contains(err.msg, fx->db);
	assert_non_null(f = fopen(fx->db, "r"));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "this is not a database, it is a text file\n");
}

/* ---- verdicts ---- */

static void
test_record_get(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_verdict *v, *w, *got = NULL;

	v = make_verdict("payment-gateway", "staging", SHA_A1, "main",
	    1795676500);
	record(st, v);
	assert_int_equal(slg_store_get(st, v->id, &got, &err), 0);
	assert_non_null(got);
	assert_same_verdict(got, v);
	/* the NaN value came back as NaN, not 0 */
	assert_true(isnan(got->obj[1].value));
	assert_int_equal(got->obj[1].has_baseline, 0);
	assert_null(got->obj[1].baseline_source);
	slg_verdict_free(got);

	/* a second verdict gets a new id; without guard or score those
	 * read back as absent */
	w = make_verdict("payment-gateway", "staging", SHA_A2, "main",
	    1795676600);
	w->has_guard = 0;
	w->has_score = 0;
	w->verdict = SLG_V_PASS;
	record(st, w);
	assert_true(w->id > v->id);
	assert_int_equal(slg_store_get(st, w->id, &got, &err), 0);
	assert_int_equal(got->verdict, SLG_V_PASS);
	assert_int_equal(got->has_guard, 0);
	assert_null(got->guard_promql);
	assert_true(isnan(got->guard_value));
	assert_int_equal(got->has_score, 0);
	assert_string_equal(got->commit, SHA_A2);
	slg_verdict_free(got);
	slg_verdict_free(w);
	slg_verdict_free(v);
}

/* Optional fields left out come back as NULL or 0. */
static void
test_record_minimal(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_verdict *v, *got = NULL;

	v = make_verdict("api", "prod", SHA_C, "main", 1795676500);
	free(v->commit_author);
	free(v->commit_subject);
	free(v->branch);
	free(v->pipeline_id);
	free(v->pipeline_url);
	free(v->job_url);
	free(v->ref_name);
	v->commit_author = v->commit_subject = v->branch = NULL;
	v->pipeline_id = v->pipeline_url = v->job_url = v->ref_name = NULL;
	v->commit_time = 0;
	record(st, v);
	assert_int_equal(slg_store_get(st, v->id, &got, &err), 0);
	assert_same_verdict(got, v);
	slg_verdict_free(got);
	slg_verdict_free(v);
}

static void
test_get_missing(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_verdict *got = (struct slg_verdict *)1;

	open_db(fx);
	assert_int_equal(slg_store_get(fx->st, 12345, &got, &err),
	    SLG_ENOTFOUND);
	assert_null(got);
	assert_string_equal(err.msg, "no verdict with id 12345");
}

/* A verdict that cannot be written leaves nothing behind. */
static void
test_record_all_or_nothing(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_history_filter all = { 0 };
	struct slg_store *st = open_db(fx);
	struct slg_verdict *v, **list = NULL;
	size_t n = 99;

	v = make_verdict("api", "prod", SHA_C, "main", 1795676500);
	free(v->obj[1].promql);
	v->obj[1].promql = NULL;	/* NOT NULL in the schema */
	assert_int_equal(slg_store_record(st, v, &err), SLG_ESTORE);
	assert_int_equal(v->id, 0);
	assert_contains(err.msg, fx->db);
	assert_int_equal(slg_store_history(st, &all, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	slg_store_list_free(list, n);

	/* and the store is usable afterwards */
	v->obj[1].promql = dup("up");
	record(st, v);
	assert_int_equal(slg_store_history(st, &all, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0]->nobj, 2);
	slg_store_list_free(list, n);
	slg_verdict_free(v);
}

/* The pages' first question: the newest verdict of each service and
 * environment, by service then environment. */
static void
test_latest_per_service(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_verdict *v[4], **list = NULL;
	static const char *const svc[4][2] = { { "web", "staging" },
	    { "api", "staging" }, { "api", "prod" }, { "web", "staging" } };
	size_t n = 0;

	assert_int_equal(slg_store_latest_per_service(st, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	slg_store_list_free(list, n);	/* an empty list may be allocated */
	for (int i = 0; i < 4; i++) {
		v[i] = make_verdict(svc[i][0], svc[i][1], SHA_C, "main",
		    1795676500 + i);
		record(st, v[i]);
	}
	assert_int_equal(slg_store_latest_per_service(st, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0]->service, "api");
	assert_string_equal(list[0]->environment, "prod");
	assert_int_equal(list[0]->id, v[2]->id);
	assert_string_equal(list[1]->environment, "staging");
	assert_int_equal(list[1]->id, v[1]->id);
	assert_string_equal(list[2]->service, "web");
	assert_int_equal(list[2]->id, v[3]->id);
	slg_store_list_free(list, n);
	for (int i = 0; i < 4; i++)
		slg_verdict_free(v[i]);
}

/* ---- history ---- */

struct history_case {
	struct slg_history_filter f;
	size_t n;
	int want[6];		/* indexes into rows, newest first */
};

static const struct {
	const char *service, *environment, *commit, *branch;
} rows[] = {
	{ "api", "staging", SHA_A1, "main" },		/* 0, oldest */
	{ "api", "prod", SHA_A1, "main" },		/* 1 */
	{ "web", "staging", SHA_C, "main" },		/* 2 */
	{ "api", "staging", SHA_B, "feature" },	/* 3 */
	{ "api", "staging", SHA_A2, "main" },		/* 4, newest */
};

static const struct history_case history[] = {
	{ { 0 }, 5, { 4, 3, 2, 1, 0 } },
	{ { .service = "api" }, 4, { 4, 3, 1, 0 } },
	{ { .service = "api", .environment = "staging" }, 3, { 4, 3, 0 } },
	{ { .environment = "staging" }, 4, { 4, 3, 2, 0 } },
	{ { .service = "web", .environment = "prod" }, 0, { 0 } },
	{ { .service = "nope" }, 0, { 0 } },
	/* full and abbreviated commits */
	{ { .commit = SHA_A1 }, 2, { 1, 0 } },
	{ { .commit = "abc123" }, 3, { 4, 1, 0 } },
	{ { .commit = "abc" }, 3, { 4, 1, 0 } },
	{ { .commit = "ab" }, 4, { 4, 3, 1, 0 } },
	{ { .commit = "abd" }, 1, { 3 } },
	{ { .service = "api", .environment = "staging", .commit = "abc" }, 2,
	    { 4, 0 } },
	{ { .commit = "abc124" }, 0, { 0 } },
	/* branch and time */
	{ { .branch = "feature" }, 1, { 3 } },
	{ { .service = "api", .branch = "main" }, 3, { 4, 1, 0 } },
	{ { .since = 1795676003 }, 2, { 4, 3 } },
	/* limit keeps the newest */
	{ { .limit = 1 }, 1, { 4 } },
	{ { .limit = 3 }, 3, { 4, 3, 2 } },
	{ { .service = "api", .limit = 2 }, 2, { 4, 3 } },
	{ { .limit = 100 }, 5, { 4, 3, 2, 1, 0 } },
};

static void
test_history(void **state)
{
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);
	struct slg_verdict *v[NELEM(rows)];

	for (size_t i = 0; i < NELEM(rows); i++) {
		v[i] = make_verdict(rows[i].service, rows[i].environment,
		    rows[i].commit, rows[i].branch, 1795676000 + (int64_t)i);
		record(st, v[i]);
	}
	for (size_t c = 0; c < NELEM(history); c++) {
		const struct history_case *t = &history[c];
		struct slg_err err = { 0, "" };
		struct slg_verdict **list = NULL;
		size_t n = 99;

		if (slg_store_history(st, &t->f, &list, &n, &err) != 0)
			fail_msg("case %zu: %s", c, err.msg);
		if (n != t->n)
			fail_msg("case %zu: %zu verdicts, want %zu", c, n,
			    t->n);
		for (size_t k = 0; k < n; k++) {
			if (list[k]->id != v[t->want[k]]->id)
				fail_msg("case %zu: #%zu is id %lld, want %lld",
				    c, k, (long long)list[k]->id,
				    (long long)v[t->want[k]]->id);
			assert_same_verdict(list[k], v[t->want[k]]);
		}
		slg_store_list_free(list, n);
	}
	for (size_t i = 0; i < NELEM(rows); i++)
		slg_verdict_free(v[i]);
}

/* The default limit is 20. */
static void
test_history_default_limit(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_history_filter all = { 0 };
	struct slg_store *st = open_db(fx);
	struct slg_verdict **list = NULL;
	int64_t last = 0;
	size_t n = 0;

	for (int i = 0; i < 25; i++) {
		struct slg_verdict *v = make_verdict("api", "prod", SHA_C,
		    "main", 1795676000 + i);

		record(st, v);
		last = v->id;
		slg_verdict_free(v);
	}
	assert_int_equal(slg_store_history(st, &all, &list, &n, &err), 0);
	assert_int_equal(n, 20);
	assert_int_equal(list[0]->id, last);
	assert_int_equal(list[19]->id, last - 19);
	slg_store_list_free(list, n);
}

/* ---- baselines ---- */

static void
test_baselines(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	int found = -1;
	double value = 0;

	/* none yet */
	assert_int_equal(slg_store_baseline_get(st, "api", "staging",
	    "latency_p95", &found, &value, &err), 0);
	assert_int_equal(found, 0);
	assert_true(isnan(value));

	/* the newest counts, whatever its set_at */
	assert_int_equal(slg_store_baseline_set(st, "api", "staging",
	    "latency_p95", 0.08, 1795670000, "alice", SHA_A1, &err), 0);
	assert_int_equal(slg_store_baseline_set(st, "api", "staging",
	    "latency_p95", 0.095, 1795660000, "bob", NULL, &err), 0);
	assert_int_equal(slg_store_baseline_get(st, "api", "staging",
	    "latency_p95", &found, &value, &err), 0);
	assert_int_equal(found, 1);
	assert_true(value == 0.095);

	/* each key is its own */
	assert_int_equal(slg_store_baseline_set(st, "api", "prod",
	    "latency_p95", 0.5, 1795670000, NULL, NULL, &err), 0);
	assert_int_equal(slg_store_baseline_get(st, "api", "staging",
	    "latency_p95", &found, &value, &err), 0);
	assert_true(value == 0.095);
	assert_int_equal(slg_store_baseline_get(st, "api", "prod",
	    "latency_p95", &found, &value, &err), 0);
	assert_int_equal(found, 1);
	assert_true(value == 0.5);
	assert_int_equal(slg_store_baseline_get(st, "api", "staging",
	    "availability", &found, &value, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(slg_store_baseline_get(st, "web", "staging",
	    "latency_p95", &found, &value, &err), 0);
	assert_int_equal(found, 0);
}

static void
test_baseline_current_fields(void **state)
{
	struct fixture *fx = *state;
	struct slg_err err = { 0, "" };
	struct slg_store *st = open_db(fx);
	struct slg_stored_baseline b;
	int found = -1;

	assert_int_equal(slg_store_baseline_set(st, "api", "staging", "p95",
	    0.08, 1795670000, "alice", SHA_A1, &err), 0);
	assert_int_equal(slg_store_baseline_current(st, "api", "staging",
	    "p95", &b, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_true(b.id > 0);
	assert_string_equal(b.service, "api");
	assert_string_equal(b.environment, "staging");
	assert_string_equal(b.objective, "p95");
	assert_true(b.value == 0.08);
	assert_int_equal(b.set_at, 1795670000);
	assert_string_equal(b.set_by, "alice");
	assert_string_equal(b.source_commit, SHA_A1);
	assert_int_equal(b.source_verdict, 0);
	slg_stored_baseline_release(&b);
	assert_null(b.service);

	assert_int_equal(slg_store_baseline_current(st, "api", "staging",
	    "p99", &b, &found, &err), 0);
	assert_int_equal(found, 0);
	slg_stored_baseline_release(&b);
}

static void
test_baseline_not_finite(void **state)
{
	static const double bad[] = { NAN, INFINITY, -INFINITY };
	struct fixture *fx = *state;
	struct slg_store *st = open_db(fx);

	for (size_t i = 0; i < NELEM(bad); i++) {
		struct slg_err err = { 0, "" };
		int found = -1;
		double value;

		assert_int_equal(slg_store_baseline_set(st, "api", "staging",
		    "p95", bad[i], 1795670000, NULL, NULL, &err), SLG_EINPUT);
		assert_contains(err.msg, "finite");
		assert_int_equal(slg_store_baseline_get(st, "api", "staging",
		    "p95", &found, &value, &err), 0);
		assert_int_equal(found, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_schema, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_url, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_missing_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_get, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_minimal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_get_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_record_all_or_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_per_service, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_default_limit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_baselines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_baseline_current_fields,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_not_finite, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
