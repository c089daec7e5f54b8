/* postgres: the store's PostgreSQL backend, for several `slogate serve`
 * replicas on one database: every SQL statement for PostgreSQL, and the
 * migrations of schema/postgres/. The only module that includes libpq;
 * only store.c calls it.
 *
 * Writers are serialized by a lock on the audit table taken first in each
 * writing transaction (the trail is one chain, each entry after the last),
 * so no two replicas' transactions can deadlock; readers take no lock. */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "store/backend.h"
#include "store/rows.h"
#include "store/store.h"
#include "store/trail.h"

/* Made from schema/postgres/ at build time (scripts/embed-schema.sh). */
extern const char *const slg_pg_schema_migrations[];
extern const size_t slg_pg_schema_count;

/* one key for the migration's advisory lock: replicas starting together
 * do not both migrate */
#define MIGRATION_LOCK 0x736c6f67

#define MAXP 40

struct pg_store {
	struct slg_store base;	/* first: the interface's handle */
	PGconn *conn;
	char label[200];	/* user@host:port/db, never the password */
	int found_version;
	int version;
};

/* ---- running statements ---- */

struct params {
	int n;
	const char *v[MAXP];
	char num[MAXP][40];
};

static void
p_text(struct params *p, const char *s)
{
	p->v[p->n++] = s;
}

static void
p_int(struct params *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)x);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

/* 0 is no time: NULL */
static void
p_time(struct params *p, int64_t x)
{
	if (x == 0)
		p_text(p, NULL);
	else
		p_int(p, x);
}

/* NaN is no value: NULL; %.17g reads back as the same double */
static void
p_real(struct params *p, double d)
{
	if (isnan(d))
		p_text(p, NULL);
	else if (isinf(d))
		p_text(p, d > 0 ? "Infinity" : "-Infinity");
	else {
		snprintf(p->num[p->n], sizeof(p->num[0]), "%.17g", d);
		p->v[p->n] = p->num[p->n];
		p->n++;
	}
}

static int
pg_fail(struct pg_store *st, struct slg_err *err, const char *what,
    const PGresult *r)
{
	const char *m = r ? PQresultErrorMessage(r) : "";
	int len;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(st->conn);
	len = (int)strcspn(m, "\n");
	if (PQstatus(st->conn) != CONNECTION_OK)
		return slg_err_set(err, SLG_ESTORE, "database %s: %s: the "
		    "connection is lost: %.*s", st->label, what, len, m);
	return slg_err_set(err, SLG_ESTORE, "database %s: %s: %.*s", st->label,
	    what, len, m);
}

/* A broken connection is made again between transactions, so the service
 * goes on once PostgreSQL is back. */
static int
connected(struct pg_store *st, struct slg_err *err, const char *what)
{
	if (PQstatus(st->conn) == CONNECTION_OK)
		return 0;
	PQreset(st->conn);
	if (PQstatus(st->conn) == CONNECTION_OK)
		return 0;
	return pg_fail(st, err, what, NULL);
}

/* A statement that may run again on a new connection when the old one
 * was found dead: it started nothing (BEGIN) or changed nothing (a read
 * outside a transaction). An autocommitted write is never run twice: it
 * may have been done before the connection broke. */
static int
retryable(const char *sql)
{
	return strncmp(sql, "BEGIN", 5) == 0 || strncmp(sql, "SELECT ", 7) == 0;
}

/* Runs sql with p; the result, or NULL after pg_fail. */
static PGresult *
run(struct pg_store *st, const char *sql, const struct params *p,
    const char *what, struct slg_err *err)
{
	PGresult *r;
	ExecStatusType s;
	int idle = PQtransactionStatus(st->conn) == PQTRANS_IDLE ||
	    PQtransactionStatus(st->conn) == PQTRANS_UNKNOWN;

	if (idle && connected(st, err, what) != 0)
		return NULL;
	for (int attempt = 0;; attempt++) {
		r = PQexecParams(st->conn, sql, p ? p->n : 0, NULL,
		    p ? p->v : NULL, NULL, NULL, 0);
		s = PQresultStatus(r);
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
			return r;
		/* a server restarted since the last statement: libpq learns
		 * it only now */
		if (attempt > 0 || !idle || !retryable(sql) ||
		    PQstatus(st->conn) == CONNECTION_OK)
			break;
		PQclear(r);
		PQreset(st->conn);
		if (PQstatus(st->conn) != CONNECTION_OK) {
			pg_fail(st, err, what, NULL);
			return NULL;
		}
	}
	pg_fail(st, err, what, r);
	PQclear(r);
	return NULL;
}

static int
cmd(struct pg_store *st, const char *sql, const struct params *p,
    const char *what, struct slg_err *err)
{
	PGresult *r = run(st, sql, p, what, err);

	if (r == NULL)
		return SLG_ESTORE;
	PQclear(r);
	return 0;
}

/* The rows changed by the command r ran. */
static long
changed(PGresult *r)
{
	return strtol(PQcmdTuples(r), NULL, 10);
}

static void
rollback(struct pg_store *st)
{
	if (PQtransactionStatus(st->conn) != PQTRANS_IDLE)
		PQclear(PQexec(st->conn, "ROLLBACK"));
}

/* A transaction that writes: the audit table's lock first, see above. */
static int
begin_write(struct pg_store *st, const char *what, struct slg_err *err)
{
	if (cmd(st, "BEGIN", NULL, what, err) != 0)
		return SLG_ESTORE;
	if (cmd(st, "LOCK TABLE audit IN EXCLUSIVE MODE", NULL, what, err) != 0) {
		rollback(st);
		return SLG_ESTORE;
	}
	return 0;
}

static int
commit(struct pg_store *st, const char *what, struct slg_err *err)
{
	if (cmd(st, "COMMIT", NULL, what, err) == 0)
		return 0;
	rollback(st);
	return SLG_ESTORE;
}

/* ---- reading a row through store/rows.c ---- */

static int
pr_null(const struct slg_row *r, int c)
{
	return PQgetisnull(r->res, r->row, c);
}

static int64_t
pr_i64(const struct slg_row *r, int c)
{
	return PQgetisnull(r->res, r->row, c) ? 0 :
	    strtoll(PQgetvalue(r->res, r->row, c), NULL, 10);
}

static double
pr_real(const struct slg_row *r, int c)
{
	return PQgetisnull(r->res, r->row, c) ? 0 :
	    strtod(PQgetvalue(r->res, r->row, c), NULL);
}

static const char *
pr_text(const struct slg_row *r, int c)
{
	return PQgetisnull(r->res, r->row, c) ? NULL :
	    PQgetvalue(r->res, r->row, c);
}

#define PG_ROW(res, i) ((struct slg_row){ (res), (i), pr_null, pr_i64, \
    pr_real, pr_text })

/* The rows sql gives with p, each made a record of elem bytes by fill:
 * *out is an array of *n, the caller's. */
