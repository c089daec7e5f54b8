/* cmd_baseline: `slogate baseline set|import|promote|show`: the stored
 * baselines that relative criteria compare with. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "cli/cmd.h"
#include "engine/usecase.h"
#include "core/criteria.h"
#include "report/jsonin.h"
#include "core/policy.h"
#include "io/remote.h"
#include "report/report.h"

static const char usage_text[] =
"usage: slogate baseline set --service S --environment E --objective NAME\n"
"                            --value V [--commit SHA] [--by WHO]\n"
"       slogate baseline import FILE [--by WHO]\n"
"       slogate baseline promote --commit SHA --service S --environment E\n"
"                                [--by WHO]\n"
"       slogate baseline show [--service S] [--environment E] [--history]\n"
"                             [--format text|json]\n"
"       (each also takes --db URL, default $SLOGATE_DB, else slogate.db;\n"
"       or --server URL, default $SLOGATE_SERVER, to use the slogate service;\n"
"       show then needs --service and --environment)\n"
"\n"
"Stored baselines are what relative criteria (\"<= +10%\") compare with\n"
"when a policy's baseline source is \"stored\" (the default). Nothing is\n"
"overwritten: each change is a new row with who set it, when and from\n"
"which commit; the newest row of an objective counts.\n"
"\n"
"  set       one value: a number, a percentage (99.95%) or a duration (80ms)\n"
"  import    a slo-baseline.json: {\"service\": S, \"environment\": E,\n"
"            \"commit\": SHA (optional), \"objectives\": {\"latency_p95\": 0.080}}\n"
"  promote   copy the measured values of the commit's latest passing\n"
"            verdict (not invalidated): of its objectives that passed,\n"
"            and its informational ones\n"
"  show      the current baselines, or with --history every change\n"
"  --by WHO  default $GITLAB_USER_LOGIN, else $USER\n"
"\n"
"exit codes: 0 done, 1 refused (no passing verdict to promote), 4 error,\n"
"64 usage error.\n";

struct opts {
	const char *service, *env, *objective, *value, *commit, *by, *db;
	const char *format;
	int history;
	const char *file;
	const char *server;
};

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "objective", required_argument, NULL, 'o' },
		{ "value", required_argument, NULL, 'v' },
		{ "commit", required_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "history", no_argument, NULL, 'H' },
		{ "server", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->service = optarg; break;
		case 'e': o->env = optarg; break;
		case 'o': o->objective = optarg; break;
		case 'v': o->value = optarg; break;
		case 'c': o->commit = optarg; break;
		case 'b': o->by = optarg; break;
		case 'd': o->db = optarg; break;
		case 'f': o->format = optarg; break;
		case 'H': o->history = 1; break;
		case 'S': o->server = optarg; break;
		case 'h': fputs(usage_text, stdout); return 1;
		default: return slg_opt_error("baseline", usage_text, argv, c);
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc)
		return slg_usage_error("baseline", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0)
		return slg_usage_error("baseline", usage_text, "--format must be "
		    "text or json, not '%s'", o->format);
	return 0;
}

/* A value as criteria write it: "0.08", "80ms", "99.9%". */
static int
parse_value(const char *s, double *out)
{
	struct slg_criterion c;
	char buf[64];

	if (snprintf(buf, sizeof(buf), "<= %s", s) >= (int)sizeof(buf) ||
	    slg_criterion_parse(buf, &c, NULL) != 0 || c.rel != SLG_REL_NONE)
		return -1;
	*out = c.value;
	return 0;
}

static int
do_set(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline b = { 0 };
	char sha[65];
	int rc;

	if (!o->service || !o->env || !o->objective || !o->value)
		return slg_err_set(err, SLG_EUSAGE, "set needs --service, "
		    "--environment, --objective and --value");
	if (parse_value(o->value, &b.value) != 0)
		return slg_err_set(err, SLG_EUSAGE, "--value: '%s' is not a "
		    "number, percentage or duration", o->value);
	if (o->commit != NULL) {
		/* a commit that never had a verdict is fine to name here */
		if ((rc = slg_commit_arg(st, o->commit, sha, err)) == SLG_ENOTFOUND)
			snprintf(sha, sizeof(sha), "%s", o->commit);
		else if (rc != 0)
			return rc;
		in.source_commit = sha;
	}
	b.objective = (char *)o->objective;
	in.service = o->service;
	in.environment = o->env;
	in.by = slg_who(o->by);
	in.note = "set";
	in.now = slg_now();
	if ((rc = slg_usecase_baseline_set(st, &in, &b, 1, err)) != 0)
		return rc;
	slg_say("baseline for %s/%s %s set to %.17g", o->service, o->env,
	    o->objective, b.value);
	return 0;
}

