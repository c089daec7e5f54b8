/* prom: Prometheus HTTP API client and answer decoding. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "io/prom.h"
#include "util/text.h"
#include "util/timefmt.h"

int
slg_prom_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : SLG_ENOMEM;
}

void
slg_prom_global_cleanup(void)
{
	curl_global_cleanup();
}

int
slg_prom_check_url(const char *url, struct slg_err *err)
{
	const char *host;

	if (url == NULL || *url == '\0')
		return slg_err_set(err, SLG_EUSAGE, "empty Prometheus URL");
	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return slg_err_set(err, SLG_EUSAGE, "Prometheus URL '%s' must "
		    "start with http:// or https://", url);
	if (*host == '\0' || *host == '/')
		return slg_err_set(err, SLG_EUSAGE, "Prometheus URL '%s' has no "
		    "host", url);
	if (strpbrk(url, "?# \t\r\n") != NULL)
		return slg_err_set(err, SLG_EUSAGE, "Prometheus URL '%s' must be "
		    "a base URL without query, fragment or spaces", url);
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

int
slg_prom_ready(const struct slg_prom_conf *conf, struct slg_err *err)
{
	struct slg_buf url = SLG_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	char auth[1100];
	CURL *h = curl_easy_init();
	long status = 0;
	CURLcode res;

	if (h == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	slg_buf_printf(&url, "%s/-/ready", conf->url);
	if (conf->token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    conf->token);
		hdrs = curl_slist_append(NULL, auth);
	}
	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	res = curl_easy_perform(h);
	if (res == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	slg_buf_release(&url);
	if (status == 200)
		return 0;
	return slg_err_set(err, SLG_EPROM, "prometheus at '%s' is not ready%s%s",
	    conf->url, res != CURLE_OK ? ": " : "",
	    res != CURLE_OK ? curl_easy_strerror(res) : "");
}

/* ---- decoding ---- */

/* A sample value as Prometheus writes one (Go's FormatFloat, shortest
 * precision): "NaN", "+Inf", "-Inf", or -?D+(.D+)?(e[+-]?D+)? with no
 * leading zero, no trailing zero in the fraction and at most 17
 * significant digits, as a shortest form has. Anything else (hex,
 * padding, "inf", a leading +, "00.9", "9.9990e-1", "1e400" past the
 * double range) is not something Prometheus produced, so it is refused
 * rather than guessed at. */
static int
parse_value(const char *s, double *out)
{
	const char *p = s, *int_at;
	char digits[48];
	size_t nd = 0, first, last;
	int frac = 0;
	char *end;

	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0) {
		*out = *s == '+' ? INFINITY : -INFINITY;
		return 0;
	}
	if (strlen(s) > 40)
		return -1;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	int_at = p;
	while (isdigit((unsigned char)*p))
		digits[nd++] = *p++;
	if (p - int_at > 1 && *int_at == '0')
		return -1;	/* a leading zero */
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		while (isdigit((unsigned char)*p))
			digits[nd++] = *p++;
		if (p[-1] == '0')
			return -1;	/* a trailing zero */
		frac = 1;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return -1;
	/* significant digits, as many as a shortest form has at most: from
	 * the first nonzero one, a whole number's trailing zeros not
	 * counted (1e20 is written out in full) */
	for (first = 0; first < nd && digits[first] == '0'; first++)
		;
	for (last = nd; !frac && last > first && digits[last - 1] == '0';
	    last--)
		;
	if (last > first && last - first > 17)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (*end != '\0')
		return -1;
	/* past the double range: overflow, or a nonzero number read as 0
	 * (a subnormal result is a value Go also writes) */
	if (errno == ERANGE && (isinf(*out) || (*out == 0 && first < nd)))
		return -2;
	return 0;
}

