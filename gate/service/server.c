/* server: the HTTP service on libmicrohttpd. Its I/O threads never block:
 * every request that reads the database or Prometheus is suspended and
 * handed to a bounded pool of workers, each with its own database handle,
 * then resumed with the answer. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service/auth.h"
#include "util/buf.h"
#include "service/pages.h"
#include "service/server.h"
#include "util/text.h"
#include "service/tls.h"

#define MAX_ARGS 16
#define NBUCKETS 10
#define MAX_PARKED 512		/* long-polls waiting at once; more answer now */

static const double buckets[NBUCKETS] = { 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    10, 30, 60 };

/* One request, from its first byte to its log line. */
struct job {
	struct MHD_Connection *conn;
	char method[8];
	char path[1024];
	char *arg_name[MAX_ARGS];
	char *arg_value[MAX_ARGS];
	int nargs;
	struct slg_buf body;
	int too_big;
	int queued;			/* handed to a worker */
	int done;			/* the worker answered */
	int status;
	char *answer;
	size_t answer_len;
	const char *type;
	const char *allow;
	char location[96];
	int verdict;
	int query_errors;
	double t0;
	/* long-poll of a running evaluation (GET ...?wait=N) */
	int64_t watch_id;		/* answered or started one */
	double park_until;		/* parked until a poll or this time */
	int no_park;			/* answer now: woken or timed out */
	unsigned long gen;		/* S.watch_gen when a worker took it */
	int woken;			/* queued again from the parked list */
	int page;			/* an HTML page: a browser may log in */
	int pool;			/* POOL_READ or POOL_EVAL */
	struct slg_caller who;		/* the token's; name NULL: anonymous */
	struct job *next;
};

/* Evaluations wait on Prometheus, so they have workers of their own: a
 * hung Prometheus holds at most those, and reads go on. */
enum { POOL_READ, POOL_EVAL, NPOOLS };

struct pool {
	struct job *head, *tail;
	int queued, busy;
	pthread_cond_t work;		/* a job was queued, or stopping */
};

/* A connection, from accept to close: one that has not sent a whole
 * request within the header timeout is shut down (a client that drips
 * its headers keeps libmicrohttpd's idle timeout from ever firing). */
struct conn_track {
	int fd;
	double started;			/* its current request's first byte */
	int in_request;			/* its headers arrived */
	int cut;			/* shut down already */
	struct conn_track *prev, *next;
};

static struct {
	const struct slg_server_conf *conf;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t idle;		/* a job finished */
	struct pool pool[NPOOLS];
	int stopping, draining;
	struct conn_track *conns;
	int ready_db, ready_prom;	/* the last readiness check */
	double ready_at;		/* when it ended; 0: none yet */
	/* long-polls waiting for a watch to change, and the watcher */
	struct job *parked;
	int nparked, woken;		/* parked; queued again from there */
	unsigned long watch_gen;	/* bumped by every poll of a watch */
	pthread_cond_t watch_wake;	/* a watch was started, or stopping */
	int watch_new;
	/* tokens */
	struct slg_tokens tokens;
	struct stat token_stat;
	int tokens_read;
	/* metrics */
	unsigned long long evaluations[5], eval_buckets[NBUCKETS], eval_count;
	double eval_sum;
	unsigned long long query_errors, requests[600];
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER,
    .pool = { { .work = PTHREAD_COND_INITIALIZER },
    { .work = PTHREAD_COND_INITIALIZER } },
    .watch_wake = PTHREAD_COND_INITIALIZER };

static void conn_in_request(struct MHD_Connection *conn, int in);
static void sweep(void);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- tokens ---- */

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
bad_line(void *cls, size_t line, const char *why)
{
	/* the line's secret is never part of why */
	logmsg("slogate: token file '%s' line %zu %s: it grants nothing",
	    (const char *)cls, line, why);
}

/* Reads SLOGATE_TOKEN and the token file, again whenever the file
 * changes (its time, size or inode), so a token can be rotated without a
 * restart. A file that cannot be read grants nothing. Locked. */
