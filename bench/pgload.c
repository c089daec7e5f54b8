/* pgload: loading a history the store wrote into SQLite into PostgreSQL
 * with COPY, for the benchmark (see pgload.h). */
#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgload.h"

/* What `slogate db copy` copies (gate/store/copy.c), in its order: the
 * foreign keys' order, verdicts in the order written. */
static const struct {
	const char *name, *columns, *order;
} tables[] = {
	{ "watches", "id, service, environment, commit_sha, since, deadline, "
	    "created_at, state, errors, settle, progress, policy, policy_path, "
	    "policy_digest, trial, actor, branch, ref_name, commit_author, "
	    "commit_subject, commit_time, build_time, pipeline_id, pipeline_url, "
	    "job_url, lease_owner, lease_until", "id" },
	{ "verdicts", "id, watch_id, service, environment, commit_sha, "
	    "commit_time, commit_author, commit_subject, branch, build_time, "
	    "evaluated_at, window_start, window_end, step, pipeline_id, "
	    "pipeline_url, job_url, ref_name, policy_path, policy_digest, "
	    "prometheus_url, slogate_version, verdict, reason, guard_promql, "
	    "guard_value, guard_min, score, score_max, score_pass, score_warn, "
	    "trial, recorded", "recorded" },
	{ "objective_results", "verdict_id, position, name, promql, sustained, "
	    "judged, unit, pass_criteria, warn_criteria, status, value, "
	    "value_at, baseline, baseline_source, points, points_failed, "
	    "points_warn, points_missing, detail, baseline_commits, "
	    "baseline_detail, weight, key", "verdict_id, position" },
	{ "baselines", "id, service, environment, objective, value, set_at, "
	    "set_by, source_commit, note, source_verdict", "id" },
	{ "approvals", "id, verdict_id, commit_sha, service, environment, "
	    "approved_by, reason, created_at, expires_at, revoked_at, "
	    "revoked_by, revoke_reason, named_by, revoked_named_by", "id" },
	{ "invalidations", "id, verdict_id, invalidated_by, reason, created_at",
	    "id" },
	{ "watch_polls", "watch_id, seq, polled_at, window_end, verdict, "
	    "summary, reason, polled_by", "watch_id, seq" },
	{ "audit", "id, at, actor, kind, service, environment, commit_sha, "
	    "subject_id, what, why, content_hash, prev_hash, hash", "id" },
	{ "audit_start", "verdicts, approvals, baselines, invalidations",
	    "verdicts" },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* the sequences go on after the ids copied, as db copy sets them */
static const char sequences[] = "SELECT setval('evaluation_ids', "
    "greatest((SELECT max(id) FROM verdicts), (SELECT max(id) FROM "
    "watches), 0) + 1, false), setval('verdict_recorded', coalesce(("
    "SELECT max(recorded) FROM verdicts), 0) + 1, false), setval("
    "pg_get_serial_sequence('baselines', 'id'), coalesce((SELECT max(id) "
    "FROM baselines), 0) + 1, false), setval(pg_get_serial_sequence("
    "'approvals', 'id'), coalesce((SELECT max(id) FROM approvals), 0) + 1, "
    "false), setval(pg_get_serial_sequence('invalidations', 'id'), "
    "coalesce((SELECT max(id) FROM invalidations), 0) + 1, false)";

#define CHUNK (256 * 1024)

struct out {
	PGconn *conn;
	char buf[CHUNK + 4096];
	size_t len;
	int failed;
};

static void
flush(struct out *o)
{
	if (o->len > 0 && !o->failed &&
	    PQputCopyData(o->conn, o->buf, (int)o->len) != 1)
		o->failed = 1;
	o->len = 0;
}

static void
put(struct out *o, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = sizeof(o->buf) - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			flush(o);
	}
}

/* One value in COPY's text format. Reals with 17 digits read back as the
 * same double, so the trail's hashes hold on PostgreSQL too. */
