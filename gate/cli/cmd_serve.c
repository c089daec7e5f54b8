/* cmd_serve: `slogate serve`: the HTTP service on the same engine and
 * store as the CLI. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "service/server.h"
#include "util/timefmt.h"

#ifndef SLG_DATADIR
#define SLG_DATADIR NULL
#endif

static const char usage_text[] =
"usage: slogate serve [--listen ADDR] [--db URL] [--prometheus URL]\n"
"                     [--policies DIR] [--queries DIR] [--repo DIR]\n"
"                     [--token-file FILE] [--read-token-required]\n"
"                     [--metrics-token-required] [--forbid-self-approval]\n"
"                     [--max-window-age DURATION]\n"
"                     [--workers N] [--eval-workers N] [--io-threads N]\n"
"                     [--timeout SECONDS] [--header-timeout SECONDS]\n"
"                     [--max-per-address N] [--tls-cert FILE --tls-key FILE]\n"
"                     [--lease SECONDS]\n"
"\n"
"Runs the HTTP service: the JSON API under /api/v1 (evaluations, verdicts,\n"
"commits, status, approvals, baselines), the SLO history pages (/,\n"
"/services/NAME, /commits/SHA), /metrics, /healthz and /readyz. One line\n"
"per request goes to stderr. SIGTERM or SIGINT stops accepting, lets\n"
"requests in flight finish, closes the database and exits 0.\n"
"\n"
"Several services may share one PostgreSQL database behind a load\n"
"balancer: each running evaluation is polled by one of them at a time,\n"
"under a lease in the database that it renews; when it stops renewing,\n"
"another takes the evaluation over within a lease. On a SQLite file, run\n"
"one service.\n"
"\n"
"  --listen ADDR        default 127.0.0.1:8080 (loopback only); :8080 for\n"
"                       every address, [::1]:8080 for IPv6\n"
"  --db URL             PATH, sqlite:PATH or postgresql://USER@HOST:PORT/DB\n"
"                       (migrated by `slogate db migrate` first); default\n"
"                       $SLOGATE_DB, else slogate.db\n"
"  --prometheus URL     default $SLOGATE_PROMETHEUS_URL, else\n"
"                       http://127.0.0.1:9090 ($SLOGATE_PROMETHEUS_TOKEN sent)\n"
"  --policies DIR       the registered policies: the only ones that count\n"
"                       (default ./policies); one per service/environment\n"
"  --queries DIR        query templates; default as for check\n"
"  --repo DIR           git repository for ancestor baselines\n"
"  --token-file FILE    one token a line: SECRET NAME ROLES [SERVICES]\n"
"                       (secret of 32+ characters; roles read, evaluate,\n"
"                       approve, admin; service globs, default *); re-read\n"
"                       when it changes. $SLOGATE_TOKEN adds one admin\n"
"                       token. With no token, every change is refused.\n"
"  --read-token-required  pages and API reads need a token too (default:\n"
"                       public); /healthz, /readyz, /metrics stay open\n"
"  --metrics-token-required  /metrics needs a token too\n"
"  --forbid-self-approval  refuse an approval by the commit's author, and\n"
"                       one that names no person ('by')\n"
"  --max-window-age DURATION  an evaluation's window must end at most this\n"
"                       long before the request (default 15m); older\n"
"                       windows are an admin's, as trials\n"
"  --workers N          reads and changes handled at once (default 8)\n"
"  --eval-workers N     evaluations handled at once, by workers of their\n"
"                       own, so a hung Prometheus never holds the reads\n"
"                       (default 4)\n"
"  --io-threads N       connection threads (default 2)\n"
"  --timeout SECONDS    idle connection timeout (default 30)\n"
"  --header-timeout SECONDS  a connection that has not sent a whole\n"
"                       request in this long is closed (default 10)\n"
"  --max-per-address N  connections from one address at once (default 64)\n"
"  --tls-cert FILE      serve HTTPS with this PEM certificate chain and\n"
"  --tls-key FILE       key; SIGHUP loads them again (a bad pair is\n"
"                       logged and the one before stays)\n"
"  --lease SECONDS      how long a lease on a running evaluation lasts\n"
"                       unrenewed: how soon another service takes over\n"
"                       one whose service died (default 30, 3 to 3600)\n"
"\n"
"exit codes: 0 stopped by a signal, 4 cannot listen or open the database,\n"
"64 usage error.\n";

static int
count(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "prometheus", required_argument, NULL, 'P' },
		{ "policies", required_argument, NULL, 'p' },
		{ "queries", required_argument, NULL, 'q' },
		{ "repo", required_argument, NULL, 'r' },
		{ "token-file", required_argument, NULL, 't' },
		{ "read-token-required", no_argument, NULL, 'R' },
		{ "metrics-token-required", no_argument, NULL, 'M' },
		{ "forbid-self-approval", no_argument, NULL, 'S' },
		{ "max-window-age", required_argument, NULL, 'W' },
		{ "workers", required_argument, NULL, 'w' },
		{ "eval-workers", required_argument, NULL, 'E' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "max-per-address", required_argument, NULL, 'A' },
		{ "tls-cert", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "io-threads", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "lease", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct slg_server_conf c = { 0 };
	char owner[200], host[128] = "localhost";
	int lease = 30;
	struct slg_err err = { 0 };
	const char *db = NULL;
	double age;
	char ua[64];
	int o;

	c.listen = "127.0.0.1:8080";
	c.io_threads = 2;
	c.workers = 8;
	c.api.max_window_age = 900;
	c.eval_workers = 4;
	c.header_timeout = 10;
	c.per_address = 64;
	c.queue = 256;
	c.conn_timeout = 30;
	c.shutdown_grace = 30;
	c.api.policies_dir = "policies";
	c.api.datadir = SLG_DATADIR;
	c.api.version = slg_version();
	c.api.prom.url = slg_env("SLOGATE_PROMETHEUS_URL") ?
	    slg_env("SLOGATE_PROMETHEUS_URL") : "http://127.0.0.1:9090";
	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (o) {
		case 'l': c.listen = optarg; break;
		case 'd': db = optarg; break;
		case 'P': c.api.prom.url = optarg; break;
		case 'p': c.api.policies_dir = optarg; break;
		case 'q': c.api.queries_dir = optarg; break;
		case 'r': c.api.repo = optarg; break;
		case 't': c.token_file = optarg; break;
		case 'R': c.read_token_required = 1; break;
		case 'M': c.metrics_token_required = 1; break;
		case 'S': c.api.forbid_self_approval = 1; break;
		case 'W':
			if (slg_duration_parse(optarg, &age, &err) != 0 ||
			    age < 60 || age > 30 * 86400)
				return slg_usage_error("serve", usage_text,
				    "--max-window-age: bad duration '%s' (1m to "
				    "30d)", optarg);
			c.api.max_window_age = (int64_t)age;
			break;
		case 'w':
			if (count(optarg, 1, 256, &c.workers) != 0)
				return slg_usage_error("serve", usage_text,
				    "--workers must be 1 to 256");
			break;
		case 'E':
			if (count(optarg, 1, 256, &c.eval_workers) != 0)
				return slg_usage_error("serve", usage_text,
				    "--eval-workers must be 1 to 256");
			break;
		case 'H':
			if (count(optarg, 1, 3600, &c.header_timeout) != 0)
				return slg_usage_error("serve", usage_text,
				    "--header-timeout must be 1 to 3600 seconds");
			break;
		case 'C': c.tls_cert = optarg; break;
		case 'K': c.tls_key = optarg; break;
		case 'A':
			if (count(optarg, 1, 65536, &c.per_address) != 0)
				return slg_usage_error("serve", usage_text,
				    "--max-per-address must be 1 to 65536");
			break;
		case 'i':
			if (count(optarg, 1, 64, &c.io_threads) != 0)
				return slg_usage_error("serve", usage_text,
				    "--io-threads must be 1 to 64");
			break;
		case 'T':
			if (count(optarg, 1, 3600, &c.conn_timeout) != 0)
				return slg_usage_error("serve", usage_text,
				    "--timeout must be 1 to 3600 seconds");
			break;
		case 'L':
			if (count(optarg, 3, 3600, &lease) != 0)
				return slg_usage_error("serve", usage_text,
				    "--lease must be 3 to 3600 seconds");
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return slg_opt_error("serve", usage_text, argv, o);
		}
	}
	if (optind < argc)
		return slg_usage_error("serve", usage_text,
		    "unexpected argument '%s'", argv[optind]);
	if (slg_prom_check_url(c.api.prom.url, &err) != 0)
		return slg_usage_error("serve", usage_text, "%s", err.msg);
	if ((c.tls_cert == NULL) != (c.tls_key == NULL))
		return slg_usage_error("serve", usage_text, "--tls-cert and "
		    "--tls-key go together");
	c.db_path = slg_db_path(db);
	c.token = slg_env("SLOGATE_TOKEN");
	c.api.prom.token = slg_env("SLOGATE_PROMETHEUS_TOKEN");
	c.api.prom.timeout_ms = 30000;
	c.api.prom.attempts = 3;
	c.api.prom.backoff_ms = 250;
	snprintf(ua, sizeof(ua), "slogate/%s", slg_version());
	/* unique among replicas, and for each start of one: a service's
	 * leases are its own */
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(owner, sizeof(owner), "slogate serve on %s, pid %ld, started "
	    "%lld", host, (long)getpid(), (long long)time(NULL));
	c.api.owner = owner;
	c.api.lease = lease;
	c.api.prom.user_agent = ua;
	if (slg_server_run(&c, &err) != 0)
		return slg_fail("serve", &err);
	return 0;
}
