/* cmd_check: `slogate check`: evaluate a policy for a commit, record the
 * verdict, exit with it. */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "engine.h"
#include "gitmeta.h"
#include "report.h"
#include "timefmt.h"

#ifndef SLG_DATADIR
#define SLG_DATADIR NULL
#endif

static const char usage_text[] =
"usage: slogate check --policy FILE [flags]\n"
"\n"
"Queries Prometheus over the policy's window, judges every objective,\n"
"records the verdict with the commit in the database, prints it and exits\n"
"with it.\n"
"\n"
"  --policy FILE        the SLO policy (JSON); required\n"
"  --prometheus URL     Prometheus base URL; default $SLOGATE_PROMETHEUS_URL,\n"
"                       else http://127.0.0.1:9090. A bearer token is sent\n"
"                       from $SLOGATE_PROMETHEUS_TOKEN when set\n"
"  --db FILE            SQLite database; default $SLOGATE_DB, else slogate.db\n"
"                       (created on first use)\n"
"  --commit SHA         the commit judged; default $CI_COMMIT_SHA, else HEAD\n"
"                       of the repository\n"
"  --repo DIR           git repository for commit metadata; default the\n"
"                       working directory\n"
"  --build-time TIME    default $CI_PIPELINE_CREATED_AT, else now\n"
"  --at TIME            end of the window; default now\n"
"  --queries DIR        where query templates are; default POLICYDIR/queries,\n"
"                       POLICYDIR/../queries, ./queries, then the installed ones\n"
"  --query-timeout DUR  per Prometheus query and try; default 30s\n"
"  --format text|json   what to print on stdout; default text\n"
"  --junit FILE         also write a JUnit XML report\n"
"  --dotenv FILE        also write SLOGATE_VERDICT= and SLOGATE_VERDICT_ID=\n"
"  -h, --help           this help\n"
"\n"
"TIME is RFC 3339 (2026-11-26T07:30:00Z) or unix seconds.\n"
"Also recorded when set: CI_PIPELINE_ID, CI_PIPELINE_URL, CI_JOB_URL,\n"
"CI_COMMIT_REF_NAME.\n"
"\n"
"exit codes: 0 pass, 1 fail, 2 warn, 3 inconclusive, 4 error (also a bad\n"
"policy or an unusable database), 64 usage error.\n";

struct opts {
	const char *policy, *prometheus, *db, *commit, *repo, *build_time, *at;
	const char *queries, *format, *junit, *dotenv, *query_timeout;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "prometheus", required_argument, NULL, 'P' },
		{ "db", required_argument, NULL, 'd' },
		{ "commit", required_argument, NULL, 'c' },
		{ "repo", required_argument, NULL, 'r' },
		{ "build-time", required_argument, NULL, 'b' },
		{ "at", required_argument, NULL, 'a' },
		{ "queries", required_argument, NULL, 'q' },
		{ "query-timeout", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "junit", required_argument, NULL, 'j' },
		{ "dotenv", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->policy = optarg; break;
		case 'P': o->prometheus = optarg; break;
		case 'd': o->db = optarg; break;
		case 'c': o->commit = optarg; break;
		case 'r': o->repo = optarg; break;
		case 'b': o->build_time = optarg; break;
		case 'a': o->at = optarg; break;
		case 'q': o->queries = optarg; break;
		case 't': o->query_timeout = optarg; break;
		case 'f': o->format = optarg; break;
		case 'j': o->junit = optarg; break;
		case 'e': o->dotenv = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case ':':
			return slg_usage_error("check", usage_text, "'%s' needs a value",
			    argv[optind - 1]);
		default:
			return slg_usage_error("check", usage_text, "unknown flag '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return slg_usage_error("check", usage_text, "unexpected argument '%s'",
		    argv[optind]);
	if (o->policy == NULL)
		return slg_usage_error("check", usage_text, "--policy FILE is required");
	if (o->format == NULL)
		o->format = "text";
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
		return slg_usage_error("check", usage_text, "--format must be text or json, "
		    "not '%s'", o->format);
	return 0;
}

/* Commit and its metadata: --commit, $CI_COMMIT_SHA, else HEAD. */
static int
resolve_commit(const struct opts *o, struct slg_commit_info *ci,
    struct slg_err *err)
{
	const char *given = o->commit ? o->commit : slg_env("CI_COMMIT_SHA");
	struct slg_err gerr;
	int rc;

