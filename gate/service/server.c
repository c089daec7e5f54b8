/* server: the HTTP service on libmicrohttpd: its callbacks, listening,
 * start and graceful stop. Its I/O threads never block: every request
 * that reads the database or Prometheus is suspended and handed to the
 * workers, then resumed with the answer. The state is one struct server,
 * made by slg_server_run and handed to each callback. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "service/auth.h"
#include "service/conns.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/pages.h"
#include "service/readiness.h"
#include "service/server.h"
#include "service/tls.h"
#include "service/tokenfile.h"
#include "service/watcher.h"
#include "service/workers.h"
#include "util/buf.h"

/* One run of the service, from slg_server_run's start to its return. */
struct server {
	const struct slg_server_conf *conf;
	struct MHD_Daemon *daemon;
	struct slg_tokenfile tokens;
	struct slg_metrics metrics;
	struct slg_conns conns;
	struct slg_readiness ready;
	struct slg_workers workers;
	struct slg_watcher watcher;
};

/* ---- authentication ---- */

/* 0 when the request carries no credentials (*who stays empty) or a valid
 * token (*who is a copy of whose it is); else the status to answer, and
 * why in *why. A bearer token in Authorization, or for pages a browser's
 * Basic login whose password is the token. */
static int
authenticate(struct server *srv, struct MHD_Connection *conn, int page,
    struct slg_caller *who, const char **why)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	char *user = NULL, *pass = NULL;
	const char *secret = NULL;
	int rc = 0, any, found;

	memset(who, 0, sizeof(*who));
	if (h == NULL)
		return 0;
	if (strncmp(h, "Bearer ", 7) == 0)
		secret = h + 7;
	else if (page && strncmp(h, "Basic ", 6) == 0 &&
	    (user = MHD_basic_auth_get_username_password(conn, &pass)) != NULL)
		secret = pass;
	if (secret == NULL) {
		*why = "send Authorization: Bearer TOKEN";
		rc = 401;
		goto out;
	}
	slg_tokenfile_refresh(&srv->tokens);
	found = slg_tokenfile_lookup(&srv->tokens, secret, who, &any);
	if (!found) {
		*why = any ? "the token is not valid" : "no token is configured, "
		    "so changes are refused: set SLOGATE_TOKEN or --token-file "
		    "on the service";
		rc = 403;
	}
out:
	if (pass != NULL) {
		memset(pass, 0, strlen(pass));
		MHD_free(pass);
	}
	if (user != NULL)
		MHD_free(user);
	return rc;
}

/* ---- answers ---- */

static void
log_line(const struct slg_job *j)
{
	slg_log_write("%s %s %d %.1fms", j->method, j->path, j->status,
	    (slg_log_now() - j->t0) * 1000);
}