static int
read_rows(struct pg_store *st, const char *sql, const struct params *p,
    const char *what, size_t elem, void (*fill)(const struct slg_row *,
    void *), void **out, size_t *n, struct slg_err *err)
{
	PGresult *r;
	char *list;
	int rows;

	*out = NULL;
	*n = 0;
	if ((r = run(st, sql, p, what, err)) == NULL)
		return SLG_ESTORE;
	rows = PQntuples(r);
	if ((list = calloc(rows ? (size_t)rows : 1, elem)) == NULL) {
		PQclear(r);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	for (int i = 0; i < rows; i++)
		fill(&PG_ROW(r, i), list + (size_t)i * elem);
	PQclear(r);
	*out = list;
	*n = (size_t)rows;
	return 0;
}

static void
fill_watch(const struct slg_row *r, void *to)
{
	slg_row_watch(r, to);
}

static void
fill_poll(const struct slg_row *r, void *to)
{
	slg_row_poll(r, to);
}

static void
fill_baseline(const struct slg_row *r, void *to)
{
	slg_row_baseline(r, to);
}

/* ---- the schema ---- */

static int
read_version(struct pg_store *st, int *v, struct slg_err *err)
{
	PGresult *r;

	*v = 0;
	if ((r = run(st, "SELECT to_regclass('schema_version') IS NOT NULL",
	    NULL, "cannot read the schema version", err)) == NULL)
		return SLG_ESTORE;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return 0;
	}
	PQclear(r);
	if ((r = run(st, "SELECT max(version) FROM schema_version", NULL,
	    "cannot read the schema version", err)) == NULL)
		return SLG_ESTORE;
	*v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ?
	    atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

static int
migrate(struct pg_store *st, struct slg_err *err)
{
	struct params p = { 0 };
	int v;

	if (cmd(st, "BEGIN", NULL, "cannot start the migration", err) != 0)
		return SLG_ESTORE;
	p_int(&p, MIGRATION_LOCK);
	if (cmd(st, "SELECT pg_advisory_xact_lock($1)", &p, "cannot lock the "
	    "schema", err) != 0 || read_version(st, &v, err) != 0)
		goto fail;
	if (v > (int)slg_pg_schema_count) {
		slg_err_set(err, SLG_ESTORE, "database %s has schema version %d, "
		    "newer than this slogate knows (%zu): use a newer slogate",
		    st->label, v, slg_pg_schema_count);
		goto fail;
	}
	st->found_version = v;
	for (size_t i = (size_t)v; i < slg_pg_schema_count; i++) {
		/* no parameters: PQexec runs a file of several statements */
		PGresult *r = PQexec(st->conn, slg_pg_schema_migrations[i]);

		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK) {
			pg_fail(st, err, "migration failed", r);
			PQclear(r);
			goto fail;
		}
		PQclear(r);
		p.n = 0;
		p_int(&p, (int64_t)i + 1);
		if (cmd(st, "UPDATE schema_version SET version = $1", &p,
		    "cannot record the schema version", err) != 0)
			goto fail;
	}
	if (commit(st, "cannot commit the migration", err) != 0)
		return SLG_ESTORE;
	st->version = (int)slg_pg_schema_count;
	return 0;
fail:
	rollback(st);
	return SLG_ESTORE;
}

static void
pg_close(struct slg_store *base)
{
	struct pg_store *st = (struct pg_store *)base;

	if (st == NULL)
		return;
	PQfinish(st->conn);
	free(st);
}

static const char *
pg_label(struct slg_store *base)
{
	return ((struct pg_store *)base)->label;
}

static int
pg_schema_found(struct slg_store *base)
{
	return ((struct pg_store *)base)->found_version;
}

static int
pg_schema_version(struct slg_store *base)
{
	struct pg_store *st = (struct pg_store *)base;
	int v = -1;

	if (read_version(st, &v, NULL) != 0)
		return -1;
	return v;
}

/* ---- verdicts ---- */

static const char INSERT_VERDICT[] =
    "INSERT INTO verdicts (id, watch_id, service, environment, commit_sha, "
    "commit_time, commit_author, commit_subject, branch, build_time, "
    "evaluated_at, window_start, window_end, step, pipeline_id, "
    "pipeline_url, job_url, ref_name, policy_path, policy_digest, "
    "prometheus_url, slogate_version, verdict, reason, guard_promql, "
    "guard_value, guard_min, score, score_max, score_pass, score_warn, "
    "trial) VALUES (coalesce($1::bigint, nextval('evaluation_ids')), $1, $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
    "$19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) "
    "RETURNING id";

static const char INSERT_OBJECTIVE[] =
    "INSERT INTO objective_results (verdict_id, position, name, promql, "
    "sustained, judged, unit, pass_criteria, warn_criteria, status, value, "
    "value_at, baseline, baseline_source, points, points_failed, "
    "points_warn, points_missing, detail, baseline_commits, "
    "baseline_detail, weight, key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, "
    "$23)";

static int
insert_verdict(struct pg_store *st, const struct slg_verdict *v,
    int64_t *id, struct slg_err *err)
{
	struct params p = { 0 };
	PGresult *r;

	p_time(&p, v->watch_id);
	p_text(&p, v->service);
	p_text(&p, v->environment);
	p_text(&p, v->commit);
	p_time(&p, v->commit_time);
	p_text(&p, v->commit_author);
	p_text(&p, v->commit_subject);
	p_text(&p, v->branch);
	p_int(&p, v->build_time);
	p_int(&p, v->evaluated_at);
	p_int(&p, v->window_start);
	p_int(&p, v->window_end);
	p_int(&p, v->step);
	p_text(&p, v->pipeline_id);
	p_text(&p, v->pipeline_url);
	p_text(&p, v->job_url);
	p_text(&p, v->ref_name);
	p_text(&p, v->policy_path);
	p_text(&p, v->policy_digest);
	p_text(&p, v->prometheus_url);
	p_text(&p, v->version);
	p_text(&p, slg_verdict_str(v->verdict));
	p_text(&p, v->reason);
	p_text(&p, v->has_guard ? v->guard_promql : NULL);
	p_real(&p, v->has_guard ? v->guard_value : NAN);
	p_real(&p, v->has_guard ? v->guard_min : NAN);
	p_real(&p, v->has_score ? v->score : NAN);
	p_real(&p, v->has_score ? v->score_max : NAN);
	p_real(&p, v->has_score ? v->score_pass : NAN);
	p_real(&p, v->has_score ? v->score_warn : NAN);
	p_int(&p, v->trial != 0);
	if ((r = run(st, INSERT_VERDICT, &p, "cannot record the verdict",
	    err)) == NULL)
		return SLG_ESTORE;
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

static int
insert_objectives(struct pg_store *st, const struct slg_verdict *v,
    int64_t id, struct slg_err *err)
{
	for (size_t k = 0; k < v->nobj; k++) {
		const struct slg_objective_result *o = &v->obj[k];
		struct params p = { 0 };

		p_int(&p, id);
		p_int(&p, (int64_t)k);
		p_text(&p, o->name);
		p_text(&p, o->promql);
		p_int(&p, o->sustained);
		p_int(&p, o->judged);
		p_int(&p, (int)o->unit);
		p_text(&p, o->pass_text);
		p_text(&p, o->warn_text);
		p_text(&p, slg_status_str(o->status));
		p_real(&p, o->value);
		p_real(&p, o->value_at != 0 ? o->value_at : NAN);
		p_real(&p, o->has_baseline ? o->baseline : NAN);
		p_text(&p, o->has_baseline ? o->baseline_source : NULL);
		p_int(&p, (int64_t)o->points);
		p_int(&p, (int64_t)o->points_failed);
		p_int(&p, (int64_t)o->points_warn);
		p_int(&p, (int64_t)o->points_missing);
		p_text(&p, o->detail ? o->detail : "");
		p_text(&p, o->has_baseline ? o->baseline_commits : NULL);
		p_text(&p, o->baseline_detail);
		p_real(&p, o->weight > 0 ? o->weight : 1);
		p_int(&p, o->key);
		if (cmd(st, INSERT_OBJECTIVE, &p, "cannot record an objective",
		    err) != 0)
			return SLG_ESTORE;
	}
	return 0;
}

/* ---- the audit trail ---- */

static enum slg_trail_type
column_type(Oid t)
{
	switch (t) {
	case 20: case 21: case 23:		/* int8, int2, int4 */
		return SLG_TV_INT;
	case 700: case 701: case 1700:		/* float4, float8, numeric */
		return SLG_TV_REAL;
	default:
		return SLG_TV_TEXT;
	}
}

/* The trail's reader: every row sql gives for id, hashed as SQLite's are,
 * so a trail verifies the same on both. */
static int
hash_rows(void *ctx, const char *sql, int64_t id, struct slg_sha256 *h,
    int *rows, struct slg_err *err)
{
	struct pg_store *st = ctx;
	struct params p = { 0 };
	PGresult *r;

	p_int(&p, id);
	if ((r = run(st, sql, &p, "cannot read what the audit trail records",
	    err)) == NULL)
		return SLG_ESTORE;
	*rows = PQntuples(r);
	for (int i = 0; i < *rows; i++) {
		for (int c = 0; c < PQnfields(r); c++) {
			enum slg_trail_type t = PQgetisnull(r, i, c) ?
			    SLG_TV_NULL : column_type(PQftype(r, c));
			const char *val = PQgetvalue(r, i, c);

			slg_trail_hash_value(h, t, strtoll(val, NULL, 10),
			    strtod(val, NULL), val, (size_t)PQgetlength(r, i, c));
		}
		slg_sha256_add(h, "\n", 1);
	}
	PQclear(r);
	return 0;
}

static int
audit_append(struct pg_store *st, struct slg_audit_entry *e,
    struct slg_err *err)
{
	static const char ins[] = "INSERT INTO audit (id, at, actor, kind, "
	    "service, environment, commit_sha, subject_id, what, why, "
	    "content_hash, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	    "$8, $9, $10, $11, $12, $13)";
	struct slg_trail_reader rd = { st, hash_rows };
	struct params p = { 0 };
	PGresult *r;
	int64_t last_id = 0;
	char last_hash[65] = "";
	int rc;

	if ((r = run(st, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
	    NULL, "cannot read the audit trail", err)) == NULL)
		return SLG_ESTORE;
	if (PQntuples(r) == 1) {
		last_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(last_hash, sizeof(last_hash), "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	if ((rc = slg_trail_seal(&rd, e, last_id, last_id ? last_hash : NULL,
	    err)) != 0)
		return rc;
	p_int(&p, e->id);
	p_int(&p, e->at);
	p_text(&p, e->actor);
	p_text(&p, e->kind);
	p_text(&p, e->service);
	p_text(&p, e->environment);
	p_text(&p, e->commit);
	p_int(&p, e->subject_id);
	p_text(&p, e->what);
	p_text(&p, e->why);
	p_text(&p, e->content_hash);
	p_text(&p, e->prev_hash);
	p_text(&p, e->hash);
	return cmd(st, ins, &p, "cannot write the audit trail", err);
}

