/* cmd_db: `slogate db migrate`: brings a database's schema up to date on
 * purpose, and says from which version to which. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const char usage_text[] =
"usage: slogate db migrate [--db URL]\n"
"\n"
"Applies the schema migrations this slogate carries to the database, in\n"
"one transaction, and prints the version before and after. A SQLite\n"
"database is also migrated when any command first opens it. A PostgreSQL\n"
"database is migrated only by this command: the service and the other\n"
"commands refuse one whose schema is out of date, so replicas of two\n"
"versions never race a migration (run it once, as a deploy step, before\n"
"starting the new version). A database newer than this slogate is\n"
"refused and left as it is.\n"
"\n"
"  --db URL     PATH, sqlite:PATH or postgresql://USER@HOST:PORT/DBNAME\n"
"               (libpq's URL; PG* variables and sslmode apply); default\n"
"               $SLOGATE_DB, else slogate.db\n"
"\n"
"exit codes: 0 up to date, 4 error (nothing changed), 64 usage error.\n";

int
cmd_db(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	int c, rc, from, to;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("db", usage_text, argv, c);
		}
	}
	if (optind >= argc)
		return slg_usage_error("db", usage_text, "needs a subcommand: "
		    "migrate");
	if (strcmp(argv[optind], "migrate") != 0)
		return slg_usage_error("db", usage_text, "unknown subcommand "
		    "'%s'", argv[optind]);
	if (optind + 1 < argc)
		return slg_usage_error("db", usage_text, "unexpected argument "
		    "'%s'", argv[optind + 1]);
	if ((rc = slg_store_migrate(slg_db_path(db), &st, &err)) != 0)
		return slg_fail("db migrate", &err);
	from = slg_store_schema_found(st);
	to = slg_store_schema_version(st);
	if (from == to)
		printf("database '%s': schema %d, up to date\n", slg_store_label(st),
		    to);
	else if (from == 0)
		printf("database '%s': created at schema %d\n", slg_store_label(st),
		    to);
	else
		printf("database '%s': migrated from schema %d to %d\n",
		    slg_store_label(st), from, to);
	slg_store_close(st);
	return 0;
}