static enum MHD_Result
respond(struct slg_job *j, int status, const char *type, char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	j->status = status;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* the pages need nothing but their own inline style and data:
	 * images; nothing may frame them or learn where they link from */
	MHD_add_response_header(r, "Content-Security-Policy", "default-src "
	    "'none'; style-src 'unsafe-inline'; img-src data:; "
	    "frame-ancestors 'none'");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (j->allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, j->allow);
	if (j->location[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, j->location);
	if (status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    j->page ? "Basic realm=\"slogate\", charset=\"UTF-8\"" :
		    "Bearer");
	ok = MHD_queue_response(j->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
respond_error(struct slg_job *j, int status, const char *error,
    const char *detail)
{
	struct slg_buf b = SLG_BUF_INIT;
	char *d = NULL;

	/* the detail may hold anything; escape it for JSON */
	slg_buf_printf(&b, "{\"error\": \"%s\", \"detail\": \"", error);
	for (const char *p = detail ? detail : ""; *p; p++) {
		if (*p == '"' || *p == '\\')
			slg_buf_printf(&b, "\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			slg_buf_printf(&b, "\\u%04x", *p);
		else
			slg_buf_add(&b, p, 1);
	}
	slg_buf_puts(&b, "\"}\n");
	if ((d = slg_buf_detach(&b)) == NULL)
		return MHD_NO;		/* out of memory: close, answer nothing */
	return respond(j, status, "application/json", d, strlen(d));
}

/* The answer to /readyz, from the last check. */
static enum MHD_Result
ready(struct slg_job *j, struct server *srv)
{
	char *body = NULL;
	int status = slg_readiness_answer(&srv->ready, &body);

	if (body == NULL)
		return MHD_NO;
	return respond(j, status, "application/json", body, strlen(body));
}

/* ---- connections ---- */

static void
on_connection(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	const union MHD_ConnectionInfo *ci;
	struct slg_conn *t;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL ||
		    (t = slg_conns_add(&srv->conns, ci->connect_fd)) == NULL)
			return;
		*ctx = t;
		return;
	}
	/* closed: libmicrohttpd tells before it closes the socket, so the
	 * sweeper never shuts down a number the kernel gave to another */
	if ((t = *ctx) == NULL)
		return;
	slg_conns_remove(&srv->conns, t);
	*ctx = NULL;
}

/* Marks the connection of a request as in a request (1: its headers came)
 * or between requests (0: the next one's clock starts now). */
static void
conn_in_request(struct server *srv, struct MHD_Connection *conn, int in)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct slg_conn *t = ci ? ci->socket_context : NULL;

	if (t != NULL)
		slg_conns_mark(&srv->conns, t, in);
}

/* The workers' hands on libmicrohttpd. */
static void
suspend(void *conn)
{
	MHD_suspend_connection(conn);
}

static void
resume(void *conn)
{
	MHD_resume_connection(conn);
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result
copy_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct slg_job *j = cls;

	(void)kind;
	if (j->nargs < SLG_WORKERS_MAX_ARGS && key != NULL) {
		char *k = strdup(key), *v = strdup(value ? value : "");

		/* a request without one of its arguments is another request */
		if (k == NULL || v == NULL) {
			free(k);
			free(v);
			j->oom = 1;
			return MHD_NO;
		}
		j->arg_name[j->nargs] = k;
		j->arg_value[j->nargs] = v;
		j->nargs++;
	}
	return MHD_YES;
}

static int
json_body(struct MHD_Connection *conn)
{
	const char *t = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);

	return t != NULL && strncmp(t, "application/json", 16) == 0 &&
	    (t[16] == '\0' || t[16] == ';');
}