static int
parse_sample(const cJSON *pair, struct slg_point *pt, struct slg_err *err)
{
	const cJSON *t, *v;
	int r;

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2)
		return slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "sample that is not [time, \"value\"]");
	t = cJSON_GetArrayItem(pair, 0);
	v = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsNumber(t) || !cJSON_IsString(v))
		return slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "sample that is not [time, \"value\"]");
	if (!isfinite(t->valuedouble) || t->valuedouble < 0)
		return slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "sample time that is not a unix time");
	pt->t = t->valuedouble;
	if ((r = parse_value(v->valuestring, &pt->v)) == -2)
		return slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "sample value '%.40s' beyond the range of a double",
		    v->valuestring);
	if (r != 0)
		return slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "sample value '%.40s' that is not a number as Prometheus "
		    "writes one", v->valuestring);
	return 0;
}

static char *
format_labels(const cJSON *metric)
{
	struct slg_buf b = SLG_BUF_INIT;
	const cJSON *it;
	int first = 1;

	slg_buf_puts(&b, "{");
	/* labels are an object of strings; anything else is left out */
	if (!cJSON_IsObject(metric))
		metric = NULL;
	cJSON_ArrayForEach(it, metric) {
		if (cJSON_IsString(it) && it->string != NULL)
			slg_buf_printf(&b, "%s%s=\"%s\"", first ? "" : ",",
			    it->string, it->valuestring);
		first = 0;
	}
	slg_buf_puts(&b, "}");
	return slg_buf_detach(&b);
}

/* A key given twice: which one Prometheus meant cannot be known. */
static const char *
repeated_key(const cJSON *o)
{
	const cJSON *a, *b;

	cJSON_ArrayForEach(a, o) {
		for (b = a->next; b != NULL; b = b->next) {
			if (a->string && b->string && strcmp(a->string,
			    b->string) == 0)
				return a->string;
		}
	}
	return NULL;
}

/* "2026-12-01T10:00:00Z .. 10:30:00Z": the end's date only when it
 * differs. */
static void
span(int64_t a, int64_t b, char *out, size_t n)
{
	char sa[32], sb[32];

	slg_time_format(a, sa, sizeof(sa));
	slg_time_format(b, sb, sizeof(sb));
	snprintf(out, n, "%s .. %s", sa, strncmp(sa, sb, 11) == 0 &&
	    strlen(sb) > 11 ? sb + 11 : sb);
}

static void
point_time(double t, char *out, size_t n)
{
	if (t != floor(t) || t > 253402300799.0)
		snprintf(out, n, "%.3f", t);
	else
		slg_time_format((int64_t)t, out, n);
}

/* The points of a range answer must be the grid the query asked for:
 * start + k * step within [start, end], each once, in order. Points
 * elsewhere are not data about this window. */
static int
check_grid(const struct slg_prom_query *q, const struct slg_series *s,
    struct slg_err *err)
{
	char at[40], win[80];	/* two times of 31 and " .. " */

	span(q->start, q->end, win, sizeof(win));
	for (size_t i = 0; i < s->npts; i++) {
		double t = s->pts[i].t;

		point_time(t, at, sizeof(at));
		if (t < (double)q->start || t > (double)q->end)
			return slg_err_set(err, SLG_EPARSE, "the answer's point "
			    "at %s lies outside the window asked for, %s", at,
			    win);
		if (q->step > 0 && fmod(t - (double)q->start,
		    (double)q->step) != 0)
			return slg_err_set(err, SLG_EPARSE, "the answer's point "
			    "at %s is off the step grid asked for (%s, every "
			    "%llds)", at, win, (long long)q->step);
		if (i > 0 && t == s->pts[i - 1].t)
			return slg_err_set(err, SLG_EPARSE, "the answer repeats "
			    "the point at %s", at);
		if (i > 0 && t < s->pts[i - 1].t)
			return slg_err_set(err, SLG_EPARSE, "the answer's points "
			    "are out of order at %s", at);
	}
	return 0;
}

int
slg_prom_decode(const char *body, size_t len, const struct slg_prom_query *q,
    struct slg_series **out, struct slg_err *err)
{
	const cJSON *status, *data, *type, *result, *item, *vals, *it, *warn;
	struct slg_series *s = NULL;
	cJSON *root = NULL;
	const char *dup;
	char at[40], want[40];
	int rc = 0;