static void
tokens_refresh(void)
{
	const struct slg_server_conf *c = S.conf;
	struct slg_tokens t = { NULL, 0 };
	struct slg_err err = { 0 };
	struct slg_buf text = SLG_BUF_INIT;
	struct stat st = { 0 };

	if (c->token_file != NULL && stat(c->token_file, &st) != 0)
		memset(&st, 0, sizeof(st));
	if (S.tokens_read && (c->token_file == NULL ||
	    (st.st_mtim.tv_sec == S.token_stat.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == S.token_stat.st_mtim.tv_nsec &&
	    st.st_size == S.token_stat.st_size &&
	    st.st_ino == S.token_stat.st_ino)))
		return;
	S.tokens_read = 1;
	S.token_stat = st;
	if (c->token_file != NULL) {
		if (slg_buf_read_file(&text, c->token_file, (size_t)1 << 20,
		    "token file", &err) != 0) {
			logmsg("slogate: %s: it grants nothing", err.msg);
			slg_buf_release(&text);
		}
		if (text.len > 0 && slg_tokens_parse(text.data, text.len, &t,
		    bad_line, (void *)c->token_file) != 0)
			logmsg("slogate: token file '%s': out of memory",
			    c->token_file);
		if (text.data != NULL)
			memset(text.data, 0, text.len);
		slg_buf_release(&text);
	}
	if (c->token != NULL && slg_tokens_find(&t, c->token) == NULL &&
	    slg_tokens_add_admin(&t, c->token, &err) != 0)
		logmsg("slogate: %s", err.msg);
	slg_tokens_release(&S.tokens);
	S.tokens = t;
}

/* 0 when the request carries no credentials (*who stays empty) or a valid
 * token (*who is a copy of whose it is); else the status to answer, and
 * why in *why. A bearer token in Authorization, or for pages a browser's
 * Basic login whose password is the token. */
static int
authenticate(struct MHD_Connection *conn, int page, struct slg_caller *who,
    const char **why)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	const struct slg_token *tok = NULL;
	char *user = NULL, *pass = NULL;
	const char *secret = NULL;
	int rc = 0, any;

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
	pthread_mutex_lock(&S.lock);
	tokens_refresh();
	any = S.tokens.n > 0;
	if ((tok = slg_tokens_find(&S.tokens, secret)) != NULL &&
	    slg_caller_copy(who, &tok->who) != 0)
		tok = NULL;
	pthread_mutex_unlock(&S.lock);
	if (tok == NULL) {
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

/* One line of the log on stderr, escaped: a path, a method or an error
 * message from outside cannot start a line of its own or colour it. */
static void
logmsg(const char *fmt, ...)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", slg_esc(&esc, line));
	slg_esc_release(&esc);
}

static void
log_line(const struct job *j)
{
	logmsg("%s %s %d %.1fms", j->method, j->path, j->status,
	    (now_s() - j->t0) * 1000);
}

static enum MHD_Result
respond(struct job *j, int status, const char *type, char *body, size_t len)
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
respond_error(struct job *j, int status, const char *error, const char *detail)
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
	d = slg_buf_detach(&b);
	return respond(j, status, "application/json", d, strlen(d));
}

/* ---- metrics ---- */

