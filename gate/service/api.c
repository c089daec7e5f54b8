/* api: the JSON API under /api/v1, on the engine and the store. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/api.h"
#include "util/buf.h"
#include "engine/engine.h"
#include "engine/usecase.h"
#include "io/gitmeta.h"
#include "core/policy.h"
#include "core/promote.h"
#include "report/report.h"
#include "util/text.h"
#include "util/timefmt.h"
#include "core/watch.h"

#define PREFIX "/api/v1"

int
slg_api_owns(const char *path)
{
	return strncmp(path, PREFIX, strlen(PREFIX)) == 0 &&
	    (path[strlen(PREFIX)] == '/' || path[strlen(PREFIX)] == '\0');
}

/* ---- answers ---- */

/* Captures what a report writer prints as the answer's body. */
static void
answer(struct slg_api_resp *r, int status, int (*write)(FILE *, const void *),
    const void *arg)
{
	FILE *f = open_memstream(&r->body, &r->len);

	r->status = status;
	if (f == NULL) {
		r->status = 500;
		return;
	}
	write(f, arg);
	fclose(f);
}

struct errbody {
	const char *error;
	const char *detail;
};

static int
write_error(FILE *f, const void *arg)
{
	const struct errbody *e = arg;

	return slg_report_error_json(f, e->error, e->detail);
}

static void
fail(struct slg_api_resp *r, int status, const char *error, const char *detail)
{
	struct errbody e = { error, detail };

	free(r->body);
	r->body = NULL;
	answer(r, status, write_error, &e);
}

/* The status an error code means, as an HTTP answer. */
static void
fail_err(struct slg_api_resp *r, const struct slg_err *err)
{
	switch (err->code) {
	case SLG_ENOTFOUND:
		fail(r, 404, "not found", err->msg);
		break;
	case SLG_ECONFLICT:
		fail(r, 409, "conflict", err->msg);
		break;
	case SLG_EFORBIDDEN:
		fail(r, 403, "forbidden", err->msg);
		break;
	case SLG_EUSAGE:
	case SLG_EINPUT:
	case SLG_EAMBIGUOUS:
	case SLG_EPOLICY:
	case SLG_EPARSE:
		fail(r, 400, "bad request", err->msg);
		break;
	case SLG_ESTORE:
		fail(r, 503, "database unavailable", err->msg);
		break;
	default:
		fail(r, 500, "internal error", err->msg);
	}
}

/* 0 when the caller may act as role on service (NULL: the request names
 * none); else answers 401 or 403 naming what the token lacks. Anonymous
 * callers only read: the server let them in. */
static int
allowed(const struct slg_api_req *q, struct slg_api_resp *r,
    enum slg_role role, const char *service)
{
	char why[512];

	if (q->who == NULL) {
		if (role == SLG_ROLE_READ)
			return 0;
		fail(r, 401, "unauthorized", "send Authorization: Bearer TOKEN");
		return -1;
	}
	if (slg_caller_may(q->who, role, service))
		return 0;
	if (role != SLG_ROLE_READ && !(q->who->roles & (role | SLG_ROLE_ADMIN)))
		snprintf(why, sizeof(why), "token '%s' does not have the '%s' "
		    "role this needs", q->who->name, slg_role_name(role));
	else
		snprintf(why, sizeof(why), "token '%s' does not cover service "
		    "'%.128s'", q->who->name, service ? service : "(every "
		    "service)");
	fail(r, 403, "forbidden", why);
	return -1;
}

static int
write_verdict(FILE *f, const void *v)
{
	return slg_report_json(f, v);
}

struct list {
	struct slg_verdict **v;
	size_t n;
	const char *next;
};

static int
write_list(FILE *f, const void *arg)
{
	const struct list *l = arg;

	return slg_report_history_json(f, l->v, l->n);
}

static int
write_page(FILE *f, const void *arg)
{
	const struct list *l = arg;

	return slg_report_verdict_page_json(f, l->v, l->n, l->next);
}

/* ---- request helpers ---- */

/* "&name=value" for a "next" link, value percent-encoded: it came in
 * decoded, and an '&' in it must not become an argument of its own. */
static void
next_arg(struct slg_buf *b, const char *name, const char *v)
{
	if (v == NULL)
		return;
	slg_buf_printf(b, "&%s=", name);
	slg_buf_urlencode(b, v);
}

/* The body as a JSON object, with only the allowed keys. */
/* A key given twice in an object anywhere in v. cJSON keeps both and each
 * reader takes the first, but a request that is checked with one and
 * stored or run with the other would judge what was not checked. cJSON's
 * nesting limit bounds the recursion. */
static const char *
repeated_key(const cJSON *v)
{
	const cJSON *a, *b;
	const char *k;

	cJSON_ArrayForEach(a, v) {
		for (b = a->next; cJSON_IsObject(v) && b != NULL; b = b->next) {
			if (strcmp(a->string, b->string) == 0)
				return a->string;
		}
		if ((k = repeated_key(a)) != NULL)
			return k;
	}
	return NULL;
}

static cJSON *
body_object(const struct slg_api_req *q, const char *const *keys,
    struct slg_api_resp *r)
{
	struct slg_err err = { 0 };
	const cJSON *it;
	const char *dup;
	cJSON *o;

