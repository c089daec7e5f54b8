/* main: the command table; sets up the libraries, runs one command. */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "io/gitmeta.h"
#include "io/prom.h"
#include "util/text.h"

#ifndef SLG_VERSION
#define SLG_VERSION "0.0.0"
#endif
#ifndef SLG_GIT_COMMIT
#define SLG_GIT_COMMIT "unknown"
#endif
#ifndef SLG_BUILD_TIME
#define SLG_BUILD_TIME "unknown"
#endif

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct slg_cmd cmds[] = {
	{ "check", cmd_check, "evaluate a policy against Prometheus and record the verdict" },
	{ "status", cmd_status, "may this commit be promoted? (exit 0 yes, 1 no)" },
	{ "approve", cmd_approve, "approve promotion of a blocked commit, with a reason" },
	{ "history", cmd_history, "SLO history: recorded verdicts, newest first" },
	{ "show", cmd_show, "everything recorded for a commit or a verdict" },
	{ "baseline", cmd_baseline, "set, import, promote and show baselines" },
	{ "invalidate", cmd_invalidate, "mark a verdict unusable as a baseline" },
	{ "audit", cmd_audit, "the audit trail of every change; audit verify" },
	{ "serve", cmd_serve, "run the HTTP service: API, history pages, metrics" },
	{ "db", cmd_db, "bring the database's schema up to date: db migrate" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "show help for slogate or a command" },
	{ NULL, NULL, NULL }
};

const char *
slg_version(void)
{
	return SLG_VERSION;
}

const char *
slg_version_string(void)
{
	return SLG_VERSION " (commit " SLG_GIT_COMMIT ", built " SLG_BUILD_TIME ")";
}

/* Formats into a buffer and writes it escaped, then end. */
static void
vsay(FILE *f, const char *head, const char *end, const char *fmt,
    va_list ap)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(f, "%s%s%s", head, slg_esc(&esc, line), end);
	slg_esc_release(&esc);
}

void
slg_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(stdout, "", "\n", fmt, ap);
	va_end(ap);
}

void
slg_say_error(const char *cmd, const char *fmt, ...)
{
	char head[64];
	va_list ap;

	snprintf(head, sizeof(head), "slogate %s: error: ", cmd);
	va_start(ap, fmt);
	vsay(stderr, head, "\n", fmt, ap);
	va_end(ap);
}

int
slg_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	char head[64];
	va_list ap;

	snprintf(head, sizeof(head), "slogate %s: ", cmd);
	va_start(ap, fmt);
	vsay(stderr, head, "\n\n", fmt, ap);
	va_end(ap);
	fputs(usage ? usage : "", stderr);
	return SLG_EXIT_USAGE;
}

int
slg_opt_error(const char *cmd, const char *usage, char **argv, int c)
{
	if (c == ':')
		return slg_usage_error(cmd, usage, "'%s' needs a value",
		    argv[optind - 1]);
	return slg_usage_error(cmd, usage, "unknown flag '%s'", argv[optind - 1]);
}

int
slg_commit_arg(struct slg_store *st, const char *given, char out[65],
    struct slg_err *err)
{
	char low[65];
	size_t n = strlen(given);

	if (n < 4 || n > 64 || strspn(given, "0123456789abcdefABCDEF") != n)
		return slg_err_set(err, SLG_EUSAGE, "commit '%s' is not a hex "
		    "sha (4 to 64 digits)", given);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)given[i]);
	if (n == 40 || n == 64) {
		memcpy(out, low, n + 1);
		return 0;
	}
	return slg_store_resolve_commit(st, low, out, err);
}

const char *
slg_who(const char *flag)
{
	if (flag != NULL && *flag != '\0')
		return flag;
	if (slg_env("GITLAB_USER_LOGIN"))
		return slg_env("GITLAB_USER_LOGIN");
	return slg_env("USER");
}

int
slg_fail(const char *cmd, const struct slg_err *err)
{
	slg_say_error(cmd, "%s", err->msg);
	switch (err->code) {
	case SLG_EUSAGE:
	case SLG_EINPUT:
		return SLG_EXIT_USAGE;
	case SLG_ENOTFOUND:
	case SLG_ECONFLICT:
		/* a request that was understood and answered no */
		return SLG_EXIT_REFUSED;
	default:
		return SLG_EXIT_ERROR;
	}
}

const char *
slg_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
slg_policy_names(const char *cmd, const char *path, const char **service,
    const char **environment, struct slg_policy **keep)
{
	struct slg_err err = { 0 };

	*keep = NULL;
	if (path == NULL)
		return 0;
	if (slg_policy_load(path, NULL, NULL, keep, &err) != 0)
		return slg_fail(cmd, &err);
	if (*service == NULL)
		*service = (*keep)->service;
	if (*environment == NULL)
		*environment = (*keep)->environment;
	return 0;
}

const char *
slg_db_path(const char *flag)
{
	if (flag != NULL)
		return flag;
	return slg_env("SLOGATE_DB") ? slg_env("SLOGATE_DB") : "slogate.db";
}

int64_t
slg_now(void)
{
	return (int64_t)time(NULL);
}

int
slg_write_file(const char *path, int (*writer)(FILE *, const void *),
    const void *arg, struct slg_err *err)
{
	char tmp[4096];
	FILE *f;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return slg_err_set(err, SLG_EIO, "path '%s' is too long", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return slg_err_set(err, SLG_EIO, "cannot write '%s'", path);
	rc = writer(f, arg);
	if (fclose(f) != 0 || rc != 0 || rename(tmp, path) != 0) {
		remove(tmp);
		return slg_err_set(err, SLG_EIO, "cannot write '%s'", path);
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: slogate COMMAND [FLAGS]\n\n"
	    "slogate decides whether a deployed build may be promoted, from its\n"
	    "SLOs in Prometheus, and records every verdict with its commit.\n\n"
	    "commands:\n");
	for (const struct slg_cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'slogate COMMAND --help' documents each command's flags.\n"
	    "\nexit codes of check: 0 pass, 1 fail, 2 warn, 3 inconclusive, "
	    "4 error;\nof status: 0 may be promoted, 1 may not; of the others: "
	    "0 done, 1 refused,\n4 error; 64 for a usage error (every "
	    "command).\n");
}

static int
cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		for (const struct slg_cmd *c = cmds; c->name; c++) {
			if (strcmp(c->name, argv[1]) == 0) {
				char help[] = "--help";
				char *args[] = { argv[1], help, NULL };

				return c->run(2, args);
			}
		}
		return slg_usage_error("help", NULL, "unknown command '%s'", argv[1]);
	}
	usage(stdout);
	return 0;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("slogate %s\n", slg_version_string());
	return 0;
}

int
main(int argc, char **argv)
{
	const struct slg_cmd *c;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return SLG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv + 1);
	for (c = cmds; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0)
			break;
	}
	if (c->name == NULL) {
		fprintf(stderr, "slogate: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return SLG_EXIT_USAGE;
	}
	/* a file size limit is a full disk to report, not a crash */
	signal(SIGXFSZ, SIG_IGN);
	/* before any thread: both libraries keep global state */
	if (slg_prom_global_init() != 0 || slg_git_global_init() != 0) {
		fprintf(stderr, "slogate: cannot initialise libcurl or libgit2\n");
		return SLG_EXIT_ERROR;
	}
	rc = c->run(argc - 1, argv + 1);
	slg_git_global_cleanup();
	slg_prom_global_cleanup();
	if (fflush(stdout) != 0 && rc == 0)
		rc = SLG_EXIT_ERROR;
	return rc;
}