static char *
metrics(size_t *len)
{
	static const char *const kinds[] = { "pass", "fail", "warn",
	    "inconclusive", "error" };
	struct slg_buf b = SLG_BUF_INIT;
	unsigned long long cum = 0;

	pthread_mutex_lock(&S.lock);
	slg_buf_printf(&b, "# HELP slogate_build_info The running slogate.\n"
	    "# TYPE slogate_build_info gauge\n"
	    "slogate_build_info{version=\"%s\"} 1\n", S.conf->api.version);
	slg_buf_puts(&b, "# HELP slogate_evaluations_total Evaluations by "
	    "verdict.\n# TYPE slogate_evaluations_total counter\n");
	for (int i = 0; i < 5; i++)
		slg_buf_printf(&b, "slogate_evaluations_total{verdict=\"%s\"} "
		    "%llu\n", kinds[i], S.evaluations[i]);
	slg_buf_puts(&b, "# HELP slogate_evaluation_duration_seconds Time to "
	    "evaluate a policy.\n# TYPE slogate_evaluation_duration_seconds "
	    "histogram\n");
	for (int i = 0; i < NBUCKETS; i++) {
		cum += S.eval_buckets[i];
		slg_buf_printf(&b, "slogate_evaluation_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", buckets[i], cum);
	}
	slg_buf_printf(&b, "slogate_evaluation_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\nslogate_evaluation_duration_seconds_sum %.6f\n"
	    "slogate_evaluation_duration_seconds_count %llu\n", S.eval_count,
	    S.eval_sum, S.eval_count);
	slg_buf_printf(&b, "# HELP slogate_prometheus_query_errors_total "
	    "Prometheus queries that failed.\n# TYPE "
	    "slogate_prometheus_query_errors_total counter\n"
	    "slogate_prometheus_query_errors_total %llu\n", S.query_errors);
	slg_buf_puts(&b, "# HELP slogate_http_requests_total HTTP requests by "
	    "status code.\n# TYPE slogate_http_requests_total counter\n");
	for (int i = 100; i < 600; i++) {
		if (S.requests[i])
			slg_buf_printf(&b, "slogate_http_requests_total{code=\"%d\"} "
			    "%llu\n", i, S.requests[i]);
	}
	pthread_mutex_unlock(&S.lock);
	*len = b.len;
	return slg_buf_detach(&b);
}

/* ---- workers ---- */

static const char *
job_arg(void *cls, const char *name)
{
	const struct job *j = cls;

	for (int i = 0; i < j->nargs; i++) {
		if (strcmp(j->arg_name[i], name) == 0)
			return j->arg_value[i];
	}
	return NULL;
}

static void
count_evaluation(int verdict, double d, int query_errors)
{
	pthread_mutex_lock(&S.lock);
	S.evaluations[verdict]++;
	S.eval_count++;
	S.eval_sum += d;
	for (int i = 0; i < NBUCKETS; i++) {
		if (d <= buckets[i]) {
			S.eval_buckets[i]++;
			break;
		}
	}
	S.query_errors += (unsigned)query_errors;
	pthread_mutex_unlock(&S.lock);
}

/* A GET of a running evaluation with ?wait=N (seconds, at most 120) is
 * parked, holding no worker, until the evaluation is polled again or N
 * passes; with &polls=K only while it has had K polls, so a client that
 * has seen the latest poll waits for the next. */
static void
park_if_waiting(struct job *j, int polls)
{
	const char *w = job_arg(j, "wait"), *k = job_arg(j, "polls");
	double secs = w ? strtod(w, NULL) : 0;

	j->park_until = 0;
	/* strtol, not atoi: "4294967296" is no count of polls, not 0 */
	if (!(secs > 0) || (k != NULL && strtol(k, NULL, 10) != polls))
		return;
	/* woken by a poll that changed nothing asked for: wait on */
	if (now_s() < j->t0 + (secs < 120 ? secs : 120))
		j->park_until = j->t0 + (secs < 120 ? secs : 120);
}

/* Readiness is checked every 2 s by a thread of its own (the database
 * answers a ping, Prometheus says it is ready, 2 s allowed), so /readyz
 * is answered from the I/O thread, and a hung Prometheus makes it 503
 * rather than holding a worker. */
#define READY_EVERY 2.0
#define READY_STALE 10.0

static void *
readiness(void *arg)
{
	struct slg_prom_conf prom = S.conf->api.prom;
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };

	(void)arg;
	prom.timeout_ms = 2000;
	prom.attempts = 1;
	for (;;) {
		int db, up;
		double t0 = now_s();

		if (st == NULL)
			slg_store_open(S.conf->db_path, &st, &err);
		db = st != NULL && slg_store_ping(st, &err) == 0;
		if (!db) {
			/* opened again next time: the file may come back */
			slg_store_close(st);
			st = NULL;
		}
		up = db && slg_prom_ready(&prom, &err) == 0;
		pthread_mutex_lock(&S.lock);
		S.ready_db = db;
		S.ready_prom = up;
		S.ready_at = now_s();
		while (!S.draining && now_s() < t0 + READY_EVERY) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&S.watch_wake, &S.lock, &ts);
		}
		if (S.draining) {
			pthread_mutex_unlock(&S.lock);
			break;
		}
		pthread_mutex_unlock(&S.lock);
	}
	slg_store_close(st);
	return NULL;
}