	if (slg_json_check(q->body, q->len, "the body", &err) != 0) {
		fail(r, 400, "bad request", err.msg);
		return NULL;
	}
	o = q->len ? cJSON_ParseWithLength(q->body, q->len) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		fail(r, 400, "bad request", "the body must be a JSON object");
		return NULL;
	}
	if ((dup = repeated_key(o)) != NULL) {
		char msg[200];

		snprintf(msg, sizeof(msg), "key '%.100s' given twice", dup);
		fail(r, 400, "bad request", msg);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_ArrayForEach(it, o) {
		const char *const *k;
		char msg[200];

		for (k = keys; *k && strcmp(*k, it->string) != 0; k++)
			;
		if (*k == NULL) {
			snprintf(msg, sizeof(msg), "unknown key '%.100s'",
			    it->string);
			fail(r, 400, "bad request", msg);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

/* A string member: NULL when absent; *bad set when present but not a
 * string. */
static const char *
str(const cJSON *o, const char *key, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		*bad = 1;
		return NULL;
	}
	return v->valuestring;
}

static int
full_sha(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return (n == 40 || n == 64) && strspn(s, "0123456789abcdef") == n;
}

/* The limit (1 to 1000, else *limit as it is) and before (an id) of a
 * paged list; -1 after answering 400 for either. */
static int
paging(const struct slg_api_req *q, struct slg_api_resp *r, int *limit,
    int64_t *before, const char *id)
{
	const char *a;
	char *end, msg[64];
	long v;

	if ((a = q->arg(q->arg_cls, "limit")) != NULL) {
		/* range checked before it becomes an int: 4294967297 is
		 * not 1 */
		errno = 0;
		v = strtol(a, &end, 10);
		if (*a == '\0' || *end != '\0' || errno != 0 || v < 1 ||
		    v > 1000) {
			fail(r, 400, "bad request", "'limit' must be 1 to 1000");
			return -1;
		}
		*limit = (int)v;
	}
	if ((a = q->arg(q->arg_cls, "before")) != NULL) {
		errno = 0;
		*before = strtoll(a, &end, 10);
		if (*a == '\0' || *end != '\0' || errno != 0 || *before < 1) {
			snprintf(msg, sizeof(msg), "'before' must be %s", id);
			fail(r, 400, "bad request", msg);
			return -1;
		}
	}
	return 0;
}

/* Full, or resolved among recorded verdicts. */
static int
commit_arg(struct slg_store *st, const char *s, char out[65],
    struct slg_err *err)
{
	char low[65];
	size_t n = s ? strlen(s) : 0;

	if (n < 4 || n > 64 || strspn(s, "0123456789abcdefABCDEF") != n)
		return slg_err_set(err, SLG_EUSAGE, "commit '%.70s' is not a hex "
		    "sha", s ? s : "");
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	if (n == 40 || n == 64) {
		memcpy(out, low, n + 1);
		return 0;
	}
	return slg_store_resolve_commit(st, low, out, err);
}

static int64_t
id_segment(const char *s, const char **rest)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	*rest = end;
	/* past the range no id is: not the largest one */
	return v > 0 && errno == 0 ? v : 0;
}

/* ---- evaluations ---- */

static int
load_policy(const struct slg_api_conf *c, const cJSON *p, const char *label,
    struct slg_policy **out, struct slg_err *err)
{
	char path[4096];
	char *text;
	int rc;

	*out = NULL;
	if (cJSON_IsObject(p)) {
		if ((text = cJSON_PrintUnformatted(p)) == NULL)
			return slg_err_set(err, SLG_ENOMEM, "out of memory");
		rc = slg_policy_parse(text, strlen(text), label ? label : "inline",
		    c->queries_dir, c->datadir, out, err);
		free(text);
		return rc;
	}
	if (!cJSON_IsString(p))
		return slg_err_set(err, SLG_EUSAGE, "'policy' must be a policy "
		    "name or a policy object");
	if (c->policies_dir == NULL)
		return slg_err_set(err, SLG_EUSAGE, "this service has no "
		    "--policies folder: send the policy inline");
	if (strspn(p->valuestring, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
	    "QRSTUVWXYZ0123456789_.-") != strlen(p->valuestring) ||
	    p->valuestring[0] == '.' || p->valuestring[0] == '\0')
		return slg_err_set(err, SLG_EUSAGE, "bad policy name '%.100s'",
		    p->valuestring);
	snprintf(path, sizeof(path), "%s/%s%s", c->policies_dir, p->valuestring,
	    strstr(p->valuestring, ".json") ? "" : ".json");
	if (access(path, F_OK) != 0)
		return slg_err_set(err, SLG_EUSAGE, "no policy '%.100s' in the "
		    "service's policies", p->valuestring);
	return slg_policy_load(path, c->queries_dir, c->datadir, out, err);
}

/* The policy of --policies registered for service and environment: the
 * one file there that names them. *out NULL when there is none (or no
 * folder); SLG_EAMBIGUOUS when several do, SLG_EPOLICY when one of them
 * cannot be read (a broken policy must not hide the one that counts). */
static int
registered_policy(const struct slg_api_conf *c, const char *service,
    const char *env, struct slg_policy **out, struct slg_err *err)
{
	struct slg_policy *found = NULL, *p = NULL;
	struct dirent *d;
	char path[4096];
	DIR *dir;
	int rc = 0;

	*out = NULL;
	if (c->policies_dir == NULL)
		return 0;
	if ((dir = opendir(c->policies_dir)) == NULL && errno == ENOENT)
		return 0;
	if (dir == NULL)
		return slg_err_set(err, SLG_EIO, "cannot read the service's "
		    "policies '%s': %s", c->policies_dir, strerror(errno));
	while (rc == 0 && (d = readdir(dir)) != NULL) {
		size_t n = strlen(d->d_name);

		if (d->d_name[0] == '.' || n < 6 ||
		    strcmp(d->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->policies_dir, d->d_name);
		if ((rc = slg_policy_load(path, c->queries_dir, c->datadir, &p,
		    err)) != 0)
			break;
		if (strcmp(p->service, service) == 0 &&
		    strcmp(p->environment, env) == 0) {
			if (found != NULL)
				rc = slg_err_set(err, SLG_EAMBIGUOUS, "policies '%s' "
				    "and '%s' both judge %s/%s: keep one",
				    found->path, p->path, service, env);
			else {
				found = p;
				p = NULL;
			}
		}
		slg_policy_free(p);
		p = NULL;
	}
	closedir(dir);
	if (rc != 0) {
		slg_policy_free(found);
		return rc;
	}
	*out = found;
	return 0;
}

/* An evaluation: what POST sends, read from its JSON (strings point into
 * o), or what a watch keeps to be polled again (strings point into it). */
struct eval_req {
	cJSON *o;
	struct slg_policy *policy;
	struct slg_subject subj;
	int64_t at, since, timeout;
	int wait;
	int inline_policy;		/* sent in the request, not registered */
	int trial;			/* recorded as a trial */
	const char *digest;		/* a watch's policy file's */
	const char *actor;		/* who asked */
};

static void
eval_req_release(struct eval_req *e)
{
	slg_policy_free(e->policy);
	cJSON_Delete(e->o);
	memset(e, 0, sizeof(*e));
}

/* Fills e from e->o (which it keeps), a client's request. SLG_EUSAGE,
 * SLG_EPOLICY with the message a 400 answer carries. */
static int
eval_req_parse(const struct slg_api_conf *c, struct eval_req *e, int64_t now,
    struct slg_err *err)
{
	const cJSON *o = e->o, *w, *tr, *pol;
	const char *s, *env, *t;
	int64_t secs;
	int bad = 0;

	e->subj.commit = str(o, "commit", &bad);
	if (!full_sha(e->subj.commit))
		return slg_err_set(err, SLG_EUSAGE, "'commit' must be the full "
		    "lower-case sha (40 or 64 hex digits)");
	s = str(o, "service", &bad);
	env = str(o, "environment", &bad);
	pol = cJSON_GetObjectItemCaseSensitive(o, "policy");
	if (pol == NULL || cJSON_IsNull(pol)) {
		/* the policy registered for the service and environment */
		if (s == NULL || env == NULL)
			return slg_err_set(err, SLG_EUSAGE, "name a 'policy', or "
			    "the 'service' and 'environment' whose registered "
			    "policy judges");
		if (registered_policy(c, s, env, &e->policy, err) != 0)
			return err->code;
		if (e->policy == NULL)
			return slg_err_set(err, SLG_EUSAGE, "no policy of the "
			    "service's --policies judges %.100s/%.100s", s, env);
	} else if (load_policy(c, pol, str(o, "policy_path", &bad),
	    &e->policy, err) != 0) {
		return err->code;
	}
	e->inline_policy = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o,
	    "policy"));
	tr = cJSON_GetObjectItemCaseSensitive(o, "trial");
	if (tr != NULL && !cJSON_IsBool(tr))
		return slg_err_set(err, SLG_EUSAGE, "'trial' must be true or "
		    "false");
	e->trial = cJSON_IsTrue(tr) || e->inline_policy;
	if (cJSON_IsString(pol)) {
		/* a file of --policies judges only as the one registered for
		 * its service and environment, not as a spare copy */
		struct slg_policy *reg = NULL;
		int same;

		if (registered_policy(c, e->policy->service,
		    e->policy->environment, &reg, err) != 0)
			return err->code;
		same = reg != NULL && strcmp(reg->path, e->policy->path) == 0;
		slg_policy_free(reg);
		if (!same)
			return slg_err_set(err, SLG_EUSAGE, "policy '%.100s' is not "
			    "the one registered for %s/%s", pol->valuestring,
			    e->policy->service, e->policy->environment);
	}
	if ((s && strcmp(s, e->policy->service) != 0) ||
	    (env && strcmp(env, e->policy->environment) != 0))
		return slg_err_set(err, SLG_EUSAGE, "'service' and 'environment' "
		    "must match the policy's");
	e->at = now;
	e->subj.build_time = now;
	if (((t = str(o, "at", &bad)) && slg_time_parse(t, &e->at, err)) ||
	    ((t = str(o, "since", &bad)) && slg_time_parse(t, &e->since, err)) ||
	    ((t = str(o, "build_time", &bad)) &&
	    slg_time_parse(t, &e->subj.build_time, err)) ||
	    ((t = str(o, "commit_time", &bad)) &&
	    slg_time_parse(t, &e->subj.commit_time, err)))
		return slg_err_set(err, SLG_EUSAGE, "%s", err->msg);
	t = str(o, "timeout", &bad);
	if (slg_usecase_timeout_parse(t, &secs, err) != 0)
		return slg_err_set(err, SLG_EUSAGE, "'timeout' must be a "
		    "duration from 1s to 7d, not '%.40s'", t);
	e->timeout = slg_usecase_wait_timeout(e->policy, secs);
	w = cJSON_GetObjectItemCaseSensitive(o, "wait");
	if (w != NULL && !cJSON_IsBool(w))
		return slg_err_set(err, SLG_EUSAGE, "'wait' must be true or "
		    "false");
	e->wait = cJSON_IsTrue(w);
	if (e->wait && e->since == 0)
		return slg_err_set(err, SLG_EUSAGE, "'wait' needs 'since', the "
		    "deploy the window starts at");
	if (e->since && str(o, "at", &bad))
		return slg_err_set(err, SLG_EUSAGE, "'since' and 'at' both place "
		    "the window: send one");
	if (slg_usecase_since_check(e->since, now, "'since'", err) != 0)
		return err->code;
	e->subj.branch = str(o, "branch", &bad);
	e->subj.commit_author = str(o, "commit_author", &bad);
	e->subj.commit_subject = str(o, "commit_subject", &bad);
	e->subj.pipeline_id = str(o, "pipeline_id", &bad);
	e->subj.pipeline_url = str(o, "pipeline_url", &bad);
	e->subj.job_url = str(o, "job_url", &bad);
	e->subj.ref_name = str(o, "ref_name", &bad);
	if (e->subj.branch == NULL)
		e->subj.branch = e->subj.ref_name;
	if (bad)
		return slg_err_set(err, SLG_EUSAGE, "every member but 'policy' "
		    "and 'wait' must be a string");
	return 0;
}

