/* cmd: what every command shares: the command table entry, exit codes,
 * flag and environment helpers. Only the CLI layer includes this. */
#ifndef SLG_CMD_H
#define SLG_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "store.h"

/* Exit codes are a public contract (README, "Exit codes"): never renumber.
 * 0..4 are the verdicts (enum slg_verdict_kind). */
#define SLG_EXIT_OK 0
#define SLG_EXIT_ERROR 4
#define SLG_EXIT_USAGE 64

struct slg_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_check(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_history(int argc, char **argv);

/* Prints "slogate CMD: message" and the command's usage (when not NULL) to
 * stderr; returns 64. */
int slg_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints "slogate CMD: error: message" to stderr; returns the exit code for
 * err (64 for usage errors, else 4). */
int slg_fail(const char *cmd, const struct slg_err *err);

/* getenv that treats an empty variable as unset. */
const char *slg_env(const char *name);

/* The database: flag, else SLOGATE_DB, else ./slogate.db. */
const char *slg_db_path(const char *flag);

/* Current time, unix seconds. */
int64_t slg_now(void);

/* "0.1.0 (commit abc1234, built 2026-11-26T07:00:00Z)" */
const char *slg_version_string(void);
const char *slg_version(void);

/* Writes a report to path through a temporary file and rename(), so a
 * reader never sees half a file. */
int slg_write_file(const char *path, int (*writer)(FILE *, const void *),
    const void *arg, struct slg_err *err);

#endif