	*out = NULL;
	if (slg_json_check(body, len, "prometheus's answer", err) != 0) {
		rc = SLG_EPARSE;
		if (err != NULL)
			err->code = rc;
		goto out;
	}
	if ((root = cJSON_ParseWithLength(body, len)) == NULL) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with "
		    "invalid JSON");
		goto out;
	}
	status = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!cJSON_IsString(status)) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered without "
		    "a 'status'");
		goto out;
	}
	if ((dup = repeated_key(root)) != NULL) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with "
		    "'%.40s' twice", dup);
		goto out;
	}
	if (strcmp(status->valuestring, "success") != 0) {
		const cJSON *et = cJSON_GetObjectItemCaseSensitive(root, "errorType");
		const cJSON *em = cJSON_GetObjectItemCaseSensitive(root, "error");

		rc = slg_err_set(err, SLG_EPROM, "prometheus refused the query: "
		    "%s: %.600s", cJSON_IsString(et) ? et->valuestring : "error",
		    cJSON_IsString(em) ? em->valuestring : "(no message)");
		goto out;
	}
	/* a warning says the answer may lack data (a partial answer from a
	 * store that failed, a malformed histogram): not a clean series */
	warn = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (warn != NULL && (!cJSON_IsArray(warn) ||
	    cJSON_GetArraySize(warn) > 0)) {
		it = cJSON_IsArray(warn) ? cJSON_GetArrayItem(warn, 0) : NULL;
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "warning, so the answer may be incomplete: %.300s",
		    cJSON_IsString(it) ? it->valuestring : "(no text)");
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	type = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (!cJSON_IsString(type) || result == NULL) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered without "
		    "'data.resultType' and 'data.result'");
		goto out;
	}
	if ((dup = repeated_key(data)) != NULL) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with "
		    "'data.%.40s' twice", dup);
		goto out;
	}
	if (strcmp(type->valuestring, "scalar") != 0 &&
	    strcmp(type->valuestring, "vector") != 0 &&
	    strcmp(type->valuestring, "matrix") != 0) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "%.20s; a gate needs a number (vector, matrix or scalar)",
		    type->valuestring);
		goto out;
	}
	/* the shape asked for, or the answer is not about this query */
	if (q->range && strcmp(type->valuestring, "matrix") != 0) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered a range "
		    "query with a %s; a range query answers a matrix",
		    type->valuestring);
		goto out;
	}
	if (!q->range && strcmp(type->valuestring, "matrix") == 0) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered an "
		    "instant query with a matrix; an instant query answers a "
		    "vector or a scalar");
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if (strcmp(type->valuestring, "scalar") == 0) {
		if ((s->pts = calloc(1, sizeof(*s->pts))) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = parse_sample(result, &s->pts[0], err)) != 0)
			goto out;
		s->npts = 1;
		goto instant;
	}
	if (!cJSON_IsArray(result)) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "'result' that is not a list");
		goto out;
	}
	if (cJSON_GetArraySize(result) == 0)
		goto done;	/* no data */
	if (cJSON_GetArraySize(result) > 1) {
		char *a = format_labels(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(result, 0), "metric"));
		char *b = format_labels(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(result, 1), "metric"));

		rc = slg_err_set(err, SLG_EPARSE, "query returned %d series "
		    "(%.200s, %.200s, ...); an objective needs exactly one: "
		    "aggregate with sum(), max() or similar",
		    cJSON_GetArraySize(result), a, b);
		free(a);
		free(b);
		goto out;
	}
	item = cJSON_GetArrayItem(result, 0);
	if (!cJSON_IsObject(item) || (dup = repeated_key(item)) != NULL) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "series that is not an object with one 'metric' and one "
		    "'%s'", q->range ? "values" : "value");
		goto out;
	}
	s->labels = format_labels(cJSON_GetObjectItemCaseSensitive(item, "metric"));
	if (strcmp(type->valuestring, "vector") == 0) {
		if ((s->pts = calloc(1, sizeof(*s->pts))) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = parse_sample(cJSON_GetObjectItemCaseSensitive(item,
		    "value"), &s->pts[0], err)) != 0)
			goto out;
		s->npts = 1;
		goto instant;
	}
	vals = cJSON_GetObjectItemCaseSensitive(item, "values");
	if (!cJSON_IsArray(vals)) {
		rc = slg_err_set(err, SLG_EPARSE, "prometheus answered with a "
		    "matrix series without 'values'");
		goto out;
	}
	if (cJSON_GetArraySize(vals) > 0 &&
	    (s->pts = calloc((size_t)cJSON_GetArraySize(vals),
	    sizeof(*s->pts))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, vals) {
		if ((rc = parse_sample(it, &s->pts[s->npts], err)) != 0)
			goto out;
		s->npts++;
	}
	if ((rc = check_grid(q, s, err)) != 0)
		goto out;
	goto done;
instant:
	/* an instant answer is about the time asked for, or about nothing */
	if (s->pts[0].t != (double)q->end) {
		point_time(s->pts[0].t, at, sizeof(at));
		point_time((double)q->end, want, sizeof(want));
		rc = slg_err_set(err, SLG_EPARSE, "the answer's point at %s is "
		    "not at the time asked for, %s", at, want);
		goto out;
	}
done:
	*out = s;
	s = NULL;
out:
	slg_series_free(s);
	cJSON_Delete(root);
	return rc;
}

