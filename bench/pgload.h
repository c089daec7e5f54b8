/* pgload: the benchmark's helpers that speak to PostgreSQL and SQLite
 * directly, beside the store: loading a large history into PostgreSQL
 * with COPY, counting rows, and maintenance statements.
 * Must not be used by slogate itself: only bench/ links it. */
#ifndef BENCH_PGLOAD_H
#define BENCH_PGLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Copies every row the store wrote into the SQLite file at path into the
 * PostgreSQL database at url, which slg_store_migrate made and which holds
 * no history, with PostgreSQL's COPY in one transaction: the tables and
 * columns `slogate db copy` copies, in its order, ids, hashes and the
 * order written kept. latest_verdicts is filled once from the verdicts'
 * order written instead of by the trigger per row (that trigger updates
 * the same rows once per verdict in one transaction: see BENCHMARKS.md),
 * then every table's count, latest_verdicts' included, is compared with
 * the file's before it commits. *rows is the number of rows copied.
 * Returns 0, or -1 with a message in msg. */
int bench_pg_load(const char *path, const char *url, int64_t *rows,
    char *msg, size_t len);

/* Runs sql, statements without results, on url (e.g. VACUUM ANALYZE).
 * Returns 0, or -1 with a message in msg. */
int bench_pg_exec(const char *url, const char *sql, char *msg, size_t len);

/* The first value of the first row sql gives on url into out (e.g.
 * "SHOW fsync"). Returns 0, or -1 with "?" in out. */
int bench_pg_value(const char *url, const char *sql, char *out, size_t len);

#endif