static int
audit_verdict(struct pg_store *st, const struct slg_verdict *v,
    struct slg_err *err)
{
	struct slg_audit_entry e;
	char what[256];

	slg_trail_of_verdict(&e, v, what, sizeof(what));
	return audit_append(st, &e, err);
}

/* Inserts v (its id set), its objectives and its audit entry, inside the
 * caller's writing transaction. */
static int
write_verdict(struct pg_store *st, struct slg_verdict *v, struct slg_err *err)
{
	int64_t id = 0;

	if (insert_verdict(st, v, &id, err) != 0 ||
	    insert_objectives(st, v, id, err) != 0)
		return SLG_ESTORE;
	v->id = id;
	return audit_verdict(st, v, err);
}

static int
pg_record_batch(struct slg_store *base, struct slg_verdict **v, size_t n,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;

	if (begin_write(st, "cannot start recording", err) != 0)
		return SLG_ESTORE;
	for (size_t i = 0; i < n; i++) {
		if (write_verdict(st, v[i], err) != 0)
			goto fail;
	}
	if (commit(st, "cannot commit the verdict", err) == 0)
		return 0;
fail:
	rollback(st);
	for (size_t i = 0; i < n; i++)
		v[i]->id = 0;
	return SLG_ESTORE;
}

/* ---- baselines ---- */

static int
pg_baseline_add(struct slg_store *base,
    const struct slg_stored_baseline *rows, size_t n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char sql[] = "INSERT INTO baselines (service, environment, "
	    "objective, value, set_at, set_by, source_commit, source_verdict, "
	    "note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		if (!isfinite(rows[k].value))
			return slg_err_set(err, SLG_EINPUT, "baseline of '%s' "
			    "must be a finite number", rows[k].objective);
	}
	if (begin_write(st, "cannot store baselines", err) != 0)
		return SLG_ESTORE;
	for (size_t k = 0; k < n && rc == 0; k++) {
		const struct slg_stored_baseline *b = &rows[k];
		struct slg_audit_entry e;
		struct params p = { 0 };
		char what[256];
		PGresult *r;

		p_text(&p, b->service);
		p_text(&p, b->environment);
		p_text(&p, b->objective);
		p_real(&p, b->value);
		p_int(&p, b->set_at);
		p_text(&p, b->set_by);
		p_text(&p, b->source_commit);
		p_time(&p, b->source_verdict);
		p_text(&p, b->note);
		if ((r = run(st, sql, &p, "cannot store the baseline", err)) ==
		    NULL) {
			rc = SLG_ESTORE;
			break;
		}
		slg_trail_of_baseline(&e, b, strtoll(PQgetvalue(r, 0, 0), NULL,
		    10), what, sizeof(what));
		PQclear(r);
		rc = audit_append(st, &e, err);
	}
	if (rc == 0)
		return commit(st, "cannot commit baselines", err);
	rollback(st);
	return rc;
}

static int
pg_baseline_current(struct slg_store *base, const char *service,
    const char *environment, const char *objective,
    struct slg_stored_baseline *out, int *found, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };
	PGresult *r;

	memset(out, 0, sizeof(*out));
	*found = 0;
	p_text(&p, service);
	p_text(&p, environment);
	p_text(&p, objective);
	if ((r = run(st, "SELECT " SLG_BASELINE_COLUMNS " FROM baselines WHERE "
	    "service = $1 AND environment = $2 AND objective = $3 ORDER BY id "
	    "DESC LIMIT 1", &p, "cannot read the baseline", err)) == NULL)
		return SLG_ESTORE;
	if (PQntuples(r) == 1) {
		slg_row_baseline(&PG_ROW(r, 0), out);
		*found = 1;
	}
	PQclear(r);
	return 0;
}

static int
pg_baseline_list(struct slg_store *base, const char *service,
    const char *environment, int history, struct slg_stored_baseline **out,
    size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	/* current: the newest row of each objective */
	static const char current[] = "SELECT DISTINCT ON (service, "
	    "environment, objective) " SLG_BASELINE_COLUMNS " FROM baselines "
	    "WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR "
	    "environment = $2) ORDER BY service, environment, objective, id DESC";
	static const char all[] = "SELECT " SLG_BASELINE_COLUMNS " FROM "
	    "baselines WHERE ($1::text IS NULL OR service = $1) AND ($2::text IS "
	    "NULL OR environment = $2) ORDER BY id DESC";
	struct params p = { 0 };

	p_text(&p, service);
	p_text(&p, environment);
	return read_rows(st, history ? all : current, &p, "cannot read baselines",
	    sizeof(**out), fill_baseline, (void **)out, n, err);
}

/* A baseline is made only of values the gate accepted: the verdict and
 * the objective itself passed (or warned, with pass_or_warn), never
 * invalidated, never overridden by an approval. */
#define USABLE_VERDICT \
    "v.verdict IN ('pass', $4) AND o.status IN ('pass', $4) AND " \
    "o.value IS NOT NULL AND v.trial = 0 " \
    "AND NOT EXISTS (SELECT 1 FROM invalidations i WHERE i.verdict_id = v.id) " \
    "AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.verdict_id = v.id)"