static void
put_value(struct out *o, sqlite3_stmt *s, int c)
{
	char num[64];
	const unsigned char *t;
	int n;

	switch (sqlite3_column_type(s, c)) {
	case SQLITE_NULL:
		put(o, "\\N", 2);
		return;
	case SQLITE_INTEGER:
		n = snprintf(num, sizeof(num), "%lld",
		    (long long)sqlite3_column_int64(s, c));
		put(o, num, (size_t)n);
		return;
	case SQLITE_FLOAT: {
		double d = sqlite3_column_double(s, c);

		if (isinf(d))
			n = snprintf(num, sizeof(num), "%s", d > 0 ? "Infinity" :
			    "-Infinity");
		else
			n = snprintf(num, sizeof(num), "%.17g", d);
		put(o, num, (size_t)n);
		return;
	}
	default:
		t = sqlite3_column_text(s, c);
		n = sqlite3_column_bytes(s, c);
		for (int i = 0; i < n; i++) {
			const char *e = t[i] == '\\' ? "\\\\" : t[i] == '\t' ?
			    "\\t" : t[i] == '\n' ? "\\n" : t[i] == '\r' ? "\\r" :
			    NULL;

			if (e != NULL)
				put(o, e, 2);
			else
				put(o, (const char *)&t[i], 1);
		}
	}
}

static int
fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	return -1;
}

static int
pg_cmd(PGconn *conn, const char *sql, char *msg, size_t len)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = fail(msg, len, "'%.60s': %s", sql, PQerrorMessage(conn));
	PQclear(r);
	return rc;
}

static int
pg_count(PGconn *conn, const char *table, int64_t *n, char *msg, size_t len)
{
	char sql[128];
	PGresult *r;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return fail(msg, len, "%s: %s", sql, PQerrorMessage(conn));
	}
	*n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return 0;
}

static int
sq_count(sqlite3 *db, const char *table, int64_t *n, char *msg, size_t len)
{
	char sql[128];
	sqlite3_stmt *s = NULL;
	int rc = 0;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		rc = fail(msg, len, "%s: %s", sql, sqlite3_errmsg(db));
	else
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc;
}

