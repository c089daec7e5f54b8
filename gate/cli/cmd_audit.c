/* cmd_audit: `slogate audit`: the audit trail of every change, and
 * `slogate audit verify`, which walks its hash chain. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "report/jsonin.h"
#include "io/remote.h"
#include "report/report.h"

static const char usage_text[] =
"usage: slogate audit [--service S] [--environment E] [--commit SHA]\n"
"                     [--kind KIND] [--limit N] [--format text|json]\n"
"                     [--db URL | --server URL]\n"
"       slogate audit verify [--head HASH] [--format text|json]\n"
"                            [--db URL | --server URL]\n"
"\n"
"Lists the audit trail, newest first: every evaluation, trial, approval,\n"
"revocation, baseline and invalidation, with who (the token's name in the\n"
"service, the local user here), when, what and why. Each entry holds the\n"
"SHA-256 of what it records and of itself chained to the entry before;\n"
"`audit verify` walks the chain and names the first entry that does not\n"
"match: a verdict, approval or baseline changed or deleted with plain SQL,\n"
"an entry removed, a row written around slogate. It prints the head (the\n"
"last entry and its hash): keep it outside the database (a CI log, a\n"
"ticket) and pass it as --head later, so that entries cut off the end are\n"
"found too.\n"
"\n"
"  --kind KIND          evaluation, trial, approval, revocation, baseline or\n"
"                       invalidation\n"
"  --limit N            at most N entries (default 50, at most 1000)\n"
"  --format text|json   default text\n"
"  --db URL             default $SLOGATE_DB, else slogate.db (a file, or\n"
"                       postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL         ask the slogate service (default $SLOGATE_SERVER)\n"
"\n"
"exit codes: 0 listed, or the trail is intact; 1 the trail is broken;\n"
"4 error; 64 usage error.\n";

struct opts {
	const char *service, *environment, *commit, *kind, *limit, *format;
	const char *db, *server, *head;
	int json;
};

static int
verify(const struct opts *o)
{
	struct slg_audit_check c;
	struct slg_remote remote;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	int rc;

	if (slg_remote_from(o->server, &remote, 120000)) {
		struct slg_buf out = SLG_BUF_INIT;

		struct slg_buf path = SLG_BUF_INIT;

		slg_buf_puts(&path, "/api/v1/audit/verify");
		if (o->head != NULL) {
			slg_buf_puts(&path, "?head=");
			slg_buf_urlencode(&path, o->head);
		}
		rc = slg_remote_json("audit", &remote, "GET", path.data, NULL,
		    200, &out);
		slg_buf_release(&path);
		if (rc == 0 && slg_jsonin_audit_check(out.data, out.len, &c,
		    &err) != 0)
			rc = slg_fail("audit", &err);
		slg_buf_release(&out);
		if (rc != 0)
			return rc;
	} else {
		if ((rc = slg_store_open(slg_db_path(o->db), &st, &err)) != 0 ||
		    (rc = slg_store_audit_verify(st, o->head, &c, &err)) != 0) {
			slg_store_close(st);
			return slg_fail("audit", &err);
		}
		slg_store_close(st);
	}
	if (o->json)
		slg_report_audit_check_json(stdout, &c);
	else
		slg_report_audit_check_text(stdout, &c);
	return c.ok ? SLG_EXIT_OK : SLG_EXIT_REFUSED;
}

static void
arg(struct slg_buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	slg_buf_printf(b, "%c%s=", strchr(b->data, '?') ? '&' : '?', name);
	slg_buf_urlencode(b, value);
}

static int
list(const struct opts *o, int limit)
{
	struct slg_audit_filter f = { 0 };
	struct slg_audit_entry *e = NULL;
	struct slg_remote remote;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	char sha[65];
	size_t n = 0;
	int rc = 0;

	if (slg_remote_from(o->server, &remote, 60000)) {
		struct slg_buf path = SLG_BUF_INIT, out = SLG_BUF_INIT;
		char lim[16];

		snprintf(lim, sizeof(lim), "%d", limit);
		slg_buf_puts(&path, "/api/v1/audit");
		arg(&path, "service", o->service);
		arg(&path, "environment", o->environment);
		arg(&path, "commit", o->commit);
		arg(&path, "kind", o->kind);
		arg(&path, "limit", lim);
		rc = slg_remote_json("audit", &remote, "GET", path.data, NULL, 200,
		    &out);
		if (rc == 0 && o->json)
			fwrite(out.data, 1, out.len, stdout);
		else if (rc == 0 && slg_jsonin_audit(out.data, out.len, &e, &n,
		    &err) != 0)
			rc = slg_fail("audit", &err);
		slg_buf_release(&path);
		slg_buf_release(&out);
		if (rc != 0 || o->json)
			goto out;
	} else {
		f.service = o->service;
		f.environment = o->environment;
		f.kind = o->kind;
		f.limit = limit;
		if ((rc = slg_store_open(slg_db_path(o->db), &st, &err)) != 0)
			goto fail;
		if (o->commit != NULL) {
			if ((rc = slg_commit_arg(st, o->commit, sha, &err)) != 0)
				goto fail;
			f.commit = sha;
		}
		if ((rc = slg_store_audit_list(st, &f, &e, &n, &err)) != 0)
			goto fail;
	}
	if (o->json)
		slg_report_audit_json(stdout, e, n, NULL);
	else
		slg_report_audit_text(stdout, e, n);
	goto out;
fail:
	rc = slg_fail("audit", &err);
out:
	slg_store_audit_list_free(e, n);
	slg_store_close(st);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "commit", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'S' },
		{ "head", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { 0 };
	int c, verify_cmd = 0;
	long limit = 50;
	char *end;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.service = optarg; break;
		case 'e': o.environment = optarg; break;
		case 'c': o.commit = optarg; break;
		case 'k': o.kind = optarg; break;
		case 'n': o.limit = optarg; break;
		case 'f': o.format = optarg; break;
		case 'd': o.db = optarg; break;
		case 'S': o.server = optarg; break;
		case 'H': o.head = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("audit", usage_text, argv, c);
		}
	}
	if (optind < argc && strcmp(argv[optind], "verify") == 0) {
		verify_cmd = 1;
		optind++;
	}
	if (optind < argc)
		return slg_usage_error("audit", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if (o.head != NULL && !verify_cmd)
		return slg_usage_error("audit", usage_text, "--head is for audit "
		    "verify");
	if (o.format != NULL && strcmp(o.format, "text") != 0 &&
	    strcmp(o.format, "json") != 0)
		return slg_usage_error("audit", usage_text, "--format must be text "
		    "or json, not '%s'", o.format);
	o.json = o.format != NULL && strcmp(o.format, "json") == 0;
	if (verify_cmd) {
		if (o.service || o.environment || o.commit || o.kind || o.limit)
			return slg_usage_error("audit", usage_text, "audit verify "
			    "walks the whole trail: it takes no filters");
		if (o.head != NULL && (strlen(o.head) != 64 ||
		    strspn(o.head, "0123456789abcdef") != 64))
			return slg_usage_error("audit", usage_text, "--head must be "
			    "an entry's hash, 64 lower-case hex digits");
		return verify(&o);
	}
	if (o.kind != NULL && slg_audit_kind(o.kind) == NULL)
		return slg_usage_error("audit", usage_text, "--kind: unknown kind "
		    "'%s'", o.kind);
	if (o.limit != NULL) {
		limit = strtol(o.limit, &end, 10);
		if (*o.limit == '\0' || *end != '\0' || limit < 1 || limit > 1000)
			return slg_usage_error("audit", usage_text, "--limit must be "
			    "1 to 1000");
	}
	return list(&o, (int)limit);
}
