/* harness: a real Prometheus, the slogate binary, a SQLite file or a real
 * PostgreSQL. */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <stdint.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

const char *
h_bin(void)
{
	const char *b = getenv("SLOGATE_BIN");

	return b ? b : "build/slogate";
}

const char *
h_top(void)
{
	const char *t = getenv("SLOGATE_TOP");

	return t ? t : ".";
}

int
h_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *
h_tmpdir(void)
{
	char tmpl[] = "/tmp/slogate-test-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

void
h_rmrf(const char *dir)
{
	if (dir != NULL && strncmp(dir, "/tmp/slogate-test-", 18) == 0)
		h_sh("rm -rf '%s'", dir);
}

char *
h_write(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	if ((f = fopen(path, "w")) == NULL) {
		free(path);
		return NULL;
	}
	fputs(text, f);
	fclose(f);
	return path;
}

char *
h_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

char *
h_read_until(const char *path, const char *needle)
{
	char *text = NULL;
	int i;

	/* the service logs a request once its answer has gone out */
	for (i = 0; i < 100; i++) {
		free(text);
		text = h_read(path);
		if (text != NULL && strstr(text, needle) != NULL)
			break;
		usleep(50000);
	}
	return text;
}

int
h_free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &l) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

static size_t
discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static int
ready(const char *url)
{
	char u[128];
	CURL *h = curl_easy_init();
	long code = 0;

	snprintf(u, sizeof(u), "%s/-/ready", url);
	curl_easy_setopt(h, CURLOPT_URL, u);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code == 200;
}

/* Starts prometheus on p->port with p->dir/prometheus.yml and the TSDB in
 * p->dir/tsdb; 0 once it answers. */
static int
launch(struct prom_server *p)
{
	char cfg[300], listen[64], tsdb[300];

	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", p->dir);
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", p->port);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d",
	    p->port);
	snprintf(tsdb, sizeof(tsdb), "--storage.tsdb.path=%s/tsdb", p->dir);
	if ((p->pid = fork()) == 0) {
		char log[300], c[320];
		int fd;

		snprintf(log, sizeof(log), "%s/prometheus.log", p->dir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		snprintf(c, sizeof(c), "--config.file=%s", cfg);
		execlp("prometheus", "prometheus", c, tsdb, listen,
		    "--log.level=warn", "--storage.tsdb.retention.time=30d",
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		int st;

		if (ready(p->url))
			return 0;
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			fprintf(stderr, "harness: prometheus exited; see %s/"
			    "prometheus.log\n", p->dir);
			p->pid = 0;
			return -1;
		}
		usleep(100000);
	}
	fprintf(stderr, "harness: prometheus not ready after 30 s\n");
	return -1;
}

int
h_prom_start(struct prom_server *p)
{
	const char *gen = getenv("SLOGATE_GEN");
	char *dir = h_tmpdir();

	memset(p, 0, sizeof(p[0]));
	if (dir == NULL)
		return -1;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	free(dir);
	/* whole minutes, two in the past: every window ends on real data */
	p->end = (int64_t)time(NULL) / 60 * 60 - 120;
	if (h_sh("'%s' %lld > '%s/data.om'", gen ? gen : "build/tests/gen_series",
	    (long long)p->end, p->dir) != 0 ||
	    h_sh("promtool tsdb create-blocks-from openmetrics '%s/data.om' "
	    "'%s/tsdb' > '%s/promtool.log' 2>&1", p->dir, p->dir, p->dir) != 0) {
		fprintf(stderr, "harness: cannot build the test TSDB in %s\n",
		    p->dir);
		return -1;
	}
	free(h_write(p->dir, "prometheus.yml",
	    "global:\n  scrape_interval: 15s\nscrape_configs: []\n"));
	p->port = h_free_port();
	return launch(p);
}

int
h_prom_scrape_start(struct prom_server *p, int target_port)
{
	char cfg[512];

	if (p->dir[0] == '\0') {
		char *dir = h_tmpdir();

		if (dir == NULL)
			return -1;
		snprintf(p->dir, sizeof(p->dir), "%s", dir);
		free(dir);
		p->port = h_free_port();
	}
	/* twice a second: a 2 s step loses a point only after 4 scrapes in
	 * a row fail, which a loaded machine can do to 2 */
	snprintf(cfg, sizeof(cfg), "global:\n  scrape_interval: 500ms\n"
	    "  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: exporter\n"
	    "    static_configs:\n      - targets: ['127.0.0.1:%d']\n",
	    target_port);
	free(h_write(p->dir, "prometheus.yml", cfg));
	return launch(p);
}