/* The rows of table i from db into COPY on conn; *rows counts them. */
static int
copy_table(sqlite3 *db, PGconn *conn, size_t i, int64_t *rows, char *msg,
    size_t len)
{
	static struct out o;
	char sql[1024];
	sqlite3_stmt *s = NULL;
	PGresult *r;
	int rc = 0, step;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s ORDER BY %s",
	    tables[i].columns, tables[i].name, tables[i].order);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail(msg, len, "%s: %s", tables[i].name,
		    sqlite3_errmsg(db));
	snprintf(sql, sizeof(sql), "COPY %s (%s) FROM STDIN", tables[i].name,
	    tables[i].columns);
	r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		PQclear(r);
		sqlite3_finalize(s);
		return fail(msg, len, "%s: %s", sql, PQerrorMessage(conn));
	}
	PQclear(r);
	o.conn = conn;
	o.len = 0;
	o.failed = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW && !o.failed) {
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			if (c > 0)
				put(&o, "\t", 1);
			put_value(&o, s, c);
		}
		put(&o, "\n", 1);
		(*rows)++;
	}
	flush(&o);
	if (step != SQLITE_DONE && !o.failed)
		rc = fail(msg, len, "%s: %s", tables[i].name, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (PQputCopyEnd(conn, rc == 0 && !o.failed ? NULL : "read failed") != 1)
		o.failed = 1;
	while ((r = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
			rc = fail(msg, len, "COPY %s: %s", tables[i].name,
			    PQerrorMessage(conn));
		PQclear(r);
	}
	if (o.failed && rc == 0)
		rc = fail(msg, len, "COPY %s: %s", tables[i].name,
		    PQerrorMessage(conn));
	return rc;
}

int
bench_pg_load(const char *path, const char *url, int64_t *rows, char *msg,
    size_t len)
{
	sqlite3 *db = NULL;
	PGconn *conn = NULL;
	int64_t want, have;
	int rc = -1;

	*rows = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fail(msg, len, "cannot open '%s': %s", path, sqlite3_errmsg(db));
		goto out;
	}
	conn = PQconnectdb(url);
	if (PQstatus(conn) != CONNECTION_OK) {
		fail(msg, len, "cannot connect: %s", PQerrorMessage(conn));
		goto out;
	}
	/* one snapshot of the file, one transaction of the database */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    pg_cmd(conn, "BEGIN", msg, len) != 0 ||
	    pg_cmd(conn, "SET client_min_messages = warning", msg, len) != 0 ||
	    pg_count(conn, "verdicts", &have, msg, len) != 0)
		goto out;
	if (have != 0) {
		fail(msg, len, "the database holds %lld verdicts already",
		    (long long)have);
		goto out;
	}
	/* where the trail starts comes from the file; the latest verdicts
	 * are made once, below */
	if (pg_cmd(conn, "DELETE FROM audit_start", msg, len) != 0 ||
	    pg_cmd(conn, "ALTER TABLE verdicts DISABLE TRIGGER verdicts_written",
	    msg, len) != 0)
		goto out;
	for (size_t i = 0; i < NTABLES; i++) {
		int64_t n = 0;

		if (copy_table(db, conn, i, &n, msg, len) != 0 ||
		    sq_count(db, tables[i].name, &want, msg, len) != 0 ||
		    pg_count(conn, tables[i].name, &have, msg, len) != 0)
			goto out;
		if (n != want || have != want) {
			fail(msg, len, "%s: %lld rows in the file, %lld read, %lld "
			    "in the database", tables[i].name, (long long)want,
			    (long long)n, (long long)have);
			goto out;
		}
		*rows += n;
	}
	/* what the trigger leaves: per service and environment, the verdict
	 * written last */
	if (pg_cmd(conn, "INSERT INTO latest_verdicts (service, environment, "
	    "verdict_id) SELECT DISTINCT ON (service, environment) service, "
	    "environment, id FROM verdicts ORDER BY service, environment, "
	    "recorded DESC", msg, len) != 0 ||
	    pg_cmd(conn, "ALTER TABLE verdicts ENABLE TRIGGER verdicts_written",
	    msg, len) != 0 ||
	    pg_cmd(conn, sequences, msg, len) != 0 ||
	    sq_count(db, "latest_verdicts", &want, msg, len) != 0 ||
	    pg_count(conn, "latest_verdicts", &have, msg, len) != 0)
		goto out;
	if (have != want) {
		fail(msg, len, "latest_verdicts: %lld in the file, %lld made",
		    (long long)want, (long long)have);
		goto out;
	}
	rc = pg_cmd(conn, "COMMIT", msg, len);
out:
	if (db != NULL)
		sqlite3_close(db);	/* ends its read transaction */
	PQfinish(conn);			/* rolls back unless committed */
	return rc;
}

int
bench_pg_exec(const char *url, const char *sql, char *msg, size_t len)
{
	PGconn *conn = PQconnectdb(url);
	int rc;

	if (PQstatus(conn) != CONNECTION_OK)
		rc = fail(msg, len, "cannot connect: %s", PQerrorMessage(conn));
	else
		rc = pg_cmd(conn, sql, msg, len);
	PQfinish(conn);
	return rc;
}

int
bench_pg_value(const char *url, const char *sql, char *out, size_t len)
{
	PGconn *conn = PQconnectdb(url);
	PGresult *r;
	int rc = -1;

	snprintf(out, len, "?");
	if (PQstatus(conn) == CONNECTION_OK) {
		r = PQexec(conn, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
			snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
			rc = 0;
		}
		PQclear(r);
	}
	PQfinish(conn);
	return rc;
}