/* The answer to /readyz, from the last check. */
static enum MHD_Result
ready(struct job *j)
{
	const char *down;
	char *body;
	double age;
	int ok;

	pthread_mutex_lock(&S.lock);
	age = now_s() - S.ready_at;
	down = S.ready_at == 0 ? "the first check has not ended" :
	    age > READY_STALE ? "the check has not ended for 10 s" :
	    !S.ready_db ? "database unavailable" :
	    !S.ready_prom ? "prometheus unavailable" : NULL;
	ok = down == NULL;
	if (ok && asprintf(&body, "{\"database\": true, \"prometheus\": true}\n")
	    < 0)
		body = NULL;
	else if (!ok && asprintf(&body, "{\"error\": \"not ready\", \"detail\": "
	    "\"%s\", \"database\": %s, \"prometheus\": %s}\n", down,
	    S.ready_db ? "true" : "false", S.ready_prom ? "true" : "false") < 0)
		body = NULL;
	pthread_mutex_unlock(&S.lock);
	if (body == NULL)
		return MHD_NO;
	return respond(j, ok ? 200 : 503, "application/json", body,
	    strlen(body));
}

static void
work(struct job *j, struct slg_store *st)
{
	j->type = "application/json";
	if (st == NULL) {
		struct slg_buf b = SLG_BUF_INIT;

		slg_buf_printf(&b, "{\"error\": \"database unavailable\", "
		    "\"detail\": \"\"}\n");
		j->status = 503;
		j->answer_len = b.len;
		j->answer = slg_buf_detach(&b);
		return;
	}
	if (slg_api_owns(j->path)) {
		struct slg_api_req q = { j->method, j->path, job_arg, j,
		    j->body.data, j->body.len, st, (int64_t)time(NULL),
		    j->who.name ? &j->who : NULL };
		struct slg_api_resp r;
		double t0 = now_s();

		slg_api_handle(&S.conf->api, &q, &r);
		j->status = r.status;
		j->answer = r.body;
		j->answer_len = r.len;
		j->allow = r.allow;
		memcpy(j->location, r.location, sizeof(j->location));
		j->verdict = r.verdict;
		j->query_errors = r.query_errors;
		j->watch_id = r.watch_id;
		if (r.watch_id && strcmp(j->method, "GET") == 0 && !j->no_park)
			park_if_waiting(j, r.watch_polls);
		if (r.verdict >= 0)
			count_evaluation(r.verdict, now_s() - t0, r.query_errors);
	} else {
		struct slg_page_req q = { j->path, job_arg, j, st,
		    S.conf->api.prom.url, S.conf->api.version,
		    (int64_t)time(NULL), j->who.name ? &j->who : NULL };
		struct slg_page p;

		slg_pages_handle(&q, &p);
		j->status = p.status;
		j->answer = p.body;
		j->answer_len = p.len;
		j->type = "text/html; charset=utf-8";
	}
}

/* Jobs queued or being handled, in every pool. Locked. */
static int
pending(void)
{
	int n = 0;

	for (int i = 0; i < NPOOLS; i++)
		n += S.pool[i].queued + S.pool[i].busy;
	return n;
}