static void
engine_run(const struct slg_api_conf *c, const struct eval_req *e,
    struct slg_store *st, int64_t now, struct slg_engine_run *run)
{
	memset(run, 0, sizeof(*run));
	run->policy = e->policy;
	run->prom = &c->prom;
	run->store = st;
	run->subject = &e->subj;
	run->version = c->version;
	run->repo = c->repo;
	run->now = now;
	run->at = e->at;
	run->since = e->since;
	run->trial = e->trial;
	run->policy_digest = e->digest;
	run->actor = e->actor;
}

static int
write_watch(FILE *f, const void *w)
{
	return slg_report_watch_json(f, w);
}

/* Starts a watch for e: recorded with all it runs from, the registered
 * policy inlined, so a restart, another replica or a changed --policies
 * folder judges it the same. This service polls it first, under a lease
 * another takes over if this one stops renewing it. */
static int
start_watch(const struct slg_api_conf *c, const struct eval_req *e,
    struct slg_store *st, int64_t now, struct slg_watch *w,
    struct slg_err *err)
{
	struct slg_engine_run run;
	int rc;

	engine_run(c, e, st, now, &run);
	if ((rc = slg_engine_watch_init(&run, now + e->timeout, c->owner,
	    now + c->lease, w, err)) != 0)
		return rc;
	return slg_store_watch_add(st, w, err);
}

