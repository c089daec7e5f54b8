/* cmd_db: `slogate db migrate` brings a database's schema up to date on
 * purpose; `slogate db copy` moves a whole history to another database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static const char usage_text[] =
"usage: slogate db migrate [--db URL]\n"
"       slogate db copy --from URL --to URL\n"
"\n"
"migrate applies the schema migrations this slogate carries to the\n"
"database, in one transaction, and prints the version before and after.\n"
"A SQLite database is also migrated when any command first opens it. A\n"
"PostgreSQL database is migrated only by this command: the service and\n"
"the other commands refuse one whose schema is out of date, so replicas\n"
"of two versions never race a migration (run it once, as a deploy step,\n"
"before starting the new version). A database newer than this slogate is\n"
"refused and left as it is.\n"
"\n"
"copy moves every verdict, objective, approval, baseline, invalidation,\n"
"evaluation and its polls, and audit entry from one database to another\n"
"that holds none (it is migrated first), ids and hashes kept: read in one\n"
"snapshot, written in one transaction that commits only when the count of\n"
"every table matches, e.g. from a SQLite file to the PostgreSQL database\n"
"that replicas will share. Stop the services writing to the source first.\n"
"\n"
"  --db URL     PATH, sqlite:PATH or postgresql://USER@HOST:PORT/DBNAME\n"
"               (libpq's URL; PG* variables and sslmode apply); default\n"
"               $SLOGATE_DB, else slogate.db\n"
"  --from URL   the database to copy (left as it is)\n"
"  --to URL     the database to copy into: new or empty\n"
"\n"
"exit codes: 0 done, 1 copy: the destination holds a history already,\n"
"4 error (nothing changed), 64 usage error.\n";

static int
migrate(const char *db)
{
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	int from, to;

	if (slg_store_migrate(slg_db_path(db), &st, &err) != 0)
		return slg_fail("db migrate", &err);
	from = slg_store_schema_found(st);
	to = slg_store_schema_version(st);
	if (from == to)
		printf("database '%s': schema %d, up to date\n",
		    slg_store_label(st), to);
	else if (from == 0)
		printf("database '%s': created at schema %d\n",
		    slg_store_label(st), to);
	else
		printf("database '%s': migrated from schema %d to %d\n",
		    slg_store_label(st), from, to);
	slg_store_close(st);
	return 0;
}

static int
copy(const char *from_url, const char *to_url)
{
	struct slg_store *from = NULL, *to = NULL;
	struct slg_copy_report rep;
	struct slg_err err = { 0 };
	int rc;

	if (slg_store_open(from_url, &from, &err) != 0 ||
	    slg_store_migrate(to_url, &to, &err) != 0 ||
	    slg_store_copy(from, to, &rep, &err) != 0) {
		rc = slg_fail("db copy", &err);
	} else {
		printf("copied %s to %s:\n", slg_store_label(from),
		    slg_store_label(to));
		for (size_t i = 0; i < rep.ntables; i++)
			printf("  %-18s %lld\n", rep.table[i],
			    (long long)rep.rows[i]);
		printf("every count matches\n");
		rc = 0;
	}
	slg_store_close(from);
	slg_store_close(to);
	return rc;
}

int
cmd_db(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *from = NULL, *to = NULL;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("db", usage_text, argv, c);
		}
	}
	if (optind >= argc)
		return slg_usage_error("db", usage_text, "needs a subcommand: "
		    "migrate or copy");
	if (optind + 1 < argc)
		return slg_usage_error("db", usage_text, "unexpected argument "
		    "'%s'", argv[optind + 1]);
	if (strcmp(argv[optind], "migrate") == 0) {
		if (from != NULL || to != NULL)
			return slg_usage_error("db", usage_text, "migrate takes "
			    "--db, not --from or --to");
		return migrate(db);
	}
	if (strcmp(argv[optind], "copy") == 0) {
		if (from == NULL || to == NULL || db != NULL)
			return slg_usage_error("db", usage_text, "copy takes "
			    "--from URL and --to URL");
		if (strcmp(from, to) == 0)
			return slg_usage_error("db", usage_text, "copy: --from and "
			    "--to are the same database");
		return copy(from, to);
	}
	return slg_usage_error("db", usage_text, "unknown subcommand '%s'",
	    argv[optind]);
}
