/* cmd_baseline: `slogate baseline set`: store a baseline value. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "criteria.h"
#include "gitmeta.h"

static const char usage_text[] =
"usage: slogate baseline set --service S --environment E --objective NAME\n"
"                            --value V [--commit SHA] [--by WHO] [--db FILE]\n"
"\n"
"Stores the baseline that relative criteria (\"<= +10%\") of objective NAME\n"
"compare with. Nothing is overwritten: the newest value counts and the\n"
"older ones stay as history.\n"
"\n"
"  --value V        a number, a percentage (99.95%) or a duration (80ms)\n"
"  --commit SHA     the commit the value was measured on (recorded)\n"
"  --by WHO         who set it; default $GITLAB_USER_LOGIN, else $USER\n"
"  --db FILE        default $SLOGATE_DB, else slogate.db\n"
"\n"
"exit codes: 0 stored, 4 database error, 64 usage error.\n";

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
baseline_set(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "service", required_argument, NULL, 's' },
		{ "environment", required_argument, NULL, 'e' },
		{ "objective", required_argument, NULL, 'o' },
		{ "value", required_argument, NULL, 'v' },
		{ "commit", required_argument, NULL, 'c' },
		{ "by", required_argument, NULL, 'b' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *service = NULL, *env = NULL, *obj = NULL, *val = NULL;
	const char *commit = NULL, *by = NULL, *db = NULL;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	double value;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 's': service = optarg; break;
		case 'e': env = optarg; break;
		case 'o': obj = optarg; break;
		case 'v': val = optarg; break;
		case 'c': commit = optarg; break;
		case 'b': by = optarg; break;
		case 'd': db = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':':
			return slg_usage_error("baseline", usage_text, "'%s' needs a value",
			    argv[optind - 1]);
		default:
			return slg_usage_error("baseline", usage_text, "unknown flag '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return slg_usage_error("baseline", usage_text, "unexpected argument '%s'",
		    argv[optind]);
	if (!service || !env || !obj || !val)
		return slg_usage_error("baseline", usage_text, "set needs --service, "
		    "--environment, --objective and --value");
	if (parse_value(val, &value) != 0)
		return slg_usage_error("baseline", usage_text, "--value: '%s' is not a "
		    "number, percentage or duration", val);
	if (commit != NULL && !slg_git_is_sha(commit))
		return slg_usage_error("baseline", usage_text, "--commit: '%s' is not a hex "
		    "sha", commit);
	if (by == NULL)
		by = slg_env("GITLAB_USER_LOGIN") ? slg_env("GITLAB_USER_LOGIN") :
		    slg_env("USER");
	if ((rc = slg_store_open(slg_db_path(db), &st, &err)) != 0 ||
	    (rc = slg_store_baseline_set(st, service, env, obj, value, slg_now(),
	    by, commit, &err)) != 0) {
		rc = slg_fail("baseline", &err);
		goto out;
	}
	printf("baseline for %s/%s %s set to %.17g\n", service, env, obj, value);
out:
	slg_store_close(st);
	return rc;
}

int
cmd_baseline(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? SLG_EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "set") == 0)
		return baseline_set(argc - 1, argv + 1);
	return slg_usage_error("baseline", usage_text, "unknown subcommand '%s' (have: set)",
	    argv[1]);
}
