/* test_postgres: the real PostgreSQL the tests start (tests/integration
 * harness: initdb and pg_ctl into a temporary folder, as nobody under
 * root), and what slogate does with a postgresql:// database today. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Until slogate has its PostgreSQL store, a postgresql:// database is a
 * usage error that names no password, never a SQLite file of that name. */
static void
postgresql_url_is_refused_without_the_password(void **state)
{
	char url[160];
	const char *args[] = { "history", "--db", url, NULL };
	struct run r;

	(void)state;
	snprintf(url, sizeof(url), "postgresql://slogate:s3cret@127.0.0.1:%d/"
	    "postgres", pg.port);
	h_slogate(&r, args, NULL);
	assert_int_equal(r.code, 64);
	assert_contains(r.err, "PostgreSQL");
	assert_null(strstr(r.err, "s3cret"));
	assert_null(strstr(r.out, "s3cret"));
	h_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_answers_and_survives_a_restart),
		cmocka_unit_test(postgresql_url_is_refused_without_the_password),
	};

	return cmocka_run_group_tests(tests, up, down);
}
