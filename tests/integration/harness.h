/* harness: what the integration tests share: a real Prometheus loaded with
 * test data on a free loopback port, running the slogate binary, a fresh
 * database per test on the backend $SLOGATE_TEST_BACKEND names, and
 * reading what slogate wrote there. */
#ifndef SLG_HARNESS_H
#define SLG_HARNESS_H

#include <stdint.h>
#include <sys/types.h>

struct prom_server {
	pid_t pid;
	int port;
	char dir[256];
	char url[64];
	int64_t end;		/* the test data's last sample */
};

/* Generates the test data (tests/fixtures/gen_series.c), builds a TSDB
 * with promtool and starts prometheus on it; 0 when it is ready. */
int h_prom_start(struct prom_server *p);
void h_prom_stop(struct prom_server *p);

/* Starts prometheus scraping 127.0.0.1:target_port every second, on an
 * empty TSDB (p zeroed), or again on the same folder and port after
 * h_prom_kill. */
int h_prom_scrape_start(struct prom_server *p, int target_port);

/* Stops prometheus and keeps its folder (h_prom_stop removes it). */
void h_prom_kill(struct prom_server *p);

/* A loopback port nobody listens on right now. */
int h_free_port(void);

struct run {
	int code;		/* exit code, or 128+signal */
	char *out;
	char *err;
};

/* Runs the slogate binary with args (NULL-terminated) and extra
 * environment entries "K=V" (NULL-terminated, may be NULL); kills it after
 * 60 s. */
int h_slogate(struct run *r, const char *const *args, const char *const *env);

/* As h_slogate, in a child limited first: as nobody when the tests run as
 * root (so that file modes bind) when nobody is 1, and with no file
 * growing past fsize bytes (a full disk) when fsize > 0. */
int h_slogate_limited(struct run *r, const char *const *args,
    const char *const *env, int nobody, long fsize);
void h_run_free(struct run *r);

/* Runs a shell command; returns its exit status. */
int h_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new temporary folder (caller frees the string, h_rmrf removes it). */
char *h_tmpdir(void);
void h_rmrf(const char *dir);

/* Writes text to dir/name; returns the path (caller frees). */
char *h_write(const char *dir, const char *name, const char *text);

/* Reads a whole file (caller frees), NULL when missing. */
char *h_read(const char *path);

/* As h_read, once the file holds needle, or after 5 s (what a writer
 * after the fact, such as the service's request log, needs). */
char *h_read_until(const char *path, const char *needle);

/* The backend the tests run on: $SLOGATE_TEST_BACKEND, sqlite (the
 * default) or postgres; any other value stops the run. 1 for postgres. */
int h_backend_pg(void);

/* A fresh database for one test, its --db in out (n bytes). On sqlite
 * dir/name.db, not created (the first slogate run makes it). On postgres
 * a new database named after name and unique in this process, in the one
 * PostgreSQL cluster the harness starts on first use (h_pg_start in a
 * temporary folder of its own; stopped and removed at exit), given its
 * schema by `slogate db migrate`; its URL is
 * postgresql://slogate@127.0.0.1:PORT/DATABASE. 0 when it is ready; -1
 * with the reason on stderr. */
int h_db_new(char *out, size_t n, const char *dir, const char *name);

/* The first line of a test about SQLite files themselves (their PRAGMAs,
 * modes, copies, a full disk, another writer's lock): cmocka's skip() on
 * postgres. */
#define H_SQLITE_ONLY() do { if (h_backend_pg()) skip(); } while (0)

/* As h_db_new on postgres, without the migration: an empty database of
 * the harness's cluster (for the store's unit tests, which migrate it
 * through the store). -1 with the reason on stderr. */
int h_pg_db_new(char *out, size_t n, const char *name);

/* One value from the database (a SQLite file, or a postgresql:// URL,
 * read through libpq in a read-only transaction, where a boolean is 1 or
 * 0); -1 / NULL when no row. h_db_text's string belongs to the harness and
 * lasts for the next 15 calls, so tests can compare it in place. */
long long h_db_int(const char *db, const char *sql);
char *h_db_text(const char *db, const char *sql);

/* Another writer of db, a SQLite file only: opens it read-write (creating it when missing)
 * and runs sql in it, e.g. "BEGIN IMMEDIATE" to hold its write lock until
 * h_db_release runs "COMMIT". NULL when it cannot; the message is on
 * stderr. */
struct h_db;
struct h_db *h_db_hold(const char *db, const char *sql);
int h_db_release(struct h_db *h, const char *sql);	/* 0 when sql ran */

/* A running `slogate serve` on a free loopback port. */
struct serve {
	pid_t pid;
	int port;
	char url[64];
	char log[300];
};

/* Starts build/slogate serve ARGS... --listen 127.0.0.1:PORT (args
 * NULL-terminated, env "K=V" entries NULL-terminated or NULL); waits until
 * /healthz answers. Its stderr goes to dir/serve-PORT.log. */
int h_serve_start(struct serve *s, const char *dir, const char *const *args,
    const char *const *env);

/* Starts it again on the port it had (after h_serve_stop). */
int h_serve_restart(struct serve *s, const char *dir, const char *const *args,
    const char *const *env);

/* SIGTERM, then waits; returns the exit code (or 128+signal). */
int h_serve_stop(struct serve *s);

/* One HTTP request with libcurl: headers NULL-terminated (may be NULL),
 * body may be NULL. Returns the status (0 when nothing answered); *out is
 * the answer, the caller's. */
long h_http(const char *method, const char *url, const char *const *headers,
    const char *body, char **out);

/* As h_http, with the answer's header lines in *head (the caller's) when
 * head is not NULL. $SLOGATE_TEST_CA, when set, is the CA file https
 * answers are checked against. */
long h_http_full(const char *method, const char *url,
    const char *const *headers, const char *body, char **out, char **head);

/* A scripted stand-in for Prometheus that answers every query with one
 * sample of value 1 after delay_ms: for requests that must still be in
 * flight. The sample is at the time= the query asked for (1 without one),
 * so an instant query gets an answer about its time. */
int h_slow_prom_start(int delay_ms);	/* returns its port */
int h_slow_prom_answered(void);		/* answers sent since the start */
void h_slow_prom_stop(void);

/* A real PostgreSQL of the test's own: initdb and pg_ctl of Debian's
 * postgresql into dir/pg, listening on a free loopback port and a socket in
 * that folder, run as nobody when the tests run as root (PostgreSQL
 * refuses root). Trust authentication, for the user slogate. */
struct h_pg {
	char dir[300];		/* dir/pg: the data, the socket, the log */
	int port;
	char url[128];		/* postgresql://slogate@127.0.0.1:PORT/postgres */
};

/* 0 when the server answers; h_pg_stop stops it fast (and returns 0 when
 * it stopped), h_pg_start may then start it again on the same port. */
int h_pg_start(struct h_pg *pg, const char *dir);
int h_pg_stop(struct h_pg *pg);

/* Paths from the Makefile's environment. */
const char *h_bin(void);
const char *h_top(void);

#endif