static int
do_import(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline *rows = NULL;
	size_t n = 0;
	char note[300];
	int rc;

	if (o->file == NULL)
		return slg_err_set(err, SLG_EUSAGE, "import needs a FILE");
	snprintf(note, sizeof(note), "import %s", o->file);
	in.by = slg_who(o->by);
	in.note = note;
	in.now = slg_now();
	if ((rc = slg_usecase_baseline_import(st, o->file, &in, &rows, &n,
	    err)) != 0)
		return rc;
	slg_say("imported %zu baseline%s for %s/%s from %s", n,
	    n == 1 ? "" : "s", rows[0].service, rows[0].environment, o->file);
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&rows[i]);
	free(rows);
	return 0;
}

static int
do_promote(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	struct slg_usecase_baselines in = { 0 };
	struct slg_verdict *v = NULL;
	size_t nr = 0;
	char sha[65];
	int rc;

	if (!o->commit || !o->service || !o->env)
		return slg_err_set(err, SLG_EUSAGE, "promote needs --commit, "
		    "--service and --environment");
	if ((rc = slg_commit_arg(st, o->commit, sha, err)) != 0 ||
	    (rc = slg_usecase_baseline_source(st, sha, o->service, o->env, &v,
	    err)) != 0)
		return rc;
	in.by = slg_who(o->by);
	in.now = slg_now();
	if ((rc = slg_usecase_baseline_promote(st, v, &in, &nr, err)) == 0)
		slg_say("promoted %zu baseline%s for %s/%s from verdict %lld of "
		    "%.12s", nr, nr == 1 ? "" : "s", o->service, o->env,
		    (long long)v->id, sha);
	slg_verdict_free(v);
	return rc;
}

static int
do_show(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	struct slg_stored_baseline *b = NULL;
	size_t n = 0;
	int rc;

	if ((rc = slg_store_baseline_list(st, o->service, o->env, o->history, &b,
	    &n, err)) != 0)
		return rc;
	if (strcmp(o->format, "json") == 0)
		slg_report_baselines_json(stdout, b, n);
	else
		slg_report_baselines_text(stdout, b, n);
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&b[i]);
	free(b);
	return 0;
}