static int
pg_past_values(struct slg_store *base, const char *service,
    const char *environment, const char *objective, enum slg_bfilter filter,
    const char *const *commits, size_t ncommits, int limit,
    struct slg_past_value **out, size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char previous[] = "SELECT v.id, v.commit_sha, o.value FROM "
	    "verdicts v JOIN objective_results o ON o.verdict_id = v.id WHERE "
	    "v.service = $1 AND v.environment = $2 AND o.name = $3 AND "
	    USABLE_VERDICT " ORDER BY v.id DESC LIMIT $5";
	static const char of_commit[] = "SELECT v.id, v.commit_sha, o.value FROM "
	    "verdicts v JOIN objective_results o ON o.verdict_id = v.id WHERE "
	    "v.service = $1 AND v.environment = $2 AND o.name = $3 AND "
	    USABLE_VERDICT " AND v.commit_sha = $5 ORDER BY v.id DESC LIMIT 1";
	struct slg_past_value *vals;
	size_t cnt = 0, rounds = commits ? ncommits : 1;

	*out = NULL;
	*n = 0;
	if (limit < 1)
		return 0;
	if ((vals = calloc((size_t)limit, sizeof(*vals))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (size_t k = 0; k < rounds && cnt < (size_t)limit; k++) {
		struct params p = { 0 };
		PGresult *r;

		p_text(&p, service);
		p_text(&p, environment);
		p_text(&p, objective);
		/* 'pass' twice when warn is not wanted */
		p_text(&p, filter == SLG_BFILTER_PASS_OR_WARN ? "warn" : "pass");
		if (commits)
			p_text(&p, commits[k]);
		else
			p_int(&p, limit);
		if ((r = run(st, commits ? of_commit : previous, &p, "cannot read "
		    "past verdicts", err)) == NULL) {
			free(vals);
			return SLG_ESTORE;
		}
		for (int i = 0; i < PQntuples(r) && cnt < (size_t)limit; i++) {
			vals[cnt].verdict_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
			snprintf(vals[cnt].commit, sizeof(vals[cnt].commit), "%s",
			    PQgetvalue(r, i, 1));
			vals[cnt].value = strtod(PQgetvalue(r, i, 2), NULL);
			cnt++;
		}
		PQclear(r);
	}
	*out = vals;
	*n = cnt;
	return 0;
}

/* ---- approvals and invalidations ---- */

static int pg_get(struct slg_store *base, int64_t id,
    struct slg_verdict **out, struct slg_err *err);

static int
verdict_exists(struct pg_store *st, int64_t id, struct slg_err *err)
{
	struct params p = { 0 };
	PGresult *r;
	int found;

	p_int(&p, id);
	if ((r = run(st, "SELECT 1 FROM verdicts WHERE id = $1", &p,
	    "cannot read verdicts", err)) == NULL)
		return SLG_ESTORE;
	found = PQntuples(r) == 1;
	PQclear(r);
	return found ? 0 : slg_err_set(err, SLG_ENOTFOUND, "no verdict with id "
	    "%lld", (long long)id);
}

static int
pg_approval_add(struct slg_store *base, struct slg_approval *a,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char sql[] = "INSERT INTO approvals (verdict_id, commit_sha, "
	    "service, environment, approved_by, reason, created_at, expires_at, "
	    "named_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
	struct slg_audit_entry e;
	struct params p = { 0 };
	char what[128];
	PGresult *r;
	int rc;

	if (begin_write(st, "cannot record the approval", err) != 0)
		return SLG_ESTORE;
	if ((rc = verdict_exists(st, a->verdict_id, err)) != 0)
		goto fail;
	p_int(&p, a->verdict_id);
	p_text(&p, a->commit);
	p_text(&p, a->service);
	p_text(&p, a->environment);
	p_text(&p, a->by);
	p_text(&p, a->reason);
	p_int(&p, a->created_at);
	p_time(&p, a->expires_at);
	p_text(&p, a->named_by);
	if ((r = run(st, sql, &p, "cannot record the approval", err)) == NULL) {
		rc = SLG_ESTORE;
		goto fail;
	}
	a->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	slg_trail_of_approval(&e, a, what, sizeof(what));
	if ((rc = audit_append(st, &e, err)) == 0 &&
	    (rc = commit(st, "cannot commit the approval", err)) == 0)
		return 0;
fail:
	rollback(st);
	a->id = 0;
	return rc;
}

static int
pg_approval_get(struct slg_store *base, int64_t id,
    struct slg_approval *out, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };
	PGresult *r;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	p_int(&p, id);
	if ((r = run(st, "SELECT " SLG_APPROVAL_COLUMNS " FROM approvals WHERE "
	    "id = $1", &p, "cannot read the approval", err)) == NULL)
		return SLG_ESTORE;
	if (PQntuples(r) == 1)
		slg_row_approval(&PG_ROW(r, 0), out);
	else
		rc = slg_err_set(err, SLG_ENOTFOUND, "no approval with id %lld",
		    (long long)id);
	PQclear(r);
	return rc;
}

static int
pg_approval_revoke(struct slg_store *base, int64_t id, const char *by,
    const char *named_by, const char *reason, int64_t at, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char sql[] = "UPDATE approvals SET revoked_at = $1, "
	    "revoked_by = $2, revoke_reason = $3, revoked_named_by = $4 WHERE "
	    "id = $5 AND revoked_at IS NULL";
	struct slg_approval a;
	struct slg_audit_entry e;
	struct params p = { 0 };
	char what[128];
	int rc;

	memset(&a, 0, sizeof(a));
	if (begin_write(st, "cannot revoke", err) != 0)
		return SLG_ESTORE;
	if ((rc = pg_approval_get(&st->base, id, &a, err)) != 0)
		goto out;
	if (a.revoked_at != 0) {
		rc = slg_err_set(err, SLG_ECONFLICT, "approval %lld was revoked "
		    "already", (long long)id);
		goto out;
	}
	p_int(&p, at);
	p_text(&p, by);
	p_text(&p, reason);
	p_text(&p, named_by);
	p_int(&p, id);
	if ((rc = cmd(st, sql, &p, "cannot revoke the approval", err)) != 0)
		goto out;
	slg_trail_of_revocation(&e, &a, by, reason, at, what, sizeof(what));
	if ((rc = audit_append(st, &e, err)) == 0)
		rc = commit(st, "cannot commit the revocation", err);
out:
	if (rc != 0)
		rollback(st);
	slg_approval_release(&a);
	return rc;
}

static int
pg_invalidate(struct slg_store *base, int64_t verdict_id, const char *by,
    const char *reason, int64_t at, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char sql[] = "INSERT INTO invalidations (verdict_id, "
	    "invalidated_by, reason, created_at) SELECT $1, $2, $3, $4 WHERE NOT "
	    "EXISTS (SELECT 1 FROM invalidations WHERE verdict_id = $1) "
	    "RETURNING id";
	struct slg_verdict *v = NULL;
	struct slg_audit_entry e;
	struct params p = { 0 };
	char what[128];
	PGresult *r;
	int rc;

	if (begin_write(st, "cannot invalidate", err) != 0)
		return SLG_ESTORE;
	if ((rc = pg_get(&st->base, verdict_id, &v, err)) != 0)
		goto out;
	p_int(&p, verdict_id);
	p_text(&p, by);
	p_text(&p, reason);
	p_int(&p, at);
	if ((r = run(st, sql, &p, "cannot invalidate the verdict", err)) ==
	    NULL) {
		rc = SLG_ESTORE;
		goto out;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		rc = slg_err_set(err, SLG_ECONFLICT, "verdict %lld is invalidated "
		    "already", (long long)verdict_id);
		goto out;
	}
	slg_trail_of_invalidation(&e, v, strtoll(PQgetvalue(r, 0, 0), NULL, 10),
	    by, reason, at, what, sizeof(what));
	PQclear(r);
	if ((rc = audit_append(st, &e, err)) == 0)
		rc = commit(st, "cannot commit the invalidation", err);
out:
	if (rc != 0)
		rollback(st);
	slg_verdict_free(v);
	return rc;
}

static int
pg_resolve_commit(struct slg_store *base, const char *prefix, char out[65],
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };
	char upper[80];
	PGresult *r;
	int rows, rc = 0;

	out[0] = '\0';
	/* a range (text compares byte by byte) keeps the index usable */
	snprintf(upper, sizeof(upper), "%.70s\x7f", prefix);
	p_text(&p, prefix);
	p_text(&p, upper);
	if ((r = run(st, "SELECT DISTINCT commit_sha FROM verdicts WHERE "
	    "commit_sha >= $1 AND commit_sha < $2 LIMIT 2", &p, "cannot look up "
	    "the commit", err)) == NULL)
		return SLG_ESTORE;
	rows = PQntuples(r);
	if (rows == 0)
		rc = slg_err_set(err, SLG_ENOTFOUND, "no verdict recorded for "
		    "commit '%s'", prefix);
	else if (rows > 1)
		rc = slg_err_set(err, SLG_EAMBIGUOUS, "commit '%s' is ambiguous: "
		    "give more of it", prefix);
	else
		snprintf(out, 65, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

/* ---- reading verdicts back ---- */

/* The ids of list as a PostgreSQL array literal: {1,2,3}. */
static int
id_array(struct slg_verdict **list, size_t n, struct slg_buf *b)
{
	slg_buf_puts(b, "{");
	for (size_t i = 0; i < n; i++)
		slg_buf_printf(b, "%s%lld", i ? "," : "", (long long)list[i]->id);
	slg_buf_puts(b, "}");
	return b->data == NULL ? -1 : 0;
}

static struct slg_verdict *
by_id(struct slg_verdict **list, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (list[i]->id == id)
			return list[i];
	}
	return NULL;
}

/* Objectives, approvals and invalidations of every verdict of list: one
 * statement each, however long the list. */
static int
load_details(struct pg_store *st, struct slg_verdict **list, size_t n,
    struct slg_err *err)
{
	static const char *const sql[] = {
		"SELECT " SLG_OBJECTIVE_COLUMNS " FROM objective_results WHERE "
		    "verdict_id = ANY($1::bigint[]) ORDER BY verdict_id, position",
		"SELECT " SLG_APPROVAL_COLUMNS " FROM approvals WHERE "
		    "verdict_id = ANY($1::bigint[]) ORDER BY id",
		"SELECT " SLG_INVALIDATION_COLUMNS " FROM invalidations WHERE "
		    "verdict_id = ANY($1::bigint[])",
	};
	struct slg_buf ids = SLG_BUF_INIT;
	struct params p = { 0 };
	int rc = 0;

	if (n == 0)
		return 0;
	if (id_array(list, n, &ids) != 0)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	p_text(&p, ids.data);
	for (int q = 0; q < 3 && rc == 0; q++) {
		PGresult *r = run(st, sql[q], &p, "cannot read verdicts", err);

		if (r == NULL) {
			rc = SLG_ESTORE;
			break;
		}
		for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
			/* approvals: verdict_id is their second column */
			struct slg_verdict *v = by_id(list, n, strtoll(
			    PQgetvalue(r, i, q == 1 ? 1 : 0), NULL, 10));

			if (v == NULL)
				continue;
			if (q == 0)
				rc = slg_row_objective(&PG_ROW(r, i), v, err);
			else if (q == 1)
				rc = slg_row_add_approval(&PG_ROW(r, i), v, err);
			else
				slg_row_invalidation(&PG_ROW(r, i), v);
		}
		PQclear(r);
	}
	slg_buf_release(&ids);
	return rc;
}