static void
post_evaluation(const struct slg_api_conf *c, const struct slg_api_req *q,
    struct slg_api_resp *r)
{
	static const char *const keys[] = { "policy", "service", "environment",
	    "commit", "build_time", "at", "branch", "commit_time",
	    "commit_author", "commit_subject", "pipeline_id", "pipeline_url",
	    "job_url", "ref_name", "policy_path", "since", "wait", "timeout",
	    "trial", NULL };
	struct eval_req e = { 0 };
	struct slg_verdict *v = NULL;
	struct slg_engine_run run;
	struct slg_watch w = { 0 };
	struct slg_err err = { 0 };
	int rc;

	if ((e.o = body_object(q, keys, r)) == NULL)
		return;
	if (eval_req_parse(c, &e, q->now, &err) != 0) {
		fail_err(r, &err);
		goto out;
	}
	/* a window before the build judges another release, and one that
	 * ended long before now another moment (the build time is the
	 * client's word; the clock here is not): refused, or for an admin
	 * a trial */
	if (slg_usecase_window_judgeable(e.policy, e.at, e.since,
	    e.subj.build_time, q->now, c->max_window_age, &err) != 0) {
		if (q->who == NULL || !(q->who->roles & SLG_ROLE_ADMIN)) {
			fail_err(r, &err);
			goto out;
		}
		e.trial = 1;
	}
	/* a policy of the request's own, or a trial, is for admins only */
	if (allowed(q, r, e.trial ? SLG_ROLE_ADMIN : SLG_ROLE_EVALUATE,
	    e.policy->service) != 0)
		goto out;
	e.actor = q->who->name;
	engine_run(c, &e, q->store, q->now, &run);
	/* a wait is the watcher's from now on; anything else is judged here */
	if (e.wait)
		rc = start_watch(c, &e, q->store, q->now, &w, &err);
	else
		rc = slg_engine_check(&run, &v, &err);
	if (rc != 0) {
		fail_err(r, &err);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), PREFIX "/evaluations/%lld",
	    (long long)(v ? v->id : w.id));
	if (v == NULL) {
		/* the service polls it from now on */
		r->watch_id = w.id;
		answer(r, 202, write_watch, &w);
		goto out;
	}
	r->verdict = (int)v->verdict;
	for (size_t i = 0; i < v->nobj; i++)
		r->query_errors += v->obj[i].status == SLG_ST_ERROR;
	answer(r, 201, write_verdict, v);
out:
	slg_verdict_free(v);
	slg_watch_release(&w);
	eval_req_release(&e);
}

static void
get_evaluation(const struct slg_api_req *q, int64_t id,
    struct slg_api_resp *r)
{
	struct slg_verdict *v = NULL;
	struct slg_watch w = { 0 };
	struct slg_err err = { 0 };

	/* a token of other services learns nothing of this one's */
	if (slg_store_get(q->store, id, &v, &err) == 0) {
		if (allowed(q, r, SLG_ROLE_READ, v->service) == 0)
			answer(r, 200, write_verdict, v);
	} else if (err.code != SLG_ENOTFOUND) {
		fail_err(r, &err);
	} else if (slg_store_watch_get(q->store, id, &w, &err) != 0) {
		fail_err(r, &err);
	} else if (allowed(q, r, SLG_ROLE_READ, w.service) != 0) {
		;
	} else if (!w.running) {
		/* ended between the two reads: the verdict is there now */
		if (slg_store_get(q->store, id, &v, &err) != 0)
			fail_err(r, &err);
		else
			answer(r, 200, write_verdict, v);
	} else {
		r->watch_id = w.id;
		r->watch_polls = w.polls;
		answer(r, 200, write_watch, &w);
	}
	slg_verdict_free(v);
	slg_watch_release(&w);
}