/* A request without credentials where one is needed. */
static enum MHD_Result
anonymous(struct server *srv, struct slg_job *j, int mutation)
{
	int any;

	slg_tokenfile_refresh(&srv->tokens);
	any = slg_tokenfile_any(&srv->tokens);
	if (mutation && !any)
		return respond_error(j, 403, "forbidden", "no token is "
		    "configured, so changes are refused: set SLOGATE_TOKEN or "
		    "--token-file on the service");
	return respond_error(j, 401, "unauthorized", j->page ? "log in with "
	    "any name and a token as the password" : "send Authorization: "
	    "Bearer TOKEN");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data, size_t *size,
    void **state)
{
	struct server *srv = cls;
	struct slg_job *j = *state;
	const char *len, *why;
	int mutation, code, open_path, rc;

	(void)version;
	if (j == NULL) {
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return MHD_NO;
		j->conn = conn;
		j->t0 = slg_log_now();
		conn_in_request(srv, conn, 1);
		j->verdict = -1;
		snprintf(j->method, sizeof(j->method), "%s", method);
		snprintf(j->path, sizeof(j->path), "%s", url);
		j->body.max = SLG_SERVER_MAX_BODY;
		*state = j;
		len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (len != NULL && strtoull(len, NULL, 10) > SLG_SERVER_MAX_BODY)
			return respond_error(j, 413, "body too large",
			    "at most 1 MiB");
		return MHD_YES;
	}
	if (j->done) {
		char *a = j->answer;

		j->answer = NULL;	/* the response owns it now */
		return respond(j, j->status, j->type, a, j->answer_len);
	}
	if (*size > 0) {
		if (!j->too_big && slg_buf_add(&j->body, data, *size) != 0)
			j->too_big = 1;
		*size = 0;
		return MHD_YES;
	}
	if (j->queued)
		return MHD_YES;
	if (j->too_big)
		return respond_error(j, 413, "body too large", "at most 1 MiB");

	/* cheap answers, straight from the I/O thread, open to all: a
	 * load balancer or Prometheus has no token (unless asked for) */
	if (strcmp(url, "/healthz") == 0)
		return respond(j, 200, "application/json",
		    strdup("{\"status\": \"ok\"}\n"),
		    strlen("{\"status\": \"ok\"}\n"));
	open_path = strcmp(url, "/readyz") == 0 || strcmp(url, "/metrics") == 0;
	if (strcmp(url, "/readyz") == 0 && strcmp(method, "GET") == 0)
		return ready(j, srv);
	if (!open_path && !slg_api_owns(url) && !slg_pages_owns(url))
		return respond_error(j, 404, "not found", url);
	mutation = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	if (!slg_api_owns(url) && mutation) {
		j->allow = "GET";
		return respond_error(j, 405, "method not allowed", "GET");
	}
	j->page = !open_path && !slg_api_owns(url);
	if (!open_path || (strcmp(url, "/metrics") == 0 &&
	    srv->conf->metrics_token_required)) {
		if ((code = authenticate(srv, conn, j->page, &j->who,
		    &why)) != 0)
			return respond_error(j, code, code == 401 ?
			    "unauthorized" : "forbidden", why);
		if (j->who.name == NULL && (mutation || open_path ||
		    srv->conf->read_token_required))
			return anonymous(srv, j, mutation);
	}
	if (strcmp(url, "/metrics") == 0) {
		size_t n;
		char *m = slg_metrics_render(&srv->metrics,
		    srv->conf->api.version, &n);

		return respond(j, 200, "text/plain; version=0.0.4", m, n);
	}
	if ((strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) &&
	    j->body.len > 0 && !json_body(conn))
		return respond_error(j, 415, "unsupported media type",
		    "send Content-Type: application/json");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, j);
	if (j->oom)
		return respond_error(j, 503, "busy", "out of memory");

	j->pool = strcmp(method, "POST") == 0 &&
	    strcmp(url, "/api/v1/evaluations") == 0 ? SLG_POOL_EVAL :
	    SLG_POOL_READ;
	/* suspended until a worker has the answer */
	if ((rc = slg_workers_submit(&srv->workers, j)) != SLG_WORKERS_TAKEN)
		return respond_error(j, 503, "busy", rc == SLG_WORKERS_DRAINING ?
		    "shutting down" : "too many requests waiting");
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	struct server *srv = cls;
	struct slg_job *j = *state;

	if (j == NULL)
		return;
	conn_in_request(srv, conn, 0);
	if (j->status == 0)
		j->status = why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 :
		    499;	/* the client left before an answer */
	log_line(j);
	slg_metrics_count_request(&srv->metrics, j->status);
	for (int i = 0; i < j->nargs; i++) {
		free(j->arg_name[i]);
		free(j->arg_value[i]);
	}
	free(j->answer);
	slg_buf_release(&j->body);
	slg_caller_release(&j->who);
	free(j);
	*state = NULL;
}

/* ---- listening ---- */

static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    struct slg_err *err)
{
	char host[256];
	const char *colon;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		colon = close + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	}
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
		goto bad;
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (host[0] == '\0')
			a->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (strcmp(host, "localhost") == 0)
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	}
	return 0;
bad:
	return slg_err_set(err, SLG_EUSAGE, "--listen '%s' is not HOST:PORT "
	    "(127.0.0.1:8080, [::1]:8080, :8080 for every address)", s);
}

/* Everything a run holds, in the order slg_server_run stops it. */
static void
server_release(struct server *srv)
{
	slg_workers_release(&srv->workers);
	slg_watcher_release(&srv->watcher);
	slg_conns_release(&srv->conns);
	slg_metrics_release(&srv->metrics);
	slg_tokenfile_release(&srv->tokens);
}

