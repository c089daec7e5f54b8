/* cmd_check: `slogate check`: evaluate a policy for a commit, record the
 * verdict, exit with it. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "engine/engine.h"
#include "engine/usecase.h"
#include "io/gitmeta.h"
#include "report/jsonin.h"
#include "io/remote.h"
#include "report/report.h"
#include "util/text.h"
#include "util/timefmt.h"
#include "core/watch.h"

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
"  --db URL             the database: PATH or sqlite:PATH (a SQLite file,\n"
"                       created on first use) or postgresql://USER@HOST:\n"
"                       PORT/DBNAME (see db migrate); default $SLOGATE_DB,\n"
"                       else slogate.db\n"
"  --commit SHA         the commit judged; default $CI_COMMIT_SHA, else HEAD\n"
"                       of the repository\n"
"  --repo DIR           git repository for commit metadata; default the\n"
"                       working directory\n"
"  --build-time TIME    default $CI_PIPELINE_CREATED_AT, else now\n"
"  --at TIME            end of the window; default now\n"
"  --since TIME         the deploy: judge the window that starts here, not\n"
"                       the one that ends now. Until the policy's window has\n"
"                       passed the verdict is inconclusive (\"only 12m of 30m\n"
"                       observed\"), unless a sustained objective has failed\n"
"                       already (fail_after points in a row): that fails\n"
"  --wait               with --since: poll every step until the window is\n"
"                       complete; ends at once on a final fail, after\n"
"                       error_limit failed polls in a row with error\n"
"  --timeout DURATION   with --wait: give up inconclusive after this long;\n"
"                       default the window + 10m\n"
"  --trial              record the verdict as a trial: shown, never counted\n"
"                       by status or as a baseline; the window may then\n"
"                       end before the build (otherwise refused, exit 64)\n"
"  --quiet              print only the verdict, no progress\n"
"  --queries DIR        where query templates are; default POLICYDIR/queries,\n"
"                       POLICYDIR/../queries, ./queries, then the installed ones\n"
"  --query-timeout DUR  per Prometheus query and try; default 30s\n"
"  --format text|json   what to print on stdout; default text\n"
"  --junit FILE         also write a JUnit XML report\n"
"  --dotenv FILE        also write SLOGATE_VERDICT= and SLOGATE_VERDICT_ID=\n"
"  --server URL         remote mode: the slogate service evaluates and\n"
"                       records (default $SLOGATE_SERVER; token from\n"
"                       $SLOGATE_TOKEN). The service judges with the\n"
"                       policy registered in its --policies for the\n"
"                       file's service and environment (a name that is\n"
"                       no file here names one of them); with --trial the\n"
"                       file here is sent (needs an admin token).\n"
"  -h, --help           this help\n"
"\n"
"TIME is RFC 3339 (2026-11-26T07:30:00Z) or unix seconds.\n"
"While waiting, progress goes to stderr: one line updated in place on a\n"
"terminal, one line per poll otherwise. Locally, SIGINT or SIGTERM ends\n"
"the wait with the verdict so far (inconclusive unless it failed); with\n"
"--server the service keeps the evaluation and ends it on its own.\n"
"Also recorded when set: CI_PIPELINE_ID, CI_PIPELINE_URL, CI_JOB_URL,\n"
"CI_COMMIT_REF_NAME.\n"
"\n"
"exit codes: 0 pass, 1 fail, 2 warn, 3 inconclusive, 4 error (every\n"
"error: an answer from Prometheus that is not a clean answer to the\n"
"query, a bad policy, an unusable database, an ambiguous commit, a service\n"
"that cannot be reached), 64 usage error.\n";

struct opts {
	const char *policy, *prometheus, *db, *commit, *repo, *build_time, *at;
	const char *queries, *format, *junit, *dotenv, *query_timeout, *server;
	const char *since, *timeout;
	int wait, quiet, trial;
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
		{ "server", required_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "wait", no_argument, NULL, 'w' },
		{ "trial", no_argument, NULL, 'X' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'Q' },
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
		case 's': o->server = optarg; break;
		case 'S': o->since = optarg; break;
		case 'w': o->wait = 1; break;
		case 'X': o->trial = 1; break;
		case 'T': o->timeout = optarg; break;
		case 'Q': o->quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default: return slg_opt_error("check", usage_text, argv, c);
		}
	}
	if (optind < argc)
		return slg_usage_error("check", usage_text, "unexpected argument '%s'",
		    argv[optind]);
	if (o->policy == NULL)
		return slg_usage_error("check", usage_text, "--policy FILE is required");
	if (o->wait && o->since == NULL)
		return slg_usage_error("check", usage_text, "--wait needs --since "
		    "TIME, the deploy the window starts at");
	if (o->timeout && !o->wait)
		return slg_usage_error("check", usage_text, "--timeout applies to "
		    "--wait");
	if (o->since && o->at)
		return slg_usage_error("check", usage_text, "--since and --at "
		    "both place the window: give one");
	if (o->format == NULL)
		o->format = "text";
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
		return slg_usage_error("check", usage_text, "--format must be text or json, "
		    "not '%s'", o->format);
	return 0;
}

/* Every error of check exits 4 (64 for usage), whatever exit code the
 * shared helpers chose: 1 means "fail", and an error must never read as
 * a verdict. */