	if (given != NULL && !slg_git_is_sha(given))
		return slg_err_set(err, SLG_EUSAGE, "commit '%s' is not a hex "
		    "sha", given);
	rc = slg_git_commit_info(o->repo, given, ci, &gerr);
	if (rc == 0)
		return 0;
	if (given == NULL)
		return slg_err_set(err, SLG_EUSAGE, "no commit to judge: pass "
		    "--commit, set CI_COMMIT_SHA or run inside a git repository "
		    "(%s)", gerr.msg);
	if (o->repo != NULL && rc == SLG_ENOTFOUND)
		return slg_err_set(err, SLG_EUSAGE, "%s", gerr.msg);
	/* a full sha is enough without the repository: CI checkouts are
	 * often shallow or absent */
	if (strlen(given) != 40 && strlen(given) != 64)
		return slg_err_set(err, SLG_EUSAGE, "cannot resolve abbreviated "
		    "commit '%s' without it in a repository: give the full sha "
		    "(%s)", given, gerr.msg);
	memset(ci, 0, sizeof(*ci));
	for (size_t i = 0; given[i]; i++)
		ci->sha[i] = (char)tolower((unsigned char)given[i]);
	return 0;
}

static int
write_junit(FILE *f, const void *v)
{
	return slg_report_junit(f, v);
}

static int
write_dotenv(FILE *f, const void *v)
{
	return slg_report_dotenv(f, v);
}

int
cmd_check(int argc, char **argv)
{
	struct slg_commit_info ci = { 0 };
	struct slg_policy *policy = NULL;
	struct slg_store *store = NULL;
	struct slg_verdict *v = NULL;
	struct slg_prom_conf prom = { 0 };
	struct slg_subject subj = { 0 };
	struct slg_engine_run run = { 0 };
	struct slg_err err = { 0 };
	struct opts o;
	char ua[64];
	const char *bt;
	double qt = 30;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;

	prom.url = o.prometheus ? o.prometheus :
	    slg_env("SLOGATE_PROMETHEUS_URL") ? slg_env("SLOGATE_PROMETHEUS_URL") :
	    "http://127.0.0.1:9090";
	if (slg_prom_check_url(prom.url, &err) != 0)
		return slg_usage_error("check", usage_text, "%s", err.msg);
	if (o.query_timeout != NULL &&
	    (slg_duration_parse(o.query_timeout, &qt, &err) != 0 || qt < 0.1))
		return slg_usage_error("check", usage_text, "--query-timeout: bad duration "
		    "'%s'", o.query_timeout);
	prom.token = slg_env("SLOGATE_PROMETHEUS_TOKEN");
	prom.timeout_ms = (long)(qt * 1000);
	prom.attempts = 3;
	prom.backoff_ms = 250;
	snprintf(ua, sizeof(ua), "slogate/%s", slg_version());
	prom.user_agent = ua;

	run.now = slg_now();
	run.at = run.now;
	if (o.at != NULL && slg_time_parse(o.at, &run.at, &err) != 0)
		return slg_usage_error("check", usage_text, "--at: %s", err.msg);
	subj.build_time = run.now;
	bt = o.build_time ? o.build_time : slg_env("CI_PIPELINE_CREATED_AT");
	if (bt != NULL && slg_time_parse(bt, &subj.build_time, &err) != 0)
		return slg_usage_error("check", usage_text, "%s: %s", o.build_time ?
		    "--build-time" : "CI_PIPELINE_CREATED_AT", err.msg);

	if ((rc = slg_policy_load(o.policy, o.queries, SLG_DATADIR, &policy,
	    &err)) != 0)
		goto fail;
	if ((rc = resolve_commit(&o, &ci, &err)) != 0)
		goto fail;
	subj.commit = ci.sha;
	subj.commit_time = ci.time;
	subj.commit_author = ci.author;
	subj.commit_subject = ci.subject;
	subj.ref_name = slg_env("CI_COMMIT_REF_NAME");
	subj.branch = subj.ref_name ? subj.ref_name : ci.branch;
	subj.pipeline_id = slg_env("CI_PIPELINE_ID");
	subj.pipeline_url = slg_env("CI_PIPELINE_URL");
	subj.job_url = slg_env("CI_JOB_URL");

	if ((rc = slg_store_open(slg_db_path(o.db), &store, &err)) != 0)
		goto fail;
	run.policy = policy;
	run.prom = &prom;
	run.store = store;
	run.subject = &subj;
	run.version = slg_version();
	run.repo = o.repo;
	if ((rc = slg_engine_check(&run, &v, &err)) != 0)
		goto fail;

	if (strcmp(o.format, "json") == 0)
		slg_report_json(stdout, v);
	else
		slg_report_text(stdout, v, slg_db_path(o.db));
	if (o.junit != NULL &&
	    slg_write_file(o.junit, write_junit, v, &err) != 0)
		goto fail_after;
	if (o.dotenv != NULL &&
	    slg_write_file(o.dotenv, write_dotenv, v, &err) != 0)
		goto fail_after;
	rc = (int)v->verdict;
	goto out;
fail_after:
	/* the verdict is recorded, but the pipeline cannot see it: an error */
	fprintf(stderr, "slogate check: error: %s\n", err.msg);
	rc = SLG_EXIT_ERROR;
	goto out;
fail:
	rc = slg_fail("check", &err);
out:
	slg_verdict_free(v);
	slg_store_close(store);
	slg_policy_free(policy);
	slg_commit_info_release(&ci);
	return rc;
}
