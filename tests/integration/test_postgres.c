/* test_postgres: the real PostgreSQL the tests start (tests/integration
 * harness: initdb and pg_ctl into a temporary folder, as nobody under
 * root), and what slogate does with a postgresql:// database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "testutil.h"

static char *dir;
static struct h_pg pg;

static int
up(void **state)
{
	(void)state;
	if ((dir = h_tmpdir()) == NULL || h_pg_start(&pg, dir) != 0)
		return -1;
	return 0;
}

static int
down(void **state)
{
	(void)state;
	h_pg_stop(&pg);
	h_rmrf(dir);
	free(dir);
	return 0;
}

/* The server the tests get answers SQL over loopback, and keeps what was
 * written across a restart on the same port (the fleet tests stop it
 * under running replicas). */
static void
server_answers_and_survives_a_restart(void **state)
{
	(void)state;
	assert_int_equal(h_sh("psql -qAt '%s' -c 'CREATE TABLE t (v int); "
	    "INSERT INTO t VALUES (42)' >/dev/null", pg.url), 0);
	assert_int_equal(h_pg_stop(&pg), 0);
	assert_int_not_equal(h_sh("psql -qAt '%s' -c 'SELECT 1' >/dev/null "
	    "2>&1", pg.url), 0);
	assert_int_equal(h_pg_start(&pg, dir), 0);
	assert_int_equal(h_sh("test \"$(psql -qAt '%s' -c 'SELECT v FROM t')\" "
	    "= 42", pg.url), 0);
}

/* psql's single value for sql, as text (caller frees); NULL when psql
 * fails. */
static char *
pg_value(const char *sql)
{
	char cmd[4096], buf[512] = "";
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "psql -qAt -v ON_ERROR_STOP=1 '%s' -c \"%s\" "
	    "2>&1", pg.url, sql);
	if ((p = popen(cmd, "r")) == NULL)
		return NULL;
	if (fgets(buf, sizeof(buf), p) != NULL)
		buf[strcspn(buf, "\n")] = '\0';
	st = pclose(p);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? strdup(buf) : NULL;
}

#define assert_pg(sql, want) do {					\
	char *v_ = pg_value(sql);					\
	assert_non_null(v_);						\
	assert_string_equal(v_, want);					\
	free(v_);							\
} while (0)

/* schema/postgres/ applies to a real PostgreSQL in one transaction, with
 * the rules the SQLite schema has: verdicts and watches share one
 * sequence of ids, verdicts are numbered in the order written and the
 * last one written is the latest, the audit trail refuses change, a
 * verdict needs a known outcome. */
static void
postgres_schema_applies_with_its_rules(void **state)
{
	static const char verdict[] = "INSERT INTO verdicts (service, "
	    "environment, commit_sha, build_time, evaluated_at, window_start, "
	    "window_end, step, policy_path, policy_digest, prometheus_url, "
	    "slogate_version, verdict, reason) VALUES ('api', 'staging', "
	    "'abc', 1, 2, 1, 2, 60, 'p.json', 'd', 'http://p', '0', '%s', 'r') "
	    "RETURNING id";
	char sql[1024];

	(void)state;
	assert_int_equal(h_sh("psql -q -v ON_ERROR_STOP=1 --single-transaction "
	    "'%s' -f '%s/schema/postgres/001_init.sql' >/dev/null", pg.url,
	    h_top()), 0);
	assert_pg("SELECT version FROM schema_version", "1");

	snprintf(sql, sizeof(sql), verdict, "fail");
	assert_pg(sql, "1");
	assert_pg("INSERT INTO watches (service, environment, commit_sha, "
	    "since, deadline, created_at, state, policy) VALUES ('api', "
	    "'staging', 'abc', 1, 2, 1, 'running', '{}') RETURNING id", "2");
	snprintf(sql, sizeof(sql), verdict, "pass");
	assert_pg(sql, "3");
	assert_pg("SELECT string_agg(id::text, ',' ORDER BY recorded) FROM "
	    "verdicts", "1,3");
	assert_pg("SELECT verdict_id FROM latest_verdicts", "3");
	/* an outcome the gate does not know is not a verdict */
	snprintf(sql, sizeof(sql), verdict, "promote");
	assert_null(pg_value(sql));

	assert_pg("INSERT INTO audit VALUES (1, 1, 'ci', 'evaluation', 'api', "
	    "'staging', 'abc', 1, 'pass', NULL, 'c', 'p', 'h') RETURNING id",
	    "1");
	assert_null(pg_value("UPDATE audit SET what = 'fail'"));
	assert_null(pg_value("DELETE FROM audit"));
	assert_null(pg_value("TRUNCATE audit"));
	assert_pg("SELECT what FROM audit", "pass");
	assert_int_equal(h_sh("psql -qAt '%s' -c 'DELETE FROM audit' 2>&1 | "
	    "grep -q 'the audit trail is append-only'", pg.url), 0);
}

/* A postgresql:// database is PostgreSQL's, and its password is never
 * shown: not when a command refuses it before `slogate db migrate` (exit
 * 4, saying so), nor by the migration, nor once it is migrated. */
static void
postgresql_url_never_shows_the_password(void **state)
{
	char url[160];
	const char *hist[] = { "history", "--db", url, NULL };
	const char *mig[] = { "db", "migrate", "--db", url, NULL };
	struct run r;

	(void)state;
	assert_int_equal(h_sh("psql -q '%s' -c 'CREATE DATABASE fresh'", pg.url),
	    0);
	snprintf(url, sizeof(url), "postgresql://slogate:s3cret@127.0.0.1:%d/"
	    "fresh", pg.port);
	h_slogate(&r, hist, NULL);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "slogate db migrate");
	assert_null(strstr(r.err, "s3cret"));
	assert_null(strstr(r.out, "s3cret"));
	h_run_free(&r);
	h_slogate(&r, mig, NULL);
	assert_int_equal(r.code, 0);
	assert_contains(r.out, "created at schema");
	assert_null(strstr(r.err, "s3cret"));
	assert_null(strstr(r.out, "s3cret"));
	h_run_free(&r);
	h_slogate(&r, hist, NULL);
	assert_int_equal(r.code, 0);
	assert_null(strstr(r.err, "s3cret"));
	assert_null(strstr(r.out, "s3cret"));
	h_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_answers_and_survives_a_restart),
		cmocka_unit_test(postgres_schema_applies_with_its_rules),
		cmocka_unit_test(postgresql_url_never_shows_the_password),
	};

	return cmocka_run_group_tests(tests, up, down);
}