static int
as_error(int rc)
{
	return rc == SLG_EXIT_USAGE ? rc : SLG_EXIT_ERROR;
}

static int
check_fail(const struct slg_err *err)
{
	return as_error(slg_fail("check", err));
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
	if (rc == 0 || rc == SLG_EAMBIGUOUS)
		return rc == 0 ? 0 : slg_err_set(err, rc, "%s", gerr.msg);
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

/* Prints the verdict and writes the reports; returns the exit code. */
static int
emit(const struct opts *o, const struct slg_verdict *v, const char *where)
{
	struct slg_err err = { 0 };

	if (strcmp(o->format, "json") == 0)
		slg_report_json(stdout, v);
	else
		slg_report_text(stdout, v, where);
	if ((o->junit != NULL &&
	    slg_write_file(o->junit, write_junit, v, &err) != 0) ||
	    (o->dotenv != NULL &&
	    slg_write_file(o->dotenv, write_dotenv, v, &err) != 0)) {
		/* the verdict is recorded, but the pipeline cannot see it */
		slg_say_error("check", "%s", err.msg);
		return SLG_EXIT_ERROR;
	}
	return (int)v->verdict;
}

/* ---- waiting for the window (--since --wait) ---- */

/* How long a local wait's lease lasts unrenewed: three steps and a bit,
 * as it renews it with every poll (a step apart at most, and a lag). When
 * this process dies mid-wait, a service on the same database carries the
 * evaluation on once the lease lapses. */
static int64_t
local_lease(const struct slg_policy *p)
{
	return 3 * p->step + 15;
}

/* The name a local wait holds its watch in, as the services name theirs. */
static void
local_owner(char *out, size_t n)
{
	char host[128] = "localhost";

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(out, n, "slogate check on %s, pid %ld", host, (long)getpid());
}

/* Progress on stderr: a line updated in place on a terminal, a line per
 * poll in a CI log (no control characters there). */
struct progress {
	int quiet, tty, open;
	char who[160];
};

static void
progress_init(struct progress *pr, const struct opts *o, const char *service,
    const char *environment)
{
	pr->quiet = o->quiet;
	pr->tty = isatty(STDERR_FILENO);
	pr->open = 0;
	snprintf(pr->who, sizeof(pr->who), "slogate %s/%s", service ? service :
	    "?", environment ? environment : "?");
}

static void
progress(struct progress *pr, const char *line)
{
	struct slg_esc esc = SLG_ESC_INIT;

	if (pr->quiet || line == NULL)
		return;
	/* the line may come from the service: only ours moves the cursor */
	if (pr->tty) {
		fprintf(stderr, "\r\033[K%s: %s", slg_esc(&esc, pr->who),
		    slg_esc(&esc, line));
		pr->open = 1;
	} else {
		fprintf(stderr, "%s: %s\n", slg_esc(&esc, pr->who),
		    slg_esc(&esc, line));
	}
	slg_esc_release(&esc);
	fflush(stderr);
}

static void
progress_end(struct progress *pr)
{
	if (pr->open)
		fputc('\n', stderr);
	pr->open = 0;
}

static volatile sig_atomic_t stop_waiting;

static void
on_stop(int sig)
{
	(void)sig;
	stop_waiting = 1;
}

/* Sleeps until t (unix seconds) or a stop signal. */
static void
sleep_until(int64_t t)
{
	while (!stop_waiting && slg_now() < t)
		usleep(200000);
}

/* --since --wait locally: a watch recorded in the database, polled here
 * until it ends. *out is its final verdict. */
static int
watch_local(const struct opts *o, struct slg_engine_run *run,
    int64_t timeout, struct slg_verdict **out, struct slg_err *err)
{
	const struct slg_policy *p = run->policy;
	struct slg_watch w = { 0 };
	struct slg_verdict *v = NULL;
	struct sigaction sa, old_int, old_term;
	struct progress pr;
	char owner[200];
	int final = 0, rc;

	*out = NULL;
	progress_init(&pr, o, p->service, p->environment);
	local_owner(owner, sizeof(owner));
	if ((rc = slg_engine_watch_init(run, run->now + timeout, owner,
	    run->now + local_lease(p), &w, err)) != 0 ||
	    (rc = slg_store_watch_add(run->store, &w, err)) != 0)
		goto out;
	/* a cancelled job still leaves a verdict, not a dangling watch */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (;;) {
		run->now = slg_now();
		/* a stop signal: judge now what was observed, as a timeout */
		if (stop_waiting)
			w.deadline = run->now;
		w.lease_until = run->now + local_lease(p);
		rc = slg_engine_poll(run, &w, &v, &final, err);
		if (rc == SLG_ECONFLICT)
			/* this process stalled past its lease: a service took
			 * the evaluation over and records its verdict */
			slg_err_set(err, SLG_ECONFLICT, "evaluation %lld was "
			    "taken over by a slogate service sharing the database "
			    "(this wait stalled past its lease): see slogate show "
			    "%lld", (long long)w.id, (long long)w.id);
		if (rc != 0 || final)
			break;
		progress(&pr, v ? w.progress : "waiting for the first step of "
		    "data");
		slg_verdict_free(v);
		v = NULL;
		sleep_until(slg_watch_next_poll(p, &w, run->now));
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	progress_end(&pr);
	if (stop_waiting && !o->quiet)
		fprintf(stderr, "slogate check: stopped by a signal; judged what "
		    "was observed\n");
	if (rc == 0) {
		*out = v;
		v = NULL;
	}
out:
	slg_verdict_free(v);
	slg_watch_release(&w);
	return rc;
}

static void
member(struct slg_buf *b, const char *key, const char *value)
{
	if (value == NULL)
		return;
	slg_buf_printf(b, ", \"%s\": ", key);
	slg_buf_json(b, value);
}

static void
member_time(struct slg_buf *b, const char *key, int64_t t)
{
	char s[32];

	if (t == 0)
		return;
	slg_time_format(t, s, sizeof(s));
	member(b, key, s);
}

/* Remote --wait: the service polls; this long-polls it for progress and
 * the verdict, riding out a restart of the service until its deadline. */
static int
watch_remote(const struct opts *o, const struct slg_remote *r,
    const struct slg_buf *first, struct slg_verdict **out)
{
	struct slg_remote lr = *r;
	struct slg_buf path = SLG_BUF_INIT, ans = SLG_BUF_INIT;
	struct slg_watch w = { 0 };
	struct slg_err err = { 0 };
	struct progress pr;
	int64_t give_up, t0;
	int polls = -1, rc = 0;
	long status = 0;

	*out = NULL;
	if (slg_jsonin_evaluation(first->data, first->len, &w, out, &err) != 0)
		return check_fail(&err);
	if (*out != NULL)
		return 0;
	progress_init(&pr, o, w.service, w.environment);
	/* past the service's own deadline it owes us a verdict */
	give_up = (w.deadline ? w.deadline : slg_now() + 3600) + 120;
	lr.timeout_ms = 60000;
	while (*out == NULL) {
		if (slg_now() > give_up) {
			progress_end(&pr);
			slg_say_error("check", "evaluation %lld did not end by "
			    "its deadline; the service is %s", (long long)w.id,
			    rc || status != 200 ? "unreachable" :
			    "not finishing it");
			rc = SLG_EXIT_ERROR;
			break;
		}
		if (w.polls != polls) {
			progress(&pr, w.progress ? w.progress : "waiting for the "
			    "first step of data");
			polls = w.polls;
		}
		slg_buf_release(&path);
		slg_buf_printf(&path, "/api/v1/evaluations/%lld?wait=30&polls=%d",
		    (long long)w.id, polls);
		t0 = slg_now();
		rc = slg_remote_call(&lr, "GET", path.data, NULL, &status, &ans,
		    &err);
		if (rc == 0 && status == 200) {
			slg_watch_release(&w);
			if (slg_jsonin_evaluation(ans.data, ans.len, &w, out,
			    &err) != 0) {
				rc = check_fail(&err);
				break;
			}
			/* answered at once with nothing new (a busy service
			 * does not park long-polls): do not hammer it */
			if (*out == NULL && w.polls == polls &&
			    slg_now() - t0 < 1)
				sleep(1);
			continue;
		}
		if (rc != 0 || status == 502 || status == 503 || status == 504) {
			/* the service restarting: it resumes the evaluation */
			progress(&pr, rc ? "the slogate service is unreachable; "
			    "retrying" : "the slogate service is unavailable; "
			    "retrying");
			polls = -1;
			rc = 0;
			sleep(2);
			continue;
		}
		progress_end(&pr);
		rc = as_error(slg_remote_refused("check", status, &ans));
		break;
	}
	progress_end(&pr);
	slg_watch_release(&w);
	slg_buf_release(&path);
	slg_buf_release(&ans);
	return rc;
}

/* Remote mode: the service evaluates and records; printed as here. */
static int
remote_check(const struct opts *o, const struct slg_remote *r,
    const struct slg_policy *policy, const struct slg_subject *s,
    int64_t at, int64_t since, int64_t timeout)
{
	struct slg_buf body = SLG_BUF_INIT, out = SLG_BUF_INIT;
	struct slg_verdict *v = NULL;
	struct slg_err err = { 0 };
	char *inl = NULL;
	int rc;

	slg_buf_puts(&body, "{\"policy\": ");
	if (policy != NULL && o->trial) {
		if ((rc = slg_policy_inlined(policy, &inl, &err)) != 0) {
			rc = check_fail(&err);
			goto out;
		}
		slg_buf_puts(&body, inl);
		member(&body, "policy_path", policy->path);
		slg_buf_puts(&body, ", \"trial\": true");
	} else if (policy != NULL) {
		/* the service's registered policy judges, not this file */
		slg_buf_puts(&body, "null");
		member(&body, "service", policy->service);
		member(&body, "environment", policy->environment);
	} else {
		slg_buf_json(&body, o->policy);
	}
	member(&body, "commit", s->commit);
	member_time(&body, "build_time", s->build_time);
	if (since) {
		member_time(&body, "since", since);
		if (o->wait)
			slg_buf_puts(&body, ", \"wait\": true");
		if (timeout)
			slg_buf_printf(&body, ", \"timeout\": \"%llds\"",
			    (long long)timeout);
	} else {
		member_time(&body, "at", at);
	}
	member_time(&body, "commit_time", s->commit_time);
	member(&body, "commit_author", s->commit_author);
	member(&body, "commit_subject", s->commit_subject);
	member(&body, "branch", s->branch);
	member(&body, "ref_name", s->ref_name);
	member(&body, "pipeline_id", s->pipeline_id);
	member(&body, "pipeline_url", s->pipeline_url);
	member(&body, "job_url", s->job_url);
	slg_buf_puts(&body, "}");
	if ((rc = slg_remote_json("check", r, "POST", "/api/v1/evaluations",
	    body.data, o->wait ? 202 : 201, &out)) != 0) {
		rc = as_error(rc);
		goto out;
	}
	if (o->wait) {
		if ((rc = watch_remote(o, r, &out, &v)) != 0)
			goto out;
	} else if (slg_jsonin_verdict(out.data, out.len, &v, &err) != 0) {
		rc = check_fail(&err);
		goto out;
	}
	rc = emit(o, v, r->url);
out:
	slg_verdict_free(v);
	free(inl);
	slg_buf_release(&body);
	slg_buf_release(&out);
	return rc;
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
	struct slg_remote remote;
	struct opts o;
	char ua[64];
	const char *bt;
	double qt = 30;
	int64_t timeout, to;
	int rc, is_remote;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;

	prom.url = o.prometheus ? o.prometheus :
	    slg_env("SLOGATE_PROMETHEUS_URL") ? slg_env("SLOGATE_PROMETHEUS_URL") :
	    "http://127.0.0.1:9090";
	if (slg_prom_check_url(prom.url, &err) != 0)
		return slg_usage_error("check", usage_text, "%s", err.msg);
	if (o.query_timeout != NULL &&
	    (slg_duration_parse(o.query_timeout, &qt, &err) != 0 || qt < 0.1 ||
	    qt > 3600))
		return slg_usage_error("check", usage_text, "--query-timeout: bad "
		    "duration '%s' (100ms to 1h)", o.query_timeout);
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
	if (o.since != NULL && slg_time_parse(o.since, &run.since, &err) != 0)
		return slg_usage_error("check", usage_text, "--since: %s",
		    err.msg);
	if (slg_usecase_since_check(run.since, run.now, "--since", &err) != 0)
		return slg_usage_error("check", usage_text, "%s: is the clock "
		    "right?", err.msg);
	if (slg_usecase_timeout_parse(o.timeout, &to, &err) != 0)
		return slg_usage_error("check", usage_text, "--timeout: %s",
		    err.msg);
	subj.build_time = run.now;
	bt = o.build_time ? o.build_time : slg_env("CI_PIPELINE_CREATED_AT");
	if (bt != NULL && slg_time_parse(bt, &subj.build_time, &err) != 0)
		return slg_usage_error("check", usage_text, "%s: %s", o.build_time ?
		    "--build-time" : "CI_PIPELINE_CREATED_AT", err.msg);
	if (bt != NULL && slg_usecase_since_early(run.since, subj.build_time))
		fprintf(stderr, "slogate check: warning: --since is before the "
		    "build time: the window may hold the release before this "
		    "one\n");

	is_remote = slg_remote_from(o.server, &remote, 600000);
	/* remotely, a policy that is no file here is the service's to find */
	if ((!is_remote || access(o.policy, F_OK) == 0) &&
	    (rc = slg_policy_load(o.policy, o.queries, SLG_DATADIR, &policy,
	    &err)) != 0)
		goto fail;
	/* a window before the build judges another release */
	if (policy != NULL && !o.trial && slg_usecase_window_judgeable(policy,
	    run.at, run.since, subj.build_time, run.now, 0, &err) != 0) {
		rc = slg_usage_error("check", usage_text, "%s (--trial records "
		    "it as a trial)", err.msg);
		goto out;
	}
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
	timeout = slg_usecase_wait_timeout(policy, to);
	if (is_remote) {
		if (o.wait)
			remote.timeout_ms = 60000;
		rc = remote_check(&o, &remote, policy, &subj, run.at, run.since,
		    timeout);
		goto out;
	}

	if ((rc = slg_store_open(slg_db_path(o.db), &store, &err)) != 0)
		goto fail;
	run.trial = o.trial;
	run.actor = slg_who(NULL);
	run.policy = policy;
	run.prom = &prom;
	run.store = store;
	run.subject = &subj;
	run.version = slg_version();
	run.repo = o.repo;
	if ((rc = o.wait ? watch_local(&o, &run, timeout, &v, &err) :
	    slg_engine_check(&run, &v, &err)) != 0)
		goto fail;
	rc = emit(&o, v, slg_store_label(store));
	goto out;
fail:
	rc = check_fail(&err);
out:
	slg_verdict_free(v);
	slg_store_close(store);
	slg_policy_free(policy);
	slg_commit_info_release(&ci);
	return rc;
}