int
slg_api_watch_poll(const struct slg_api_conf *c, struct slg_store *st,
    int64_t id, int64_t now, int64_t *next, int *verdict, struct slg_err *err)
{
	struct eval_req e = { 0 };
	struct slg_verdict *v = NULL;
	struct slg_engine_run run;
	struct slg_watch w = { 0 };
	int final = 0, rc;

	*next = 0;
	*verdict = -1;
	if ((rc = slg_store_watch_get(st, id, &w, err)) != 0)
		goto out;
	if (!w.running)
		goto out;
	/* only under this service's lease (slg_store_watch_claim); the store
	 * checks it again as it records the poll */
	if (w.owner == NULL || c->owner == NULL || strcmp(w.owner,
	    c->owner) != 0) {
		rc = slg_err_set(err, SLG_ECONFLICT, "evaluation %lld is polled "
		    "by another service", (long long)id);
		goto out;
	}
	w.lease_until = now + c->lease;
	if (w.policy == NULL) {
		/* a local wait of an older slogate kept nothing to run from */
		rc = slg_err_set(err, SLG_EPARSE, "evaluation %lld cannot be "
		    "run by the service: it keeps no policy", (long long)id);
		goto out;
	}
	if ((rc = slg_policy_parse(w.policy, strlen(w.policy), w.policy_path ?
	    w.policy_path : "watch", c->queries_dir, c->datadir, &e.policy,
	    err)) != 0) {
		rc = slg_err_set(err, SLG_EPARSE, "evaluation %lld: its policy: "
		    "%s", (long long)id, err->msg);
		goto out;
	}
	/* the watch's row is what was authorized: its policy judges that
	 * subject or nothing */
	if (strcmp(e.policy->service, w.service) != 0 ||
	    strcmp(e.policy->environment, w.environment) != 0) {
		rc = slg_err_set(err, SLG_EPARSE, "evaluation %lld: its policy "
		    "judges another service than the watch's", (long long)id);
		goto out;
	}
	e.subj.commit = w.commit;
	e.subj.commit_time = w.commit_time;
	e.subj.commit_author = w.commit_author;
	e.subj.commit_subject = w.commit_subject;
	e.subj.branch = w.branch;
	e.subj.build_time = w.build_time;
	e.subj.pipeline_id = w.pipeline_id;
	e.subj.pipeline_url = w.pipeline_url;
	e.subj.job_url = w.job_url;
	e.subj.ref_name = w.ref_name;
	e.since = w.since;
	e.at = now;
	e.trial = w.trial;
	e.digest = w.policy_digest;
	e.actor = w.actor;
	engine_run(c, &e, st, now, &run);
	if ((rc = slg_engine_poll(&run, &w, &v, &final, err)) != 0)
		goto out;
	if (final)
		*verdict = (int)v->verdict;
	else
		*next = slg_watch_next_poll(e.policy, &w, now);
out:
	slg_verdict_free(v);
	slg_watch_release(&w);
	eval_req_release(&e);
	return rc;
}

/* ---- verdicts, commits, status ---- */

