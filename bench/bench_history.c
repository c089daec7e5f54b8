/* bench_history: how the store's reads scale with the number of recorded
 * verdicts, on SQLite and PostgreSQL side by side, and how fast 8 writers
 * record at once on each.
 *
 * Builds databases of 1,000 and N verdicts (argv[2], default 100,000; 20
 * services x 2 environments, 3 objectives each) with the store, times the
 * queries of `/`, a service page, status and the baselines at both sizes
 * on both backends in one run, and prints medians beside the goals; the
 * ratio large/1k shows whether the indexes keep a query flat. Then 8
 * threads, each with its own handle, record 500 verdicts each, one per
 * transaction, on one database of each backend, and the count and the
 * audit trail are checked.
 *
 * PostgreSQL is the one SLOGATE_BENCH_PG names (postgresql://user@host:port,
 * no database: bench/pg.sh starts one and creates bench_1k, bench_large
 * and bench_writers); without it only SQLite is measured. The large
 * PostgreSQL database is loaded as BENCH_PG_LOAD says:
 *   copy    (default) the rows the store wrote into the large SQLite file,
 *           with PostgreSQL's COPY (bench/pgload.c), counts compared
 *   store   recorded with slg_store_record_batch, as the SQLite one is
 *   dbcopy  `slogate db copy` from the large SQLite file (argv[3] is the
 *           slogate binary)
 * Prints; fails only when the store fails or answers wrong. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pgload.h"
#include "store/store.h"

#define SERVICES 20
#define ROUNDS 200
#define WARMUP 10
#define WRITERS 8
#define PER_WRITER 500

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
die(const char *what, const struct slg_err *err)
{
	fprintf(stderr, "bench: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	exit(1);
}

static char names[SERVICES][32];

/* A commit is judged about 5 times (services, retries), as in CI. */
static const char *
sha(size_t i)
{
	static _Thread_local char ring[4][41];
	static _Thread_local unsigned k;
	char *s = ring[k++ % 4];

	/* 8 + 32 hex digits: i / 5 stays far below 2^32 here */
	snprintf(s, 41, "%08x%032x", (unsigned)(i / 5),
	    (unsigned)(i / 5) * 2654435761u);
	return s;
}

static const char *
env_of(size_t i)
{
	return (i / SERVICES) % 2 ? "production" : "staging";
}

static struct slg_verdict *
make(size_t i)
{
	static const char *objs[] = { "availability", "latency_p95", "error_ratio" };
	struct slg_verdict *v = calloc(1, sizeof(*v));

	if (v == NULL || (v->obj = calloc(3, sizeof(*v->obj))) == NULL ||
	    (v->commit = strdup(sha(i))) == NULL)
		die("out of memory", NULL);
	v->service = names[i % SERVICES];
	v->environment = (char *)env_of(i);
	v->branch = (char *)(i % 3 ? "main" : "feature");
	v->build_time = v->evaluated_at = 1795000000 + (int64_t)i;
	v->window_start = v->build_time - 1800;
	v->window_end = v->build_time;
	v->step = 60;
	v->policy_path = (char *)"bench.json";
	v->policy_digest = (char *)"0000000000000000000000000000000000000000";
	v->prometheus_url = (char *)"http://127.0.0.1:9090";
	v->version = (char *)"bench";
	v->verdict = i % 7 == 0 ? SLG_V_FAIL : SLG_V_PASS;
	v->reason = (char *)"bench";
	v->nobj = 3;
	for (int k = 0; k < 3; k++) {
		v->obj[k].name = (char *)objs[k];
		v->obj[k].promql = (char *)"up";
		v->obj[k].judged = 1;
		v->obj[k].value = 0.1 + (double)(i % 100) / 1000;
		v->obj[k].status = SLG_ST_PASS;
		v->obj[k].weight = 1;
		v->obj[k].detail = (char *)"";
	}
	return v;
}

static void
unmake(struct slg_verdict *v)
{
	free(v->commit);
	free(v->obj);
	free(v);
}