/* Hands a job to the workers. Locked. */
static void
enqueue(struct job *j)
{
	struct pool *p = &S.pool[j->pool];

	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	pthread_cond_signal(&p->work);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	struct slg_store *st = NULL;
	struct slg_err open_err = { 0 };
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&S.lock);
		while (p->head == NULL && !S.stopping)
			pthread_cond_wait(&p->work, &S.lock);
		if (p->head == NULL) {
			pthread_mutex_unlock(&S.lock);
			break;
		}
		j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->busy++;
		if (j->woken) {
			j->woken = 0;
			S.woken--;
		}
		j->gen = S.watch_gen;
		/* parked again only if this look says so */
		j->park_until = 0;
		pthread_mutex_unlock(&S.lock);

		/* each worker keeps its own handle; a failed open is
		 * retried on the next request */
		if (st == NULL)
			slg_store_open(S.conf->db_path, &st, &open_err);
		work(j, st);

		pthread_mutex_lock(&S.lock);
		p->busy--;
		if (j->park_until > 0 && !S.draining &&
		    S.nparked < MAX_PARKED) {
			/* the answer is made again when it is woken */
			free(j->answer);
			j->answer = NULL;
			if (j->gen != S.watch_gen) {
				/* polled while this one read: look again */
				j->woken = 1;
				S.woken++;
				enqueue(j);
			} else {
				j->next = S.parked;
				S.parked = j;
				S.nparked++;
			}
		} else {
			j->done = 1;
			MHD_resume_connection(j->conn);
			if (j->watch_id && strcmp(j->method, "POST") == 0) {
				S.watch_new = 1;
				pthread_cond_signal(&S.watch_wake);
			}
		}
		pthread_cond_broadcast(&S.idle);
		pthread_mutex_unlock(&S.lock);
	}
	slg_store_close(st);
	return NULL;
}

/* ---- the watcher: polls running evaluations (check --since --wait) ---- */

/* Hands parked long-polls back to the workers: those of watch id to look
 * again (they may park again), and for good any whose time is up, or all
 * of them. Locked. */
static void
unpark(int64_t id, int all)
{
	struct job **pp = &S.parked, *j;
	double now = now_s();

	while ((j = *pp) != NULL) {
		int up = all || j->park_until <= now;

		if (!up && j->watch_id != id) {
			pp = &j->next;
			continue;
		}
		*pp = j->next;
		j->next = NULL;
		j->park_until = 0;
		j->no_park = up;
		S.nparked--;
		j->woken = 1;
		S.woken++;
		enqueue(j);
	}
}

struct due {
	int64_t id;
	int64_t at;
};

/* The running watches of the database, each with when it is due; ones
 * new here are due now (so a restart resumes them at once). */
static void
refresh(struct slg_store *st, struct due **d, size_t *n)
{
	struct slg_watch *w = NULL;
	struct slg_err err = { 0 };
	struct due *nd;
	size_t nw = 0;

	if (slg_store_watch_list(st, NULL, &w, &nw, &err) != 0) {
		logmsg("slogate: watcher: %s", err.msg);
		return;
	}
	if ((nd = calloc(nw ? nw : 1, sizeof(*nd))) == NULL) {
		slg_store_watch_list_free(w, nw);
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		nd[i].id = w[i].id;
		for (size_t k = 0; k < *n; k++) {
			if ((*d)[k].id == w[i].id)
				nd[i].at = (*d)[k].at;
		}
	}
	slg_store_watch_list_free(w, nw);
	free(*d);
	*d = nd;
	*n = nw;
}

