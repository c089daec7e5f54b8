/* store: verdicts and baselines in SQLite. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"

/* Made from schema/ at build time (scripts/embed-schema.sh). */
extern const char *const slg_schema_migrations[];
extern const size_t slg_schema_count;

#define BUSY_TIMEOUT_MS 15000

struct slg_store {
	sqlite3 *db;
	char *path;
};

static int
db_fail(struct slg_store *st, struct slg_err *err, const char *what)
{
	return slg_err_set(err, SLG_ESTORE, "database '%s': %s: %s", st->path,
	    what, sqlite3_errmsg(st->db));
}

static int
exec(struct slg_store *st, const char *sql, const char *what,
    struct slg_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		slg_err_set(err, SLG_ESTORE, "database '%s': %s: %s", st->path,
		    what, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return SLG_ESTORE;
	}
	return 0;
}

static int
user_version(struct slg_store *st, int *v, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, err, "cannot read the schema version");
	rc = sqlite3_step(s);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 :
	    db_fail(st, err, "cannot read the schema version");
}

static int
migrate(struct slg_store *st, struct slg_err *err)
{
	char sql[64];
	int v;

	/* IMMEDIATE: two jobs opening a new file must not both migrate it */
	if (exec(st, "BEGIN IMMEDIATE", "cannot start the migration", err) != 0)
		return SLG_ESTORE;
	if (user_version(st, &v, err) != 0)
		goto fail;
	if (v > (int)slg_schema_count) {
		slg_err_set(err, SLG_ESTORE, "database '%s' has schema version "
		    "%d, newer than this slogate knows (%zu): use a newer "
		    "slogate", st->path, v, slg_schema_count);
		goto fail;
	}
	for (size_t i = (size_t)v; i < slg_schema_count; i++) {
		if (exec(st, slg_schema_migrations[i], "migration failed",
		    err) != 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", i + 1);
		if (exec(st, sql, "cannot record the schema version", err) != 0)
			goto fail;
	}
	return exec(st, "COMMIT", "cannot commit the migration", err);
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return SLG_ESTORE;
}

int
slg_store_open(const char *path, struct slg_store **out, struct slg_err *err)
{
	struct slg_store *st;
	int rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = slg_err_set(err, SLG_ESTORE, "cannot open database '%s': %s",
		    path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/* WAL lets parallel CI jobs write one file; FULL: a recorded verdict
	 * survives a power cut */
	if ((rc = exec(st, "PRAGMA journal_mode = WAL", "cannot use WAL",
	    err)) != 0 ||
	    (rc = exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
	    "cannot set up the connection", err)) != 0 ||
	    (rc = migrate(st, err)) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	slg_store_close(st);
	return rc;
}

void
slg_store_close(struct slg_store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
slg_store_schema_latest(void)
{
	return (int)slg_schema_count;
}

int
slg_store_schema_version(struct slg_store *st)
{
	int v = -1;

	user_version(st, &v, NULL);
	return v;
}

/* ---- binding helpers: NULL text and NaN become SQL NULL ---- */

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

static void
bind_time(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

static const char INSERT_VERDICT[] =
    "INSERT INTO verdicts (service, environment, commit_sha, commit_time, "
    "commit_author, commit_subject, branch, build_time, evaluated_at, "
    "window_start, window_end, step, pipeline_id, pipeline_url, job_url, "
    "ref_name, policy_path, policy_digest, prometheus_url, slogate_version, "
    "verdict, reason, guard_promql, guard_value, guard_min, score, "
    "score_max, score_pass, score_warn) VALUES "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char INSERT_OBJECTIVE[] =
    "INSERT INTO objective_results (verdict_id, position, name, promql, "
    "sustained, judged, unit, pass_criteria, warn_criteria, status, value, "
    "value_at, baseline, baseline_source, points, points_failed, "
    "points_warn, points_missing, detail, baseline_commits, "
    "baseline_detail, weight, key) VALUES "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int
insert_verdict(struct slg_store *st, const struct slg_verdict *v,
    int64_t *id, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	int i = 1, rc = 0;

	if (sqlite3_prepare_v2(st->db, INSERT_VERDICT, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot record the verdict");
	bind_text(s, i++, v->service);
	bind_text(s, i++, v->environment);
	bind_text(s, i++, v->commit);
	bind_time(s, i++, v->commit_time);
	bind_text(s, i++, v->commit_author);
	bind_text(s, i++, v->commit_subject);
	bind_text(s, i++, v->branch);
	sqlite3_bind_int64(s, i++, v->build_time);
	sqlite3_bind_int64(s, i++, v->evaluated_at);
	sqlite3_bind_int64(s, i++, v->window_start);
	sqlite3_bind_int64(s, i++, v->window_end);
	sqlite3_bind_int64(s, i++, v->step);
	bind_text(s, i++, v->pipeline_id);
	bind_text(s, i++, v->pipeline_url);
	bind_text(s, i++, v->job_url);
	bind_text(s, i++, v->ref_name);
	bind_text(s, i++, v->policy_path);
	bind_text(s, i++, v->policy_digest);
	bind_text(s, i++, v->prometheus_url);
	bind_text(s, i++, v->version);
	bind_text(s, i++, slg_verdict_str(v->verdict));
	bind_text(s, i++, v->reason);
	bind_text(s, i++, v->has_guard ? v->guard_promql : NULL);
	bind_real(s, i++, v->has_guard ? v->guard_value : NAN);
	bind_real(s, i++, v->has_guard ? v->guard_min : NAN);
	bind_real(s, i++, v->has_score ? v->score : NAN);
	bind_real(s, i++, v->has_score ? v->score_max : NAN);
	bind_real(s, i++, v->has_score ? v->score_pass : NAN);
	bind_real(s, i++, v->has_score ? v->score_warn : NAN);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot record the verdict");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return rc;
}

static int
insert_objectives(struct slg_store *st, const struct slg_verdict *v,
    int64_t id, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, INSERT_OBJECTIVE, -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, err, "cannot record an objective");
	for (size_t k = 0; k < v->nobj && rc == 0; k++) {
		const struct slg_objective_result *o = &v->obj[k];
		int i = 1;

		sqlite3_reset(s);
		sqlite3_bind_int64(s, i++, id);
		sqlite3_bind_int64(s, i++, (int64_t)k);
		bind_text(s, i++, o->name);
		bind_text(s, i++, o->promql);
		sqlite3_bind_int(s, i++, o->sustained);
		sqlite3_bind_int(s, i++, o->judged);
		sqlite3_bind_int(s, i++, (int)o->unit);
		bind_text(s, i++, o->pass_text);
		bind_text(s, i++, o->warn_text);
		bind_text(s, i++, slg_status_str(o->status));
		bind_real(s, i++, o->value);
		bind_real(s, i++, o->value_at != 0 ? o->value_at : NAN);
		bind_real(s, i++, o->has_baseline ? o->baseline : NAN);
		bind_text(s, i++, o->has_baseline ? o->baseline_source : NULL);
		sqlite3_bind_int64(s, i++, (int64_t)o->points);
		sqlite3_bind_int64(s, i++, (int64_t)o->points_failed);
		sqlite3_bind_int64(s, i++, (int64_t)o->points_warn);
		sqlite3_bind_int64(s, i++, (int64_t)o->points_missing);
		bind_text(s, i++, o->detail ? o->detail : "");
		bind_text(s, i++, o->has_baseline ? o->baseline_commits : NULL);
		bind_text(s, i++, o->baseline_detail);
		sqlite3_bind_double(s, i++, o->weight > 0 ? o->weight : 1);
		sqlite3_bind_int(s, i++, o->key);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = db_fail(st, err, "cannot record an objective");
	}
	sqlite3_finalize(s);
	return rc;
}

int
slg_store_record(struct slg_store *st, struct slg_verdict *v,
    struct slg_err *err)
{
	int64_t id = 0;

	if (exec(st, "BEGIN IMMEDIATE", "cannot start recording", err) != 0)
		return SLG_ESTORE;
	if (insert_verdict(st, v, &id, err) != 0 ||
	    insert_objectives(st, v, id, err) != 0 ||
	    exec(st, "COMMIT", "cannot commit the verdict", err) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return SLG_ESTORE;
	}
	v->id = id;
	return 0;
}

int
slg_store_baseline_set(struct slg_store *st, const char *service,
    const char *environment, const char *objective, double value,
    int64_t set_at, const char *set_by, const char *source_commit,
    struct slg_err *err)
{
	static const char sql[] = "INSERT INTO baselines (service, environment, "
	    "objective, value, set_at, set_by, source_commit) VALUES "
	    "(?,?,?,?,?,?,?)";
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (!isfinite(value))
		return slg_err_set(err, SLG_EINPUT, "a baseline must be a "
		    "finite number");
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot store the baseline");
	bind_text(s, 1, service);
	bind_text(s, 2, environment);
	bind_text(s, 3, objective);
	sqlite3_bind_double(s, 4, value);
	sqlite3_bind_int64(s, 5, set_at);
	bind_text(s, 6, set_by);
	bind_text(s, 7, source_commit);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot store the baseline");
	sqlite3_finalize(s);
	return rc;
}

int
slg_store_baseline_get(struct slg_store *st, const char *service,
    const char *environment, const char *objective, int *found,
    double *value, struct slg_err *err)
{
	static const char sql[] = "SELECT value FROM baselines WHERE service = ? "
	    "AND environment = ? AND objective = ? ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	*found = 0;
	*value = NAN;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the baseline");
	bind_text(s, 1, service);
	bind_text(s, 2, environment);
	bind_text(s, 3, objective);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*found = 1;
		*value = sqlite3_column_double(s, 0);
	} else if (r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read the baseline");
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- reading verdicts back ---- */

static char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

static double
col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, i);
}

#define VERDICT_COLUMNS "id, service, environment, commit_sha, commit_time, " \
    "commit_author, commit_subject, branch, build_time, evaluated_at, " \
    "window_start, window_end, step, pipeline_id, pipeline_url, job_url, " \
    "ref_name, policy_path, policy_digest, prometheus_url, slogate_version, " \
    "verdict, reason, guard_promql, guard_value, guard_min, score, " \
    "score_max, score_pass, score_warn, (SELECT count(*) FROM invalidations " \
    "i WHERE i.verdict_id = verdicts.id)"

static struct slg_verdict *
row_verdict(sqlite3_stmt *s)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	int i = 0;

	if (v == NULL)
		return NULL;
	v->id = sqlite3_column_int64(s, i++);
	v->service = col_text(s, i++);
	v->environment = col_text(s, i++);
	v->commit = col_text(s, i++);
	v->commit_time = sqlite3_column_int64(s, i++);
	v->commit_author = col_text(s, i++);
	v->commit_subject = col_text(s, i++);
	v->branch = col_text(s, i++);
	v->build_time = sqlite3_column_int64(s, i++);
	v->evaluated_at = sqlite3_column_int64(s, i++);
	v->window_start = sqlite3_column_int64(s, i++);
	v->window_end = sqlite3_column_int64(s, i++);
	v->step = sqlite3_column_int64(s, i++);
	v->pipeline_id = col_text(s, i++);
	v->pipeline_url = col_text(s, i++);
	v->job_url = col_text(s, i++);
	v->ref_name = col_text(s, i++);
	v->policy_path = col_text(s, i++);
	v->policy_digest = col_text(s, i++);
	v->prometheus_url = col_text(s, i++);
	v->version = col_text(s, i++);
	v->verdict = slg_verdict_parse((const char *)sqlite3_column_text(s, i++));
	v->reason = col_text(s, i++);
	v->guard_promql = col_text(s, i++);
	v->has_guard = v->guard_promql != NULL;
	v->guard_value = col_real(s, i++);
	v->guard_min = col_real(s, i++);
	v->has_score = sqlite3_column_type(s, i) != SQLITE_NULL;
	v->score = col_real(s, i++);
	v->score_max = col_real(s, i++);
	v->score_pass = col_real(s, i++);
	v->score_warn = col_real(s, i++);
	v->invalidated = sqlite3_column_int(s, i++) > 0;
	return v;
}

static int
load_objectives(struct slg_store *st, struct slg_verdict *v,
    struct slg_err *err)
{
	static const char count_sql[] = "SELECT count(*) FROM objective_results "
	    "WHERE verdict_id = ?";
	static const char sql[] = "SELECT name, promql, sustained, judged, unit, "
	    "pass_criteria, warn_criteria, status, value, value_at, baseline, "
	    "baseline_source, points, points_failed, points_warn, "
	    "points_missing, detail, baseline_commits, baseline_detail, weight, "
	    "key FROM objective_results WHERE verdict_id = ? ORDER BY position";
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, count_sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read objectives");
	sqlite3_bind_int64(s, 1, v->id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (n == 0)
		return 0;
	if ((v->obj = calloc(n, sizeof(*v->obj))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read objectives");
	sqlite3_bind_int64(s, 1, v->id);
	while (v->nobj < n && sqlite3_step(s) == SQLITE_ROW) {
		struct slg_objective_result *o = &v->obj[v->nobj++];
		int i = 0;
		int st_;

		o->name = col_text(s, i++);
		o->promql = col_text(s, i++);
		o->sustained = sqlite3_column_int(s, i++);
		o->judged = sqlite3_column_int(s, i++);
		o->unit = (enum slg_unit)sqlite3_column_int(s, i++);
		o->pass_text = col_text(s, i++);
		o->warn_text = col_text(s, i++);
		st_ = slg_status_parse((const char *)sqlite3_column_text(s, i++));
		o->status = st_ < 0 ? SLG_ST_ERROR : (enum slg_status)st_;
		o->value = col_real(s, i++);
		o->value_at = sqlite3_column_double(s, i++);
		o->baseline = col_real(s, i++);
		o->has_baseline = !isnan(o->baseline);
		o->baseline_source = col_text(s, i++);
		o->points = (size_t)sqlite3_column_int64(s, i++);
		o->points_failed = (size_t)sqlite3_column_int64(s, i++);
		o->points_warn = (size_t)sqlite3_column_int64(s, i++);
		o->points_missing = (size_t)sqlite3_column_int64(s, i++);
		o->detail = col_text(s, i++);
		o->baseline_commits = col_text(s, i++);
		o->baseline_detail = col_text(s, i++);
		o->weight = sqlite3_column_double(s, i++);
		o->key = sqlite3_column_int(s, i++);
	}
	sqlite3_finalize(s);
	return rc;
}

void
slg_store_list_free(struct slg_verdict **list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		slg_verdict_free(list[i]);
	free(list);
}

int
slg_store_history(struct slg_store *st, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	struct slg_verdict **list = NULL;
	struct slg_buf sql = SLG_BUF_INIT, like = SLG_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int limit = f->limit > 0 ? f->limit : 20, i = 1, rc = 0, r;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	slg_buf_puts(&sql, "SELECT " VERDICT_COLUMNS " FROM verdicts WHERE 1");
	if (f->service)
		slg_buf_puts(&sql, " AND service = ?");
	if (f->environment)
		slg_buf_puts(&sql, " AND environment = ?");
	if (f->commit) {
		/* a range on the prefix keeps the commit index usable */
		slg_buf_puts(&sql, " AND commit_sha >= ? AND commit_sha < ?");
	}
	slg_buf_puts(&sql, " ORDER BY id DESC LIMIT ?");
	if ((list = calloc((size_t)limit, sizeof(*list))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot read the history");
		goto out;
	}
	if (f->service)
		bind_text(s, i++, f->service);
	if (f->environment)
		bind_text(s, i++, f->environment);
	if (f->commit) {
		bind_text(s, i++, f->commit);
		slg_buf_puts(&like, f->commit);
		slg_buf_puts(&like, "\x7f");
		bind_text(s, i++, like.data);
	}
	sqlite3_bind_int(s, i++, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((list[cnt] = row_verdict(s)) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		cnt++;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read the history");
		goto out;
	}
	for (size_t k = 0; k < cnt; k++) {
		if ((rc = load_objectives(st, list[k], err)) != 0)
			goto out;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	sqlite3_finalize(s);
	slg_store_list_free(list, cnt);
	slg_buf_release(&sql);
	slg_buf_release(&like);
	return rc;
}

int
slg_store_get(struct slg_store *st, int64_t id, struct slg_verdict **out,
    struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	struct slg_verdict *v = NULL;
	int rc = 0, r;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT " VERDICT_COLUMNS " FROM verdicts "
	    "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the verdict");
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = row_verdict(s)) == NULL)
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	} else if (r == SQLITE_DONE) {
		rc = slg_err_set(err, SLG_ENOTFOUND, "no verdict with id %lld",
		    (long long)id);
	} else {
		rc = db_fail(st, err, "cannot read the verdict");
	}
	sqlite3_finalize(s);
	if (rc == 0 && (rc = load_objectives(st, v, err)) == 0) {
		*out = v;
		v = NULL;
	}
	slg_verdict_free(v);
	return rc;
}