static void
remove_sqlite(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* A new database at url (a SQLite file is removed first, a PostgreSQL one
 * migrated) holding n verdicts recorded 1,000 per transaction. */
static struct slg_store *
build(const char *url, int pg, size_t n)
{
	struct slg_store *st;
	struct slg_err err;
	struct slg_verdict *batch[1000];

	if (!pg)
		remove_sqlite(url);
	if ((pg ? slg_store_migrate(url, &st, &err) :
	    slg_store_open(url, &st, &err)) != 0)
		die(url, &err);
	for (size_t i = 0; i < n; i += 1000) {
		size_t m = n - i < 1000 ? n - i : 1000;

		for (size_t k = 0; k < m; k++)
			batch[k] = make(i + k);
		if (slg_store_record_batch(st, batch, m, &err) != 0)
			die("recording", &err);
		for (size_t k = 0; k < m; k++)
			unmake(batch[k]);
	}
	return st;
}

/* ---- the queries: what the pages and commands read ---- */

typedef void (*op_fn)(struct slg_store *, size_t r, size_t n);

static void
history_n(struct slg_store *st, const struct slg_history_filter *f,
    size_t want)
{
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	if (slg_store_history(st, f, &list, &n, &err) != 0)
		die("history", &err);
	if (want != (size_t)-1 && n != want) {
		fprintf(stderr, "bench: history of %s/%s gave %zu verdicts, not "
		    "%zu\n", f->service, f->environment, n, want);
		exit(1);
	}
	slg_store_list_free(list, n);
}

static void
latest(struct slg_store *st)
{
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	if (slg_store_latest_per_service(st, &list, &n, &err) != 0)
		die("latest per service", &err);
	if (n != 2 * SERVICES) {
		fprintf(stderr, "bench: %zu latest verdicts, not %d\n", n,
		    2 * SERVICES);
		exit(1);
	}
	slg_store_list_free(list, n);
}

/* `/`: the latest verdict of every service and environment */
static void
op_latest(struct slg_store *st, size_t r, size_t n)
{
	(void)r;
	(void)n;
	latest(st);
}

/* a service page: what `/` reads, then the 50 newest of one service and
 * environment (pages.c's service_page) */
static void
op_page(struct slg_store *st, size_t r, size_t n)
{
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = env_of(r), .limit = 50 };

	latest(st);
	/* 1,000 verdicts hold 25 of each service and environment */
	history_n(st, &f, n / (2 * SERVICES) < 50 ? n / (2 * SERVICES) : 50);
}

/* status: the latest counted verdict of a commit for a service and
 * environment (usecase.c's latest()), of a commit spread over the whole
 * history */
static void
op_status(struct slg_store *st, size_t r, size_t n)
{
	size_t i = (size_t)((r + 1) * 2654435761ull % n);
	struct slg_history_filter f = { .service = names[i % SERVICES],
	    .environment = env_of(i), .commit = sha(i), .counted = 1,
	    .last_written = 1, .limit = 1 };

	history_n(st, &f, 1);
}

static void
op_history(struct slg_store *st, size_t r, size_t n)
{
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = "staging", .limit = 20 };

	(void)n;
	history_n(st, &f, 20);
}

static void
op_branch(struct slg_store *st, size_t r, size_t n)
{
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = "staging", .branch = "feature", .limit = 20 };

	(void)n;
	history_n(st, &f, (size_t)-1);
}

static void
op_previous(struct slg_store *st, size_t r, size_t n)
{
	struct slg_past_value *pv;
	struct slg_err err;
	size_t got;

	(void)n;
	if (slg_store_past_values(st, names[r % SERVICES], "staging",
	    "latency_p95", SLG_BFILTER_PASS, NULL, 0, 5, &pv, &got, &err) != 0)
		die("past values", &err);
	if (got != 5) {
		fprintf(stderr, "bench: %zu past values, not 5\n", got);
		exit(1);
	}
	free(pv);
}