/* The verdicts sql gives with p, with their details. */
static int
read_verdicts(struct pg_store *st, const char *sql, const struct params *p,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	struct slg_verdict **list = NULL;
	PGresult *r;
	size_t cnt = 0;
	int rows, rc = 0;

	*out = NULL;
	*n = 0;
	if ((r = run(st, sql, p, "cannot read the history", err)) == NULL)
		return SLG_ESTORE;
	rows = PQntuples(r);
	if ((list = calloc(rows ? (size_t)rows : 1, sizeof(*list))) == NULL)
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (int i = 0; rc == 0 && i < rows; i++) {
		if ((list[cnt] = slg_row_verdict(&PG_ROW(r, i))) == NULL)
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		else
			cnt++;
	}
	PQclear(r);
	if (rc == 0)
		rc = load_details(st, list, cnt, err);
	if (rc != 0) {
		slg_store_list_free(list, cnt);
		return rc;
	}
	*out = list;
	*n = cnt;
	return 0;
}

static int
pg_history(struct slg_store *base, const struct slg_history_filter *f,
    struct slg_verdict ***out, size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_buf sql = SLG_BUF_INIT;
	struct params p = { 0 };
	char upper[80];
	int full, rc;

	slg_buf_puts(&sql, "SELECT " SLG_VERDICT_COLUMNS " FROM verdicts WHERE "
	    "true");
	if (f->service) {
		p_text(&p, f->service);
		slg_buf_printf(&sql, " AND service = $%d", p.n);
	}
	if (f->environment) {
		p_text(&p, f->environment);
		slg_buf_printf(&sql, " AND environment = $%d", p.n);
	}
	full = f->commit && (strlen(f->commit) == 40 || strlen(f->commit) == 64);
	if (full) {
		p_text(&p, f->commit);
		slg_buf_printf(&sql, " AND commit_sha = $%d", p.n);
	} else if (f->commit) {
		snprintf(upper, sizeof(upper), "%.70s\x7f", f->commit);
		p_text(&p, f->commit);
		p_text(&p, upper);
		slg_buf_printf(&sql, " AND commit_sha >= $%d AND commit_sha < $%d",
		    p.n - 1, p.n);
	}
	if (f->branch) {
		p_text(&p, f->branch);
		slg_buf_printf(&sql, " AND branch = $%d", p.n);
	}
	if (f->since) {
		p_int(&p, f->since);
		slg_buf_printf(&sql, " AND evaluated_at >= $%d", p.n);
	}
	if (f->before) {
		p_int(&p, f->before);
		slg_buf_printf(&sql, " AND id < $%d", p.n);
	}
	if (f->counted)
		slg_buf_puts(&sql, " AND trial = 0");
	p_int(&p, f->limit > 0 ? f->limit : 20);
	slg_buf_printf(&sql, " ORDER BY %s DESC LIMIT $%d", f->last_written ?
	    "recorded" : "id", p.n);
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	rc = read_verdicts(st, sql.data, &p, out, n, err);
	slg_buf_release(&sql);
	return rc;
}

static int
pg_get(struct slg_store *base, int64_t id, struct slg_verdict **out,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_verdict **list = NULL;
	struct params p = { 0 };
	size_t n = 0;
	int rc;

	*out = NULL;
	p_int(&p, id);
	if ((rc = read_verdicts(st, "SELECT " SLG_VERDICT_COLUMNS " FROM "
	    "verdicts WHERE id = $1", &p, &list, &n, err)) != 0)
		return rc;
	if (n == 0) {
		free(list);
		return slg_err_set(err, SLG_ENOTFOUND, "no verdict with id %lld",
		    (long long)id);
	}
	*out = list[0];
	free(list);
	return 0;
}