void
h_prom_kill(struct prom_server *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
}

void
h_prom_stop(struct prom_server *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	h_rmrf(p->dir);
}

int
h_slogate(struct run *r, const char *const *args, const char *const *env)
{
	return h_slogate_limited(r, args, env, 0, 0);
}

int
h_slogate_limited(struct run *r, const char *const *args,
    const char *const *env, int nobody, long fsize)
{
	char out[] = "/tmp/slogate-out-XXXXXX", err[] = "/tmp/slogate-err-XXXXXX";
	const char *argv[64];
	int fo = mkstemp(out), fe = mkstemp(err), n = 0, st = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	argv[n++] = h_bin();
	for (; args[n - 1] != NULL && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		struct rlimit rl = { (rlim_t)fsize, (rlim_t)fsize };

		for (size_t i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		dup2(fo, 1);
		dup2(fe, 2);
		if (fsize > 0 && setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(126);
		if (nobody && getuid() == 0 && (setgid(65534) != 0 ||
		    setuid(65534) != 0))
			_exit(126);
		alarm(60);	/* a hung run fails the test, not the suite */
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	r->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	close(fo);
	close(fe);
	r->out = h_read(out);
	r->err = h_read(err);
	unlink(out);
	unlink(err);
	if (getenv("SLOGATE_TEST_VERBOSE"))
		fprintf(stderr, "--- exit %d\n%s%s", r->code, r->out, r->err);
	return 0;
}

void
h_run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static int
is_pg(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0;
}

/* The first row's first value of sql in the PostgreSQL database url, in
 * a read-only transaction (caller frees); NULL when there is no row or no
 * value, or sql failed (the message is on stderr). */
static char *
pg_value(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *res = NULL;
	char *v = NULL;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
		goto out;
	}
	PQclear(PQexec(c, "SET default_transaction_read_only = on"));
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
		goto out;
	}
	if (PQntuples(res) > 0 && PQnfields(res) > 0 &&
	    !PQgetisnull(res, 0, 0))
		v = strdup(PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	PQfinish(c);
	return v;
}

static sqlite3_stmt *
query(const char *db, const char *sql, sqlite3 **h)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_open_v2(db, h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(*h, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "harness: %s: %s\n", sql, sqlite3_errmsg(*h));
		return NULL;
	}
	return s;
}

long long
h_db_int(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	long long v = -1;

	if (is_pg(db)) {
		char *t = pg_value(db, sql);

		/* a comparison is a boolean there, an integer in SQLite */
		if (t != NULL)
			v = strcmp(t, "t") == 0 ? 1 : strcmp(t, "f") == 0 ? 0 :
			    strtoll(t, NULL, 10);
		free(t);
		return v;
	}
	s = query(db, sql, &h);
	if (s != NULL && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

char *
h_db_text(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	static char *ring[16];
	static unsigned next;
	char *v = NULL;

	if (is_pg(db))
		v = pg_value(db, sql);
	else {
		s = query(db, sql, &h);
		if (s != NULL && sqlite3_step(s) == SQLITE_ROW &&
		    sqlite3_column_text(s, 0) != NULL)
			v = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		sqlite3_close(h);
	}
	free(ring[next % 16]);
	ring[next++ % 16] = v;
	return v;
}

struct h_db {
	sqlite3 *db;
};

struct h_db *
h_db_hold(const char *db, const char *sql)
{
	struct h_db *h = calloc(1, sizeof(*h));
	char *msg = NULL;

	if (h == NULL)
		return NULL;
	if (is_pg(db)) {
		fprintf(stderr, "harness: h_db_hold takes a SQLite file\n");
		free(h);
		return NULL;
	}
	if (sqlite3_open_v2(db, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    /* its COMMIT waits for the readers the others are meanwhile,
	     * as any writer of slogate's does (on a slow, sanitized build
	     * it found one and gave up at once) */
	    sqlite3_busy_timeout(h->db, 15000) != SQLITE_OK ||
	    sqlite3_exec(h->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "harness: %s: %s: %s\n", db, sql, msg ? msg :
		    sqlite3_errmsg(h->db));
		sqlite3_free(msg);
		sqlite3_close(h->db);
		free(h);
		return NULL;
	}
	return h;
}

int
h_db_release(struct h_db *h, const char *sql)
{
	int rc = 0;

	if (h == NULL)
		return -1;
	if (sql != NULL && sqlite3_exec(h->db, sql, NULL, NULL, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "harness: %s: %s\n", sql, sqlite3_errmsg(h->db));
		rc = -1;
	}
	sqlite3_close(h->db);
	free(h);
	return rc;
}

static int serve_on(struct serve *s, int port, const char *dir,
    const char *const *args, const char *const *env);

int
h_serve_start(struct serve *s, const char *dir, const char *const *args,
    const char *const *env)
{
	return serve_on(s, h_free_port(), dir, args, env);
}

int
h_serve_restart(struct serve *s, const char *dir, const char *const *args,
    const char *const *env)
{
	return serve_on(s, s->port, dir, args, env);
}

static int
serve_on(struct serve *s, int port, const char *dir, const char *const *args,
    const char *const *env)
{
	const char *argv[64];
	char listen[64];
	char *body = NULL;
	int n = 0;

	int tls = 0;

	for (size_t i = 0; args && args[i]; i++)
		tls |= strcmp(args[i], "--tls-cert") == 0;
	memset(s, 0, sizeof(*s));
	s->port = port;
	/* https is checked against $SLOGATE_TEST_CA (h_http) */
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%d", tls ? "https" :
	    "http", s->port);
	snprintf(s->log, sizeof(s->log), "%s/serve-%d.log", dir, s->port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", s->port);
	argv[n++] = h_bin();
	argv[n++] = "serve";
	argv[n++] = "--listen";
	argv[n++] = listen;
	for (size_t i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if ((s->pid = fork()) == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		for (size_t i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		char u[128];
		int st;

		snprintf(u, sizeof(u), "%s/healthz", s->url);
		if (h_http("GET", u, NULL, NULL, &body) == 200) {
			free(body);
			return 0;
		}
		free(body);
		body = NULL;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			fprintf(stderr, "harness: slogate serve exited; see %s\n",
			    s->log);
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

int
h_serve_stop(struct serve *s)
{
	int st = 0;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	char **out = arg;
	size_t old = *out ? strlen(*out) : 0;
	char *b = realloc(*out, old + size * n + 1);

	if (b == NULL)
		return 0;
	memcpy(b + old, p, size * n);
	b[old + size * n] = '\0';
	*out = b;
	return size * n;
}

long
h_http(const char *method, const char *url, const char *const *headers,
    const char *body, char **out)
{
	return h_http_full(method, url, headers, body, out, NULL);
}

long
h_http_full(const char *method, const char *url,
    const char *const *headers, const char *body, char **out, char **head)
{
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	long status = 0;

	*out = calloc(1, 1);
	if (head != NULL) {
		*head = calloc(1, 1);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, head);
	}
	if (getenv("SLOGATE_TEST_CA") != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, getenv("SLOGATE_TEST_CA"));
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return status;
}

static struct {
	int fd, delay_ms;
	volatile int stop;
	int answered;		/* answers sent (atomic) */
	pthread_t thread;
} slow;

/* Reads one request into buf (NUL-terminated): the head, then as much of
 * the body as Content-Length says, as far as buf holds; its length, or -1
 * when the client went away first. */
static ssize_t
slow_read(int c, char *buf, size_t cap)
{
	size_t len = 0, want = 0;
	char *end = NULL;
	ssize_t n;

	while (len < cap - 1) {
		if ((n = read(c, buf + len, cap - 1 - len)) <= 0)
			return len > 0 ? (ssize_t)len : -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");

			want = (size_t)(end + 4 - buf);
			if (cl != NULL && cl < end)
				want += strtoul(cl + 17, NULL, 10);
		}
		if (end != NULL && len >= want)
			break;
	}
	return (ssize_t)len;
}

static void *
slow_conn(void *arg)
{
	int c = (int)(intptr_t)arg;
	char buf[8192], head[256], ok[256];
	const char *t;
	long long at = 1;

	if (slow_read(c, buf, sizeof(buf)) > 0) {
		/* the time asked for (form body or URL), so that an instant
		 * answer is about it; 1 when none was asked for */
		if ((t = strstr(buf, "&time=")) != NULL ||
		    (t = strstr(buf, "?time=")) != NULL)
			at = strtoll(t + 6, NULL, 10);
		snprintf(ok, sizeof(ok), "{\"status\":\"success\",\"data\":{"
		    "\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
		    "\"value\":[%lld,\"1\"]}]}}", at);
		usleep((useconds_t)slow.delay_ms * 1000);
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\n\r\n", strlen(ok));
		if (write(c, head, strlen(head)) > 0)
			(void)!write(c, ok, strlen(ok));
		__atomic_add_fetch(&slow.answered, 1, __ATOMIC_SEQ_CST);
	}
	close(c);
	return NULL;
}

static void *
slow_accept(void *arg)
{
	(void)arg;
	while (!slow.stop) {
		int c = accept(slow.fd, NULL, NULL);
		pthread_t t;

		if (c < 0 || slow.stop) {
			if (c >= 0)
				close(c);
			continue;
		}
		pthread_create(&t, NULL, slow_conn, (void *)(intptr_t)c);
		pthread_detach(t);
	}
	return NULL;
}

int
h_slow_prom_start(int delay_ms)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int one = 1;

	signal(SIGPIPE, SIG_IGN);
	slow.delay_ms = delay_ms;
	slow.stop = 0;
	__atomic_store_n(&slow.answered, 0, __ATOMIC_SEQ_CST);
	slow.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(slow.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(slow.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(slow.fd, 64) != 0 ||
	    getsockname(slow.fd, (struct sockaddr *)&a, &l) != 0)
		return -1;
	pthread_create(&slow.thread, NULL, slow_accept, NULL);
	return ntohs(a.sin_port);
}

int
h_slow_prom_answered(void)
{
	return __atomic_load_n(&slow.answered, __ATOMIC_SEQ_CST);
}

void
h_slow_prom_stop(void)
{
	slow.stop = 1;
	shutdown(slow.fd, SHUT_RDWR);
	close(slow.fd);
	pthread_join(slow.thread, NULL);
}

/* The newest postgresql-NN's programs, e.g. /usr/lib/postgresql/15/bin. */
static const char *
pg_bindir(void)
{
	static char dir[256];
	FILE *p;

	if (dir[0] == '\0' && (p = popen("ls -d /usr/lib/postgresql/*/bin "
	    "2>/dev/null | sort -V | tail -1", "r")) != NULL) {
		if (fgets(dir, sizeof(dir), p) != NULL)
			dir[strcspn(dir, "\n")] = '\0';
		pclose(p);
	}
	return dir;
}

/* PostgreSQL's programs refuse to run as root. */
static const char *
pg_as(void)
{
	return geteuid() == 0 ? "runuser -u nobody -- " : "";
}

int
h_pg_start(struct h_pg *pg, const char *dir)
{
	const char *bin = pg_bindir();

	if (*bin == '\0') {
		fprintf(stderr, "harness: no PostgreSQL (scripts/deps.sh installs "
		    "it)\n");
		return -1;
	}
	if (pg->port == 0) {
		snprintf(pg->dir, sizeof(pg->dir), "%s/pg", dir);
		if ((pg->port = h_free_port()) < 0 ||
		    h_sh("chmod 755 '%s' && mkdir -p '%s' && chmod 700 '%s'",
		    dir, pg->dir, pg->dir) != 0 ||
		    (geteuid() == 0 && h_sh("chown nobody '%s'", pg->dir) != 0) ||
		    h_sh("%s%s/initdb -D '%s/data' -U slogate --auth=trust "
		    "-E UTF8 --no-sync --no-instructions >'%s/initdb.log' 2>&1",
		    pg_as(), bin, pg->dir, dir) != 0) {
			fprintf(stderr, "harness: initdb failed, see %s/initdb.log\n",
			    dir);
			return -1;
		}
		snprintf(pg->url, sizeof(pg->url),
		    "postgresql://slogate@127.0.0.1:%d/postgres", pg->port);
	}
	/* fsync off: a test's database need not survive a power cut */
	if (h_sh("%s%s/pg_ctl -D '%s/data' -l '%s/log' -w -t 30 -o \"-p %d "
	    "-k '%s' -c listen_addresses=127.0.0.1 -c fsync=off\" start "
	    ">/dev/null", pg_as(), bin, pg->dir, pg->dir, pg->port, pg->dir)
	    != 0) {
		fprintf(stderr, "harness: PostgreSQL did not start, see %s/log\n",
		    pg->dir);
		return -1;
	}
	return 0;
}

int
h_pg_stop(struct h_pg *pg)
{
	return h_sh("%s%s/pg_ctl -D '%s/data' -m fast -w -t 30 stop "
	    ">/dev/null", pg_as(), pg_bindir(), pg->dir);
}

int
h_backend_pg(void)
{
	static int pg = -1;
	const char *b;

	if (pg < 0) {
		b = getenv("SLOGATE_TEST_BACKEND");
		if (b == NULL || *b == '\0' || strcmp(b, "sqlite") == 0)
			pg = 0;
		else if (strcmp(b, "postgres") == 0)
			pg = 1;
		else {
			fprintf(stderr, "harness: SLOGATE_TEST_BACKEND '%s': "
			    "sqlite or postgres\n", b);
			exit(2);
		}
	}
	return pg;
}

/* The cluster of this process's tests: started on first use, stopped by
 * the process that started it (not by a child of its) at exit, or by its
 * watchman when a signal ends that process. */
static struct {
	struct h_pg pg;
	char *dir;
	pid_t owner;
	int failed;
	unsigned made;		/* databases created */
} cluster;

static void
cluster_stop(void)
{
	if (cluster.dir == NULL || getpid() != cluster.owner)
		return;
	h_pg_stop(&cluster.pg);
	h_rmrf(cluster.dir);
	free(cluster.dir);
	cluster.dir = NULL;
}

/* A grandchild that waits until this process has ended, however it ended
 * (atexit does not run when a signal ends it: a broken pipe, ^C, kill),
 * and then stops the cluster and removes its folder if they are still
 * there. It waits for the end of a pipe whose writing end only this
 * process holds (exec closes it); as init's child it is never the tests'
 * to reap. */
static void
cluster_watch(void)
{
	int fd[2], null;
	pid_t pid;
	char c;

	if (pipe2(fd, O_CLOEXEC) != 0)
		return;
	if ((pid = fork()) == 0) {
		if (fork() != 0)
			_exit(0);
		close(fd[1]);
		/* nor does it hold the tests' output open */
		if ((null = open("/dev/null", O_RDWR)) >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* the signal that ends the tests may go to the whole group */
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		while (read(fd[0], &c, 1) < 0 && errno == EINTR)
			;
		if (access(cluster.dir, F_OK) == 0) {
			h_sh("%s%s/pg_ctl -D '%s/data' -m immediate -w -t 30 stop "
			    ">/dev/null 2>&1", pg_as(), pg_bindir(),
			    cluster.pg.dir);
			h_rmrf(cluster.dir);
		}
		_exit(0);
	}
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int
cluster_start(void)
{
	if (cluster.dir != NULL)
		return 0;
	if (cluster.failed)
		return -1;	/* once is enough to say why */
	if ((cluster.dir = h_tmpdir()) == NULL) {
		fprintf(stderr, "harness: no temporary folder for PostgreSQL\n");
		cluster.failed = 1;
		return -1;
	}
	cluster.owner = getpid();
	atexit(cluster_stop);
	if (h_pg_start(&cluster.pg, cluster.dir) != 0) {
		/* the logs stay: they say why */
		fprintf(stderr, "harness: PostgreSQL's folder kept: %s\n",
		    cluster.dir);
		free(cluster.dir);
		cluster.dir = NULL;
		cluster.failed = 1;
		return -1;
	}
	cluster_watch();
	return 0;
}

int
h_pg_db_new(char *out, size_t n, const char *name)
{
	char db[64], sql[128];
	PGconn *c = NULL;
	PGresult *res = NULL;
	size_t i, len;
	int rc = -1;

	if (cluster_start() != 0)
		return -1;
	/* t<number>_<name>, in the characters an unquoted name may have */
	len = (size_t)snprintf(db, sizeof(db), "t%u_", ++cluster.made);
	for (i = 0; name[i] != '\0' && len < sizeof(db) - 1; i++, len++)
		db[len] = isalnum((unsigned char)name[i]) ?
		    (char)tolower((unsigned char)name[i]) : '_';
	db[len] = '\0';
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	c = PQconnectdb(cluster.pg.url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: %s", PQerrorMessage(c));
		goto out;
	}
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
		goto out;
	}
	if ((size_t)snprintf(out, n, "postgresql://slogate@127.0.0.1:%d/%s",
	    cluster.pg.port, db) >= n) {
		fprintf(stderr, "harness: no room for database %s's URL\n", db);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	PQfinish(c);
	return rc;
}

int
h_db_new(char *out, size_t n, const char *dir, const char *name)
{
	const char *args[] = { "db", "migrate", "--db", out, NULL };
	struct run r;
	int rc;

	if (!h_backend_pg()) {
		if ((size_t)snprintf(out, n, "%s/%s.db", dir, name) >= n) {
			fprintf(stderr, "harness: no room for %s/%s.db\n", dir,
			    name);
			return -1;
		}
		return 0;
	}
	if (h_pg_db_new(out, n, name) != 0)
		return -1;
	h_slogate(&r, args, NULL);
	if ((rc = r.code) != 0)
		fprintf(stderr, "harness: slogate db migrate --db %s: exit %d: "
		    "%s", out, r.code, r.err ? r.err : "");
	h_run_free(&r);
	return rc == 0 ? 0 : -1;
}
