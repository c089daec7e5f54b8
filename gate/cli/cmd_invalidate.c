/* cmd_invalidate: `slogate invalidate`: mark a verdict unusable as a
 * baseline (it is kept). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/usecase.h"
#include "io/remote.h"

static const char usage_text[] =
"usage: slogate invalidate --verdict ID --reason TEXT [--by WHO] [--db URL]\n"
"\n"
"Marks a verdict unusable as a baseline, for example one judged while\n"
"staging was broken. The verdict and its history stay; previous and\n"
"ancestor baselines skip it from then on.\n"
"\n"
"  --by WHO     default $GITLAB_USER_LOGIN, else $USER\n"
"  --db URL     default $SLOGATE_DB, else slogate.db (a file, or\n"
"               postgresql://USER@HOST:PORT/DBNAME)\n"
"  --server URL use the slogate service instead (default $SLOGATE_SERVER)\n"
"\n"
"exit codes: 0 done, 1 refused (no such verdict, invalidated already),\n"
"4 error, 64 usage error.\n";

int
cmd_invalidate(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "verdict", required_argument, NULL, 'v' },
		{ "reason", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *verdict = NULL, *reason = NULL, *by = NULL, *db = NULL;
	const char *server = NULL;
	struct slg_remote remote;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	long long id;
	char *end;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'v': verdict = optarg; break;
		case 'r': reason = optarg; break;
		case 'b': by = optarg; break;
		case 'd': db = optarg; break;
		case 'S': server = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("invalidate", usage_text, argv, c);
		}
	}
	if (optind < argc)
		return slg_usage_error("invalidate", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if (verdict == NULL || !slg_usecase_reason_given(reason))
		return slg_usage_error("invalidate", usage_text, "needs --verdict "
		    "and a --reason");
	id = strtoll(verdict, &end, 10);
	if (*end != '\0' || id < 1)
		return slg_usage_error("invalidate", usage_text, "--verdict: '%s' "
		    "is not a verdict id", verdict);
	if (slg_remote_from(server, &remote, 60000)) {
		struct slg_buf path = SLG_BUF_INIT, body = SLG_BUF_INIT;
		struct slg_buf out = SLG_BUF_INIT;

		slg_buf_printf(&path, "/api/v1/verdicts/%lld/invalidate", id);
		slg_buf_puts(&body, "{\"reason\": ");
		slg_buf_json(&body, reason);
		slg_buf_puts(&body, ", \"by\": ");
		slg_buf_json(&body, slg_who(by));
		slg_buf_puts(&body, "}");
		rc = slg_remote_json("invalidate", &remote, "POST", path.data,
		    body.data, 200, &out);
		slg_buf_release(&path);
		slg_buf_release(&body);
		slg_buf_release(&out);
		if (rc == 0)
			printf("verdict %lld invalidated: it is no longer used as "
			    "a baseline\n", id);
		return rc;
	}
	if ((rc = slg_store_open(slg_db_path(db), &st, &err)) != 0 ||
	    (rc = slg_usecase_invalidate(st, id, slg_who(by), reason,
	    slg_now(), &err)) != 0)
		rc = slg_fail("invalidate", &err);
	else
		printf("verdict %lld invalidated: it is no longer used as a "
		    "baseline\n", id);
	slg_store_close(st);
	return rc;
}
