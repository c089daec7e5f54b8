/* cmd_approve: `slogate approve`: a release manager's approval of a commit
 * the gate blocked, with a recorded reason; and its revocation. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/usecase.h"
#include "report/jsonin.h"
#include "io/remote.h"
#include "util/text.h"
#include "util/timefmt.h"

static const char usage_text[] =
"usage: slogate approve --commit SHA (--service S --environment E | --policy FILE)\n"
"                       --reason TEXT [--by WHO] [--expires DURATION]\n"
"       slogate approve --revoke ID [--by WHO] [--reason TEXT]\n"
"\n"
"Records who approved promotion of a commit that the gate did not pass,\n"
"when and why, against the latest verdict of that commit for the service\n"
"and environment. slogate status then lets it through while the approval\n"
"is live: not revoked, not expired, and its verdict still the latest.\n"
"Approving a verdict that passed or warned is refused as pointless.\n"
"--revoke ends an approval; both stay in the audit trail.\n"
"\n"
"  --commit SHA         full or abbreviated; default $CI_COMMIT_SHA\n"
"  --policy FILE        take the service and environment from this policy\n"
"  --reason TEXT        required for an approval\n"
"  --by WHO             default $GITLAB_USER_LOGIN, else $USER; with\n"
"                       --server the approver is the token's name, and\n"
"                       WHO is recorded beside it (\"WHO via TOKEN-NAME\")\n"
"  --expires DURATION   e.g. 24h; default never\n"
"  --db URL             default $SLOGATE_DB, else slogate.db (a file, or\n"
"                       postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL         record it in the slogate service instead (default\n"
"                       $SLOGATE_SERVER; token from $SLOGATE_TOKEN)\n"
"\n"
"exit codes: 0 recorded, 1 refused (nothing to approve, already revoked,\n"
"unknown id), 4 error, 64 usage error.\n";

struct opts {
	const char *commit, *service, *env, *reason, *by, *expires, *revoke, *db;
	const char *server;
};

static void
print_approval(const struct slg_approval *a, const char *overrides)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char t[32], who[512];

	printf("approval %lld recorded: %.12s %s/%s, overrides verdict %lld "
	    "(%s), by %s: %s\n", (long long)a->id, slg_esc(&esc, a->commit),
	    slg_esc(&esc, a->service), slg_esc(&esc, a->environment),
	    (long long)a->verdict_id, overrides, slg_esc(&esc,
	    slg_approval_approver(a, who, sizeof(who))), slg_esc(&esc, a->reason));
	if (a->expires_at) {
		slg_time_format(a->expires_at, t, sizeof(t));
		printf("expires %s\n", t);
	}
	slg_esc_release(&esc);
}

static void
print_revoked(long long id, const char *by)
{
	struct slg_esc esc = SLG_ESC_INIT;

	printf("approval %lld revoked by %s\n", id, by ? slg_esc(&esc, by) :
	    "-");
	slg_esc_release(&esc);
}

static int
revoke_id(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0 ? 0 : -1;
}

static int
remote(const struct slg_remote *r, const struct opts *o)
{
	struct slg_buf path = SLG_BUF_INIT, body = SLG_BUF_INIT;
	struct slg_buf out = SLG_BUF_INIT;
	struct slg_approval a;
	struct slg_err err = { 0 };
	long long id;
	int rc, kind = -1;

	slg_buf_puts(&body, "{\"by\": ");
	slg_buf_json(&body, slg_who(o->by));
	slg_buf_puts(&body, ", \"reason\": ");
	slg_buf_json(&body, o->reason);
	if (o->revoke != NULL) {
		if (revoke_id(o->revoke, &id) != 0)
			return slg_usage_error("approve", usage_text, "--revoke: "
			    "'%s' is not an approval id", o->revoke);
		slg_buf_printf(&path, "/api/v1/approvals/%lld", id);
		slg_buf_puts(&body, "}");
		if ((rc = slg_remote_json("approve", r, "DELETE", path.data,
		    body.data, 200, &out)) == 0)
			print_revoked(id, slg_who(o->by));
		goto out;
	}
	slg_buf_puts(&body, ", \"commit\": ");
	slg_buf_json(&body, o->commit);
	slg_buf_puts(&body, ", \"service\": ");
	slg_buf_json(&body, o->service);
	slg_buf_puts(&body, ", \"environment\": ");
	slg_buf_json(&body, o->env);
	if (o->expires != NULL) {
		slg_buf_puts(&body, ", \"expires\": ");
		slg_buf_json(&body, o->expires);
	}
	slg_buf_puts(&body, "}");
	if ((rc = slg_remote_json("approve", r, "POST", "/api/v1/approvals",
	    body.data, 201, &out)) != 0)
		goto out;
	if (slg_jsonin_approval(out.data, out.len, &a, &kind, &err) != 0) {
		rc = slg_fail("approve", &err);
		goto out;
	}
	print_approval(&a, kind >= 0 ? slg_verdict_str(kind) : "?");
	slg_approval_release(&a);
out:
	slg_buf_release(&path);
	slg_buf_release(&body);
	slg_buf_release(&out);
	return rc;
}

static int
revoke(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	long long id;
	int rc;

	if (revoke_id(o->revoke, &id) != 0)
		return slg_err_set(err, SLG_EUSAGE, "--revoke: '%s' is not an "
		    "approval id", o->revoke);
	if ((rc = slg_usecase_revoke(st, id, slg_who(o->by), NULL, o->reason,
	    slg_now(), NULL, err)) != 0)
		return rc;
	print_revoked(id, slg_who(o->by));
	return 0;
}

static int
approve(struct slg_store *st, const struct opts *o, struct slg_err *err)
{
	struct slg_usecase_approve in = { 0 };
	struct slg_approval a = { 0 };
	struct slg_verdict *v = NULL;
	char sha[65];
	double secs = 0;
	int rc;

	if (o->expires != NULL && (slg_duration_parse(o->expires, &secs, err) != 0
	    || secs < 1))
		return slg_err_set(err, SLG_EUSAGE, "--expires: bad duration "
		    "'%s' (1s to 100 years)", o->expires);
	if ((rc = slg_commit_arg(st, o->commit, sha, err)) != 0)
		return rc;
	in.commit = sha;
	in.service = o->service;
	in.environment = o->env;
	in.by = slg_who(o->by);
	in.reason = o->reason;
	in.expires = secs;
	in.now = slg_now();
	if ((rc = slg_usecase_approve(st, &in, &a, &v, err)) != 0)
		return rc;
	print_approval(&a, slg_verdict_str(v->verdict));
	slg_approval_release(&a);
	slg_verdict_free(v);
	return 0;
}

static int run(struct opts *op);

int
cmd_approve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "commit", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "reason", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "expires", required_argument, NULL, 'x' },
		{ "revoke", required_argument, NULL, 'R' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'S' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { slg_env("CI_COMMIT_SHA"), NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL };
	struct slg_policy *policy = NULL;
	const char *policy_path = NULL;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o.commit = optarg; break;
		case 's': o.service = optarg; break;
		case 'e': o.env = optarg; break;
		case 'r': o.reason = optarg; break;
		case 'b': o.by = optarg; break;
		case 'x': o.expires = optarg; break;
		case 'R': o.revoke = optarg; break;
		case 'd': o.db = optarg; break;
		case 'S': o.server = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("approve", usage_text, argv, c);
		}
	}
	if (optind < argc)
		return slg_usage_error("approve", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if ((rc = slg_policy_names("approve", policy_path, &o.service, &o.env,
	    &policy)) != 0)
		return rc;
	rc = run(&o);
	slg_policy_free(policy);
	return rc;
}

static int
run(struct opts *op)
{
	struct opts o = *op;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	struct slg_remote r;
	int rc;

	if (slg_who(o.by) == NULL)
		return slg_usage_error("approve", usage_text, "who approves? "
		    "pass --by or set GITLAB_USER_LOGIN");
	if (o.revoke == NULL) {
		if (o.commit == NULL || o.service == NULL || o.env == NULL)
			return slg_usage_error("approve", usage_text, "needs "
			    "--commit (or $CI_COMMIT_SHA), --service and "
			    "--environment");
		if (!slg_usecase_reason_given(o.reason))
			return slg_usage_error("approve", usage_text, "--reason "
			    "is required: say why the release may go on");
	}
	if (slg_remote_from(o.server, &r, 60000))
		return remote(&r, &o);
	if ((rc = slg_store_open(slg_db_path(o.db), &st, &err)) == 0)
		rc = o.revoke ? revoke(st, &o, &err) : approve(st, &o, &err);
	if (rc != 0)
		rc = slg_fail("approve", &err);
	slg_store_close(st);
	return rc;
}