static void *
watcher(void *arg)
{
	struct slg_store *st = NULL;
	struct slg_err err = { 0 };
	struct due *d = NULL;
	size_t n = 0;
	int64_t next_refresh = 0;

	(void)arg;
	for (;;) {
		int64_t now = (int64_t)time(NULL), soonest = now + 1;
		struct timespec ts;

		pthread_mutex_lock(&S.lock);
		if (S.draining) {
			pthread_mutex_unlock(&S.lock);
			break;
		}
		unpark(0, 0);	/* long-polls whose time is up */
		sweep();
		if (S.watch_new)
			next_refresh = 0;
		S.watch_new = 0;
		pthread_mutex_unlock(&S.lock);

		if (st == NULL && slg_store_open(S.conf->db_path, &st, &err) != 0)
			logmsg("slogate: watcher: %s", err.msg);
		/* new ones come from POSTs here (watch_new) and, at start,
		 * from before a restart; every 10 s in any case */
		if (st != NULL && now >= next_refresh) {
			refresh(st, &d, &n);
			next_refresh = now + 10;
		}
		for (size_t i = 0; st != NULL && i < n; i++) {
			int64_t next;
			int verdict;
			double t0 = now_s();

			if (d[i].at > now)
				continue;
			now = (int64_t)time(NULL);	/* polls take time */
			if (slg_api_watch_poll(&S.conf->api, st, d[i].id, now,
			    &next, &verdict, &err) != 0) {
				/* retried next second (the database may be back),
				 * unless it cannot be run here at all */
				logmsg("slogate: evaluation %lld: %s",
				    (long long)d[i].id, err.msg);
				next = now + 1;
				if (err.code == SLG_ENOTFOUND ||
				    err.code == SLG_ECONFLICT ||
				    err.code == SLG_EPARSE)
					next = 0;
			}
			if (verdict >= 0) {
				count_evaluation(verdict, now_s() - t0, 0);
				logmsg("slogate: evaluation %lld ended: "
				    "%s", (long long)d[i].id,
				    slg_verdict_str((enum slg_verdict_kind)verdict));
			}
			d[i].at = next ? next : INT64_MAX;
			pthread_mutex_lock(&S.lock);
			S.watch_gen++;
			unpark(d[i].id, 0);
			pthread_mutex_unlock(&S.lock);
		}
		for (size_t i = 0; i < n; i++) {
			if (d[i].at < soonest)
				soonest = d[i].at;
		}
		pthread_mutex_lock(&S.lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		/* at least every second, for parked long-polls' timeouts */
		ts.tv_sec += soonest > now ? 1 : 0;
		ts.tv_nsec = 0;
		if (!S.draining && !S.watch_new)
			pthread_cond_timedwait(&S.watch_wake, &S.lock, &ts);
		pthread_mutex_unlock(&S.lock);
	}
	free(d);
	slg_store_close(st);
	return NULL;
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result
copy_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct job *j = cls;

	(void)kind;
	if (j->nargs < MAX_ARGS && key != NULL) {
		j->arg_name[j->nargs] = strdup(key);
		j->arg_value[j->nargs] = strdup(value ? value : "");
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
anonymous(struct job *j, int mutation)
{
	int any;

	pthread_mutex_lock(&S.lock);
	tokens_refresh();
	any = S.tokens.n > 0;
	pthread_mutex_unlock(&S.lock);
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
	struct job *j = *state;
	const char *len, *why;
	int mutation, code, open_path;

	(void)cls;
	(void)version;
	if (j == NULL) {
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return MHD_NO;
		j->conn = conn;
		j->t0 = now_s();
		conn_in_request(conn, 1);
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
		return ready(j);
	if (!open_path && !slg_api_owns(url) && !slg_pages_owns(url))
		return respond_error(j, 404, "not found", url);
	mutation = strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
	if (!slg_api_owns(url) && mutation) {
		j->allow = "GET";
		return respond_error(j, 405, "method not allowed", "GET");
	}
	j->page = !open_path && !slg_api_owns(url);
	if (!open_path || (strcmp(url, "/metrics") == 0 &&
	    S.conf->metrics_token_required)) {
		if ((code = authenticate(conn, j->page, &j->who, &why)) != 0)
			return respond_error(j, code, code == 401 ?
			    "unauthorized" : "forbidden", why);
		if (j->who.name == NULL && (mutation || open_path ||
		    S.conf->read_token_required))
			return anonymous(j, mutation);
	}
	if (strcmp(url, "/metrics") == 0) {
		size_t n;
		char *m = metrics(&n);

		return respond(j, 200, "text/plain; version=0.0.4", m, n);
	}
	if ((strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) &&
	    j->body.len > 0 && !json_body(conn))
		return respond_error(j, 415, "unsupported media type",
		    "send Content-Type: application/json");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_arg, j);

	pthread_mutex_lock(&S.lock);
	j->pool = strcmp(method, "POST") == 0 &&
	    strcmp(url, "/api/v1/evaluations") == 0 ? POOL_EVAL : POOL_READ;
	/* long-polls woken from the parked list were admitted already */
	if (S.draining || S.pool[j->pool].queued -
	    (j->pool == POOL_READ ? S.woken : 0) >= S.conf->queue) {
		pthread_mutex_unlock(&S.lock);
		return respond_error(j, 503, "busy", S.draining ?
		    "shutting down" : "too many requests waiting");
	}
	j->queued = 1;
	/* suspended until a worker has the answer */
	MHD_suspend_connection(conn);
	enqueue(j);
	pthread_mutex_unlock(&S.lock);
	return MHD_YES;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	struct job *j = *state;

	(void)cls;
	if (j == NULL)
		return;
	conn_in_request(conn, 0);
	if (j->status == 0)
		j->status = why == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 :
		    499;	/* the client left before an answer */
	log_line(j);
	pthread_mutex_lock(&S.lock);
	if (j->status >= 100 && j->status < 600)
		S.requests[j->status]++;
	pthread_mutex_unlock(&S.lock);
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

/* ---- connections ---- */

static void
on_connection(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_track *t;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (t = calloc(1, sizeof(*t))) == NULL)
			return;
		t->fd = ci->connect_fd;
		t->started = now_s();
		pthread_mutex_lock(&S.lock);
		t->next = S.conns;
		if (S.conns)
			S.conns->prev = t;
		S.conns = t;
		pthread_mutex_unlock(&S.lock);
		*ctx = t;
		return;
	}
	/* closed: libmicrohttpd tells before it closes the socket, so the
	 * sweeper never shuts down a number the kernel gave to another */
	if ((t = *ctx) == NULL)
		return;
	pthread_mutex_lock(&S.lock);
	if (t->prev)
		t->prev->next = t->next;
	else
		S.conns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&S.lock);
	free(t);
	*ctx = NULL;
}

/* Marks the connection of a request as in a request (1: its headers came)
 * or between requests (0: the next one's clock starts now). */
static void
conn_in_request(struct MHD_Connection *conn, int in)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_track *t = ci ? ci->socket_context : NULL;

	if (t == NULL)
		return;
	pthread_mutex_lock(&S.lock);
	t->in_request = in;
	t->started = now_s();
	pthread_mutex_unlock(&S.lock);
}