/* Remote mode: PUT or GET /api/v1/baselines/SERVICE/ENVIRONMENT. */
static int
remote(const char *sub, const struct slg_remote *r, const struct opts *o)
{
	struct slg_buf path = SLG_BUF_INIT, body = SLG_BUF_INIT;
	struct slg_buf out = SLG_BUF_INIT;
	struct slg_stored_baseline *rows = NULL, *b = NULL;
	struct slg_err err = { 0 };
	const char *service = o->service, *env = o->env;
	size_t nrows = 0, n = 0;
	double value;
	int rc = 0;

	if (strcmp(sub, "import") == 0) {
		if (o->file == NULL)
			return slg_usage_error("baseline", usage_text, "import "
			    "needs a FILE");
		if (slg_baseline_file_load(o->file, &rows, &nrows, &err) != 0)
			return slg_fail("baseline", &err);
		service = rows[0].service;
		env = rows[0].environment;
	}
	if (service == NULL || env == NULL) {
		rc = slg_usage_error("baseline", usage_text, "the service needs "
		    "--service and --environment");
		goto out;
	}
	slg_buf_puts(&path, "/api/v1/baselines/");
	slg_buf_urlencode(&path, service);
	slg_buf_puts(&path, "/");
	slg_buf_urlencode(&path, env);
	if (strcmp(sub, "show") == 0) {
		if (o->history)
			slg_buf_puts(&path, "?history=1");
		rc = slg_remote_json("baseline", r, "GET", path.data, NULL, 200,
		    &out);
		goto print;
	}
	slg_buf_puts(&body, "{\"by\": ");
	slg_buf_json(&body, slg_who(o->by));
	if (strcmp(sub, "promote") == 0) {
		if (o->commit == NULL) {
			rc = slg_usage_error("baseline", usage_text, "promote "
			    "needs --commit");
			goto out;
		}
		slg_buf_puts(&body, ", \"from_commit\": ");
		slg_buf_json(&body, o->commit);
	} else if (strcmp(sub, "set") == 0) {
		if (o->objective == NULL || o->value == NULL ||
		    parse_value(o->value, &value) != 0) {
			rc = slg_usage_error("baseline", usage_text, "set needs "
			    "--objective and a --value (number, percentage or "
			    "duration)");
			goto out;
		}
		slg_buf_puts(&body, ", \"commit\": ");
		slg_buf_json(&body, o->commit);
		slg_buf_puts(&body, ", \"objectives\": {");
		slg_buf_json(&body, o->objective);
		slg_buf_printf(&body, ": %.17g}", value);
	} else {
		slg_buf_puts(&body, ", \"commit\": ");
		slg_buf_json(&body, rows[0].source_commit);
		slg_buf_puts(&body, ", \"objectives\": {");
		for (size_t i = 0; i < nrows; i++) {
			slg_buf_puts(&body, i ? ", " : "");
			slg_buf_json(&body, rows[i].objective);
			slg_buf_printf(&body, ": %.17g", rows[i].value);
		}
		slg_buf_puts(&body, "}");
	}
	slg_buf_puts(&body, "}");
	rc = slg_remote_json("baseline", r, "PUT", path.data, body.data, 200,
	    &out);
	/* the same lines as local mode */
	if (rc == 0 && strcmp(sub, "set") == 0)
		slg_say("baseline for %s/%s %s set to %.17g", service, env,
		    o->objective, value);
	else if (rc == 0 && strcmp(sub, "import") == 0)
		slg_say("imported %zu baseline%s for %s/%s from %s", nrows,
		    nrows == 1 ? "" : "s", service, env, o->file);
	else if (rc == 0)
		slg_say("promoted baselines for %s/%s from %.12s", service, env,
		    o->commit);
	goto out;
print:
	if (rc == 0 && slg_jsonin_baselines(out.data, out.len, &b, &n,
	    &err) != 0)
		rc = slg_fail("baseline", &err);
	if (rc == 0 && strcmp(o->format, "json") == 0)
		slg_report_baselines_json(stdout, b, n);
	else if (rc == 0)
		slg_report_baselines_text(stdout, b, n);
out:
	for (size_t i = 0; i < nrows; i++)
		slg_stored_baseline_release(&rows[i]);
	free(rows);
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&b[i]);
	free(b);
	slg_buf_release(&path);
	slg_buf_release(&body);
	slg_buf_release(&out);
	return rc;
}

int
cmd_baseline(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct slg_store *, const struct opts *,
		    struct slg_err *);
	} subs[] = {
		{ "set", do_set }, { "import", do_import },
		{ "promote", do_promote }, { "show", do_show }, { NULL, NULL }
	};
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	struct slg_remote r;
	struct opts o;
	int rc, i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? SLG_EXIT_USAGE : 0;
	}
	for (i = 0; subs[i].name && strcmp(subs[i].name, argv[1]) != 0; i++)
		;
	if (subs[i].name == NULL)
		return slg_usage_error("baseline", usage_text, "unknown "
		    "subcommand '%s' (have: set, import, promote, show)", argv[1]);
	if ((rc = parse(argc - 1, argv + 1, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if (o.file != NULL && strcmp(argv[1], "import") != 0)
		return slg_usage_error("baseline", usage_text, "unexpected "
		    "argument '%s'", o.file);
	if (slg_remote_from(o.server, &r, 60000))
		return remote(argv[1], &r, &o);
	if ((rc = slg_store_open(slg_db_path(o.db), &st, &err)) == 0)
		rc = subs[i].run(st, &o, &err);
	if (rc != 0)
		rc = slg_fail("baseline", &err);
	slg_store_close(st);
	return rc;
}