/* one trivial statement (readiness): what each statement of a call
 * costs before the database does any work, on PostgreSQL a round trip */
static void
op_ping(struct slg_store *st, size_t r, size_t n)
{
	struct slg_err err;

	(void)r;
	(void)n;
	if (slg_store_ping(st, &err) != 0)
		die("ping", &err);
}

static const struct {
	const char *name;
	double goal_us;		/* 0: none */
	const char *goal;
	op_fn op;
} ops[] = {
	{ "/ (latest per service)", 1000, "< 1 ms", op_latest },
	{ "service page (/ + 50 newest)", 5000, "< 5 ms", op_page },
	{ "status (latest counted of a commit)", 1000, "< 1 ms", op_status },
	{ "history, one service, 20 newest", 0, "", op_history },
	{ "history, one service and branch", 0, "", op_branch },
	{ "previous baseline: last 5 passing", 0, "", op_previous },
	{ "ping: one trivial statement", 0, "", op_ping },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static double
median_us(struct slg_store *st, op_fn op, size_t n)
{
	double t[ROUNDS];

	for (size_t r = 0; r < WARMUP; r++)
		op(st, r, n);
	for (size_t r = 0; r < ROUNDS; r++) {
		double t0 = now_us();

		op(st, r, n);
		t[r] = now_us() - t0;
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	return t[ROUNDS / 2];
}

/* ---- concurrent writers ---- */

struct writer {
	const char *url;
	size_t first;
	pthread_barrier_t *go;
	int64_t ids[PER_WRITER];
	double lat[PER_WRITER];
	int failed;
	char msg[256];
};

struct writers_result {
	double secs, rate, median_ms, p99_ms;
	size_t count;
	int count_ok, trail_ok;
	int64_t entries;
	char why[600];
};

static void *
writer_run(void *arg)
{
	struct writer *w = arg;
	struct slg_store *st = NULL;
	struct slg_err err;
	int opened = slg_store_open(w->url, &st, &err) == 0;

	if (!opened)
		snprintf(w->msg, sizeof(w->msg), "%.200s", err.msg);
	pthread_barrier_wait(w->go);
	for (size_t k = 0; opened && k < PER_WRITER; k++) {
		struct slg_verdict *v = make(w->first + k);
		double t0 = now_us();

		if (slg_store_record(st, v, &err) != 0) {
			if (w->failed++ == 0)
				snprintf(w->msg, sizeof(w->msg), "%.200s", err.msg);
		}
		w->lat[k] = now_us() - t0;
		w->ids[k] = v->id;
		unmake(v);
	}
	if (!opened)
		w->failed = PER_WRITER;
	slg_store_close(st);
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* WRITERS threads, each its own handle, each recording PER_WRITER
 * verdicts one per slg_store_record on the new database at url; then the
 * database must hold exactly those, and its trail must verify. */
static void
writers(const char *url, int pg, struct writers_result *res)
{
	static struct writer w[WRITERS];
	static int64_t want[WRITERS * PER_WRITER];
	static double lat[WRITERS * PER_WRITER];
	pthread_t t[WRITERS];
	pthread_barrier_t go;
	struct slg_store *st;
	struct slg_verdict **list;
	struct slg_audit_check c;
	struct slg_err err;
	size_t n, all = WRITERS * PER_WRITER, failed = 0;
	double t0;

	memset(res, 0, sizeof(*res));
	if (!pg)
		remove_sqlite(url);
	if ((pg ? slg_store_migrate(url, &st, &err) :
	    slg_store_open(url, &st, &err)) != 0)
		die(url, &err);
	slg_store_close(st);
	pthread_barrier_init(&go, NULL, WRITERS + 1);
	for (int i = 0; i < WRITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].url = url;
		w[i].first = (size_t)i * PER_WRITER;
		w[i].go = &go;
		if (pthread_create(&t[i], NULL, writer_run, &w[i]) != 0)
			die("cannot start a writer", NULL);
	}
	pthread_barrier_wait(&go);
	t0 = now_us();
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	res->secs = (now_us() - t0) / 1e6;
	pthread_barrier_destroy(&go);
	for (int i = 0; i < WRITERS; i++) {
		if (w[i].failed > 0 && failed == 0)
			snprintf(res->why, sizeof(res->why), "writer %d: %d failed: "
			    "%s", i, w[i].failed, w[i].msg);
		failed += (size_t)w[i].failed;
		memcpy(&want[i * PER_WRITER], w[i].ids, sizeof(w[i].ids));
		memcpy(&lat[i * PER_WRITER], w[i].lat, sizeof(w[i].lat));
	}
	res->rate = (double)(all - failed) / res->secs;
	qsort(lat, all, sizeof(lat[0]), cmp);
	res->median_ms = lat[all / 2] / 1e3;
	res->p99_ms = lat[all * 99 / 100] / 1e3;

	/* every verdict is there once, with the id its writer was given */
	if (slg_store_open(url, &st, &err) != 0)
		die(url, &err);
	{
		struct slg_history_filter f = { .limit = (int)all + 1 };

		if (slg_store_history(st, &f, &list, &n, &err) != 0)
			die("history", &err);
	}
	res->count = n;
	res->count_ok = n == all && failed == 0;
	if (res->count_ok) {
		static int64_t got[WRITERS * PER_WRITER];

		for (size_t i = 0; i < n; i++)
			got[i] = list[i]->id;
		qsort(got, n, sizeof(got[0]), cmp_id);
		qsort(want, all, sizeof(want[0]), cmp_id);
		res->count_ok = memcmp(got, want, sizeof(got)) == 0;
		if (!res->count_ok)
			snprintf(res->why, sizeof(res->why), "the ids recorded are "
			    "not the ids the writers were given");
	}
	slg_store_list_free(list, n);
	if (slg_store_audit_verify(st, NULL, &c, &err) != 0)
		die("audit verify", &err);
	res->entries = c.entries;
	res->trail_ok = c.ok && c.entries == (int64_t)all;
	if (!c.ok && res->why[0] == '\0')
		snprintf(res->why, sizeof(res->why), "audit trail: %s", c.why);
	slg_store_close(st);
}

/* ---- the machine ---- */

static void
machine(char *out, size_t len)
{
	char line[512], model[256] = "?";
	long mem_kb = 0;
	FILE *f;

	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "model name", 10) == 0 &&
			    strchr(line, ':') != NULL) {
				snprintf(model, sizeof(model), "%s",
				    strchr(line, ':') + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		}
		fclose(f);
	}
	if ((f = fopen("/proc/meminfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "MemTotal: %ld kB", &mem_kb) == 1)
				break;
		}
		fclose(f);
	}
	snprintf(out, len, "%ld cores (%s), %.1f GiB memory",
	    sysconf(_SC_NPROCESSORS_ONLN), model, mem_kb / 1048576.0);
}

/* `slogate db copy --from path --to url`, its report to /dev/null */
static void
db_copy(const char *slogate, const char *path, const char *url)
{
	pid_t pid;
	int status;

	if (slogate == NULL)
		die("BENCH_PG_LOAD=dbcopy needs the slogate binary as argv[3]",
		    NULL);
	if ((pid = fork()) == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execl(slogate, slogate, "db", "copy", "--from", path, "--to", url,
		    (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("slogate db copy failed", NULL);
}

/* The same latest verdicts on both backends: the load kept the history. */
static void
same_latest(struct slg_store *a, struct slg_store *b)
{
	struct slg_verdict **x, **y;
	struct slg_err err;
	size_t nx, ny;

	if (slg_store_latest_per_service(a, &x, &nx, &err) != 0 ||
	    slg_store_latest_per_service(b, &y, &ny, &err) != 0)
		die("latest per service", &err);
	if (nx != ny)
		die("the backends' latest verdicts differ in number", NULL);
	for (size_t i = 0; i < nx; i++) {
		if (x[i]->id != y[i]->id || x[i]->verdict != y[i]->verdict ||
		    strcmp(x[i]->service, y[i]->service) != 0 ||
		    strcmp(x[i]->environment, y[i]->environment) != 0)
			die("the backends' latest verdicts differ", NULL);
	}
	slg_store_list_free(x, nx);
	slg_store_list_free(y, ny);
}

/* Re-hashes every entry of st's trail from the rows it records: on a
 * loaded database, that the load kept every verdict and objective as the
 * store wrote it. */
static void
verify_trail(const char *name, struct slg_store *st)
{
	struct slg_audit_check c;
	struct slg_err err;
	double t0 = now_us();

	if (slg_store_audit_verify(st, NULL, &c, &err) != 0)
		die("audit verify", &err);
	if (!c.ok) {
		fprintf(stderr, "bench: %s audit trail does not verify: %s\n", name,
		    c.why);
		exit(1);
	}
	printf("%s the audit trail verifies (slg_store_audit_verify): %lld "
	    "entries in %.1f s\n", name, (long long)c.entries,
	    (now_us() - t0) / 1e6);
}

static void
pg_maintain(const char *url)
{
	char msg[512];

	/* what autovacuum would have done to a history this old, done now so
	 * it does not run in the middle of the measurements */
	if (bench_pg_exec(url, "VACUUM ANALYZE", msg, sizeof(msg)) != 0 ||
	    bench_pg_exec(url, "CHECKPOINT", msg, sizeof(msg)) != 0) {
		fprintf(stderr, "bench: %s\n", msg);
		exit(1);
	}
}

static void
print_writers(const char *name, const struct writers_result *r)
{
	printf("%-11s %7.2f %11.0f %10.2f %8.2f %6zu %-5s %8lld %s\n", name,
	    r->secs, r->rate, r->median_ms, r->p99_ms, r->count,
	    r->count_ok ? "ok" : "WRONG", (long long)r->entries,
	    r->trail_ok ? "verified" : "FAILED");
	if (r->why[0])
		printf("            %s\n", r->why);
}

static const char *
met(double us, double goal)
{
	return goal == 0 ? "" : us < goal ? " ok" : " MISSED";
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	const char *slogate = argc > 3 ? argv[3] : NULL;
	const char *pg = getenv("SLOGATE_BENCH_PG");
	const char *mode = getenv("BENCH_PG_LOAD") ? getenv("BENCH_PG_LOAD") :
	    "copy";
	size_t big_n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	char small_path[4096], big_path[4096], wr_path[4096];
	char pg_small[4096], pg_big[4096], pg_wr[4096], m[512], v[128], fs[16];
	struct slg_store *small, *big, *pgs = NULL, *pgb = NULL;
	struct writers_result wsq, wpg;
	double res[NOPS][4], t0, sq_secs, pg_small_secs = 0, pg_secs = 0;
	double maint_secs = 0;
	int64_t loaded = 0;
	int have_pg = pg != NULL && *pg != '\0';
	/* Re-hashing the loaded PostgreSQL trail shows the load kept every
	 * row: about 40 s per 100,000 entries, so by default only up to that.
	 * SQLite's check of rows without an entry scans the trail once per
	 * verdict (no index on audit.subject_id; BENCHMARKS.md): 17 minutes at
	 * 100,000, and growing as its square: only with BENCH_VERIFY=1, which
	 * does both. */
	const char *ve = getenv("BENCH_VERIFY");
	int verify_pg = ve != NULL ? strcmp(ve, "1") == 0 : big_n <= 100000;
	int verify_sqlite = ve != NULL && strcmp(ve, "1") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "copy") != 0 && strcmp(mode, "store") != 0 &&
	    strcmp(mode, "dbcopy") != 0)
		die("BENCH_PG_LOAD must be copy, store or dbcopy", NULL);
	for (int i = 0; i < SERVICES; i++)
		snprintf(names[i], sizeof(names[i]), "service-%02d", i);
	if (big_n < 1000)
		big_n = 1000;
	snprintf(small_path, sizeof(small_path), "%s/bench-1k.db", dir);
	snprintf(big_path, sizeof(big_path), "%s/bench-%zu.db", dir, big_n);
	snprintf(wr_path, sizeof(wr_path), "%s/bench-writers.db", dir);
	snprintf(pg_small, sizeof(pg_small), "%s/bench_1k", have_pg ? pg : "");
	snprintf(pg_big, sizeof(pg_big), "%s/bench_large", have_pg ? pg : "");
	snprintf(pg_wr, sizeof(pg_wr), "%s/bench_writers", have_pg ? pg : "");

	machine(m, sizeof(m));
	printf("machine: %s\n", m);
	printf("SQLite: files in %s, as the store opens them (WAL, "
	    "synchronous=FULL)\n", dir);
	if (have_pg) {
		bench_pg_value(pg_small, "SHOW server_version", v, sizeof(v));
		bench_pg_value(pg_small, "SHOW fsync", fs, sizeof(fs));
		printf("PostgreSQL %s on loopback TCP, fsync=%s\n", v, fs);
	} else {
		printf("SLOGATE_BENCH_PG is not set: SQLite only (make bench "
		    "starts a PostgreSQL)\n");
	}
	printf("\n");

	/* ---- building ---- */
	small = build(small_path, 0, 1000);
	t0 = now_us();
	big = build(big_path, 0, big_n);
	sq_secs = (now_us() - t0) / 1e6;
	printf("SQLite:     recorded %zu verdicts (3 objectives each, 1,000 per "
	    "transaction) in %.1f s, %.0f verdicts/s\n", big_n, sq_secs,
	    big_n / sq_secs);
	if (have_pg) {
		t0 = now_us();
		slg_store_close(build(pg_small, 1, 1000));
		pg_small_secs = (now_us() - t0) / 1e6;
		printf("PostgreSQL: recorded 1000 verdicts the same way in %.1f s, "
		    "%.0f verdicts/s\n", pg_small_secs, 1000 / pg_small_secs);
		t0 = now_us();
		if (strcmp(mode, "store") == 0) {
			slg_store_close(build(pg_big, 1, big_n));
		} else if (strcmp(mode, "dbcopy") == 0) {
			db_copy(slogate, big_path, pg_big);
		} else {
			struct slg_store *st;
			struct slg_err err;

			if (slg_store_migrate(pg_big, &st, &err) != 0)
				die(pg_big, &err);
			slg_store_close(st);
			if (bench_pg_load(big_path, pg_big, &loaded, m,
			    sizeof(m)) != 0) {
				fprintf(stderr, "bench: loading %s: %s\n", pg_big, m);
				exit(1);
			}
		}
		pg_secs = (now_us() - t0) / 1e6;
		if (strcmp(mode, "store") == 0)
			printf("PostgreSQL: recorded %zu verdicts the same way in "
			    "%.1f s, %.0f verdicts/s\n", big_n, pg_secs,
			    big_n / pg_secs);
		else if (strcmp(mode, "dbcopy") == 0)
			printf("PostgreSQL: `slogate db copy` of the %zu verdicts' "
			    "SQLite file took %.1f s\n", big_n, pg_secs);
		else
			printf("PostgreSQL: loaded the %zu verdicts' SQLite file "
			    "with COPY (%lld rows, every table's count checked) "
			    "in %.1f s\n", big_n, (long long)loaded, pg_secs);
		t0 = now_us();
		pg_maintain(pg_small);
		pg_maintain(pg_big);
		maint_secs = (now_us() - t0) / 1e6;
		printf("PostgreSQL: VACUUM ANALYZE and CHECKPOINT of both in "
		    "%.1f s\n", maint_secs);
		{
			struct slg_err err;

			if (slg_store_open(pg_small, &pgs, &err) != 0 ||
			    slg_store_open(pg_big, &pgb, &err) != 0)
				die("opening the PostgreSQL databases", &err);
		}
		same_latest(big, pgb);
		printf("both backends give the same latest verdict of every "
		    "service\n");
	}
	if (verify_sqlite)
		verify_trail("SQLite:    ", big);
	if (have_pg && verify_pg)
		verify_trail("PostgreSQL:", pgb);
	else if (have_pg)
		printf("PostgreSQL: the loaded trail is not re-hashed at this size "
		    "(BENCH_VERIFY=1 does)\n");

	/* ---- reading ---- */
	for (size_t i = 0; i < NOPS; i++) {
		res[i][0] = median_us(small, ops[i].op, 1000);
		res[i][1] = median_us(big, ops[i].op, big_n);
		if (have_pg) {
			res[i][2] = median_us(pgs, ops[i].op, 1000);
			res[i][3] = median_us(pgb, ops[i].op, big_n);
		}
	}
	printf("\nstore calls, median of %d runs, in microseconds (the query "
	    "and reading its rows)\n", ROUNDS);
	printf("%-36s %-7s %22s", "", "", "SQLite");
	if (have_pg)
		printf("%28s %9s", "PostgreSQL", "PG/SQL");
	printf("\n%-36s %-7s %7s %7zuk %6s", "query", "goal", "1k", big_n / 1000,
	    "ratio");
	if (have_pg)
		printf("  %7s %7zuk %6s %9s", "1k", big_n / 1000, "ratio",
		    "at large");
	printf("\n");
	for (size_t i = 0; i < NOPS; i++) {
		printf("%-36s %-7s %7.0f %8.0f %5.2fx", ops[i].name, ops[i].goal,
		    res[i][0], res[i][1], res[i][1] / res[i][0]);
		if (have_pg)
			printf("  %7.0f %8.0f %5.2fx %8.2fx", res[i][2], res[i][3],
			    res[i][3] / res[i][2], res[i][3] / res[i][1]);
		printf("\n");
	}
	printf("\ngoals at %zu verdicts:\n", big_n);
	for (size_t i = 0; i < NOPS; i++) {
		if (ops[i].goal_us == 0)
			continue;
		printf("  %-36s %-7s SQLite %6.0f us%s", ops[i].name, ops[i].goal,
		    res[i][1], met(res[i][1], ops[i].goal_us));
		if (have_pg)
			printf(", PostgreSQL %6.0f us%s", res[i][3],
			    met(res[i][3], ops[i].goal_us));
		printf("\n");
	}
	slg_store_close(small);
	slg_store_close(big);
	slg_store_close(pgs);
	slg_store_close(pgb);

	/* ---- writing ---- */
	writers(wr_path, 0, &wsq);
	if (have_pg)
		writers(pg_wr, 1, &wpg);
	printf("\n%d writers, each its own handle, %d verdicts each, one per "
	    "transaction (slg_store_record)\n", WRITERS, PER_WRITER);
	printf("%-11s %7s %11s %10s %8s %6s %-5s %8s %s\n", "backend", "wall s",
	    "verdicts/s", "median ms", "p99 ms", "count", "", "entries",
	    "audit trail");
	print_writers("SQLite", &wsq);
	if (have_pg) {
		print_writers("PostgreSQL", &wpg);
		printf("PostgreSQL/SQLite verdicts/s: %.2fx\n", wpg.rate / wsq.rate);
	}

	remove_sqlite(small_path);
	remove_sqlite(wr_path);
	/* BENCH_KEEP=1 leaves the large database, to time the pages on it */
	if (getenv("BENCH_KEEP") != NULL && strcmp(getenv("BENCH_KEEP"), "1") == 0)
		printf("\nkept %s\n", big_path);
	else
		remove_sqlite(big_path);
	return !(wsq.count_ok && wsq.trail_ok && (!have_pg ||
	    (wpg.count_ok && wpg.trail_ok)));
}
