/* cmd_show: `slogate show`: everything recorded for a commit or verdict. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "report/jsonin.h"
#include "io/remote.h"
#include "report/report.h"

static const char usage_text[] =
"usage: slogate show COMMIT|VERDICT_ID [--format text|json] [--db URL]\n"
"\n"
"Everything recorded for a commit (every evaluation, newest first, for\n"
"every service and environment) or for one verdict: each objective with\n"
"its value, target and status, the rendered PromQL and its window (to\n"
"paste into Prometheus), the baseline and where it came from, approvals\n"
"and invalidation.\n"
"\n"
"COMMIT is a full or abbreviated sha (at least 4 hex digits); a number\n"
"of 1 to 6 digits, or #N, is a verdict id.\n"
"\n"
"  --format     text (default) or json (an array of verdict objects)\n"
"  --db URL     default $SLOGATE_DB, else slogate.db (a file, or\n"
"               postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL ask the slogate service instead (default $SLOGATE_SERVER)\n"
"\n"
"exit codes: 0 shown, 1 nothing recorded for it, 4 error, 64 usage error.\n";

/* "#12" or up to 6 digits: a verdict id; else a commit. */
static long long
verdict_id(const char *s)
{
	char *end;
	long long id;

	if (*s == '#')
		s++;
	else if (strlen(s) > 6)
		return 0;
	id = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && id > 0 ? id : 0;
}

int
cmd_show(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct slg_history_filter f = { 0 };
	struct slg_verdict **list = NULL, *one = NULL;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	const char *format = "text", *db = NULL, *what, *server = NULL;
	struct slg_remote remote;
	char sha[65];
	size_t n = 0;
	long long id;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'S': server = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("show", usage_text, argv, c);
		}
	}
	if (optind != argc - 1)
		return slg_usage_error("show", usage_text, "give one COMMIT or "
		    "VERDICT_ID");
	what = argv[optind];
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return slg_usage_error("show", usage_text, "--format must be text "
		    "or json, not '%s'", format);
	if (slg_remote_from(server, &remote, 60000)) {
		struct slg_buf path = SLG_BUF_INIT, out = SLG_BUF_INIT;

		if ((id = verdict_id(what)) > 0) {
			slg_buf_printf(&path, "/api/v1/evaluations/%lld", id);
		} else {
			slg_buf_puts(&path, "/api/v1/commits/");
			slg_buf_urlencode(&path, what);
		}
		rc = slg_remote_json("show", &remote, "GET", path.data, NULL,
		    200, &out);
		if (rc == 0 && id > 0) {
			if (slg_jsonin_verdict(out.data, out.len, &one, &err) == 0) {
				list = &one;
				n = 1;
			}
		} else if (rc == 0) {
			slg_jsonin_verdicts(out.data, out.len, &list, &n, &err);
		}
		slg_buf_release(&path);
		slg_buf_release(&out);
		if (rc != 0)
			return rc;
		if (err.code != 0)
			goto fail;
		goto print;
	}
	if ((rc = slg_store_open(slg_db_path(db), &st, &err)) != 0)
		goto fail;
	if ((id = verdict_id(what)) > 0) {
		if ((rc = slg_store_get(st, id, &one, &err)) != 0)
			goto fail;
		list = &one;
		n = 1;
	} else {
		if ((rc = slg_commit_arg(st, what, sha, &err)) != 0)
			goto fail;
		f.commit = sha;
		f.limit = 1000;
		if ((rc = slg_store_history(st, &f, &list, &n, &err)) != 0)
			goto fail;
	}
print:
	if (strcmp(format, "json") == 0)
		slg_report_history_json(stdout, list, n);
	else
		slg_report_show_text(stdout, list, n);
	goto out;
fail:
	rc = slg_fail("show", &err);
out:
	if (one != NULL)
		slg_verdict_free(one);
	else
		slg_store_list_free(list, n);
	slg_store_close(st);
	return rc;
}
