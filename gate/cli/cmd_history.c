/* cmd_history: `slogate history`: recorded verdicts, newest first. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "report/jsonin.h"
#include "io/remote.h"
#include "report/report.h"
#include "util/timefmt.h"

static const char usage_text[] =
"usage: slogate history [--service S] [--environment E] [--commit SHA]\n"
"                       [--branch B] [--since TIME] [--limit N]\n"
"                       [--format text|json|csv] [--db URL]\n"
"\n"
"Lists recorded verdicts, newest first: commit, branch, build time, when\n"
"it was evaluated, the verdict and each objective's value.\n"
"\n"
"  --commit SHA     full or abbreviated commit\n"
"  --branch B       only verdicts of this branch\n"
"  --since TIME     evaluated at or after TIME (RFC 3339 or unix seconds)\n"
"  --limit N        at most N verdicts (1 to 10000); default 20\n"
"  --format         text (default), json (an array of verdict objects, the\n"
"                   shape of check --format json, with approvals) or csv\n"
"  --db URL         default $SLOGATE_DB, else slogate.db (a file, or\n"
"                   postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL     ask the slogate service instead (default $SLOGATE_SERVER)\n"
"\n"
"exit codes: 0 listed (also when empty), 4 database error, 64 usage error.\n";

static void
query_arg(struct slg_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	slg_buf_printf(b, "&%s=", name);
	slg_buf_urlencode(b, value);
}

int
cmd_history(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "commit", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'n' },
		{ "branch", required_argument, NULL, 'B' },
		{ "since", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct slg_history_filter f = { 0 };
	struct slg_verdict **list = NULL;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	const char *format = "text", *db = NULL, *server = NULL, *since = NULL;
	struct slg_remote remote;
	size_t n = 0;
	char *end, sha[65];
	long limit;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 's': f.service = optarg; break;
		case 'e': f.environment = optarg; break;
		case 'c': f.commit = optarg; break;
		case 'n':
			/* range checked as a long: 4294967297 is not 1 */
			errno = 0;
			limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    limit < 1 || limit > 10000)
				return slg_usage_error("history", usage_text, "--limit must "
				    "be 1 to 10000, not '%s'", optarg);
			f.limit = (int)limit;
			break;
		case 'B': f.branch = optarg; break;
		case 'S':
			since = optarg;
			if (slg_time_parse(optarg, &f.since, &err) != 0)
				return slg_usage_error("history", usage_text,
				    "--since: %s", err.msg);
			break;
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'R': server = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("history", usage_text, argv, c);
		}
	}
	if (optind < argc)
		return slg_usage_error("history", usage_text, "unexpected argument '%s'",
		    argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "csv") != 0)
		return slg_usage_error("history", usage_text, "--format must be "
		    "text, json or csv, not '%s'", format);
	if (slg_remote_from(server, &remote, 60000)) {
		struct slg_buf path = SLG_BUF_INIT, out = SLG_BUF_INIT;

		slg_buf_printf(&path, "/api/v1/verdicts?limit=%d", f.limit ?
		    f.limit : 20);
		query_arg(&path, "service", f.service);
		query_arg(&path, "environment", f.environment);
		query_arg(&path, "commit", f.commit);
		query_arg(&path, "branch", f.branch);
		query_arg(&path, "since", since);
		rc = slg_remote_json("history", &remote, "GET", path.data, NULL,
		    200, &out);
		if (rc == 0 && slg_jsonin_verdicts(out.data, out.len, &list, &n,
		    &err) != 0)
			rc = slg_fail("history", &err);
		slg_buf_release(&path);
		slg_buf_release(&out);
		if (rc != 0)
			return rc;
		goto print;
	}
	if ((rc = slg_store_open(slg_db_path(db), &st, &err)) != 0)
		goto fail;
	if (f.commit != NULL) {
		if ((rc = slg_commit_arg(st, f.commit, sha, &err)) == SLG_ENOTFOUND)
			goto print;	/* nothing recorded: an empty history */
		if (rc != 0)
			goto fail;
		f.commit = sha;
	}
	if ((rc = slg_store_history(st, &f, &list, &n, &err)) != 0)
		goto fail;
print:
	rc = 0;
	if (strcmp(format, "json") == 0)
		slg_report_history_json(stdout, list, n);
	else if (strcmp(format, "csv") == 0)
		slg_report_history_csv(stdout, list, n);
	else
		slg_report_history_text(stdout, list, n);
	goto out;
fail:
	rc = slg_fail("history", &err);
out:
	slg_store_list_free(list, n);
	slg_store_close(st);
	return rc;
}