static int
pg_latest_per_service(struct slg_store *base, struct slg_verdict ***out,
    size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_verdict **list = NULL;
	PGresult *r;
	size_t cnt = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((r = run(st, "SELECT " SLG_VERDICT_COLUMNS " FROM verdicts WHERE id "
	    "IN (SELECT verdict_id FROM latest_verdicts) ORDER BY service, "
	    "environment", NULL, "cannot list services", err)) == NULL)
		return SLG_ESTORE;
	if ((list = calloc((size_t)PQntuples(r) + 1, sizeof(*list))) == NULL)
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		if ((list[cnt] = slg_row_verdict(&PG_ROW(r, i))) == NULL)
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		else
			cnt++;
	}
	PQclear(r);
	if (rc != 0) {
		slg_store_list_free(list, cnt);
		return rc;
	}
	*out = list;
	*n = cnt;
	return 0;
}

static int
pg_ping(struct slg_store *base, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;

	return cmd(st, "SELECT 1 FROM verdicts LIMIT 1", NULL, "not ready", err);
}

/* ---- watches ---- */

static int
pg_watch_add(struct slg_store *base, struct slg_watch *w, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	static const char sql[] = "INSERT INTO watches (service, environment, "
	    "commit_sha, since, deadline, created_at, state, lease_owner, "
	    "lease_until, policy, policy_path, policy_digest, trial, actor, "
	    "branch, ref_name, commit_author, commit_subject, commit_time, "
	    "build_time, pipeline_id, pipeline_url, job_url) VALUES ($1, $2, $3, "
	    "$4, $5, $6, 'running', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
	    "$17, $18, $19, $20, $21, $22) RETURNING id";
	struct params p = { 0 };
	PGresult *r;

	p_text(&p, w->service);
	p_text(&p, w->environment);
	p_text(&p, w->commit);
	p_int(&p, w->since);
	p_int(&p, w->deadline);
	p_int(&p, w->created_at);
	p_text(&p, w->owner);
	p_time(&p, w->lease_until);
	p_text(&p, w->policy);
	p_text(&p, w->policy_path);
	p_text(&p, w->policy_digest);
	p_int(&p, w->trial != 0);
	p_text(&p, w->actor);
	p_text(&p, w->branch);
	p_text(&p, w->ref_name);
	p_text(&p, w->commit_author);
	p_text(&p, w->commit_subject);
	p_time(&p, w->commit_time);
	p_time(&p, w->build_time);
	p_text(&p, w->pipeline_id);
	p_text(&p, w->pipeline_url);
	p_text(&p, w->job_url);
	if ((r = run(st, sql, &p, "cannot record the evaluation", err)) == NULL) {
		w->running = 0;
		return SLG_ESTORE;
	}
	w->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	w->running = 1;
	PQclear(r);
	return 0;
}

static int
pg_watch_poll(struct slg_store *base, struct slg_watch *w,
    const struct slg_watch_poll *p, struct slg_verdict *final,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	/* the row's lock first: one poll of a watch at a time, and only by
	 * the service holding its lease */
	static const char upd[] = "UPDATE watches SET errors = $1, settle = $2, "
	    "progress = $3, state = $4, lease_until = $5 WHERE id = $6 AND "
	    "state = 'running' AND lease_owner IS NOT DISTINCT FROM $7";
	static const char ins[] = "INSERT INTO watch_polls (watch_id, seq, "
	    "polled_at, window_end, verdict, summary, reason, polled_by) VALUES "
	    "($1, (SELECT count(*) + 1 FROM watch_polls WHERE watch_id = $1), "
	    "$2, $3, $4, $5, $6, $7)";
	struct params u = { 0 }, q = { 0 };
	PGresult *r;
	long rows;

	if ((final != NULL ? begin_write(st, "cannot start recording", err) :
	    cmd(st, "BEGIN", NULL, "cannot start recording", err)) != 0)
		return SLG_ESTORE;
	p_int(&u, w->errors);
	p_int(&u, w->settle);
	p_text(&u, p->summary);
	p_text(&u, final ? "done" : "running");
	p_time(&u, w->lease_until);
	p_int(&u, w->id);
	p_text(&u, w->owner);
	if ((r = run(st, upd, &u, "cannot record the poll", err)) == NULL)
		goto fail;
	rows = changed(r);
	PQclear(r);
	if (rows != 1) {
		/* ended, or taken over by another service: not polled twice */
		slg_err_set(err, SLG_ECONFLICT, "evaluation %lld has ended or is "
		    "polled by another service", (long long)w->id);
		goto fail;
	}
	p_int(&q, w->id);
	p_int(&q, p->polled_at);
	p_int(&q, p->window_end);
	p_text(&q, slg_verdict_str(p->verdict));
	p_text(&q, p->summary ? p->summary : "");
	p_text(&q, p->reason ? p->reason : "");
	p_text(&q, w->owner);
	if (cmd(st, ins, &q, "cannot record the poll", err) != 0)
		goto fail;
	if (final != NULL) {
		final->watch_id = w->id;
		if (write_verdict(st, final, err) != 0)
			goto fail;
	}
	if (commit(st, "cannot commit the poll", err) != 0)
		goto fail;
	w->polls++;
	w->running = final == NULL;
	return 0;
fail:
	rollback(st);
	if (final != NULL)
		final->id = final->watch_id = 0;
	return err->code;
}

/* The watches sql gives with p. */
static int
read_watches(struct pg_store *st, const char *sql, const struct params *p,
    struct slg_watch **out, size_t *n, struct slg_err *err)
{
	return read_rows(st, sql, p, "cannot read evaluations", sizeof(**out),
	    fill_watch, (void **)out, n, err);
}

static int
pg_watch_get(struct slg_store *base, int64_t id, struct slg_watch *out,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_watch *w;
	struct params p = { 0 };
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	p_int(&p, id);
	if ((rc = read_watches(st, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
	    "WHERE id = $1", &p, &w, &n, err)) != 0)
		return rc;
	if (n == 1)
		*out = w[0];
	else
		rc = slg_err_set(err, SLG_ENOTFOUND, "no evaluation %lld",
		    (long long)id);
	free(w);
	return rc;
}

static int
pg_watch_list(struct slg_store *base, const char *commit,
    struct slg_watch **out, size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };

	if (commit == NULL)
		return read_watches(st, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
		    "WHERE state = 'running' ORDER BY id", NULL, out, n, err);
	p_text(&p, commit);
	return read_watches(st, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
	    "WHERE commit_sha = $1 ORDER BY id", &p, out, n, err);
}

static int
pg_watch_claim(struct slg_store *base, const char *owner, int64_t now,
    int64_t lease, size_t max, struct slg_watch **out, size_t *n,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	/* its own renewed, however many; up to max lapsed ones taken, SKIP
	 * LOCKED leaving a row another replica is claiming or polling right
	 * now to it */
	static const char claim[] = "UPDATE watches SET lease_owner = $1, "
	    "lease_until = $2 + $3 WHERE state = 'running' AND (lease_owner = $1 "
	    "OR id IN (SELECT id FROM watches WHERE state = 'running' AND "
	    "(lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $4 FOR "
	    "UPDATE SKIP LOCKED))";
	struct params p = { 0 }, q = { 0 };

	p_text(&p, owner);
	p_int(&p, now);
	p_int(&p, lease);
	p_int(&p, (int64_t)max);
	if (cmd(st, claim, &p, "cannot claim evaluations", err) != 0)
		return SLG_ESTORE;
	p_text(&q, owner);
	return read_watches(st, "SELECT " SLG_WATCH_COLUMNS " FROM watches "
	    "WHERE state = 'running' AND lease_owner = $1 ORDER BY id", &q, out,
	    n, err);
}