/* ---- transfers ---- */

struct xfer {
	struct slg_prom_query *q;
	CURL *h;
	struct curl_slist *hdrs;
	struct slg_buf body;
	char *post;
	char errbuf[CURL_ERROR_SIZE];	/* curl writes here during the transfer */
	int toobig;
	long long retry_at;		/* ms; 0 when not waiting */
	int done;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (slg_buf_add(&x->body, p, size * n) != 0) {
		x->toobig = 1;
		return 0;
	}
	return size * n;
}

static char *
form_body(CURL *h, const struct slg_prom_query *q)
{
	struct slg_buf b = SLG_BUF_INIT;
	char *e = curl_easy_escape(h, q->promql, 0);

	if (e == NULL)
		return NULL;
	slg_buf_printf(&b, "query=%s", e);
	curl_free(e);
	if (q->range)
		slg_buf_printf(&b, "&start=%lld&end=%lld&step=%lld",
		    (long long)q->start, (long long)q->end, (long long)q->step);
	else
		slg_buf_printf(&b, "&time=%lld", (long long)q->end);
	return slg_buf_detach(&b);
}

static int
setup(const struct slg_prom_conf *c, struct xfer *x)
{
	struct slg_buf url = SLG_BUF_INIT;
	size_t ul = strlen(c->url);
	int rc = SLG_ENOMEM;

	while (ul > 0 && c->url[ul - 1] == '/')
		ul--;
	if ((x->h = curl_easy_init()) == NULL)
		goto out;
	if (slg_buf_add(&url, c->url, ul) != 0 ||
	    slg_buf_puts(&url, x->q->range ? "/api/v1/query_range" :
	    "/api/v1/query") != 0)
		goto out;
	if ((x->post = form_body(x->h, x->q)) == NULL)
		goto out;
	x->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (c->token != NULL && *c->token != '\0') {
		struct slg_buf a = SLG_BUF_INIT;

		slg_buf_printf(&a, "Authorization: Bearer %s", c->token);
		x->hdrs = curl_slist_append(x->hdrs, a.data);
		slg_buf_release(&a);
	}
	x->body.max = SLG_PROM_MAX_BODY;
	curl_easy_setopt(x->h, CURLOPT_URL, url.data);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, x->post);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS,
	    c->timeout_ms < 10000 ? c->timeout_ms : 10000L);
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->h, CURLOPT_ACCEPT_ENCODING, "");
	if (c->user_agent != NULL)
		curl_easy_setopt(x->h, CURLOPT_USERAGENT, c->user_agent);
	rc = 0;
out:
	slg_buf_release(&url);
	return rc;
}