int
slg_server_run(const struct slg_server_conf *conf, struct slg_err *err)
{
	struct sockaddr_storage ss;
	struct slg_store *st = NULL;
	struct server *srv = NULL;
	sigset_t sigs;
	int ready_started = 0;
	socklen_t slen;
	int sig, rc = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	if ((rc = parse_listen(conf->listen, &ss, &slen, err)) != 0)
		return rc;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (conf->tls_cert != NULL) {
		if ((rc = slg_tls_load(conf->tls_cert, conf->tls_key, err)) != 0)
			return rc;
		flags |= MHD_USE_TLS;
	}
	/* migrate once, before any worker opens its own handle */
	if ((rc = slg_store_open(conf->db_path, &st, err)) != 0)
		goto out;
	slg_store_close(st);

	/* signals go to the thread that waits for them, not to workers */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	srv->conf = conf;
	slg_tokenfile_init(&srv->tokens, conf->token, conf->token_file);
	slg_metrics_init(&srv->metrics);
	slg_conns_init(&srv->conns, conf->header_timeout);
	slg_workers_init(&srv->workers, conf->db_path, &conf->api,
	    &srv->metrics, &srv->watcher, conf->queue, suspend, resume);
	slg_watcher_init(&srv->watcher, &srv->workers, &srv->conns);

	/* without the watcher no wait would ever end: refuse to start */
	if ((rc = slg_workers_start(&srv->workers, conf->workers,
	    conf->eval_workers, err)) != 0 ||
	    (rc = slg_watcher_start(&srv->watcher, err)) != 0 ||
	    (rc = slg_readiness_start(&srv->ready, conf->db_path,
	    &conf->api.prom, err)) != 0)
		goto stop_workers;
	ready_started = 1;
	/* a bad line of the token file is told now, not at the first use;
	 * and the first readiness check ends (2 s at most) before anyone
	 * can ask */
	slg_tokenfile_refresh(&srv->tokens);
	slg_readiness_wait_first(&srv->ready, 3);
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)conf->io_threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)conf->conn_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(2 * conf->queue +
	    conf->workers + conf->eval_workers + SLG_WATCHER_MAX_PARKED + 64),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)conf->per_address,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    /* read only with MHD_USE_TLS: each handshake gets the
	     * certificate loaded last */
	    MHD_OPTION_HTTPS_CERT_CALLBACK, slg_tls_callback(),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		rc = slg_err_set(err, SLG_EIO, "cannot listen on %s: %s",
		    conf->listen, strerror(errno));
		goto stop_workers;
	}
	slg_log_write("slogate %s serving %s on %s (database %s, prometheus "
	    "%s)", conf->api.version, conf->tls_cert ? "https" : "http",
	    conf->listen, conf->db_path, conf->api.prom.url);

	/* SIGHUP: the certificate and key again (rotated on disk); read
	 * with no lock held, swapped under tls's own */
	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
		struct slg_err terr = { 0 };

		if (sig != SIGHUP || conf->tls_cert == NULL)
			continue;
		if (slg_tls_load(conf->tls_cert, conf->tls_key, &terr) != 0)
			slg_log_write("slogate: SIGHUP: %s; the certificate "
			    "before stays", terr.msg);
		else
			slg_log_write("slogate: SIGHUP: certificate '%s' loaded",
			    conf->tls_cert);
	}
	slg_log_write("slogate: %s: finishing requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	/* stop accepting; what was accepted is answered, new requests on
	 * open connections are turned away */
	MHD_quiesce_daemon(srv->daemon);
	/* long-polls answer with the state now; running evaluations stay
	 * running in the database and resume at the next start */
	slg_watcher_drain(&srv->watcher);
	slg_readiness_stop(&srv->ready);
	slg_workers_wait_idle(&srv->workers, conf->shutdown_grace);
	/* let resumed connections send their answers */
	usleep(200000);
	MHD_stop_daemon(srv->daemon);
stop_workers:
	slg_watcher_stop(&srv->watcher);
	if (ready_started)
		slg_readiness_release(&srv->ready);
	slg_workers_stop(&srv->workers);
	server_release(srv);
	if (rc == 0)
		slg_log_write("slogate: stopped");
out:
	free(srv);
	slg_tls_free();
	return rc;
}
