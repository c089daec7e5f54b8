/* storedb: the database a unit test of the store opens, on the backend
 * $SLOGATE_TEST_BACKEND names: a SQLite file in the test's folder, or a
 * fresh database of the PostgreSQL cluster the harness starts for this
 * process (tests/integration/harness.c), migrated through the store. */
#ifndef SLG_STOREDB_H
#define SLG_STOREDB_H

#include <stdio.h>

#include "harness.h"
#include "store/store.h"

/* Brings the PostgreSQL database url to the schema this slogate writes,
 * as `slogate db migrate` does (slg_store_migrate); 0 when it did, -1 with
 * the reason on stderr. */
static inline int
t_store_migrate(const char *url)
{
	struct slg_err err = { 0, "" };
	struct slg_store *st = NULL;

	if (slg_store_migrate(url, &st, &err) != 0) {
		fprintf(stderr, "storedb: cannot migrate %s: %s\n", url,
		    err.msg);
		return -1;
	}
	slg_store_close(st);
	return 0;
}

/* The --db of a test's fresh database in out (n bytes): dir/slogate.db,
 * not yet created, on sqlite; a new migrated PostgreSQL database on
 * postgres. 0 when it is ready, -1 with the reason on stderr. */
static inline int
t_store_db(char *out, size_t n, const char *dir)
{
	if (!h_backend_pg()) {
		if ((size_t)snprintf(out, n, "%s/slogate.db", dir) >= n)
			return -1;
		return 0;
	}
	if (h_pg_db_new(out, n, "store") != 0)
		return -1;
	return t_store_migrate(out);
}

#endif
