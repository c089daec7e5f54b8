/* sqlite: the store's SQLite backend: every SQL statement for a SQLite
 * file, and the migrations of schema/sqlite/. Only store.c calls it. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/digest.h"
#include "store/backend.h"
#include "store/rows.h"
#include "store/store.h"
#include "store/trail.h"

/* Made from schema/sqlite/ at build time (scripts/embed-schema.sh). */
extern const char *const slg_schema_migrations[];
extern const size_t slg_schema_count;

#define BUSY_TIMEOUT_MS 15000
#define WAL_RETRY_MS 10

/* Statements run once per verdict read back, prepared once per handle. */
enum { Q_OBJECTIVES, Q_APPROVALS, Q_INVALIDATION, NCACHED };

struct sq_store {
	struct slg_store base;	/* first: the interface's handle */
	sqlite3 *db;
	char *path;
	int found_version;	/* the schema's version when opened */
	sqlite3_stmt *cache[NCACHED];
};

static int
db_fail(struct sq_store *st, struct slg_err *err, const char *what)
{
	return slg_err_set(err, SLG_ESTORE, "database '%s': %s: %s", st->path,
	    what, sqlite3_errmsg(st->db));
}

static int
exec(struct sq_store *st, const char *sql, const char *what,
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
user_version(struct sq_store *st, int *v, struct slg_err *err)
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
migrate(struct sq_store *st, struct slg_err *err)
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

/* Puts the database in WAL mode; a no-op when it is. Switching a new file
 * writes its header, and SQLite answers SQLITE_BUSY at once, without the
 * busy handler, when another connection holds the write lock meanwhile:
 * as when parallel jobs open a new database together and one of them
 * makes it. So the switch waits here, as long as the busy timeout. */
static int
use_wal(struct sq_store *st, struct slg_err *err)
{
	int rc, waited = 0;

	while ((rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL,
	    NULL, NULL)) != SQLITE_OK) {
		if ((rc & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS)
			return db_fail(st, err, "cannot use WAL");
		sqlite3_sleep(WAL_RETRY_MS);
		waited += WAL_RETRY_MS;
	}
	return 0;
}


static void
sq_close(struct slg_store *base)
{
	struct sq_store *st = (struct sq_store *)base;

	if (st == NULL)
		return;
	for (int i = 0; i < NCACHED; i++)
		sqlite3_finalize(st->cache[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
slg_sqlite_schema_latest(void)
{
	return (int)slg_schema_count;
}

static const char *
sq_label(struct slg_store *base)
{
	return ((struct sq_store *)base)->path;
}

static int
sq_schema_found(struct slg_store *base)
{
	struct sq_store *st = (struct sq_store *)base;

	return st->found_version;
}

static int
sq_schema_version(struct slg_store *base)
{
	struct sq_store *st = (struct sq_store *)base;
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

/* ---- reading a row through store/rows.c ---- */

static int
sr_null(const struct slg_row *r, int c)
{
	return sqlite3_column_type((sqlite3_stmt *)r->res, c) == SQLITE_NULL;
}

static int64_t
sr_i64(const struct slg_row *r, int c)
{
	return sqlite3_column_int64((sqlite3_stmt *)r->res, c);
}

static double
sr_real(const struct slg_row *r, int c)
{
	return sqlite3_column_double((sqlite3_stmt *)r->res, c);
}

static const char *
sr_text(const struct slg_row *r, int c)
{
	return (const char *)sqlite3_column_text((sqlite3_stmt *)r->res, c);
}

/* The current row of statement s. */
#define SQ_ROW(s) ((struct slg_row){ (s), 0, sr_null, sr_i64, sr_real, \
    sr_text })

/* Verdicts and watches share one sequence of ids, so a watched
 * evaluation's verdict keeps the id it was given when it started. */
#define NEXT_ID "(SELECT max(coalesce((SELECT max(id) FROM verdicts), 0), " \
    "coalesce((SELECT max(id) FROM watches), 0)) + 1)"

static const char INSERT_VERDICT[] =
    "INSERT INTO verdicts (id, watch_id, service, environment, commit_sha, "
    "commit_time, "
    "commit_author, commit_subject, branch, build_time, evaluated_at, "
    "window_start, window_end, step, pipeline_id, pipeline_url, job_url, "
    "ref_name, policy_path, policy_digest, prometheus_url, slogate_version, "
    "verdict, reason, guard_promql, guard_value, guard_min, score, "
    "score_max, score_pass, score_warn, trial) VALUES (coalesce(?1, " NEXT_ID
    "), ?1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char INSERT_OBJECTIVE[] =
    "INSERT INTO objective_results (verdict_id, position, name, promql, "
    "sustained, judged, unit, pass_criteria, warn_criteria, status, value, "
    "value_at, baseline, baseline_source, points, points_failed, "
    "points_warn, points_missing, detail, baseline_commits, "
    "baseline_detail, weight, key) VALUES "
    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int
insert_verdict(struct sq_store *st, const struct slg_verdict *v,
    int64_t *id, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	int i = 1, rc = 0;

	if (sqlite3_prepare_v2(st->db, INSERT_VERDICT, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot record the verdict");
	bind_time(s, i++, v->watch_id);
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
	sqlite3_bind_int(s, i++, v->trial != 0);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot record the verdict");
	else
		*id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return rc;
}

static int
insert_objectives(struct sq_store *st, const struct slg_verdict *v,
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

static int audit_verdict(struct sq_store *st, const struct slg_verdict *v,
    struct slg_err *err);
static int audit_append(struct sq_store *st, struct slg_audit_entry *e,
    struct slg_err *err);

static int
sq_record_batch(struct slg_store *base, struct slg_verdict **v, size_t n,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	int64_t id = 0;

	if (exec(st, "BEGIN IMMEDIATE", "cannot start recording", err) != 0)
		return SLG_ESTORE;
	for (size_t i = 0; i < n; i++) {
		if (insert_verdict(st, v[i], &id, err) != 0 ||
		    insert_objectives(st, v[i], id, err) != 0)
			goto fail;
		v[i]->id = id;
		if (audit_verdict(st, v[i], err) != 0)
			goto fail;
	}
	if (exec(st, "COMMIT", "cannot commit the verdict", err) == 0)
		return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		v[i]->id = 0;
	return SLG_ESTORE;
}


static int
sq_baseline_add(struct slg_store *base,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "INSERT INTO baselines (service, environment, "
	    "objective, value, set_at, set_by, source_commit, source_verdict, "
	    "note) VALUES (?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *s = NULL;
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		if (!isfinite(rows[k].value))
			return slg_err_set(err, SLG_EINPUT, "baseline of '%s' "
			    "must be a finite number", rows[k].objective);
	}
	if (exec(st, "BEGIN IMMEDIATE", "cannot store baselines", err) != 0)
		return SLG_ESTORE;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot store the baseline");
		goto out;
	}
	for (size_t k = 0; k < n && rc == 0; k++) {
		const struct slg_stored_baseline *b = &rows[k];

		sqlite3_reset(s);
		bind_text(s, 1, b->service);
		bind_text(s, 2, b->environment);
		bind_text(s, 3, b->objective);
		sqlite3_bind_double(s, 4, b->value);
		sqlite3_bind_int64(s, 5, b->set_at);
		bind_text(s, 6, b->set_by);
		bind_text(s, 7, b->source_commit);
		bind_time(s, 8, b->source_verdict);
		bind_text(s, 9, b->note);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = db_fail(st, err, "cannot store the baseline");
		} else {
			struct slg_audit_entry e;
			char what[256];

			slg_trail_of_baseline(&e, b, sqlite3_last_insert_rowid(st->db),
			    what, sizeof(what));
			rc = audit_append(st, &e, err);
		}
	}
out:
	sqlite3_finalize(s);
	if (rc == 0)
		return exec(st, "COMMIT", "cannot commit baselines", err);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}


static int
sq_baseline_current(struct slg_store *base, const char *service,
    const char *environment, const char *objective,
    struct slg_stored_baseline *out, int *found, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "SELECT " SLG_BASELINE_COLUMNS " FROM baselines "
	    "WHERE service = ? AND environment = ? AND objective = ? "
	    "ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the baseline");
	bind_text(s, 1, service);
	bind_text(s, 2, environment);
	bind_text(s, 3, objective);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		slg_row_baseline(&SQ_ROW(s), out);
		*found = 1;
	} else if (r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read the baseline");
	}
	sqlite3_finalize(s);
	return rc;
}


static int
sq_baseline_list(struct slg_store *base, const char *service,
    const char *environment, int history, struct slg_stored_baseline **out,
    size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;

	/* current: the newest row of each objective */
	static const char current[] = "SELECT " SLG_BASELINE_COLUMNS " FROM baselines "
	    "b WHERE (?1 IS NULL OR service = ?1) AND (?2 IS NULL OR "
	    "environment = ?2) AND id = (SELECT max(id) FROM baselines c WHERE "
	    "c.service = b.service AND c.environment = b.environment AND "
	    "c.objective = b.objective) ORDER BY service, environment, objective";
	static const char all[] = "SELECT " SLG_BASELINE_COLUMNS " FROM baselines "
	    "WHERE (?1 IS NULL OR service = ?1) AND (?2 IS NULL OR "
	    "environment = ?2) ORDER BY id DESC";
	struct slg_stored_baseline *list = NULL, *p;
	sqlite3_stmt *s = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, history ? all : current, -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, err, "cannot read baselines");
	bind_text(s, 1, service);
	bind_text(s, 2, environment);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(list, cap * sizeof(*list))) == NULL) {
				rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
				goto out;
			}
			list = p;
		}
		slg_row_baseline(&SQ_ROW(s), &list[cnt++]);
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read baselines");
		goto out;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	for (size_t i = 0; list != NULL && i < cnt; i++)
		slg_stored_baseline_release(&list[i]);
	free(list);
	sqlite3_finalize(s);
	return rc;
}