static int
retryable(CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

/* Decides what one finished attempt means: 1 to try again, 0 done. */
static int
finish(const struct slg_prom_conf *c, struct xfer *x, CURLcode res)
{
	struct slg_prom_query *q = x->q;
	long status = 0;
	int rc;

	q->tries++;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (res != CURLE_OK) {
		if (x->toobig) {
			slg_err_set(&q->err, SLG_EPROM, "prometheus answer is "
			    "larger than %zu bytes", SLG_PROM_MAX_BODY);
			return 0;
		}
		if (retryable(res) && q->tries < c->attempts)
			return 1;
		slg_err_set(&q->err, SLG_EPROM, "cannot query prometheus at "
		    "'%s': %s (%d %s)", c->url,
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(res), q->tries,
		    q->tries == 1 ? "try" : "tries");
		return 0;
	}
	if (status >= 500 && q->tries < c->attempts)
		return 1;
	if (status == 401 || status == 403) {
		slg_err_set(&q->err, SLG_EPROM, "prometheus at '%s' refused "
		    "access (HTTP %ld): check SLOGATE_PROMETHEUS_TOKEN", c->url,
		    status);
		return 0;
	}
	rc = slg_prom_decode(x->body.data ? x->body.data : "", x->body.len, q,
	    &q->result, &q->err);
	if (rc == 0 && status != 200) {
		slg_series_free(q->result);
		q->result = NULL;
		slg_err_set(&q->err, SLG_EPROM, "prometheus answered HTTP %ld",
		    status);
	} else if (rc != 0 && status != 200 && q->err.code == SLG_EPARSE) {
		slg_err_set(&q->err, SLG_EPROM, "prometheus at '%s' answered "
		    "HTTP %ld%s", c->url, status, status >= 500 ?
		    " after every try" : "");
	}
	return 0;
}

int
slg_prom_run(const struct slg_prom_conf *conf, struct slg_prom_query *q,
    size_t n, struct slg_err *err)
{
	struct xfer *x = NULL;
	CURLM *m = NULL;
	size_t left = n;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		slg_err_clear(&q[i].err);
		q[i].result = NULL;
		q[i].tries = 0;
	}
	if (n == 0)
		return 0;
	if ((x = calloc(n, sizeof(*x))) == NULL || (m = curl_multi_init()) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 8L);
	for (size_t i = 0; i < n; i++) {
		x[i].q = &q[i];
		if (setup(conf, &x[i]) != 0 ||
		    curl_multi_add_handle(m, x[i].h) != CURLM_OK) {
			rc = slg_err_set(err, SLG_ENOMEM, "cannot set up a query");
			goto out;
		}
	}
	while (left > 0) {
		long long now, wait = 1000;
		struct CURLMsg *msg;
		int running, queued;

		if (curl_multi_perform(m, &running) != CURLM_OK) {
			rc = slg_err_set(err, SLG_EPROM, "curl multi failed");
			goto out;
		}
		/* collect finished transfers before waiting, or a done
		 * transfer would sit out the whole poll timeout */
		while ((msg = curl_multi_info_read(m, &queued)) != NULL) {
			struct xfer *t;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&t);
			curl_multi_remove_handle(m, t->h);
			if (finish(conf, t, msg->data.result)) {
				/* 2nd try after backoff_ms, doubling after */
				t->retry_at = now_ms() +
				    (conf->backoff_ms << (t->q->tries - 1));
				slg_buf_release(&t->body);
				t->errbuf[0] = '\0';
				continue;
			}
			t->done = 1;
			left--;
		}
		if (left == 0)
			break;
		now = now_ms();
		for (size_t i = 0; i < n; i++) {
			if (x[i].retry_at == 0)
				continue;
			if (x[i].retry_at <= now) {
				x[i].retry_at = 0;
				curl_multi_add_handle(m, x[i].h);
				wait = 0;
			} else if (x[i].retry_at - now < wait) {
				wait = x[i].retry_at - now;
			}
		}
		if (curl_multi_poll(m, NULL, 0, (int)wait, NULL) != CURLM_OK) {
			rc = slg_err_set(err, SLG_EPROM, "curl multi failed");
			goto out;
		}
	}
out:
	for (size_t i = 0; x != NULL && i < n; i++) {
		if (x[i].h != NULL) {
			if (m != NULL && !x[i].done && x[i].retry_at == 0)
				curl_multi_remove_handle(m, x[i].h);
			curl_easy_cleanup(x[i].h);
		}
		curl_slist_free_all(x[i].hdrs);
		slg_buf_release(&x[i].body);
		free(x[i].post);
	}
	free(x);
	if (m != NULL)
		curl_multi_cleanup(m);
	return rc;
}