/* Shuts down connections that have not sent a whole request within the
 * header timeout; libmicrohttpd then closes them. Locked. */
static void
sweep(void)
{
	double now = now_s();
	int n = 0;

	for (struct conn_track *t = S.conns; t != NULL; t = t->next) {
		if (t->in_request || t->cut ||
		    now - t->started < S.conf->header_timeout)
			continue;
		shutdown(t->fd, SHUT_RDWR);
		t->cut = 1;
		n++;
	}
	if (n > 0)
		logmsg("slogate: closed %d connections that sent no whole "
		    "request in %d s", n, S.conf->header_timeout);
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

int
slg_server_run(const struct slg_server_conf *conf, struct slg_err *err)
{
	struct sockaddr_storage ss;
	struct slg_store *st = NULL;
	pthread_t *workers = NULL, watch_thread, ready_thread;
	sigset_t sigs;
	int watching = 0;
	socklen_t slen;
	double deadline;
	int sig, rc = 0, nworkers = 0, terr = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	S.conf = conf;
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
		return rc;
	slg_store_close(st);

	/* signals go to the thread that waits for them, not to workers */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((workers = calloc((size_t)(conf->workers + conf->eval_workers),
	    sizeof(*workers))) == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	for (; nworkers < conf->workers + conf->eval_workers; nworkers++) {
		struct pool *p = &S.pool[nworkers < conf->workers ? POOL_READ :
		    POOL_EVAL];

		if (pthread_create(&workers[nworkers], NULL, worker, p) != 0)
			break;
	}
	/* without the watcher no wait would ever end: refuse to start */
	if (nworkers < conf->workers + conf->eval_workers ||
	    (terr = pthread_create(&watch_thread, NULL, watcher, NULL)) != 0) {
		rc = slg_err_set(err, SLG_EIO, "cannot start threads: %s",
		    strerror(terr ? terr : EAGAIN));
		goto stop_workers;
	}
	watching = 1;
	if ((terr = pthread_create(&ready_thread, NULL, readiness, NULL)) != 0) {
		rc = slg_err_set(err, SLG_EIO, "cannot start threads: %s",
		    strerror(terr));
		goto stop_workers;
	}
	watching = 2;
	/* a bad line of the token file is told now, not at the first use;
	 * and the first readiness check ends (2 s at most) before anyone
	 * can ask */
	pthread_mutex_lock(&S.lock);
	tokens_refresh();
	deadline = now_s() + 3;
	while (S.ready_at == 0 && now_s() < deadline) {
		pthread_mutex_unlock(&S.lock);
		usleep(10000);
		pthread_mutex_lock(&S.lock);
	}
	pthread_mutex_unlock(&S.lock);
	S.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)conf->io_threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)conf->conn_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)(2 * conf->queue +
	    conf->workers + conf->eval_workers + MAX_PARKED + 64),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)conf->per_address,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    /* read only with MHD_USE_TLS: each handshake gets the
	     * certificate loaded last */
	    MHD_OPTION_HTTPS_CERT_CALLBACK, slg_tls_callback(),
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (S.daemon == NULL) {
		rc = slg_err_set(err, SLG_EIO, "cannot listen on %s: %s",
		    conf->listen, strerror(errno));
		goto stop_workers;
	}
	logmsg("slogate %s serving %s on %s (database %s, prometheus "
	    "%s)", conf->api.version, conf->tls_cert ? "https" : "http",
	    conf->listen, conf->db_path, conf->api.prom.url);

	/* SIGHUP: the certificate and key again (rotated on disk) */
	while (sigwait(&sigs, &sig) != 0 || (sig != SIGTERM && sig != SIGINT)) {
		struct slg_err terr2 = { 0 };

		if (sig != SIGHUP || conf->tls_cert == NULL)
			continue;
		if (slg_tls_load(conf->tls_cert, conf->tls_key, &terr2) != 0)
			logmsg("slogate: SIGHUP: %s; the certificate before stays",
			    terr2.msg);
		else
			logmsg("slogate: SIGHUP: certificate '%s' loaded",
			    conf->tls_cert);
	}
	logmsg("slogate: %s: finishing requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	/* stop accepting; what was accepted is answered, new requests on
	 * open connections are turned away */
	MHD_quiesce_daemon(S.daemon);
	pthread_mutex_lock(&S.lock);
	S.draining = 1;
	/* long-polls answer with the state now; running evaluations stay
	 * running in the database and resume at the next start */
	unpark(0, 1);
	pthread_cond_broadcast(&S.watch_wake);
	deadline = now_s() + conf->shutdown_grace;
	while (pending() > 0) {
		struct timespec ts;

		/* every request ends (queries have timeouts), so this wait
		 * ends; past the grace it says what it waits for */
		if (now_s() > deadline) {
			logmsg("slogate: waiting for %d requests",
			    pending());
			deadline = now_s() + conf->shutdown_grace;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&S.idle, &S.lock, &ts);
	}
	pthread_mutex_unlock(&S.lock);
	/* let resumed connections send their answers */
	usleep(200000);
	MHD_stop_daemon(S.daemon);
stop_workers:
	pthread_mutex_lock(&S.lock);
	S.draining = 1;
	pthread_cond_broadcast(&S.watch_wake);
	pthread_mutex_unlock(&S.lock);
	if (watching)
		pthread_join(watch_thread, NULL);
	if (watching > 1)
		pthread_join(ready_thread, NULL);
	pthread_mutex_lock(&S.lock);
	S.stopping = 1;
	for (int i = 0; i < NPOOLS; i++)
		pthread_cond_broadcast(&S.pool[i].work);
	pthread_mutex_unlock(&S.lock);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	slg_tokens_release(&S.tokens);
	slg_tls_free();
	if (rc == 0)
		logmsg("slogate: stopped");
	return rc;
}
