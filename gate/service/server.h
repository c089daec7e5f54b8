/* server: the HTTP service (libmicrohttpd): listening, limits, auth,
 * graceful shutdown; hands requests to api and pages through workers.
 * Must not print to stdout, or keep its state outside one run. */
#ifndef SLG_SERVER_H
#define SLG_SERVER_H

#include "service/api.h"
#include "util/err.h"

#define SLG_SERVER_MAX_BODY ((size_t)1 << 20)

struct slg_server_conf {
	const char *listen;		/* "127.0.0.1:8080", "[::1]:8080", ":8080" */
	const char *db_path;
	const char *token;		/* from SLOGATE_TOKEN, or NULL */
	const char *token_file;		/* one token a line, re-read on change */
	int read_token_required;	/* pages and API reads too */
	int metrics_token_required;	/* /metrics too */
	int io_threads;			/* libmicrohttpd's pool */
	int workers;			/* requests handled at once */
	int eval_workers;		/* evaluations at once, apart */
	int per_address;		/* connections from one address */
	int header_timeout;		/* seconds to send a whole request */
	const char *tls_cert;		/* PEM chain and key: HTTPS, reloaded */
	const char *tls_key;		/* on SIGHUP; NULL: plain HTTP */
	int queue;			/* requests waiting for a worker */
	int conn_timeout;		/* seconds a connection may idle */
	int shutdown_grace;		/* seconds requests in flight may finish */
	struct slg_api_conf api;
};

/* Runs until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (up to shutdown_grace), closes the database and returns 0.
 * Gives SLG_EUSAGE for a bad address, SLG_EIO when it cannot listen,
 * SLG_ESTORE when the database cannot be opened. */
int slg_server_run(const struct slg_server_conf *conf, struct slg_err *err);

#endif
