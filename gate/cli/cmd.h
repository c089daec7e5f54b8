/* cmd: what every command shares: the command table entry, exit codes,
 * flag and environment helpers. Only the CLI layer includes this. */
#ifndef SLG_CMD_H
#define SLG_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/err.h"
#include "store/store.h"

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
int cmd_show(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_invalidate(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Exit code of approve, invalidate and status when the answer is no. */
#define SLG_EXIT_REFUSED 1

/* Prints one line to stdout, formatted, with control characters escaped
 * (the values may come from outside: a branch, a reason). */
void slg_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "slogate CMD: error: MESSAGE" to stderr, the message escaped
 * (it may quote a flag, a service's answer or Prometheus's words). */
void slg_say_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "slogate CMD: message" and the command's usage (when not NULL) to
 * stderr; returns 64. */
int slg_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For getopt_long's ':' (missing value) and '?' (unknown flag): prints
 * what was wrong and the usage; returns 64. */
int slg_opt_error(const char *cmd, const char *usage, char **argv, int c);

/* A commit as given on the command line: checked to be hex, lower-cased,
 * and, when abbreviated, resolved among recorded verdicts. */
int slg_commit_arg(struct slg_store *st, const char *given, char out[65],
    struct slg_err *err);

/* Who is acting: flag, else $GITLAB_USER_LOGIN, else $USER, else NULL. */
const char *slg_who(const char *flag);

struct slg_remote;

/* Remote mode: --server flag, else $SLOGATE_SERVER. Fills r (token from
 * $SLOGATE_TOKEN) and returns 1 when a server is named, else 0. */
int slg_remote_from(const char *flag, struct slg_remote *r, long timeout_ms);

/* Calls the service and checks the answer's status is want. Returns 0, or
 * prints why not ("slogate CMD: error: ...") and returns the exit code
 * local mode gives for the same trouble: 1 for not found and conflicts
 * (refused), 4 for the rest (unreachable, refused token, server error). */
int slg_remote_json(const char *cmd, const struct slg_remote *r,
    const char *method, const char *path, const char *body, long want,
    struct slg_buf *out);

/* The part of slg_remote_json after the call: says why an answer with
 * this status is not the one wanted and returns the exit code. */
int slg_remote_refused(const char *cmd, long status, const struct slg_buf *out);

/* Prints "slogate CMD: error: message" to stderr; returns the exit code for
 * err (64 for usage errors, else 4). */
int slg_fail(const char *cmd, const struct slg_err *err);

/* getenv that treats an empty variable as unset. */
const char *slg_env(const char *name);

/* --policy for status and approve: the policy at path (when not NULL)
 * names the service and environment it judges; fills those still NULL.
 * *keep holds the strings (slg_policy_free). Returns 0, or prints why
 * the policy cannot be read and returns the exit code. */
int slg_policy_names(const char *cmd, const char *path, const char **service,
    const char **environment, struct slg_policy **keep);

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