static void
get_verdicts(const struct slg_api_req *q, struct slg_api_resp *r)
{
	struct slg_history_filter f = { 0 };
	struct list l = { NULL, 0, NULL };
	struct slg_err err = { 0 };
	struct slg_buf next = SLG_BUF_INIT;
	const char *a;
	char sha[65];

	f.service = q->arg(q->arg_cls, "service");
	f.environment = q->arg(q->arg_cls, "environment");
	f.branch = q->arg(q->arg_cls, "branch");
	f.limit = 50;
	if (allowed(q, r, SLG_ROLE_READ, f.service) != 0)
		return;
	if (paging(q, r, &f.limit, &f.before, "a verdict id") != 0)
		return;
	if ((a = q->arg(q->arg_cls, "since")) != NULL &&
	    slg_time_parse(a, &f.since, &err) != 0) {
		fail(r, 400, "bad request", err.msg);
		return;
	}
	if ((a = q->arg(q->arg_cls, "commit")) != NULL) {
		int rc = commit_arg(q->store, a, sha, &err);

		if (rc == SLG_ENOTFOUND) {
			answer(r, 200, write_page, &l);	/* nothing yet */
			return;
		}
		if (rc != 0) {
			fail_err(r, &err);
			return;
		}
		f.commit = sha;
	}
	if (slg_store_history(q->store, &f, &l.v, &l.n, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	if (l.n == (size_t)f.limit) {
		/* the same question, from below the last id */
		slg_buf_printf(&next, PREFIX "/verdicts?limit=%d&before=%lld",
		    f.limit, (long long)l.v[l.n - 1]->id);
		next_arg(&next, "service", f.service);
		next_arg(&next, "environment", f.environment);
		next_arg(&next, "branch", f.branch);
		next_arg(&next, "commit", f.commit);
		l.next = next.data;
	}
	answer(r, 200, write_page, &l);
	slg_buf_release(&next);
	slg_store_list_free(l.v, l.n);
}

static void
get_commit(const struct slg_api_req *q, const char *sha_arg,
    struct slg_api_resp *r)
{
	struct slg_history_filter f = { 0 };
	struct list l = { NULL, 0, NULL };
	struct slg_err err = { 0 };
	char sha[65];

	if (commit_arg(q->store, sha_arg, sha, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	f.commit = sha;
	f.limit = 1000;
	if (slg_store_history(q->store, &f, &l.v, &l.n, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	/* only the services the token covers */
	for (size_t i = 0; q->who != NULL && i < l.n;) {
		if (slg_caller_may(q->who, SLG_ROLE_READ, l.v[i]->service)) {
			i++;
			continue;
		}
		slg_verdict_free(l.v[i]);
		memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(*l.v));
		l.n--;
	}
	if (l.n == 0)
		fail(r, 404, "not found", "no verdict recorded for this commit");
	else
		answer(r, 200, write_list, &l);
	slg_store_list_free(l.v, l.n);
}

static int
write_status(FILE *f, const void *s)
{
	return slg_report_status_json(f, s);
}

/* For slg_usecase_status: the digest of the policy registered for service
 * and environment, when there is one. */
static int
registered_digest(void *cls, const char *service, const char *env,
    char digest[41], int *found, struct slg_err *err)
{
	struct slg_policy *reg = NULL;
	int rc;

	*found = 0;
	if ((rc = registered_policy(cls, service, env, &reg, err)) != 0)
		return rc;
	if (reg != NULL && (rc = slg_git_blob_id(reg->source, reg->source_len,
	    digest, err)) == 0)
		*found = 1;
	slg_policy_free(reg);
	return rc;
}

static void
get_status(const struct slg_api_conf *c, const struct slg_api_req *q,
    struct slg_api_resp *r)
{
	struct slg_usecase_status in = { 0 };
	struct slg_usecase_status_result res;
	struct slg_status_report rep = { 0 };
	struct slg_err err = { 0 };
	const char *commit = q->arg(q->arg_cls, "commit");
	char sha[65];
	int rc;

	memset(&res, 0, sizeof(res));
	rep.service = q->arg(q->arg_cls, "service");
	rep.environment = q->arg(q->arg_cls, "environment");
	if (commit == NULL || rep.service == NULL || rep.environment == NULL) {
		fail(r, 400, "bad request", "needs commit, service and "
		    "environment");
		return;
	}
	if (allowed(q, r, SLG_ROLE_READ, rep.service) != 0)
		return;
	rc = commit_arg(q->store, commit, sha, &err);
	if (rc != 0 && rc != SLG_ENOTFOUND) {
		fail_err(r, &err);
		return;
	}
	in.commit = rc == 0 ? sha : commit;
	in.recorded = rc == 0;
	in.service = rep.service;
	in.environment = rep.environment;
	in.now = q->now;
	/* only a verdict of the policy registered now counts */
	in.registered = registered_digest;
	in.registered_cls = (void *)c;
	if (slg_usecase_status(q->store, &in, &res, &err) != 0) {
		fail_err(r, &err);
		goto out;
	}
	rep.commit = res.commit;
	rep.verdict = res.verdict;
	rep.promote = res.promote;
	rep.approval = res.approval;
	rep.reason = res.reason;
	answer(r, 200, write_status, &rep);
out:
	slg_usecase_status_release(&res);
}

/* ---- approvals ---- */

struct approval_answer {
	const struct slg_approval *a;
	const struct slg_verdict *v;
};

static int
write_approval(FILE *f, const void *arg)
{
	const struct approval_answer *x = arg;

	return slg_report_approval_json(f, x->a, x->v);
}

static void
post_approval(const struct slg_api_conf *c, const struct slg_api_req *q,
    struct slg_api_resp *r)
{
	static const char *const keys[] = { "commit", "service", "environment",
	    "by", "reason", "expires", NULL };
	struct slg_usecase_approve in = { 0 };
	struct slg_approval a = { 0 };
	struct slg_verdict *v = NULL;
	struct approval_answer x;
	struct slg_err err = { 0 };
	const char *commit, *expires, *service, *environment, *named_by;
	const char *reason;
	char sha[65];
	double secs = 0;
	cJSON *o;
	int bad = 0;

	if ((o = body_object(q, keys, r)) == NULL)
		return;
	commit = str(o, "commit", &bad);
	service = str(o, "service", &bad);
	environment = str(o, "environment", &bad);
	named_by = str(o, "by", &bad);
	reason = str(o, "reason", &bad);
	expires = str(o, "expires", &bad);
	if (bad || !commit || !service || !environment ||
	    !slg_usecase_reason_given(reason) ||
	    (named_by && *named_by == '\0')) {
		fail(r, 400, "bad request", "needs commit, service, environment "
		    "and a reason, as strings ('by' is optional)");
		goto out;
	}
	if (expires && (slg_duration_parse(expires, &secs, &err) != 0 ||
	    secs < 1)) {
		fail(r, 400, "bad request", "'expires' must be a duration like 24h");
		goto out;
	}
	if (allowed(q, r, SLG_ROLE_APPROVE, service) != 0)
		goto out;
	if (commit_arg(q->store, commit, sha, &err) != 0) {
		fail_err(r, &err);
		goto out;
	}
	/* allowed() let no anonymous caller this far */
	in.commit = sha;
	in.service = service;
	in.environment = environment;
	in.by = q->who->name;
	/* who approves is the token; "by" only names a person beside it */
	in.named_by = named_by;
	in.reason = reason;
	in.expires = secs;
	in.now = q->now;
	in.forbid_self = c->forbid_self_approval;
	if (slg_usecase_approve(q->store, &in, &a, &v, &err) != 0) {
		fail_err(r, &err);
		goto out;
	}
	x.a = &a;
	x.v = v;
	snprintf(r->location, sizeof(r->location), PREFIX "/approvals/%lld",
	    (long long)a.id);
	answer(r, 201, write_approval, &x);
out:
	slg_approval_release(&a);
	slg_verdict_free(v);
	cJSON_Delete(o);
}

static void
delete_approval(const struct slg_api_req *q, int64_t id,
    struct slg_api_resp *r)
{
	static const char *const keys[] = { "by", "reason", NULL };
	struct slg_approval a = { 0 };
	struct approval_answer x = { &a, NULL };
	struct slg_err err = { 0 };
	const char *by = NULL, *reason = NULL;
	cJSON *o = NULL;
	int bad = 0;

	if (q->len > 0) {
		if ((o = body_object(q, keys, r)) == NULL)
			return;
		by = str(o, "by", &bad);
		reason = str(o, "reason", &bad);
	}
	if (bad)
		fail(r, 400, "bad request", "'by' and 'reason' must be strings");
	else if (slg_store_approval_get(q->store, id, &a, &err) != 0)
		fail_err(r, &err);
	else if (allowed(q, r, SLG_ROLE_APPROVE, a.service) != 0)
		;
	else {
		/* the approval as it is after the revocation is the answer */
		slg_approval_release(&a);
		if (slg_usecase_revoke(q->store, id, q->who->name, by, reason,
		    q->now, &a, &err) != 0)
			fail_err(r, &err);
		else
			answer(r, 200, write_approval, &x);
	}
	slg_approval_release(&a);
	cJSON_Delete(o);
}

/* ---- baselines ---- */

struct baselines {
	struct slg_stored_baseline *b;
	size_t n;
};

static int
write_baselines(FILE *f, const void *arg)
{
	const struct baselines *x = arg;

	return slg_report_baselines_json(f, x->b, x->n);
}

static void
get_baselines(const struct slg_api_req *q, const char *service,
    const char *env, struct slg_api_resp *r)
{
	struct baselines x = { NULL, 0 };
	struct slg_err err = { 0 };
	const char *h = q->arg(q->arg_cls, "history");

	if (allowed(q, r, SLG_ROLE_READ, service) != 0)
		return;
	if (slg_store_baseline_list(q->store, service, env, h && strcmp(h, "0"),
	    &x.b, &x.n, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	answer(r, 200, write_baselines, &x);
	for (size_t i = 0; i < x.n; i++)
		slg_stored_baseline_release(&x.b[i]);
	free(x.b);
}

/* {"objectives": {NAME: VALUE}, "commit", "by"}: values set as given;
 * or {"from_commit": SHA, "by"}: the measured values of that commit's
 * latest passing verdict (slogate baseline promote). */
static void
put_baselines(const struct slg_api_req *q, const char *service,
    const char *env, struct slg_api_resp *r)
{
	static const char *const keys[] = { "objectives", "commit", "by",
	    "from_commit", NULL };
	struct slg_usecase_baselines in = { 0 };
	struct slg_stored_baseline *rows = NULL;
	struct slg_verdict *v = NULL;
	struct slg_err err = { 0 };
	const cJSON *objs, *it;
	const char *by, *commit, *from;
	char sha[65], *who = NULL;
	size_t nr = 0;
	cJSON *o;
	int bad = 0, rc;

	if (allowed(q, r, SLG_ROLE_ADMIN, service) != 0 ||
	    (o = body_object(q, keys, r)) == NULL)
		return;
	by = str(o, "by", &bad);
	commit = str(o, "commit", &bad);
	from = str(o, "from_commit", &bad);
	objs = cJSON_GetObjectItemCaseSensitive(o, "objectives");
	if (bad || (from == NULL) == (objs == NULL) ||
	    (objs && (!cJSON_IsObject(objs) || cJSON_GetArraySize(objs) == 0))) {
		fail(r, 400, "bad request", "give 'objectives' (an object of "
		    "values) or 'from_commit', strings for the rest");
		goto out;
	}
	if (from != NULL) {
		if (commit_arg(q->store, from, sha, &err) != 0) {
			fail_err(r, &err);
			goto out;
		}
		rc = slg_usecase_baseline_source(q->store, sha, service, env, &v,
		    &err);
		if (rc == SLG_ECONFLICT) {
			fail(r, 409, "conflict", "the commit has no passing verdict "
			    "for this service and environment");
			goto out;
		} else if (rc != 0) {
			fail_err(r, &err);
			goto out;
		}
	} else {
		rows = calloc((size_t)cJSON_GetArraySize(objs), sizeof(*rows));
		if (rows == NULL) {
			fail(r, 500, "internal error", "out of memory");
			goto out;
		}
		cJSON_ArrayForEach(it, objs) {
			if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
				fail(r, 400, "bad request", "objective values must "
				    "be finite numbers");
				goto out;
			}
			rows[nr].objective = it->string;
			rows[nr++].value = it->valuedouble;
		}
	}
	if ((who = slg_who_display(q->who->name, by)) == NULL) {
		fail(r, 500, "internal error", "out of memory");
		goto out;
	}
	in.service = service;
	in.environment = env;
	in.source_commit = commit;
	in.by = who;
	in.note = "set through the API";
	in.now = q->now;
	if (v != NULL) {
		rc = slg_usecase_baseline_promote(q->store, v, &in, &nr, &err);
		if (rc == SLG_ECONFLICT) {
			fail(r, 409, "conflict", "no measured values to store");
			goto out;
		}
	} else {
		rc = slg_usecase_baseline_set(q->store, &in, rows, nr, &err);
	}
	if (rc != 0) {
		fail_err(r, &err);
		goto out;
	}
	get_baselines(q, service, env, r);
out:
	free(who);
	free(rows);
	slg_verdict_free(v);
	cJSON_Delete(o);
}

/* ---- invalidation ---- */

static void
post_invalidate(const struct slg_api_req *q, int64_t id,
    struct slg_api_resp *r)
{
	static const char *const keys[] = { "by", "reason", NULL };
	struct slg_err err = { 0 };
	struct slg_verdict *v = NULL;
	const char *by, *reason;
	cJSON *o = NULL;
	char *who = NULL;
	int bad = 0;

	if (slg_store_get(q->store, id, &v, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	if (allowed(q, r, SLG_ROLE_ADMIN, v->service) != 0 ||
	    (o = body_object(q, keys, r)) == NULL)
		goto out;
	by = str(o, "by", &bad);
	reason = str(o, "reason", &bad);
	if (bad || !slg_usecase_reason_given(reason))
		fail(r, 400, "bad request", "needs a 'reason'");
	else if ((who = slg_who_display(q->who->name, by)) == NULL)
		fail(r, 500, "internal error", "out of memory");
	else if (slg_usecase_invalidate(q->store, id, who, reason, q->now,
	    &err) != 0)
		fail_err(r, &err);
	else
		get_evaluation(q, id, r);
out:
	free(who);
	slg_verdict_free(v);
	cJSON_Delete(o);
}

/* ---- the audit trail ---- */

struct audit_page {
	struct slg_audit_entry *e;
	size_t n;
	const char *next;
};

static int
write_audit(FILE *f, const void *arg)
{
	const struct audit_page *x = arg;

	return slg_report_audit_json(f, x->e, x->n, x->next);
}

static int
write_audit_check(FILE *f, const void *arg)
{
	return slg_report_audit_check_json(f, arg);
}

static void
get_audit(const struct slg_api_req *q, struct slg_api_resp *r)
{
	struct slg_audit_filter f = { 0 };
	struct audit_page x = { NULL, 0, NULL };
	struct slg_buf next = SLG_BUF_INIT;
	struct slg_err err = { 0 };
	const char *a;
	char sha[65];

	f.service = q->arg(q->arg_cls, "service");
	f.environment = q->arg(q->arg_cls, "environment");
	f.kind = q->arg(q->arg_cls, "kind");
	f.limit = 50;
	if (allowed(q, r, SLG_ROLE_READ, f.service) != 0)
		return;
	if (f.kind && slg_audit_kind(f.kind) == NULL) {
		fail(r, 400, "bad request", "'kind' must be evaluation, trial, "
		    "approval, revocation, baseline or invalidation");
		return;
	}
	if (paging(q, r, &f.limit, &f.before, "an entry id") != 0)
		return;
	if ((a = q->arg(q->arg_cls, "commit")) != NULL) {
		int rc = commit_arg(q->store, a, sha, &err);

		if (rc == SLG_ENOTFOUND) {
			answer(r, 200, write_audit, &x);	/* nothing yet */
			return;
		}
		if (rc != 0) {
			fail_err(r, &err);
			return;
		}
		f.commit = sha;
	}
	if (slg_store_audit_list(q->store, &f, &x.e, &x.n, &err) != 0) {
		fail_err(r, &err);
		return;
	}
	if (x.n == (size_t)f.limit) {
		slg_buf_printf(&next, PREFIX "/audit?limit=%d&before=%lld", f.limit,
		    (long long)x.e[x.n - 1].id);
		next_arg(&next, "service", f.service);
		next_arg(&next, "environment", f.environment);
		next_arg(&next, "commit", f.commit);
		next_arg(&next, "kind", f.kind);
		x.next = next.data;
	}
	answer(r, 200, write_audit, &x);
	slg_buf_release(&next);
	slg_store_audit_list_free(x.e, x.n);
}

static void
get_audit_verify(const struct slg_api_req *q, struct slg_api_resp *r)
{
	struct slg_audit_check c;
	struct slg_err err = { 0 };

	if (allowed(q, r, SLG_ROLE_READ, NULL) != 0)
		return;
	const char *head = q->arg(q->arg_cls, "head");

	if (head != NULL && (strlen(head) != 64 ||
	    strspn(head, "0123456789abcdef") != 64)) {
		fail(r, 400, "bad request", "'head' must be an entry's hash, 64 "
		    "lower-case hex digits");
		return;
	}
	if (slg_store_audit_verify(q->store, head, &c, &err) != 0)
		fail_err(r, &err);
	else
		answer(r, 200, write_audit_check, &c);
}

/* ---- routing ---- */

static int
is(const struct slg_api_req *q, const char *m)
{
	return strcmp(q->method, m) == 0;
}

static void
not_allowed(struct slg_api_resp *r, const char *allow)
{
	r->allow = allow;
	fail(r, 405, "method not allowed", allow);
}

/* Splits "a/b" at the slash into two segments of at most 128 bytes. */
static int
two_segments(const char *p, char *a, char *b)
{
	const char *slash = strchr(p, '/');

	if (slash == NULL || slash == p || slash[1] == '\0' ||
	    strchr(slash + 1, '/') || slash - p >= 128 ||
	    strlen(slash + 1) >= 128)
		return -1;
	memcpy(a, p, (size_t)(slash - p));
	a[slash - p] = '\0';
	strcpy(b, slash + 1);
	return 0;
}

void
slg_api_handle(const struct slg_api_conf *c, const struct slg_api_req *q,
    struct slg_api_resp *r)
{
	const char *p = q->path + strlen(PREFIX), *rest = "";
	char a[128], b[128];
	int64_t id;

	memset(r, 0, sizeof(*r));
	r->verdict = -1;
	if (strcmp(p, "/evaluations") == 0) {
		if (is(q, "POST"))
			post_evaluation(c, q, r);
		else
			not_allowed(r, "POST");
	} else if (strncmp(p, "/evaluations/", 13) == 0 &&
	    (id = id_segment(p + 13, &rest)) > 0 && *rest == '\0') {
		if (is(q, "GET"))
			get_evaluation(q, id, r);
		else
			not_allowed(r, "GET");
	} else if (strcmp(p, "/verdicts") == 0) {
		if (is(q, "GET"))
			get_verdicts(q, r);
		else
			not_allowed(r, "GET");
	} else if (strncmp(p, "/verdicts/", 10) == 0 &&
	    (id = id_segment(p + 10, &rest)) > 0 &&
	    strcmp(rest, "/invalidate") == 0) {
		if (is(q, "POST"))
			post_invalidate(q, id, r);
		else
			not_allowed(r, "POST");
	} else if (strncmp(p, "/commits/", 9) == 0 && p[9] != '\0' &&
	    strchr(p + 9, '/') == NULL) {
		if (is(q, "GET"))
			get_commit(q, p + 9, r);
		else
			not_allowed(r, "GET");
	} else if (strcmp(p, "/status") == 0) {
		if (is(q, "GET"))
			get_status(c, q, r);
		else
			not_allowed(r, "GET");
	} else if (strcmp(p, "/audit") == 0 || strcmp(p, "/audit/verify") == 0) {
		if (!is(q, "GET"))
			not_allowed(r, "GET");
		else if (p[6] == '\0')
			get_audit(q, r);
		else
			get_audit_verify(q, r);
	} else if (strcmp(p, "/approvals") == 0) {
		if (is(q, "POST"))
			post_approval(c, q, r);
		else
			not_allowed(r, "POST");
	} else if (strncmp(p, "/approvals/", 11) == 0 &&
	    (id = id_segment(p + 11, &rest)) > 0 && *rest == '\0') {
		if (is(q, "DELETE"))
			delete_approval(q, id, r);
		else
			not_allowed(r, "DELETE");
	} else if (strncmp(p, "/baselines/", 11) == 0 &&
	    two_segments(p + 11, a, b) == 0) {
		if (is(q, "GET"))
			get_baselines(q, a, b, r);
		else if (is(q, "PUT"))
			put_baselines(q, a, b, r);
		else
			not_allowed(r, "GET, PUT");
	} else {
		fail(r, 404, "not found", "no such API path");
	}
}
