/* bench_history: how the history, status and baseline queries scale with
 * the number of recorded verdicts. Builds databases of 1,000 and 100,000
 * verdicts (or argv[2]; 20 services x 2 environments, 3 objectives each)
 * and times each query at both sizes in one run; the ratio shows whether
 * the indexes keep it flat. Prints medians; fails nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define SERVICES 20
#define ROUNDS 200

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

static char names[SERVICES][32];

/* A commit is judged about 5 times (services, retries), as in CI. */
static const char *
sha(size_t i)
{
	static char ring[4][41];
	static unsigned k;
	char *s = ring[k++ % 4];

	/* 8 + 32 hex digits: i / 5 stays far below 2^32 here */
	snprintf(s, 41, "%08x%032x", (unsigned)(i / 5),
	    (unsigned)(i / 5) * 2654435761u);
	return s;
}

static struct slg_verdict *
make(size_t i)
{
	static const char *objs[] = { "availability", "latency_p95", "error_ratio" };
	struct slg_verdict *v = calloc(1, sizeof(*v));

	v->service = names[i % SERVICES];
	v->environment = (char *)((i / SERVICES) % 2 ? "production" : "staging");
	v->commit = strdup(sha(i));
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
	v->obj = calloc(3, sizeof(*v->obj));
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

static struct slg_store *
build(const char *path, size_t n)
{
	struct slg_store *st;
	struct slg_err err;
	struct slg_verdict *batch[1000];

	unlink(path);
	if (slg_store_open(path, &st, &err) != 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	for (size_t i = 0; i < n; i += 1000) {
		size_t m = n - i < 1000 ? n - i : 1000;

		for (size_t k = 0; k < m; k++)
			batch[k] = make(i + k);
		if (slg_store_record_batch(st, batch, m, &err) != 0) {
			fprintf(stderr, "bench: %s\n", err.msg);
			exit(1);
		}
		for (size_t k = 0; k < m; k++) {
			free(batch[k]->commit);
			free(batch[k]->obj);
			free(batch[k]);
		}
	}
	return st;
}

typedef void (*op_fn)(struct slg_store *, size_t);

static void
op_history(struct slg_store *st, size_t r)
{
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = "staging", .limit = 20 };
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	if (slg_store_history(st, &f, &list, &n, &err) != 0 || n != 20)
		exit(1);
	slg_store_list_free(list, n);
}

static void
op_branch(struct slg_store *st, size_t r)
{
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = "staging", .branch = "feature", .limit = 20 };
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	if (slg_store_history(st, &f, &list, &n, &err) != 0)
		exit(1);
	slg_store_list_free(list, n);
}

static void
op_status(struct slg_store *st, size_t r)
{
	/* what `slogate status` asks: the latest verdict of one commit */
	struct slg_history_filter f = { .service = names[r % SERVICES],
	    .environment = "staging", .commit = sha(r * 37 % 1000),
	    .limit = 1 };
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	if (slg_store_history(st, &f, &list, &n, &err) != 0)
		exit(1);
	slg_store_list_free(list, n);
}

static void
op_previous(struct slg_store *st, size_t r)
{
	struct slg_past_value *pv;
	struct slg_err err;
	size_t n;

	if (slg_store_past_values(st, names[r % SERVICES], "staging",
	    "latency_p95", SLG_BFILTER_PASS, NULL, 0, 5, &pv, &n, &err) != 0 ||
	    n != 5)
		exit(1);
	free(pv);
}

static void
op_latest(struct slg_store *st, size_t r)
{
	/* what `/` and every service page ask first */
	struct slg_verdict **list;
	struct slg_err err;
	size_t n;

	(void)r;
	if (slg_store_latest_per_service(st, &list, &n, &err) != 0 ||
	    n != 2 * SERVICES)
		exit(1);
	slg_store_list_free(list, n);
}

static double
median_us(struct slg_store *st, op_fn op)
{
	double t[ROUNDS];

	for (size_t r = 0; r < ROUNDS; r++) {
		double t0 = now_us();

		op(st, r);
		t[r] = now_us() - t0;
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp);
	return t[ROUNDS / 2];
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		op_fn op;
	} ops[] = {
		{ "history, one service, 20 newest", op_history },
		{ "history, one service and branch", op_branch },
		{ "status: latest verdict of a commit", op_status },
		{ "previous baseline: last 5 passing", op_previous },
		{ "pages: latest verdict per service", op_latest },
	};
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char small_path[4096], big_path[4096];
	struct slg_store *small, *big;
	size_t big_n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	double t0;

	for (int i = 0; i < SERVICES; i++)
		snprintf(names[i], sizeof(names[i]), "service-%02d", i);
	snprintf(small_path, sizeof(small_path), "%s/bench-1k.db", dir);
	if (big_n < 1000)
		big_n = 1000;
	snprintf(big_path, sizeof(big_path), "%s/bench-%zu.db", dir, big_n);
	small = build(small_path, 1000);
	t0 = now_us();
	big = build(big_path, big_n);
	printf("recorded %zu verdicts (3 objectives each) in %.1f s, %.0f "
	    "verdicts/s\n\n", big_n, (now_us() - t0) / 1e6,
	    big_n / ((now_us() - t0) / 1e6));
	printf("%-38s %12s %11zuk %8s\n", "query (median of 200)", "1k verdicts",
	    big_n / 1000, "ratio");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		double a = median_us(small, ops[i].op);
		double b = median_us(big, ops[i].op);

		printf("%-38s %10.0f us %9.0f us %7.2fx\n", ops[i].name, a, b,
		    b / a);
	}
	slg_store_close(small);
	slg_store_close(big);
	unlink(small_path);
	/* BENCH_KEEP=1 leaves the large database, to time the pages on it */
	if (getenv("BENCH_KEEP") != NULL && strcmp(getenv("BENCH_KEEP"), "1") == 0)
		printf("\nkept %s\n", big_path);
	else
		unlink(big_path);
	return 0;
}
