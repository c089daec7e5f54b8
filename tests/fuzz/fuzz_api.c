/* fuzz_api: the input as one request to the JSON API (or, for a GET of
 * a page, to the HTML pages, as the server splits them), without HTTP:
 *
 *	METHOD PATH[?QUERY]\n
 *	BODY
 *
 * PATH is %XX-decoded, and QUERY's name=value pairs joined by '&', as the
 * server decodes them. The store is one SQLite file in a temporary
 * directory, seeded once with verdicts, an approval, a baseline and a
 * running watch; an input that changed it gets the seeded file back
 * before the next one, so no input sees what another left. Prometheus is
 * a loopback port that is bound but not listening: every query is refused
 * at once, so no evaluation may pass or warn (fail closed), and every
 * refusal is an {"error", "detail"} answer. A page never holds the markup
 * that the seeded branch and reason carry. With SLOGATE_FUZZ_VERBOSE set,
 * each answer is printed to stderr (to see which route an input reaches).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/api.h"
#include "util/buf.h"
#include "fuzz.h"
#include "io/gitmeta.h"
#include "report/jsonin.h"
#include "service/pages.h"
#include "io/prom.h"
#include "store/store.h"

#define NOW 1795677800LL
#define MAX_ARGS 32
#define MAX_LINE 4096

#define SHA_PASS "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
#define SHA_FAIL "abcd000000000000000000000000000000000001"
#define SHA_FAIL2 "abcd000000000000000000000000000000000002"
#define SHA_WAIT "cccccccccccccccccccccccccccccccccccccccc"

#define POLICY "{\"service\": \"payment-gateway\", \"environment\": " \
    "\"staging\", \"window\": \"30m\", \"step\": \"1m\", \"guard\": " \
    "{\"promql\": \"sum(rate(requests[${range}]))\", \"min\": 1}, " \
    "\"objectives\": [{\"name\": \"availability\", \"promql\": " \
    "\"sum(rate(ok[${range}])) / sum(rate(all[${range}]))\", \"pass\": " \
    "\">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true}, " \
    "{\"name\": \"latency_p95\", \"promql\": \"histogram_quantile(0.95, " \
    "sum by (le) (rate(x[${range}])))\", \"pass\": [\"<= 120ms\", " \
    "\"<= +10%\"], \"baseline\": {\"source\": \"previous\", \"results\": " \
    "2}}]}"

/* Verdicts as slogate check --format json writes them (abridged). */
#define VERDICT(V, SHA, BRANCH, WHY, AVAIL, P95) "{\"verdict\": \"" V "\", " \
    "\"reason\": \"" WHY "\", \"service\": \"payment-gateway\", " \
    "\"environment\": \"staging\", \"commit\": \"" SHA "\", \"branch\": " \
    "\"" BRANCH "\", \"build_time\": \"2026-11-26T06:40:00Z\", " \
    "\"evaluated_at\": \"2026-11-26T07:22:00Z\", \"window\": {\"start\": " \
    "\"2026-11-26T06:52:00Z\", \"end\": \"2026-11-26T07:22:00Z\", " \
    "\"step_seconds\": 60}, \"policy\": {\"path\": \"fuzz.json\", " \
    "\"digest\": \"0123456789abcdef0123456789abcdef01234567\"}, " \
    "\"prometheus_url\": \"http://127.0.0.1:9090\", " \
    "\"slogate_version\": \"0.1.0\", \"objectives\": [{\"name\": " \
    "\"availability\", \"status\": \"" V "\", \"value\": " AVAIL ", " \
    "\"unit\": \"ratio\", \"pass\": \">= 99.95%\", \"judged\": true, " \
    "\"sustained\": true, \"points\": 30, \"detail\": \"\", \"promql\": " \
    "\"sum(rate(ok[1m]))\"}, {\"name\": \"latency_p95\", \"status\": " \
    "\"pass\", \"value\": " P95 ", \"unit\": \"seconds\", \"pass\": " \
    "\"<= 120ms\", \"judged\": true, \"detail\": \"\", \"promql\": " \
    "\"p95\"}]}"