/* Verdicts usable as a baseline: passing the filter, never invalidated,
 * never overridden by an approval. */
/* A baseline is made only of values the gate accepted: the verdict and
 * the objective itself passed (or warned, with pass_or_warn), so neither
 * an outscored failure nor an informational value becomes one. */
#define USABLE_VERDICT \
    "v.verdict IN ('pass', ?4) AND o.status IN ('pass', ?4) AND " \
    "o.value IS NOT NULL AND v.trial = 0 " \
    "AND NOT EXISTS (SELECT 1 FROM invalidations i WHERE i.verdict_id = v.id) " \
    "AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.verdict_id = v.id)"

static int
sq_past_values(struct slg_store *base, const char *service,
    const char *environment, const char *objective, enum slg_bfilter filter,
    const char *const *commits, size_t ncommits, int limit,
    struct slg_past_value **out, size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char previous[] = "SELECT v.id, v.commit_sha, o.value FROM "
	    "verdicts v JOIN objective_results o ON o.verdict_id = v.id WHERE "
	    "v.service = ?1 AND v.environment = ?2 AND o.name = ?3 AND "
	    USABLE_VERDICT " ORDER BY v.id DESC LIMIT ?5";
	static const char of_commit[] = "SELECT v.id, v.commit_sha, o.value FROM "
	    "verdicts v JOIN objective_results o ON o.verdict_id = v.id WHERE "
	    "v.service = ?1 AND v.environment = ?2 AND o.name = ?3 AND "
	    USABLE_VERDICT " AND v.commit_sha = ?5 ORDER BY v.id DESC LIMIT 1";
	struct slg_past_value *vals = NULL;
	sqlite3_stmt *s = NULL;
	size_t cnt = 0, rounds = commits ? ncommits : 1;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (limit < 1)
		return 0;
	if ((vals = calloc((size_t)limit, sizeof(*vals))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, commits ? of_commit : previous, -1, &s,
	    NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot read past verdicts");
		goto out;
	}
	for (size_t k = 0; k < rounds && cnt < (size_t)limit; k++) {
		sqlite3_reset(s);
		bind_text(s, 1, service);
		bind_text(s, 2, environment);
		bind_text(s, 3, objective);
		/* 'pass' twice when warn is not wanted */
		bind_text(s, 4, filter == SLG_BFILTER_PASS_OR_WARN ? "warn" :
		    "pass");
		if (commits)
			bind_text(s, 5, commits[k]);
		else
			sqlite3_bind_int(s, 5, limit);
		while ((r = sqlite3_step(s)) == SQLITE_ROW && cnt < (size_t)limit) {
			vals[cnt].verdict_id = sqlite3_column_int64(s, 0);
			snprintf(vals[cnt].commit, sizeof(vals[cnt].commit), "%s",
			    (const char *)sqlite3_column_text(s, 1));
			vals[cnt].value = sqlite3_column_double(s, 2);
			cnt++;
		}
		if (r != SQLITE_DONE && r != SQLITE_ROW) {
			rc = db_fail(st, err, "cannot read past verdicts");
			goto out;
		}
	}
	*out = vals;
	*n = cnt;
	vals = NULL;
out:
	free(vals);
	sqlite3_finalize(s);
	return rc;
}

static int
verdict_exists(struct sq_store *st, int64_t id, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM verdicts WHERE id = ?", -1,
	    &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read verdicts");
	sqlite3_bind_int64(s, 1, id);
	r = sqlite3_step(s);
	sqlite3_finalize(s);
	if (r == SQLITE_ROW)
		return 0;
	if (r == SQLITE_DONE)
		return slg_err_set(err, SLG_ENOTFOUND, "no verdict with id %lld",
		    (long long)id);
	return db_fail(st, err, "cannot read verdicts");
}

static int
sq_approval_add(struct slg_store *base, struct slg_approval *a,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "INSERT INTO approvals (verdict_id, commit_sha, "
	    "service, environment, approved_by, reason, created_at, expires_at, "
	    "named_by) VALUES (?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (exec(st, "BEGIN IMMEDIATE", "cannot record the approval", err) != 0)
		return SLG_ESTORE;
	if ((rc = verdict_exists(st, a->verdict_id, err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot record the approval");
		goto out;
	}
	sqlite3_bind_int64(s, 1, a->verdict_id);
	bind_text(s, 2, a->commit);
	bind_text(s, 3, a->service);
	bind_text(s, 4, a->environment);
	bind_text(s, 5, a->by);
	bind_text(s, 6, a->reason);
	sqlite3_bind_int64(s, 7, a->created_at);
	bind_time(s, 8, a->expires_at);
	bind_text(s, 9, a->named_by);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot record the approval");
	else
		a->id = sqlite3_last_insert_rowid(st->db);
	if (rc == 0) {
		struct slg_audit_entry e;
		char what[128];

		slg_trail_of_approval(&e, a, what, sizeof(what));
		rc = audit_append(st, &e, err);
	}
out:
	sqlite3_finalize(s);
	if (rc == 0)
		return exec(st, "COMMIT", "cannot commit the approval", err);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	a->id = 0;
	return rc;
}

static int
sq_approval_get(struct slg_store *base, int64_t id,
    struct slg_approval *out, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db, "SELECT " SLG_APPROVAL_COLUMNS " FROM "
	    "approvals WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the approval");
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		slg_row_approval(&SQ_ROW(s), out);
	else if (r == SQLITE_DONE)
		rc = slg_err_set(err, SLG_ENOTFOUND, "no approval with id %lld",
		    (long long)id);
	else
		rc = db_fail(st, err, "cannot read the approval");
	sqlite3_finalize(s);
	return rc;
}

static int
sq_approval_revoke(struct slg_store *base, int64_t id, const char *by,
    const char *named_by, const char *reason, int64_t at, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "UPDATE approvals SET revoked_at = ?, "
	    "revoked_by = ?, revoke_reason = ?, revoked_named_by = ? WHERE id = ? "
	    "AND revoked_at IS NULL";
	struct slg_approval a;
	sqlite3_stmt *s = NULL;
	int rc;

	if (exec(st, "BEGIN IMMEDIATE", "cannot revoke", err) != 0)
		return SLG_ESTORE;
	if ((rc = sq_approval_get(&st->base, id, &a, err)) != 0)
		goto out;
	if (a.revoked_at != 0) {
		rc = slg_err_set(err, SLG_ECONFLICT, "approval %lld was revoked "
		    "already", (long long)id);
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot revoke the approval");
		goto out;
	}
	sqlite3_bind_int64(s, 1, at);
	bind_text(s, 2, by);
	bind_text(s, 3, reason);
	bind_text(s, 4, named_by);
	sqlite3_bind_int64(s, 5, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot revoke the approval");
	} else {
		struct slg_audit_entry e;
		char what[128];

		slg_trail_of_revocation(&e, &a, by, reason, at, what,
		    sizeof(what));
		rc = audit_append(st, &e, err);
	}
out:
	sqlite3_finalize(s);
	slg_approval_release(&a);
	if (rc == 0)
		return exec(st, "COMMIT", "cannot commit the revocation", err);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int sq_get(struct slg_store *base, int64_t id,
    struct slg_verdict **out, struct slg_err *err);

static int
sq_invalidate(struct slg_store *base, int64_t verdict_id, const char *by,
    const char *reason, int64_t at, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "INSERT INTO invalidations (verdict_id, "
	    "invalidated_by, reason, created_at) SELECT ?1, ?2, ?3, ?4 WHERE NOT "
	    "EXISTS (SELECT 1 FROM invalidations WHERE verdict_id = ?1)";
	sqlite3_stmt *s = NULL;
	struct slg_verdict *v = NULL;
	int rc;

	if (exec(st, "BEGIN IMMEDIATE", "cannot invalidate", err) != 0)
		return SLG_ESTORE;
	if ((rc = sq_get(&st->base, verdict_id, &v, err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot invalidate the verdict");
		goto out;
	}
	sqlite3_bind_int64(s, 1, verdict_id);
	bind_text(s, 2, by);
	bind_text(s, 3, reason);
	sqlite3_bind_int64(s, 4, at);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot invalidate the verdict");
	else if (sqlite3_changes(st->db) == 0)
		rc = slg_err_set(err, SLG_ECONFLICT, "verdict %lld is invalidated "
		    "already", (long long)verdict_id);
	else {
		struct slg_audit_entry e;
		char what[128];

		slg_trail_of_invalidation(&e, v, sqlite3_last_insert_rowid(st->db),
		    by, reason, at, what, sizeof(what));
		rc = audit_append(st, &e, err);
	}
out:
	sqlite3_finalize(s);
	slg_verdict_free(v);
	if (rc == 0)
		return exec(st, "COMMIT", "cannot commit the invalidation", err);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int
sq_resolve_commit(struct slg_store *base, const char *prefix,
    char out[65], struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "SELECT DISTINCT commit_sha FROM verdicts "
	    "WHERE commit_sha >= ?1 AND commit_sha < ?1 || char(127) LIMIT 2";
	sqlite3_stmt *s = NULL;
	int rc = 0, found = 0, r;

	out[0] = '\0';
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot look up the commit");
	bind_text(s, 1, prefix);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (found++ == 0)
			snprintf(out, 65, "%s", sqlite3_column_text(s, 0));
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot look up the commit");
	else if (found == 0)
		rc = slg_err_set(err, SLG_ENOTFOUND, "no verdict recorded for "
		    "commit '%s'", prefix);
	else if (found > 1)
		rc = slg_err_set(err, SLG_EAMBIGUOUS, "commit '%s' is ambiguous: "
		    "give more of it", prefix);
	sqlite3_finalize(s);
	if (rc != 0)
		out[0] = '\0';
	return rc;
}

/* ---- reading verdicts back ---- */

/* A cached statement, reset and ready to bind; NULL after db_fail. The
 * caller resets it when done, so no read snapshot stays open. */
static sqlite3_stmt *
cached(struct sq_store *st, int which, const char *sql, struct slg_err *err)
{
	if (st->cache[which] == NULL && sqlite3_prepare_v3(st->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st->cache[which], NULL) != SQLITE_OK) {
		db_fail(st, err, "cannot read verdicts");
		return NULL;
	}
	sqlite3_reset(st->cache[which]);
	sqlite3_clear_bindings(st->cache[which]);
	return st->cache[which];
}

static int
load_objectives(struct sq_store *st, struct slg_verdict *v,
    struct slg_err *err)
{
	static const char sql[] = "SELECT " SLG_OBJECTIVE_COLUMNS " FROM "
	    "objective_results WHERE verdict_id = ? ORDER BY position";
	sqlite3_stmt *s = cached(st, Q_OBJECTIVES, sql, err);
	int rc = 0, r;

	if (s == NULL)
		return SLG_ESTORE;
	sqlite3_bind_int64(s, 1, v->id);
	while (rc == 0 && (r = sqlite3_step(s)) == SQLITE_ROW)
		rc = slg_row_objective(&SQ_ROW(s), v, err);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot read objectives");
	sqlite3_reset(s);
	return rc;
}

/* Approvals of the verdict and its invalidation, if any. */
static int
load_audit(struct sq_store *st, struct slg_verdict *v, struct slg_err *err)
{
	sqlite3_stmt *s = cached(st, Q_APPROVALS, "SELECT " SLG_APPROVAL_COLUMNS
	    " FROM approvals WHERE verdict_id = ? ORDER BY id", err);
	int rc = 0, r;

	if (s == NULL)
		return SLG_ESTORE;
	sqlite3_bind_int64(s, 1, v->id);
	while (rc == 0 && (r = sqlite3_step(s)) == SQLITE_ROW)
		rc = slg_row_add_approval(&SQ_ROW(s), v, err);
	sqlite3_reset(s);
	if (rc != 0)
		return rc;
	if (r != SQLITE_DONE)
		return db_fail(st, err, "cannot read approvals");
	if (!v->invalidated)
		return 0;
	if ((s = cached(st, Q_INVALIDATION, "SELECT " SLG_INVALIDATION_COLUMNS
	    " FROM invalidations WHERE verdict_id = ?", err)) == NULL)
		return SLG_ESTORE;
	sqlite3_bind_int64(s, 1, v->id);
	if (sqlite3_step(s) == SQLITE_ROW)
		slg_row_invalidation(&SQ_ROW(s), v);
	sqlite3_reset(s);
	return 0;
}


static int
sq_history(struct slg_store *base, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct slg_verdict **list = NULL;
	struct slg_buf sql = SLG_BUF_INIT, like = SLG_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int limit = f->limit > 0 ? f->limit : 20, i = 1, rc = 0, r, full;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	slg_buf_puts(&sql, "SELECT " SLG_VERDICT_COLUMNS " FROM verdicts WHERE 1");
	if (f->service)
		slg_buf_puts(&sql, " AND service = ?");
	if (f->environment)
		slg_buf_puts(&sql, " AND environment = ?");
	full = f->commit && (strlen(f->commit) == 40 || strlen(f->commit) == 64);
	if (full)
		slg_buf_puts(&sql, " AND commit_sha = ?");
	else if (f->commit)	/* a range keeps the commit index usable */
		slg_buf_puts(&sql, " AND commit_sha >= ? AND commit_sha < ?");
	if (f->branch)
		slg_buf_puts(&sql, " AND branch = ?");
	if (f->since)
		slg_buf_puts(&sql, " AND evaluated_at >= ?");
	if (f->before)
		slg_buf_puts(&sql, " AND id < ?");
	if (f->counted)
		slg_buf_puts(&sql, " AND trial = 0");
	slg_buf_puts(&sql, f->last_written ? " ORDER BY recorded DESC LIMIT ?" :
	    " ORDER BY id DESC LIMIT ?");
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
	if (full) {
		bind_text(s, i++, f->commit);
	} else if (f->commit) {
		bind_text(s, i++, f->commit);
		slg_buf_puts(&like, f->commit);
		slg_buf_puts(&like, "\x7f");
		bind_text(s, i++, like.data);
	}
	if (f->branch)
		bind_text(s, i++, f->branch);
	if (f->since)
		sqlite3_bind_int64(s, i++, f->since);
	if (f->before)
		sqlite3_bind_int64(s, i++, f->before);
	sqlite3_bind_int(s, i++, limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((list[cnt] = slg_row_verdict(&SQ_ROW(s))) == NULL) {
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
		if ((rc = load_objectives(st, list[k], err)) != 0 ||
		    (rc = load_audit(st, list[k], err)) != 0)
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

static int
sq_get(struct slg_store *base, int64_t id, struct slg_verdict **out,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	struct slg_verdict *v = NULL;
	int rc = 0, r;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT " SLG_VERDICT_COLUMNS " FROM verdicts "
	    "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the verdict");
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if ((v = slg_row_verdict(&SQ_ROW(s))) == NULL)
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	} else if (r == SQLITE_DONE) {
		rc = slg_err_set(err, SLG_ENOTFOUND, "no verdict with id %lld",
		    (long long)id);
	} else {
		rc = db_fail(st, err, "cannot read the verdict");
	}
	sqlite3_finalize(s);
	if (rc == 0 && (rc = load_objectives(st, v, err)) == 0 &&
	    (rc = load_audit(st, v, err)) == 0) {
		*out = v;
		v = NULL;
	}
	slg_verdict_free(v);
	return rc;
}

static int
sq_latest_per_service(struct slg_store *base, struct slg_verdict ***out,
    size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "SELECT " SLG_VERDICT_COLUMNS " FROM verdicts "
	    "WHERE id IN (SELECT verdict_id FROM latest_verdicts) "
	    "ORDER BY service, environment";
	struct slg_verdict **list = NULL, **p;
	sqlite3_stmt *s = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot list services");
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(list, cap * sizeof(*p))) == NULL) {
				rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
				goto out;
			}
			list = p;
		}
		if ((list[cnt] = slg_row_verdict(&SQ_ROW(s))) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		cnt++;
	}
	if (r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot list services");
		goto out;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	sqlite3_finalize(s);
	slg_store_list_free(list, cnt);
	return rc;
}

static int
sq_ping(struct slg_store *base, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;

	return exec(st, "SELECT 1 FROM verdicts LIMIT 1", "not ready", err);
}

/* ---- watches: evaluations that wait for their window ---- */

static int
sq_watch_add(struct slg_store *base, struct slg_watch *w,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	static const char sql[] = "INSERT INTO watches (id, service, "
	    "environment, commit_sha, since, deadline, created_at, state, "
	    "lease_owner, lease_until, policy, policy_path, policy_digest, "
	    "trial, actor, branch, ref_name, commit_author, commit_subject, "
	    "commit_time, build_time, pipeline_id, pipeline_url, job_url) "
	    "VALUES (" NEXT_ID ", ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = NULL;
	int rc = 0, i = 1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot record the evaluation");
	bind_text(s, i++, w->service);
	bind_text(s, i++, w->environment);
	bind_text(s, i++, w->commit);
	sqlite3_bind_int64(s, i++, w->since);
	sqlite3_bind_int64(s, i++, w->deadline);
	sqlite3_bind_int64(s, i++, w->created_at);
	bind_text(s, i++, w->owner);
	bind_time(s, i++, w->lease_until);
	bind_text(s, i++, w->policy);
	bind_text(s, i++, w->policy_path);
	bind_text(s, i++, w->policy_digest);
	sqlite3_bind_int(s, i++, w->trial != 0);
	bind_text(s, i++, w->actor);
	bind_text(s, i++, w->branch);
	bind_text(s, i++, w->ref_name);
	bind_text(s, i++, w->commit_author);
	bind_text(s, i++, w->commit_subject);
	bind_time(s, i++, w->commit_time);
	bind_time(s, i++, w->build_time);
	bind_text(s, i++, w->pipeline_id);
	bind_text(s, i++, w->pipeline_url);
	bind_text(s, i++, w->job_url);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot record the evaluation");
	else
		w->id = sqlite3_last_insert_rowid(st->db);
	w->running = rc == 0;
	sqlite3_finalize(s);
	return rc;
}

static int
sq_watch_poll(struct slg_store *base, struct slg_watch *w,
    const struct slg_watch_poll *p, struct slg_verdict *final,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	/* only the service holding the lease polls, and renews it */
	static const char upd[] = "UPDATE watches SET errors = ?, settle = ?, "
	    "progress = ?, state = ?, lease_until = ? WHERE id = ? AND "
	    "state = 'running' AND lease_owner IS ?";
	static const char ins[] = "INSERT INTO watch_polls (watch_id, seq, "
	    "polled_at, window_end, verdict, summary, reason, polled_by) VALUES "
	    "(?1, (SELECT count(*) + 1 FROM watch_polls WHERE watch_id = ?1), "
	    "?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = NULL;
	int changed;

	if (exec(st, "BEGIN IMMEDIATE", "cannot start recording", err) != 0)
		return SLG_ESTORE;
	if (sqlite3_prepare_v2(st->db, upd, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int(s, 1, w->errors);
	sqlite3_bind_int(s, 2, w->settle);
	bind_text(s, 3, p->summary);
	bind_text(s, 4, final ? "done" : "running");
	bind_time(s, 5, w->lease_until);
	sqlite3_bind_int64(s, 6, w->id);
	bind_text(s, 7, w->owner);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	changed = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	s = NULL;
	if (changed != 1) {
		/* ended, or taken over by another service: not polled twice */
		slg_err_set(err, SLG_ECONFLICT, "evaluation %lld has ended or is "
		    "polled by another service", (long long)w->id);
		goto rollback;
	}
	if (sqlite3_prepare_v2(st->db, ins, -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, w->id);
	sqlite3_bind_int64(s, 2, p->polled_at);
	sqlite3_bind_int64(s, 3, p->window_end);
	bind_text(s, 4, slg_verdict_str(p->verdict));
	bind_text(s, 5, p->summary ? p->summary : "");
	bind_text(s, 6, p->reason ? p->reason : "");
	bind_text(s, 7, w->owner);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	if (final != NULL) {
		final->watch_id = w->id;
		if (insert_verdict(st, final, &final->id, err) != 0 ||
		    insert_objectives(st, final, final->id, err) != 0 ||
		    audit_verdict(st, final, err) != 0)
			goto rollback;
	}
	if (exec(st, "COMMIT", "cannot commit the poll", err) != 0)
		goto rollback;
	w->polls++;
	w->running = final == NULL;
	return 0;
fail:
	db_fail(st, err, "cannot record the poll");
	sqlite3_finalize(s);
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	if (final != NULL)
		final->id = final->watch_id = 0;
	return err->code;
}

static int
sq_watch_get(struct slg_store *base, int64_t id, struct slg_watch *out,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(st->db, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
	    "WHERE id = ?", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read evaluations");
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		slg_row_watch(&SQ_ROW(s), out);
	else if (r == SQLITE_DONE)
		rc = slg_err_set(err, SLG_ENOTFOUND, "no evaluation %lld",
		    (long long)id);
	else
		rc = db_fail(st, err, "cannot read evaluations");
	sqlite3_finalize(s);
	return rc;
}


/* The watches sql gives, with arg (when not NULL) bound to its one
 * parameter; oldest first. */
static int
read_watches(struct sq_store *st, const char *sql, const char *arg,
    struct slg_watch **out, size_t *n, struct slg_err *err)
{
	sqlite3_stmt *s = NULL;
	struct slg_watch *list = NULL, *w;
	size_t cap = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read evaluations");
	if (arg != NULL)
		bind_text(s, 1, arg);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((w = realloc(list, cap * sizeof(*w))) == NULL) {
				rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
				goto out;
			}
			list = w;
		}
		slg_row_watch(&SQ_ROW(s), &list[(*n)++]);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot read evaluations");
out:
	sqlite3_finalize(s);
	if (rc != 0) {
		slg_store_watch_list_free(list, *n);
		*n = 0;
		return rc;
	}
	*out = list;
	return 0;
}

static int
sq_watch_list(struct slg_store *base, const char *commit,
    struct slg_watch **out, size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;

	return read_watches(st, commit ? "SELECT " SLG_WATCH_COLUMNS " FROM "
	    "watches WHERE commit_sha = ? ORDER BY id" : "SELECT "
	    SLG_WATCH_COLUMNS " FROM watches WHERE state = 'running' ORDER BY id",
	    commit, out, n, err);
}

static int
sq_watch_claim(struct slg_store *base, const char *owner, int64_t now,
    int64_t lease, size_t max, struct slg_watch **out, size_t *n,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	/* its own renewed, however many; up to max lapsed ones taken */
	static const char claim[] = "UPDATE watches SET lease_owner = ?1, "
	    "lease_until = ?2 + ?3 WHERE state = 'running' AND (lease_owner = ?1 "
	    "OR id IN (SELECT id FROM watches WHERE state = 'running' AND "
	    "(lease_until IS NULL OR lease_until < ?2) ORDER BY id LIMIT ?4))";
	sqlite3_stmt *s = NULL;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	/* IMMEDIATE: the claim and the read are one step for other writers */
	if (exec(st, "BEGIN IMMEDIATE", "cannot claim evaluations", err) != 0)
		return SLG_ESTORE;
	if (sqlite3_prepare_v2(st->db, claim, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot claim evaluations");
		goto out;
	}
	bind_text(s, 1, owner);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, lease);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	r = sqlite3_step(s);
	sqlite3_finalize(s);
	if (r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot claim evaluations");
	else
		rc = read_watches(st, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
		    "WHERE state = 'running' AND lease_owner = ? ORDER BY id", owner,
		    out, n, err);
out:
	if (rc == 0 && exec(st, "COMMIT", "cannot claim evaluations", err) == 0)
		return 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	slg_store_watch_list_free(*out, *n);
	*out = NULL;
	*n = 0;
	return rc ? rc : SLG_ESTORE;
}

static int
sq_watch_release(struct slg_store *base, const char *owner,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "UPDATE watches SET lease_until = NULL "
	    "WHERE lease_owner = ? AND state = 'running'", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, err, "cannot release evaluations");
	bind_text(s, 1, owner);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot release evaluations");
	sqlite3_finalize(s);
	return rc;
}

static int
sq_watch_polls(struct slg_store *base, int64_t id,
    struct slg_watch_poll **out, size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	struct slg_watch_poll *list = NULL, *p;
	size_t cap = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT " SLG_POLL_COLUMNS " FROM "
	    "watch_polls WHERE watch_id = ? ORDER BY seq",
	    -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read polls");
	sqlite3_bind_int64(s, 1, id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((p = realloc(list, cap * sizeof(*p))) == NULL) {
				rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
				goto out;
			}
			list = p;
		}
		slg_row_poll(&SQ_ROW(s), &list[(*n)++]);
	}
	if (r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot read polls");
out:
	sqlite3_finalize(s);
	if (rc != 0) {
		for (size_t i = 0; i < *n; i++)
			slg_watch_poll_release(&list[i]);
		free(list);
		*n = 0;
		return rc;
	}
	*out = list;
	return 0;
}

/* ---- the audit trail ---- */

/* Adds every row sql gives for id to h; *rows is how many (the trail's
 * reader). */
static int
hash_rows(void *ctx, const char *sql, int64_t id, struct slg_sha256 *h,
    int *rows, struct slg_err *err)
{
	struct sq_store *st = ctx;
	sqlite3_stmt *s = NULL;
	int r;

	*rows = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read what the audit trail records");
	sqlite3_bind_int64(s, 1, id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			int type = sqlite3_column_type(s, c);

			slg_trail_hash_value(h, type == SQLITE_INTEGER ? SLG_TV_INT :
			    type == SQLITE_FLOAT ? SLG_TV_REAL : type == SQLITE_NULL ?
			    SLG_TV_NULL : SLG_TV_TEXT, sqlite3_column_int64(s, c),
			    sqlite3_column_double(s, c),
			    (const char *)sqlite3_column_blob(s, c),
			    (size_t)sqlite3_column_bytes(s, c));
		}
		slg_sha256_add(h, "\n", 1);
		(*rows)++;
	}
	sqlite3_finalize(s);
	return r == SQLITE_DONE ? 0 :
	    db_fail(st, err, "cannot read what the audit trail records");
}

/* Appends an entry for e's subject, inside the caller's transaction:
 * e->id, content_hash, prev_hash and hash are filled here. */
static int
audit_append(struct sq_store *st, struct slg_audit_entry *e,
    struct slg_err *err)
{
	static const char last[] = "SELECT id, hash FROM audit ORDER BY id DESC "
	    "LIMIT 1";
	static const char ins[] = "INSERT INTO audit (id, at, actor, kind, "
	    "service, environment, commit_sha, subject_id, what, why, "
	    "content_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
	struct slg_trail_reader rd = { st, hash_rows };
	char last_hash[65] = "";
	int64_t last_id = 0;
	sqlite3_stmt *s = NULL;
	int rc, i = 1;

	if (sqlite3_prepare_v2(st->db, last, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot read the audit trail");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		last_id = sqlite3_column_int64(s, 0);
		snprintf(last_hash, sizeof(last_hash), "%s",
		    (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the audit trail");
	if ((rc = slg_trail_seal(&rd, e, last_id, last_id ? last_hash : NULL,
	    err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, ins, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot write the audit trail");
	sqlite3_bind_int64(s, i++, e->id);
	sqlite3_bind_int64(s, i++, e->at);
	bind_text(s, i++, e->actor);
	bind_text(s, i++, e->kind);
	bind_text(s, i++, e->service);
	bind_text(s, i++, e->environment);
	bind_text(s, i++, e->commit);
	sqlite3_bind_int64(s, i++, e->subject_id);
	bind_text(s, i++, e->what);
	bind_text(s, i++, e->why);
	bind_text(s, i++, e->content_hash);
	bind_text(s, i++, e->prev_hash);
	bind_text(s, i++, e->hash);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 :
	    db_fail(st, err, "cannot write the audit trail");
	sqlite3_finalize(s);
	return rc;
}

static int
audit_verdict(struct sq_store *st, const struct slg_verdict *v,
    struct slg_err *err)
{
	struct slg_audit_entry e;
	char what[256];

	slg_trail_of_verdict(&e, v, what, sizeof(what));
	return audit_append(st, &e, err);
}

static int
sq_audit_list(struct slg_store *base, const struct slg_audit_filter *f,
    struct slg_audit_entry **out, size_t *n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct slg_buf sql = SLG_BUF_INIT;
	struct slg_audit_entry *list = NULL;
	sqlite3_stmt *s = NULL;
	int limit = f->limit > 0 ? f->limit : 50, i = 1, r, rc = 0;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	slg_buf_puts(&sql, "SELECT " SLG_AUDIT_COLUMNS " FROM audit WHERE 1");
	if (f->service)
		slg_buf_puts(&sql, " AND service = ?");
	if (f->environment)
		slg_buf_puts(&sql, " AND environment = ?");
	if (f->commit)
		slg_buf_puts(&sql, " AND commit_sha = ?");
	if (f->kind)
		slg_buf_puts(&sql, " AND kind = ?");
	if (f->before)
		slg_buf_puts(&sql, " AND id < ?");
	slg_buf_puts(&sql, " ORDER BY id DESC LIMIT ?");
	if (sql.data == NULL || (list = calloc((size_t)limit,
	    sizeof(*list))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot read the audit trail");
		goto out;
	}
	if (f->service)
		bind_text(s, i++, f->service);
	if (f->environment)
		bind_text(s, i++, f->environment);
	if (f->commit)
		bind_text(s, i++, f->commit);
	if (f->kind)
		bind_text(s, i++, f->kind);
	if (f->before)
		sqlite3_bind_int64(s, i++, f->before);
	sqlite3_bind_int(s, i++, limit);
	while (cnt < (size_t)limit && (r = sqlite3_step(s)) == SQLITE_ROW) {
		slg_row_audit(&SQ_ROW(s), &list[cnt]);
		if (list[cnt].actor == NULL || list[cnt].what == NULL) {
			cnt++;
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		cnt++;
	}
	if (cnt < (size_t)limit && r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read the audit trail");
		goto out;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	sqlite3_finalize(s);
	slg_store_audit_list_free(list, cnt);
	slg_buf_release(&sql);
	return rc;
}

/* The first row of a table newer than the trail's start that has no entry
 * of its kind: a row written around slogate. */
static int
unrecorded(struct sq_store *st, struct slg_audit_check *c,
    struct slg_err *err)
{
	for (size_t i = 0; i < slg_trail_nunrecorded && c->ok; i++) {
		sqlite3_stmt *s = NULL;
		int r;

		if (sqlite3_prepare_v2(st->db, slg_trail_unrecorded[i].sql, -1, &s,
		    NULL) != SQLITE_OK)
			return db_fail(st, err, "cannot check the audit trail");
		if ((r = sqlite3_step(s)) == SQLITE_ROW)
			slg_trail_unrecorded_why(i, sqlite3_column_int64(s, 0), c);
		sqlite3_finalize(s);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return db_fail(st, err, "cannot check the audit trail");
	}
	return 0;
}

static int
sq_audit_verify(struct slg_store *base, const char *expect_head,
    struct slg_audit_check *c, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct slg_trail_reader rd = { st, hash_rows };
	struct slg_trail_walk w;
	sqlite3_stmt *s = NULL;
	int r = SQLITE_DONE, rc = 0;

	slg_trail_walk_start(&w, &rd, expect_head, c);
	/* one snapshot: a change made meanwhile is not half seen */
	if (exec(st, "BEGIN", "cannot check the audit trail", err) != 0)
		return SLG_ESTORE;
	if (sqlite3_prepare_v2(st->db, "SELECT " SLG_AUDIT_COLUMNS " FROM audit "
	    "ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		rc = db_fail(st, err, "cannot read the audit trail");
		goto out;
	}
	while (c->ok && rc == 0 && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct slg_audit_entry e;

		slg_row_audit(&SQ_ROW(s), &e);
		rc = slg_trail_walk_step(&w, &e, c, err);
		slg_audit_entry_release(&e);
	}
	if (rc != 0)
		goto out;
	if (c->ok && r != SQLITE_DONE) {
		rc = db_fail(st, err, "cannot read the audit trail");
		goto out;
	}
	slg_trail_walk_end(&w, c);
	if (c->ok)
		rc = unrecorded(st, c, err);
	if (rc == 0) {
		sqlite3_finalize(s);
		s = NULL;
		if (sqlite3_prepare_v2(st->db, SLG_TRAIL_OLDER_SQL, -1, &s, NULL) ==
		    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
			c->older = sqlite3_column_int64(s, 0);
	}
out:
	sqlite3_finalize(s);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* ---- db copy ---- */

static int
sq_copy_begin(struct slg_store *base, int writing, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;

	if (!writing)
		return exec(st, "BEGIN", "cannot read the database", err);
	/* where the trail starts comes from the source */
	if (exec(st, "BEGIN IMMEDIATE", "cannot start the copy", err) != 0)
		return SLG_ESTORE;
	if (exec(st, "DELETE FROM audit_start", "cannot start the copy",
	    err) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return SLG_ESTORE;
	}
	return 0;
}

static int
sq_copy_read(struct slg_store *base, const struct slg_copy_table *t,
    slg_copy_row_fn row, void *ctx, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct slg_copy_value v[48];
	struct slg_buf sql = SLG_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0, r = SQLITE_DONE;

	if (t->ncol > 48)
		return slg_err_set(err, SLG_ESTORE, "%s: too many columns",
		    t->name);
	slg_buf_printf(&sql, "SELECT %s FROM %s ORDER BY %s", t->columns,
	    t->name, t->order);
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL) != SQLITE_OK)
		rc = db_fail(st, err, "cannot read the database");
	while (rc == 0 && (r = sqlite3_step(s)) == SQLITE_ROW) {
		for (int c = 0; c < t->ncol; c++) {
			int type = sqlite3_column_type(s, c);

			v[c].type = type == SQLITE_INTEGER ? SLG_TV_INT :
			    type == SQLITE_FLOAT ? SLG_TV_REAL : type == SQLITE_NULL ?
			    SLG_TV_NULL : SLG_TV_TEXT;
			v[c].i = sqlite3_column_int64(s, c);
			v[c].r = sqlite3_column_double(s, c);
			v[c].t = (const char *)sqlite3_column_text(s, c);
		}
		rc = row(ctx, v, t->ncol, err);
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_fail(st, err, "cannot read the database");
	sqlite3_finalize(s);
	slg_buf_release(&sql);
	return rc;
}

static int
sq_copy_write(struct slg_store *base, const struct slg_copy_table *t,
    const struct slg_copy_value *v, int n, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	struct slg_buf sql = SLG_BUF_INIT;
	sqlite3_stmt *s = NULL;
	int rc = 0;

	slg_buf_printf(&sql, "INSERT INTO %s (%s) VALUES (?", t->name,
	    t->columns);
	for (int c = 1; c < n; c++)
		slg_buf_puts(&sql, ", ?");
	slg_buf_puts(&sql, ")");
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL) != SQLITE_OK)
		rc = db_fail(st, err, "cannot copy into the database");
	for (int c = 0; rc == 0 && c < n; c++) {
		/* the trigger numbers a verdict's `recorded` itself, in the
		 * order the rows come (copy.c reads them in that order) */
		if (c == n - 1 && strcmp(t->name, "verdicts") == 0)
			sqlite3_bind_null(s, c + 1);
		else if (v[c].type == SLG_TV_INT)
			sqlite3_bind_int64(s, c + 1, v[c].i);
		else if (v[c].type == SLG_TV_REAL)
			sqlite3_bind_double(s, c + 1, v[c].r);
		else
			bind_text(s, c + 1, v[c].t);
	}
	if (rc == 0 && sqlite3_step(s) != SQLITE_DONE)
		rc = db_fail(st, err, "cannot copy into the database");
	sqlite3_finalize(s);
	slg_buf_release(&sql);
	return rc;
}

static int
sq_copy_count(struct slg_store *base, const char *table, int64_t *n,
    struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;
	sqlite3_stmt *s = NULL;
	char sql[96];
	int r;

	/* table: a name of copy.c's list, never the user's */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "cannot count rows");
	r = sqlite3_step(s);
	*n = r == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return r == SQLITE_ROW ? 0 : db_fail(st, err, "cannot count rows");
}

static int
sq_copy_end(struct slg_store *base, int writing, int ok, struct slg_err *err)
{
	struct sq_store *st = (struct sq_store *)base;

	if (writing && ok)
		return exec(st, "COMMIT", "cannot commit the copy", err);
	sqlite3_exec(st->db, writing ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return 0;
}

/* ---- the handle ---- */

static const struct slg_store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.schema_latest = slg_sqlite_schema_latest,
	.label = sq_label,
	.schema_version = sq_schema_version,
	.schema_found = sq_schema_found,
	.record_batch = sq_record_batch,
	.baseline_add = sq_baseline_add,
	.baseline_current = sq_baseline_current,
	.baseline_list = sq_baseline_list,
	.past_values = sq_past_values,
	.approval_add = sq_approval_add,
	.approval_revoke = sq_approval_revoke,
	.approval_get = sq_approval_get,
	.invalidate = sq_invalidate,
	.resolve_commit = sq_resolve_commit,
	.history = sq_history,
	.get = sq_get,
	.latest_per_service = sq_latest_per_service,
	.watch_add = sq_watch_add,
	.watch_poll = sq_watch_poll,
	.watch_get = sq_watch_get,
	.watch_list = sq_watch_list,
	.watch_claim = sq_watch_claim,
	.watch_release = sq_watch_release,
	.watch_polls = sq_watch_polls,
	.ping = sq_ping,
	.audit_list = sq_audit_list,
	.audit_verify = sq_audit_verify,
	.copy_begin = sq_copy_begin,
	.copy_read = sq_copy_read,
	.copy_write = sq_copy_write,
	.copy_count = sq_copy_count,
	.copy_end = sq_copy_end,
};

int
slg_sqlite_open(const char *path, struct slg_store **out, struct slg_err *err)
{
	struct sq_store *st;
	int rc, v;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	st->base.ops = &sq_ops;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = slg_err_set(err, SLG_ESTORE, "cannot open database '%s': %s",
		    path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/* refuse a newer database before changing anything in it */
	if ((rc = user_version(st, &v, err)) != 0)
		goto fail;
	st->found_version = v;
	if (v > (int)slg_schema_count) {
		rc = slg_err_set(err, SLG_ESTORE, "database '%s' has schema "
		    "version %d, newer than this slogate knows (%zu): use a newer "
		    "slogate", path, v, slg_schema_count);
		goto fail;
	}
	/* WAL lets parallel CI jobs write one file; FULL: a recorded verdict
	 * survives a power cut */
	if ((rc = use_wal(st, err)) != 0 ||
	    (rc = exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
	    "cannot set up the connection", err)) != 0 ||
	    (rc = migrate(st, err)) != 0)
		goto fail;
	*out = &st->base;
	return 0;
fail:
	sq_close(&st->base);
	return rc;
}