static int
pg_watch_release(struct slg_store *base, const char *owner,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };

	p_text(&p, owner);
	return cmd(st, "UPDATE watches SET lease_until = NULL WHERE lease_owner "
	    "= $1 AND state = 'running'", &p, "cannot release evaluations", err);
}

static int
pg_watch_polls(struct slg_store *base, int64_t id,
    struct slg_watch_poll **out, size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct params p = { 0 };

	p_int(&p, id);
	return read_rows(st, "SELECT " SLG_POLL_COLUMNS " FROM watch_polls WHERE "
	    "watch_id = $1 ORDER BY seq", &p, "cannot read polls", sizeof(**out),
	    fill_poll, (void **)out, n, err);
}

/* ---- the audit trail, read ---- */

static int
pg_audit_list(struct slg_store *base, const struct slg_audit_filter *f,
    struct slg_audit_entry **out, size_t *n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_buf sql = SLG_BUF_INIT;
	struct params p = { 0 };
	PGresult *r;
	int rows, rc = 0;

	*out = NULL;
	*n = 0;
	slg_buf_puts(&sql, "SELECT " SLG_AUDIT_COLUMNS " FROM audit WHERE true");
	if (f->service) {
		p_text(&p, f->service);
		slg_buf_printf(&sql, " AND service = $%d", p.n);
	}
	if (f->environment) {
		p_text(&p, f->environment);
		slg_buf_printf(&sql, " AND environment = $%d", p.n);
	}
	if (f->commit) {
		p_text(&p, f->commit);
		slg_buf_printf(&sql, " AND commit_sha = $%d", p.n);
	}
	if (f->kind) {
		p_text(&p, f->kind);
		slg_buf_printf(&sql, " AND kind = $%d", p.n);
	}
	if (f->before) {
		p_int(&p, f->before);
		slg_buf_printf(&sql, " AND id < $%d", p.n);
	}
	p_int(&p, f->limit > 0 ? f->limit : 50);
	slg_buf_printf(&sql, " ORDER BY id DESC LIMIT $%d", p.n);
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	r = run(st, sql.data, &p, "cannot read the audit trail", err);
	slg_buf_release(&sql);
	if (r == NULL)
		return SLG_ESTORE;
	rows = PQntuples(r);
	if ((*out = calloc(rows ? (size_t)rows : 1, sizeof(**out))) == NULL)
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (int i = 0; rc == 0 && i < rows; i++) {
		slg_row_audit(&PG_ROW(r, i), &(*out)[i]);
		(*n)++;
		if ((*out)[i].actor == NULL || (*out)[i].what == NULL)
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	PQclear(r);
	if (rc != 0) {
		slg_store_audit_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* The walk reads the trail a page at a time, so a long trail is not held
 * in memory at once. */
#define AUDIT_PAGE 1000

static int
pg_audit_verify(struct slg_store *base, const char *expect_head,
    struct slg_audit_check *c, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_trail_reader rd = { st, hash_rows };
	struct slg_trail_walk w;
	int64_t after = -1;
	int rc = 0, rows;
	PGresult *r;

	slg_trail_walk_start(&w, &rd, expect_head, c);
	/* one snapshot: a change made meanwhile is not half seen */
	if (cmd(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL,
	    "cannot check the audit trail", err) != 0)
		return SLG_ESTORE;
	do {
		struct params p = { 0 };

		p_int(&p, after);
		p_int(&p, AUDIT_PAGE);
		if ((r = run(st, "SELECT " SLG_AUDIT_COLUMNS " FROM audit WHERE "
		    "id > $1 ORDER BY id LIMIT $2", &p, "cannot read the audit "
		    "trail", err)) == NULL) {
			rc = SLG_ESTORE;
			goto out;
		}
		rows = PQntuples(r);
		for (int i = 0; i < rows && c->ok && rc == 0; i++) {
			struct slg_audit_entry e;

			slg_row_audit(&PG_ROW(r, i), &e);
			after = e.id;
			rc = slg_trail_walk_step(&w, &e, c, err);
			slg_audit_entry_release(&e);
		}
		PQclear(r);
	} while (rc == 0 && c->ok && rows == AUDIT_PAGE);
	if (rc != 0)
		goto out;
	slg_trail_walk_end(&w, c);
	for (size_t i = 0; c->ok && i < slg_trail_nunrecorded; i++) {
		if ((r = run(st, slg_trail_unrecorded[i].sql, NULL, "cannot check "
		    "the audit trail", err)) == NULL) {
			rc = SLG_ESTORE;
			goto out;
		}
		if (PQntuples(r) > 0)
			slg_trail_unrecorded_why(i, strtoll(PQgetvalue(r, 0, 0),
			    NULL, 10), c);
		PQclear(r);
	}
	if ((r = run(st, SLG_TRAIL_OLDER_SQL, NULL, "cannot check the audit "
	    "trail", err)) != NULL) {
		if (PQntuples(r) == 1)
			c->older = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	} else {
		rc = SLG_ESTORE;
	}
out:
	rollback(st);
	return rc;
}

/* ---- db copy ---- */

static int
pg_copy_begin(struct slg_store *base, int writing, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;

	if (!writing)
		return cmd(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		    NULL, "cannot read the database", err);
	if (begin_write(st, "cannot start the copy", err) != 0)
		return SLG_ESTORE;
	/* where the trail starts comes from the source */
	if (cmd(st, "DELETE FROM audit_start", NULL, "cannot start the copy",
	    err) != 0) {
		rollback(st);
		return SLG_ESTORE;
	}
	return 0;
}

/* A page of rows at a time through a cursor: a large history is not held
 * in memory at once. */
static int
pg_copy_read(struct slg_store *base, const struct slg_copy_table *t,
    slg_copy_row_fn row, void *ctx, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_copy_value v[48];
	struct slg_buf sql = SLG_BUF_INIT;
	PGresult *r;
	int rc = 0, rows;

	if (t->ncol > 48)
		return slg_err_set(err, SLG_ESTORE, "%s: too many columns",
		    t->name);
	slg_buf_printf(&sql, "DECLARE copy_rows NO SCROLL CURSOR FOR SELECT %s "
	    "FROM %s ORDER BY %s", t->columns, t->name, t->order);
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	rc = cmd(st, sql.data, NULL, "cannot read the database", err);
	slg_buf_release(&sql);
	if (rc != 0)
		return rc;
	do {
		if ((r = run(st, "FETCH 1000 FROM copy_rows", NULL, "cannot read "
		    "the database", err)) == NULL)
			return SLG_ESTORE;
		rows = PQntuples(r);
		for (int i = 0; rc == 0 && i < rows; i++) {
			for (int c = 0; c < t->ncol; c++) {
				const char *val = PQgetvalue(r, i, c);

				v[c].type = PQgetisnull(r, i, c) ? SLG_TV_NULL :
				    column_type(PQftype(r, c));
				v[c].i = strtoll(val, NULL, 10);
				v[c].r = strtod(val, NULL);
				v[c].t = v[c].type == SLG_TV_NULL ? NULL : val;
			}
			rc = row(ctx, v, t->ncol, err);
		}
		PQclear(r);
	} while (rc == 0 && rows > 0);
	if (rc == 0)
		rc = cmd(st, "CLOSE copy_rows", NULL, "cannot read the database",
		    err);
	return rc;
}

static int
pg_copy_write(struct slg_store *base, const struct slg_copy_table *t,
    const struct slg_copy_value *v, int n, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	struct slg_buf sql = SLG_BUF_INIT;
	struct params p = { 0 };
	int rc;

	if (n > MAXP)
		return slg_err_set(err, SLG_ESTORE, "%s: too many columns",
		    t->name);
	slg_buf_printf(&sql, "INSERT INTO %s (%s) VALUES ($1", t->name,
	    t->columns);
	for (int c = 0; c < n; c++) {
		if (c > 0)
			slg_buf_printf(&sql, ", $%d", c + 1);
		if (v[c].type == SLG_TV_INT)
			p_int(&p, v[c].i);
		else if (v[c].type == SLG_TV_REAL)
			p_real(&p, v[c].r);
		else
			p_text(&p, v[c].t);
	}
	slg_buf_puts(&sql, ")");
	if (sql.data == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	rc = cmd(st, sql.data, &p, "cannot copy into the database", err);
	slg_buf_release(&sql);
	return rc;
}

static int
pg_copy_count(struct slg_store *base, const char *table, int64_t *n,
    struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	PGresult *r;
	char sql[96];

	/* table: a name of copy.c's list, never the user's */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if ((r = run(st, sql, NULL, "cannot count rows", err)) == NULL)
		return SLG_ESTORE;
	*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

static int
pg_copy_end(struct slg_store *base, int writing, int ok, struct slg_err *err)
{
	struct pg_store *st = (struct pg_store *)base;
	/* the sequences go on after the ids copied */
	static const char sequences[] = "SELECT setval('evaluation_ids', "
	    "greatest((SELECT max(id) FROM verdicts), (SELECT max(id) FROM "
	    "watches), 0) + 1, false), setval('verdict_recorded', coalesce(("
	    "SELECT max(recorded) FROM verdicts), 0) + 1, false), setval("
	    "pg_get_serial_sequence('baselines', 'id'), coalesce((SELECT max(id) "
	    "FROM baselines), 0) + 1, false), setval(pg_get_serial_sequence("
	    "'approvals', 'id'), coalesce((SELECT max(id) FROM approvals), 0) + 1, "
	    "false), setval(pg_get_serial_sequence('invalidations', 'id'), "
	    "coalesce((SELECT max(id) FROM invalidations), 0) + 1, false)";

	if (writing && ok) {
		if (cmd(st, sequences, NULL, "cannot set the sequences", err) != 0) {
			rollback(st);
			return SLG_ESTORE;
		}
		return commit(st, "cannot commit the copy", err);
	}
	rollback(st);
	return 0;
}

/* ---- the handle ---- */

static const struct slg_store_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.schema_latest = slg_pg_schema_latest,
	.label = pg_label,
	.schema_version = pg_schema_version,
	.schema_found = pg_schema_found,
	.record_batch = pg_record_batch,
	.baseline_add = pg_baseline_add,
	.baseline_current = pg_baseline_current,
	.baseline_list = pg_baseline_list,
	.past_values = pg_past_values,
	.approval_add = pg_approval_add,
	.approval_revoke = pg_approval_revoke,
	.approval_get = pg_approval_get,
	.invalidate = pg_invalidate,
	.resolve_commit = pg_resolve_commit,
	.history = pg_history,
	.get = pg_get,
	.latest_per_service = pg_latest_per_service,
	.watch_add = pg_watch_add,
	.watch_poll = pg_watch_poll,
	.watch_get = pg_watch_get,
	.watch_list = pg_watch_list,
	.watch_claim = pg_watch_claim,
	.watch_release = pg_watch_release,
	.watch_polls = pg_watch_polls,
	.ping = pg_ping,
	.audit_list = pg_audit_list,
	.audit_verify = pg_audit_verify,
	.copy_begin = pg_copy_begin,
	.copy_read = pg_copy_read,
	.copy_write = pg_copy_write,
	.copy_count = pg_copy_count,
	.copy_end = pg_copy_end,
};

/* Leases and windows are told by each process's clock: one whose clock is
 * off the database's by more than this is refused, so a replica running
 * fast can neither take every lease over nor judge a window early. */
#define MAX_CLOCK_SKEW 5

static int
clock_check(struct pg_store *st, struct slg_err *err)
{
	PGresult *r;
	long long db, here, off;

	if ((r = run(st, "SELECT floor(extract(epoch FROM clock_timestamp()))",
	    NULL, "cannot read the database's clock", err)) == NULL)
		return SLG_ESTORE;
	db = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	here = (long long)time(NULL);
	PQclear(r);
	off = here - db;
	if (off > MAX_CLOCK_SKEW || off < -MAX_CLOCK_SKEW)
		return slg_err_set(err, SLG_ESTORE, "this machine's clock is %lld "
		    "s %s the database's (%s): leases and windows need clocks "
		    "within %d s, so set its time (NTP) first", off < 0 ? -off :
		    off, off < 0 ? "behind" : "ahead of", st->label,
		    MAX_CLOCK_SKEW);
	return 0;
}

/* The store must not print: PostgreSQL's notices are dropped. */
static void
no_notices(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
slg_pg_schema_latest(void)
{
	return (int)slg_pg_schema_count;
}

int
slg_pg_open(const char *url, int migrating, struct slg_store **out,
    struct slg_err *err)
{
	struct pg_store *st;
	PQconninfoOption *opts;
	char *perr = NULL, pass[256] = "";
	int rc, v;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	st->base.ops = &pg_ops;
	snprintf(st->label, sizeof(st->label), "postgresql://...");
	/* libpq's messages about a URL it cannot read quote it, password
	 * and all: none of them is shown */
	if ((opts = PQconninfoParse(url, &perr)) == NULL) {
		PQfreemem(perr);
		rc = slg_err_set(err, SLG_EUSAGE, "malformed postgresql:// URL "
		    "(not shown: it may hold a password)");
		goto fail;
	}
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0')
			snprintf(pass, sizeof(pass), "%s", o->val);
	}
	PQconninfoFree(opts);
	/* libpq reads the URL and the PG* environment (sslmode included) */
	st->conn = PQconnectdb(url);
	if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
		const char *m = st->conn ? PQerrorMessage(st->conn) :
		    "out of memory";

		if (pass[0] != '\0' && strstr(m, pass) != NULL)
			m = "libpq's message is not shown: it holds the password";
		rc = slg_err_set(err, SLG_ESTORE, "cannot connect to the "
		    "PostgreSQL database: %.*s", (int)strcspn(m, "\n"), m);
		goto fail;
	}
	PQsetNoticeProcessor(st->conn, no_notices, NULL);
	snprintf(st->label, sizeof(st->label), "postgresql://%.40s@%.60s:%.8s/"
	    "%.60s", PQuser(st->conn), PQhost(st->conn), PQport(st->conn),
	    PQdb(st->conn));
	/* the database's own time zone and locale do not change what is read */
	if ((rc = cmd(st, "SET TIME ZONE 'UTC'", NULL, "cannot set up the "
	    "connection", err)) != 0 || (rc = clock_check(st, err)) != 0)
		goto fail;
	if (migrating) {
		if ((rc = migrate(st, err)) != 0)
			goto fail;
	} else {
		if ((rc = read_version(st, &v, err)) != 0)
			goto fail;
		st->found_version = v;
		/* replicas of two versions never race a migration: it is
		 * run on purpose, once */
		if (v < (int)slg_pg_schema_count) {
			rc = slg_err_set(err, SLG_ESTORE, "database %s has schema "
			    "version %d, this slogate needs %zu: run `slogate db "
			    "migrate --db URL` first", st->label, v,
			    slg_pg_schema_count);
			goto fail;
		}
		if (v > (int)slg_pg_schema_count) {
			rc = slg_err_set(err, SLG_ESTORE, "database %s has schema "
			    "version %d, newer than this slogate knows (%zu): use "
			    "a newer slogate", st->label, v, slg_pg_schema_count);
			goto fail;
		}
	}
	*out = &st->base;
	return 0;
fail:
	pg_close(&st->base);
	return rc;
}