/* Outside text a page must escape. */
#define MARKUP "<script>alert(1)</script>"
#define HOSTILE "\\\"><b onmouseover=x>\\u202e\\u001b[31m" MARKUP

static const char *const seeds[] = {
	VERDICT("pass", SHA_PASS, "main", "seeded", "0.9997", "0.081"),
	VERDICT("fail", SHA_FAIL, "feature", "seeded", "0.98", "0.2"),
	VERDICT("fail", SHA_FAIL2, "feature/" HOSTILE, HOSTILE, "0.97",
	    "0.25"),
};

static struct {
	char dir[64];
	char db[128];
	char wal[140];
	char shm[140];
	char policies[128];
	char policy[160];
	char url[64];
	char *image;		/* the seeded database file */
	size_t image_len;
	struct slg_store *st;
	struct slg_api_conf conf;
	int sock;		/* bound, never listening */
} F;

static void
die(const char *what, const struct slg_err *err)
{
	fprintf(stderr, "fuzz_api: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	abort();
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die(path, NULL);
}

static void
cleanup(void)
{
	slg_store_close(F.st);
	F.st = NULL;
	remove(F.db);
	remove(F.wal);
	remove(F.shm);
	remove(F.policy);
	rmdir(F.policies);
	rmdir(F.dir);
	free(F.image);
	if (F.sock >= 0)
		close(F.sock);
}

/* A loopback port nobody listens on, kept so no one else takes it. */
static void
refusing_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((F.sock = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(F.sock, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(F.sock, (struct sockaddr *)&a, &len) != 0)
		die("cannot bind a loopback port", NULL);
	snprintf(F.url, sizeof(F.url), "http://127.0.0.1:%d",
	    (int)ntohs(a.sin_port));
}

/* An admin of every service reaches every path of the API. */
static char star[] = "*", *stars[] = { star };
static char fuzz_name[] = "fuzz";
static const struct slg_caller admin = { fuzz_name, SLG_ROLE_ADMIN, stars, 1 };

static const char *
no_args(void *cls, const char *name)
{
	(void)cls;
	(void)name;
	return NULL;
}

/* What the seeded database holds besides verdicts: an approval of the
 * failed one, a baseline, and a running watch started through the API. */
static void
seed(void)
{
	static const char wait[] = "{\"policy\": \"fuzz\", \"commit\": \""
	    SHA_WAIT "\", \"since\": \"2026-11-26T07:20:00Z\", \"wait\": true}";
	struct slg_api_req q = { "POST", "/api/v1/evaluations", no_args, NULL,
	    wait, sizeof(wait) - 1, NULL, NOW, &admin };
	struct slg_approval a = { 0 };
	struct slg_api_resp r;
	struct slg_err err = { 0, "" };
	int64_t failed = 0;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		struct slg_verdict *v = NULL;

		if (slg_jsonin_verdict(seeds[i], strlen(seeds[i]), &v,
		    &err) != 0 || slg_store_record(F.st, v, &err) != 0)
			die("cannot seed a verdict", &err);
		if (v->verdict == SLG_V_FAIL && failed == 0)
			failed = v->id;
		slg_verdict_free(v);
	}
	a.verdict_id = failed;
	a.commit = (char *)SHA_FAIL;
	a.service = (char *)"payment-gateway";
	a.environment = (char *)"staging";
	a.by = (char *)"release-manager";
	a.reason = (char *)"hotfix, latency understood";
	a.created_at = NOW - 600;
	a.expires_at = NOW + 86400;
	if (slg_store_approval_add(F.st, &a, &err) != 0 ||
	    slg_store_baseline_set(F.st, "payment-gateway", "staging",
	    "latency_p95", 0.09, NOW - 3600, "fuzz", SHA_PASS, &err) != 0)
		die("cannot seed", &err);
	q.store = F.st;
	slg_api_handle(&F.conf, &q, &r);
	if (r.status != 202)
		die(r.body ? r.body : "cannot seed a watch", NULL);
	free(r.body);
}

static void
open_store(void)
{
	struct slg_err err = { 0, "" };

	if (slg_store_open(F.db, &F.st, &err) != 0)
		die("cannot open the store", &err);
}

/* The seeded file again, when the input wrote to it (WAL mode: a write
 * leaves frames in the -wal file). */
static void
restore(void)
{
	struct stat st;

	if (stat(F.wal, &st) != 0 || st.st_size == 0)
		return;
	slg_store_close(F.st);
	F.st = NULL;
	remove(F.wal);
	remove(F.shm);
	write_file(F.db, F.image, F.image_len);
	open_store();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct slg_buf b = SLG_BUF_INIT;
	struct slg_err err = { 0, "" };
	const char *base;

	(void)argc;
	(void)argv;
	F.sock = -1;
	/* tmpfs when there is one: the store syncs every commit */
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(F.dir, sizeof(F.dir), "%s/slogate-fuzz-XXXXXX", base);
	if (mkdtemp(F.dir) == NULL)
		die("cannot make a temporary directory", NULL);
	snprintf(F.db, sizeof(F.db), "%s/fuzz.db", F.dir);
	snprintf(F.wal, sizeof(F.wal), "%s-wal", F.db);
	snprintf(F.shm, sizeof(F.shm), "%s-shm", F.db);
	snprintf(F.policies, sizeof(F.policies), "%s/policies", F.dir);
	snprintf(F.policy, sizeof(F.policy), "%s/fuzz.json", F.policies);
	atexit(cleanup);
	if (mkdir(F.policies, 0700) != 0)
		die(F.policies, NULL);
	write_file(F.policy, POLICY, strlen(POLICY));
	if (slg_prom_global_init() != 0 || slg_git_global_init() != 0)
		die("cannot initialise libcurl or libgit2", NULL);
	refusing_port();
	F.conf.policies_dir = F.policies;
	F.conf.repo = F.dir;		/* no repository: no ancestors */
	F.conf.prom.url = F.url;
	F.conf.prom.timeout_ms = 1000;
	F.conf.prom.attempts = 1;
	F.conf.prom.user_agent = "slogate-fuzz";
	F.conf.version = "fuzz";
	open_store();
	seed();
	/* closing checkpoints the WAL: the file alone is the seeded state */
	slg_store_close(F.st);
	F.st = NULL;
	if (slg_buf_read_file(&b, F.db, (size_t)64 << 20, "database",
	    &err) != 0)
		die("cannot read the seeded database", &err);
	F.image_len = b.len;
	F.image = slg_buf_detach(&b);
	remove(F.wal);
	remove(F.shm);
	open_store();
	return 0;
}

/* ---- the request ---- */

struct args {
	char *name[MAX_ARGS];
	char *value[MAX_ARGS];
	int n;
};

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX-decodes s in place (a %00 ends it, as it would a C string). */
static void
unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			*o++ = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Splits q (modified) into name=value pairs. */
static void
parse_args(char *q, struct args *a)
{
	char *save = NULL, *pair;

	for (pair = strtok_r(q, "&", &save); pair && a->n < MAX_ARGS;
	    pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');

		if (eq != NULL)
			*eq++ = '\0';
		unescape(pair);
		if (eq != NULL)
			unescape(eq);
		a->name[a->n] = pair;
		a->value[a->n++] = eq ? eq : pair + strlen(pair);
	}
}

static const char *
arg(void *cls, const char *name)
{
	const struct args *a = cls;

	for (int i = 0; i < a->n; i++) {
		if (strcmp(a->name[i], name) == 0)
			return a->value[i];
	}
	return NULL;
}

static void
page(const char *path, struct args *a)
{
	struct slg_page_req q = { path, arg, a, F.st, F.url, "fuzz", NOW,
	    NULL };
	struct slg_page p;

	slg_pages_handle(&q, &p);
	if (p.body == NULL || p.status < 200 || p.status > 599 ||
	    memmem(p.body, p.len, MARKUP, strlen(MARKUP)) != NULL) {
		fprintf(stderr, "fuzz_api: GET %s: %d %.*s\n", path, p.status,
		    (int)(p.body ? p.len : 0), p.body ? p.body : "");
		abort();
	}
	if (getenv("SLOGATE_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "GET %s: %d (page of %zu bytes)\n", path,
		    p.status, p.len);
	free(p.body);
}

/* What every answer promises here, without a Prometheus. */
static void
check(const struct slg_api_req *q, const struct slg_api_resp *r)
{
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = NULL;
	char *msg = NULL;

	if (r->verdict == SLG_V_PASS || r->verdict == SLG_V_WARN) {
		fprintf(stderr, "fuzz_api: %s %s %s without a Prometheus\n",
		    q->method, q->path, slg_verdict_str(r->verdict));
		abort();
	}
	if (r->status >= 400 && (msg = slg_jsonin_error(r->body,
	    r->len)) == NULL) {
		fprintf(stderr, "fuzz_api: %d is no error answer: %s\n",
		    r->status, r->body);
		abort();
	}
	free(msg);
	if (r->status == 201 && r->verdict >= 0) {
		if (slg_jsonin_verdict(r->body, r->len, &v, &err) != 0 ||
		    (int)v->verdict != r->verdict) {
			fprintf(stderr, "fuzz_api: the verdict answered does "
			    "not read back: %s\n%s\n", err.msg, r->body);
			abort();
		}
		slg_verdict_free(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ll = nl ? (size_t)(nl - data) : size;
	struct slg_api_req q = { 0 };
	struct slg_api_resp r;
	struct args a = { { 0 }, { 0 }, 0 };
	char line[MAX_LINE], *sp, *qs;

	if (ll >= sizeof(line))
		return 0;
	memcpy(line, data, ll);
	line[ll] = '\0';
	if ((sp = strchr(line, ' ')) == NULL)
		return 0;
	*sp = '\0';
	if ((qs = strchr(sp + 1, '?')) != NULL) {
		*qs++ = '\0';
		parse_args(qs, &a);
	}
	unescape(sp + 1);		/* the server hands it decoded */
	q.method = line;
	q.path = sp + 1;
	/* the server hands the API only what it owns, pages only GETs */
	if (!slg_api_owns(q.path)) {
		if (strcmp(q.method, "GET") == 0 && slg_pages_owns(q.path))
			page(q.path, &a);
		return 0;
	}
	q.arg = arg;
	q.arg_cls = &a;
	q.body = nl ? (const char *)nl + 1 : "";
	q.len = nl ? size - ll - 1 : 0;
	q.store = F.st;
	q.now = NOW;
	q.who = &admin;
	slg_api_handle(&F.conf, &q, &r);
	if (r.status < 200 || r.status > 599 || r.body == NULL) {
		fprintf(stderr, "fuzz_api: answered %d without a body\n",
		    r.status);
		abort();
	}
	check(&q, &r);
	if (getenv("SLOGATE_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%s %s: %d %.*s\n", q.method, q.path, r.status,
		    (int)(r.len < 300 ? r.len : 300), r.body);
	if (r.status == 202 && r.watch_id > 0) {
		/* the watcher takes it from here: one poll, a step later */
		struct slg_err err = { 0, "" };
		int64_t next;
		int verdict;

		if (slg_api_watch_poll(&F.conf, F.st, r.watch_id, NOW + 60,
		    &next, &verdict, &err) == 0 && (verdict == SLG_V_PASS ||
		    verdict == SLG_V_WARN)) {
			fprintf(stderr, "fuzz_api: a watch ended %s without a "
			    "Prometheus\n", slg_verdict_str(verdict));
			abort();
		}
	}
	free(r.body);
	restore();
	return 0;
}
