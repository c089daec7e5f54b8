/* cmd_status: `slogate status`: may this commit be promoted? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/usecase.h"
#include "report/jsonin.h"
#include "core/policy.h"
#include "io/remote.h"
#include "report/report.h"

static const char usage_text[] =
"usage: slogate status --commit SHA (--service S --environment E | --policy FILE)\n"
"                      [--format text|json] [--db URL] [--server URL]\n"
"\n"
"The promotion decision the promote job asks for: yes when the latest\n"
"verdict of the commit for that service and environment is pass or warn,\n"
"or a live approval overrides it; no otherwise, also when nothing was\n"
"recorded. It says why in one line.\n"
"\n"
"  --commit SHA     full or abbreviated; default $CI_COMMIT_SHA\n"
"  --policy FILE    take the service and environment from this policy\n"
"  --format         text (default) or json\n"
"  --db URL         default $SLOGATE_DB, else slogate.db (a file, or\n"
"                   postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL     ask the slogate service instead (default $SLOGATE_SERVER)\n"
"\n"
"exit codes: 0 may be promoted, 1 may not, 4 error, 64 usage error.\n";

static int
print(const struct slg_status_report *rep, const char *format)
{
	if (strcmp(format, "json") == 0)
		slg_report_status_json(stdout, rep);
	else
		slg_report_status_text(stdout, rep);
	return rep->promote ? SLG_EXIT_OK : SLG_EXIT_REFUSED;
}

static int
remote_status(const struct slg_remote *r, const char *commit,
    const char *service, const char *env, const char *format)
{
	struct slg_buf path = SLG_BUF_INIT, out = SLG_BUF_INIT;
	struct slg_status_report rep = { commit, service, env, 0, NULL, NULL,
	    NULL };
	struct slg_verdict *v = NULL;
	struct slg_approval *a = NULL;
	struct slg_err err = { 0 };
	char *reason = NULL;
	int rc;

	slg_buf_puts(&path, "/api/v1/status?commit=");
	slg_buf_urlencode(&path, commit);
	slg_buf_puts(&path, "&service=");
	slg_buf_urlencode(&path, service);
	slg_buf_puts(&path, "&environment=");
	slg_buf_urlencode(&path, env);
	if ((rc = slg_remote_json("status", r, "GET", path.data, NULL, 200,
	    &out)) != 0)
		goto out;
	if (slg_jsonin_status(out.data, out.len, &rep.promote, &reason, &v, &a,
	    &err) != 0) {
		rc = slg_fail("status", &err);
		goto out;
	}
	rep.reason = reason ? reason : "";
	rep.verdict = v;
	rep.approval = a;
	if (v != NULL)
		rep.commit = v->commit;
	rc = print(&rep, format);
out:
	if (a != NULL)
		slg_approval_release(a);
	free(a);
	free(reason);
	slg_verdict_free(v);
	slg_buf_release(&path);
	slg_buf_release(&out);
	return rc;
}

static int
run_status(const char *commit, const char *service, const char *env,
    const char *format, const char *db, const char *server)
{
	struct slg_usecase_status in = { 0 };
	struct slg_usecase_status_result res;
	struct slg_store *st = NULL;
	struct slg_status_report rep = { 0 };
	struct slg_err err = { 0 };
	struct slg_remote remote;
	char sha[65];
	int rc;

	memset(&res, 0, sizeof(res));
	if (slg_remote_from(server, &remote, 60000))
		return remote_status(&remote, commit, service, env, format);
	if ((rc = slg_store_open(slg_db_path(db), &st, &err)) != 0)
		goto fail;
	rc = slg_commit_arg(st, commit, sha, &err);
	if (rc != 0 && rc != SLG_ENOTFOUND)
		goto fail;
	/* never recorded: the answer is no, not an error */
	in.commit = rc == 0 ? sha : commit;
	in.recorded = rc == 0;
	in.service = service;
	in.environment = env;
	in.now = slg_now();
	if ((rc = slg_usecase_status(st, &in, &res, &err)) != 0)
		goto fail;
	rep.commit = res.commit;
	rep.service = service;
	rep.environment = env;
	rep.verdict = res.verdict;
	rep.promote = res.promote;
	rep.approval = res.approval;
	rep.reason = res.reason;
	rc = print(&rep, format);
	goto out;
fail:
	rc = slg_fail("status", &err);
out:
	slg_usecase_status_release(&res);
	slg_store_close(st);
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "policy", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *commit = slg_env("CI_COMMIT_SHA"), *service = NULL;
	const char *env = NULL, *format = "text", *db = NULL, *server = NULL;
	const char *policy_path = NULL;
	struct slg_policy *policy = NULL;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': commit = optarg; break;
		case 's': service = optarg; break;
		case 'e': env = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'f': format = optarg; break;
		case 'd': db = optarg; break;
		case 'S': server = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("status", usage_text, argv, c);
		}
	}
	if (optind < argc)
		return slg_usage_error("status", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return slg_usage_error("status", usage_text, "--format must be "
		    "text or json, not '%s'", format);
	if ((rc = slg_policy_names("status", policy_path, &service, &env,
	    &policy)) != 0)
		return rc;
	if (commit == NULL || service == NULL || env == NULL)
		rc = slg_usage_error("status", usage_text, "needs --commit (or "
		    "$CI_COMMIT_SHA), and --service and --environment (or "
		    "--policy)");
	else
		rc = run_status(commit, service, env, format, db, server);
	slg_policy_free(policy);
	return rc;
}
