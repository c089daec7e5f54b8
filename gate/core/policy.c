/* policy: reads an SLO policy and its PromQL templates. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "core/policy.h"
#include "core/template.h"
#include "util/text.h"
#include "util/timefmt.h"

#define MAX_OBJECTIVES 64
#define MAX_NAME 128

/* Where a policy is being read, for messages. */
struct ctx {
	const char *name;
	const char *queries_dir;
	const char *datadir;
	struct slg_err *err;
	const char *what;	/* NULL: a policy; else what the file is */
};

static int
fail(struct ctx *c, const char *obj, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Stands for the guard where messages name an objective. */
static const char GUARD[] = "guard";

static int
fail(struct ctx *c, const char *obj, const char *fmt, ...)
{
	char msg[SLG_ERR_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (obj == GUARD)
		return slg_err_set(c->err, SLG_EPOLICY, "policy '%s': guard: %s",
		    c->name, msg);
	if (c->what != NULL)
		return slg_err_set(c->err, SLG_EPOLICY, "%s '%s': %s", c->what,
		    c->name, msg);
	if (obj != NULL)
		return slg_err_set(c->err, SLG_EPOLICY,
		    "policy '%s': objective '%s': %s", c->name, obj, msg);
	return slg_err_set(c->err, SLG_EPOLICY, "policy '%s': %s", c->name, msg);
}

/* Names that end up in files, labels and tables: letters, digits, _ . - */
static int
good_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= MAX_NAME && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
	    == n && s[0] != '.';
}

/* Service and environment go into PromQL escaped, so any printable text
 * is allowed; control characters are not. */
static int
good_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_NAME)
		return 0;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	}
	return 1;
}

static int
check_keys(struct ctx *c, const cJSON *o, const char *const *allowed,
    const char *obj, const char *where)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		int ok = allowed == NULL;	/* NULL: any key, once */

		for (const char *const *a = allowed; a && *a; a++)
			ok |= strcmp(it->string, *a) == 0;
		if (!ok)
			return fail(c, obj, "unknown key '%s'%s%s", it->string,
			    where ? " in " : "", where ? where : "");
		for (const cJSON *d = it->next; d; d = d->next) {
			if (strcmp(d->string, it->string) == 0)
				return fail(c, obj, "key '%s' given twice",
				    it->string);
		}
	}
	return 0;
}

static int
get_string(struct ctx *c, const cJSON *o, const char *key, const char *obj,
    const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return fail(c, obj, "'%s' must be a string", key);
	*out = v->valuestring;
	return 0;
}

static int
get_duration(struct ctx *c, const cJSON *o, const char *key, const char *dflt,
    int64_t *out)
{
	const char *s;
	struct slg_err e;
	double d;

	if (get_string(c, o, key, NULL, &s) != 0)
		return c->err->code;
	if (s == NULL)
		s = dflt;
	if (slg_duration_parse(s, &d, &e) != 0)
		return fail(c, NULL, "'%s': %s", key, e.msg);
	if (d < 1 || d != floor(d) || d > 31 * 86400.0)
		return fail(c, NULL, "'%s' must be a whole number of seconds "
		    "between 1s and 31d, not '%s'", key, s);
	*out = (int64_t)d;
	return 0;
}

static int
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads queries/NAME.promql from the first directory that has it. */
static int
read_template(struct ctx *c, const char *obj, const char *name, char **out)
{
	char dirs[4][4096], path[4200], tried[2048] = "";
	struct slg_buf b = SLG_BUF_INIT;
	struct slg_err e;
	size_t nd = 0;
	const char *slash;

	*out = NULL;
	if (!good_name(name))
		return fail(c, obj, "bad query name '%s' (letters, digits, "
		    "'_', '.', '-')", name);
	if (c->queries_dir != NULL) {
		snprintf(dirs[nd++], sizeof(dirs[0]), "%s", c->queries_dir);
	} else {
		int dl;

		slash = strrchr(c->name, '/');
		dl = slash ? (int)(slash - c->name) : 1;
		const char *d = slash ? c->name : ".";
		snprintf(dirs[nd++], sizeof(dirs[0]), "%.*s/queries", dl, d);
		snprintf(dirs[nd++], sizeof(dirs[0]), "%.*s/../queries", dl, d);
		snprintf(dirs[nd++], sizeof(dirs[0]), "queries");
		if (c->datadir != NULL)
			snprintf(dirs[nd++], sizeof(dirs[0]), "%s/queries",
			    c->datadir);
	}
	for (size_t i = 0; i < nd; i++) {
		snprintf(path, sizeof(path), "%s/%s.promql", dirs[i], name);
		if (file_exists(path))
			goto found;
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried),
		    "%s%s", i ? ", " : "", dirs[i]);
	}
	return fail(c, obj, "query template '%s.promql' not found (looked in "
	    "%s)", name, tried);
found:
	if (slg_buf_read_file(&b, path, SLG_TEMPLATE_MAX_BYTES, "query template",
	    &e) != 0) {
		slg_buf_release(&b);
		return fail(c, obj, "%s", e.msg);
	}
	/* a trailing newline is file formatting, not PromQL */
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		slg_buf_release(&b);
		return fail(c, obj, "query template '%s' is empty", path);
	}
	*out = slg_buf_detach(&b);
	return 0;
}

/* Renders tmpl with stand-in values, so that an unknown variable or a
 * misplaced one is reported when the policy is read, before any query. */
static int
check_template(struct ctx *c, const char *obj, const char *tmpl)
{
	static const struct slg_tvar vars[] = {
		{ "service", "s", 1 }, { "environment", "e", 1 },
		{ "commit", "0", 1 }, { "window", "1m", 0 }, { "step", "1m", 0 },
		{ "range", "1m", 0 },
	};
	struct slg_err e;
	char *out = NULL;

	if (slg_template_render(tmpl, vars, sizeof(vars) / sizeof(vars[0]),
	    &out, &e) != 0)
		return fail(c, obj, "%s", e.msg);
	free(out);
	return 0;
}

/* "query" (a template file) or "promql" (inline), exactly one of them. */
static int
get_query(struct ctx *c, const cJSON *o, const char *obj, char **name,
    char **tmpl)
{
	const char *q, *inl;

	*name = *tmpl = NULL;
	if (get_string(c, o, "query", obj, &q) != 0 ||
	    get_string(c, o, "promql", obj, &inl) != 0)
		return c->err->code;
	if (q != NULL && inl != NULL)
		return fail(c, obj, "give 'query' or 'promql', not both");
	if (q == NULL && inl == NULL)
		return fail(c, obj, "needs 'query' (a template in queries/) "
		    "or 'promql'");
	if (inl != NULL) {
		if (*inl == '\0')
			return fail(c, obj, "'promql' is empty");
		if (strlen(inl) > SLG_TEMPLATE_MAX_BYTES)
			return fail(c, obj, "'promql' is too long");
		if ((*tmpl = strdup(inl)) == NULL)
			return fail(c, obj, "out of memory");
		return check_template(c, obj, *tmpl);
	}
	if (read_template(c, obj, q, tmpl) != 0 ||
	    check_template(c, obj, *tmpl) != 0)
		return c->err->code;
	if ((*name = strdup(q)) == NULL)
		return fail(c, obj, "out of memory");
	return 0;
}

static int
get_criteria(struct ctx *c, const cJSON *o, const char *key, const char *obj,
    struct slg_criterion *crit, size_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key), *it;
	struct slg_err e;

	*n = 0;
	if (v == NULL)
		return 0;
	if (cJSON_IsString(v)) {
		if (slg_criterion_parse(v->valuestring, &crit[0], &e) != 0)
			return fail(c, obj, "'%s': %s", key, e.msg);
		*n = 1;
		return 0;
	}
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return fail(c, obj, "'%s' must be a criterion like \">= 99.9%%\" "
		    "or a non-empty list of them", key);
	cJSON_ArrayForEach(it, v) {
		if (*n == SLG_MAX_CRITERIA)
			return fail(c, obj, "'%s' has more than %d criteria",
			    key, SLG_MAX_CRITERIA);
		if (!cJSON_IsString(it))
			return fail(c, obj, "'%s' must list criteria as strings",
			    key);
		if (slg_criterion_parse(it->valuestring, &crit[*n], &e) != 0)
			return fail(c, obj, "'%s': %s", key, e.msg);
		(*n)++;
	}
	return 0;
}

static const char *const bsources[] = { "stored", "previous", "ancestor",
    NULL };
static const char *const bfilters[] = { "pass", "pass_or_warn", NULL };
static const char *const aggregates[] = { "avg", "p50", "p90", "p95", "min",
    "max", NULL };

static int
lookup(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], s) == 0)
			return i;
	}
	return -1;
}

/* "baseline": {"source": ..., "results": N, "filter": ..., "aggregate": ...}
 * over *spec, which holds the defaults or the policy-wide baseline. */
static int
parse_baseline(struct ctx *c, const cJSON *b, const char *obj,
    struct slg_baseline_spec *spec)
{
	static const char *const keys[] = { "source", "results", "filter",
	    "aggregate", NULL };
	const char *s;
	const cJSON *v;
	int i;

	if (!cJSON_IsObject(b))
		return fail(c, obj, "'baseline' must be an object like "
		    "{\"source\": \"previous\", \"results\": 3}");
	if (check_keys(c, b, keys, obj, "'baseline'") != 0 ||
	    get_string(c, b, "source", obj, &s) != 0)
		return c->err->code;
	if (s != NULL && (i = lookup(bsources, s)) < 0)
		return fail(c, obj, "'baseline': unknown source '%s' (want "
		    "stored, previous or ancestor)", s);
	/* a key left out keeps what *spec had: the policy-wide value, for an
	 * objective's own baseline */
	if (s != NULL)
		spec->source = (enum slg_bsource)i;
	if (get_string(c, b, "filter", obj, &s) != 0)
		return c->err->code;
	if (s != NULL && (i = lookup(bfilters, s)) < 0)
		return fail(c, obj, "'baseline': unknown filter '%s' (want pass "
		    "or pass_or_warn)", s);
	if (s != NULL)
		spec->filter = (enum slg_bfilter)i;
	if (get_string(c, b, "aggregate", obj, &s) != 0)
		return c->err->code;
	if (s != NULL && (i = lookup(aggregates, s)) < 0)
		return fail(c, obj, "'baseline': unknown aggregate '%s' (want "
		    "avg, p50, p90, p95, min or max)", s);
	if (s != NULL)
		spec->aggregate = (enum slg_aggregate)i;
	if ((v = cJSON_GetObjectItemCaseSensitive(b, "results")) != NULL) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1) ||
		    v->valuedouble > 100 ||
		    v->valuedouble != (int)v->valuedouble)
			return fail(c, obj, "'baseline': 'results' must be a "
			    "whole number from 1 to 100");
		spec->results = (int)v->valuedouble;
	}
	if (spec->source == SLG_BASE_STORED && (v != NULL ||
	    cJSON_GetObjectItemCaseSensitive(b, "filter") ||
	    cJSON_GetObjectItemCaseSensitive(b, "aggregate")))
		return fail(c, obj, "'baseline': 'results', 'filter' and "
		    "'aggregate' apply to previous and ancestor, not stored");
	return 0;
}

/* A percentage from 0% to 100% under key of o (where names it in
 * messages), as a ratio; *out is kept when the key is absent. */
static int
percent(struct ctx *c, const cJSON *o, const char *key, const char *where,
    double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	struct slg_criterion crit;
	char buf[64];

	if (v == NULL)
		return 0;
	/* read as a criterion reads "99.95%": the decimal, exactly */
	if (!cJSON_IsString(v) || snprintf(buf, sizeof(buf), ">= %s",
	    v->valuestring) >= (int)sizeof(buf) ||
	    slg_criterion_parse(buf, &crit, NULL) != 0 ||
	    crit.rel != SLG_REL_NONE || crit.unit != SLG_UNIT_RATIO ||
	    !(crit.value >= 0) || crit.value > 1)
		return cJSON_IsString(v) ? fail(c, NULL, "%s'%s' must be a "
		    "percentage from 0%% to 100%%, not '%.40s'", where, key,
		    v->valuestring) : fail(c, NULL, "%s'%s' must be a "
		    "percentage from 0%% to 100%% like \"90%%\"", where, key);
	*out = crit.value;
	return 0;
}

static int
get_percent(struct ctx *c, const cJSON *o, const char *key, double *out)
{
	return percent(c, o, key, "", out);
}

/* "score": {"pass": "90%", "warn": "75%"} */
static int
parse_score(struct ctx *c, const cJSON *s, struct slg_policy *p)
{
	static const char *const keys[] = { "pass", "warn", NULL };
	const char *names[2] = { "pass", "warn" };
	double *dst[2] = { &p->score_pass, &p->score_warn };

	if (!cJSON_IsObject(s))
		return fail(c, NULL, "'score' must be an object like "
		    "{\"pass\": \"90%%\", \"warn\": \"75%%\"}");
	if (check_keys(c, s, keys, NULL, "'score'") != 0)
		return c->err->code;
	for (int i = 0; i < 2; i++) {
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s,
		    names[i])))
			return fail(c, NULL, "'score' needs '%s' as a "
			    "percentage like \"90%%\"", names[i]);
		if (percent(c, s, names[i], "'score': ", dst[i]) != 0)
			return c->err->code;
	}
	if (p->score_warn > p->score_pass)
		return fail(c, NULL, "'score': 'warn' must not be above 'pass'");
	p->has_score = 1;
	return 0;
}

static int
parse_objective(struct ctx *c, const cJSON *o, size_t idx,
    struct slg_objective *ob)
{
	static const char *const keys[] = { "name", "query", "promql", "pass",
	    "warn", "sustained", "description", "baseline", "weight", "key",
	    NULL };
	char label[32];
	const char *name;
	const cJSON *v;

	snprintf(label, sizeof(label), "#%zu", idx + 1);
	if (!cJSON_IsObject(o))
		return fail(c, label, "must be an object");
	if (get_string(c, o, "name", label, &name) != 0)
		return c->err->code;
	if (name == NULL)
		return fail(c, label, "needs a 'name'");
	if (!good_name(name))
		return fail(c, label, "bad name '%s' (letters, digits, '_', "
		    "'.', '-'; at most %d)", name, MAX_NAME);
	if ((ob->name = strdup(name)) == NULL)
		return fail(c, name, "out of memory");
	if (check_keys(c, o, keys, name, NULL) != 0 ||
	    get_query(c, o, name, &ob->query, &ob->tmpl) != 0 ||
	    get_criteria(c, o, "pass", name, ob->pass, &ob->npass) != 0 ||
	    get_criteria(c, o, "warn", name, ob->warn, &ob->nwarn) != 0)
		return c->err->code;
	if (ob->nwarn > 0 && ob->npass == 0)
		return fail(c, name, "'warn' needs 'pass' too (a point that "
		    "meets 'warn' but not 'pass' warns; give 'pass' alone for "
		    "a hard limit)");
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "sustained")) != NULL) {
		if (!cJSON_IsBool(v))
			return fail(c, name, "'sustained' must be true or false");
		ob->sustained = cJSON_IsTrue(v);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "description")) != NULL &&
	    !cJSON_IsString(v))
		return fail(c, name, "'description' must be a string");
	ob->weight = 1;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "weight")) != NULL) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) ||
		    v->valuedouble > 1e6)
			return fail(c, name, "'weight' must be a number above 0");
		ob->weight = v->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "key")) != NULL) {
		if (!cJSON_IsBool(v))
			return fail(c, name, "'key' must be true or false");
		ob->key = cJSON_IsTrue(v);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "baseline")) != NULL &&
	    parse_baseline(c, v, name, &ob->baseline) != 0)
		return c->err->code;
	return 0;
}

static int
parse_guard(struct ctx *c, const cJSON *g, struct slg_policy *p)
{
	static const char *const keys[] = { "query", "promql", "min", NULL };
	const cJSON *min;

	if (!cJSON_IsObject(g))
		return fail(c, NULL, "'guard' must be an object like "
		    "{\"query\": \"request_rate\", \"min\": 1}");
	if (check_keys(c, g, keys, NULL, "'guard'") != 0 ||
	    get_query(c, g, GUARD, &p->guard_query, &p->guard_tmpl) != 0)
		return c->err->code;
	min = cJSON_GetObjectItemCaseSensitive(g, "min");
	if (!cJSON_IsNumber(min) || !isfinite(min->valuedouble))
		return fail(c, NULL, "'guard' needs a number 'min' (the least "
		    "traffic worth judging)");
	p->guard_min = min->valuedouble;
	p->has_guard = 1;
	return 0;
}

/* A whole number from 1 to 1000 under key, or def when absent. */
static int
get_count(struct ctx *c, const cJSON *root, const char *key, int def,
    int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*out = def;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1) ||
	    v->valuedouble > 1000 || v->valuedouble != (int)v->valuedouble)
		return fail(c, NULL, "'%s' must be a whole number from 1 to "
		    "1000", key);
	*out = (int)v->valuedouble;
	return 0;
}

static int
parse_root(struct ctx *c, const cJSON *root, struct slg_policy *p)
{
	static const char *const keys[] = { "service", "environment", "window",
	    "step", "guard", "on_no_data", "objectives", "description",
	    "baseline", "score", "fail_after", "error_limit", "on_no_baseline",
	    "min_coverage", NULL };
	struct slg_baseline_spec base = { SLG_BASE_STORED, 3, SLG_BFILTER_PASS,
	    SLG_AGG_AVG };
	const char *s;
	const cJSON *v, *it;
	size_t i = 0;

	if (!cJSON_IsObject(root))
		return fail(c, NULL, "must be a JSON object");
	if (check_keys(c, root, keys, NULL, NULL) != 0)
		return c->err->code;
	if (get_string(c, root, "service", NULL, &s) != 0)
		return c->err->code;
	if (s == NULL || !good_label(s))
		return fail(c, NULL, "needs a 'service' (1 to %d printable "
		    "characters)", MAX_NAME);
	p->service = strdup(s);
	if (get_string(c, root, "environment", NULL, &s) != 0)
		return c->err->code;
	if (s == NULL || !good_label(s))
		return fail(c, NULL, "needs an 'environment' (1 to %d printable "
		    "characters)", MAX_NAME);
	p->environment = strdup(s);
	if (p->service == NULL || p->environment == NULL)
		return fail(c, NULL, "out of memory");
	if (get_duration(c, root, "window", "30m", &p->window) != 0 ||
	    get_duration(c, root, "step", "1m", &p->step) != 0)
		return c->err->code;
	if (p->step > p->window)
		return fail(c, NULL, "'step' must not be longer than 'window'");
	if (p->window % p->step != 0)
		return fail(c, NULL, "'window' must be a whole number of steps");
	if (p->window / p->step > 11000)
		return fail(c, NULL, "'window' holds more than 11000 steps, more "
		    "than Prometheus answers in one range query");
	if (get_string(c, root, "on_no_data", NULL, &s) != 0)
		return c->err->code;
	if (s == NULL || strcmp(s, "inconclusive") == 0)
		p->on_no_data = SLG_NODATA_INCONCLUSIVE;
	else if (strcmp(s, "fail") == 0)
		p->on_no_data = SLG_NODATA_FAIL;
	else
		return fail(c, NULL, "'on_no_data' must be \"inconclusive\" or "
		    "\"fail\", not '%s'", s);
	if (get_string(c, root, "on_no_baseline", NULL, &s) != 0)
		return c->err->code;
	if (s == NULL || strcmp(s, "inconclusive") == 0)
		p->on_no_baseline = SLG_NOBASE_INCONCLUSIVE;
	else if (strcmp(s, "skip") == 0)
		p->on_no_baseline = SLG_NOBASE_SKIP;
	else
		return fail(c, NULL, "'on_no_baseline' must be \"inconclusive\" "
		    "or \"skip\", not '%s'", s);
	p->min_coverage = 0.9;
	if (get_percent(c, root, "min_coverage", &p->min_coverage) != 0)
		return c->err->code;
	if (get_count(c, root, "fail_after", 1, &p->fail_after) != 0 ||
	    get_count(c, root, "error_limit", 3, &p->error_limit) != 0)
		return c->err->code;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "description")) != NULL &&
	    !cJSON_IsString(v))
		return fail(c, NULL, "'description' must be a string");
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "guard")) != NULL &&
	    parse_guard(c, v, p) != 0)
		return c->err->code;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "baseline")) != NULL &&
	    parse_baseline(c, v, NULL, &base) != 0)
		return c->err->code;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "score")) != NULL &&
	    parse_score(c, v, p) != 0)
		return c->err->code;

	v = cJSON_GetObjectItemCaseSensitive(root, "objectives");
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return fail(c, NULL, "needs 'objectives', a non-empty list");
	if (cJSON_GetArraySize(v) > MAX_OBJECTIVES)
		return fail(c, NULL, "more than %d objectives", MAX_OBJECTIVES);
	p->nobj = (size_t)cJSON_GetArraySize(v);
	if ((p->obj = calloc(p->nobj, sizeof(*p->obj))) == NULL)
		return fail(c, NULL, "out of memory");
	cJSON_ArrayForEach(it, v) {
		p->obj[i].baseline = base;	/* the objective may override */
		if (parse_objective(c, it, i, &p->obj[i]) != 0)
			return c->err->code;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(p->obj[j].name, p->obj[i].name) == 0)
				return fail(c, p->obj[i].name, "name used twice");
		}
		i++;
	}
	for (i = 0; i < p->nobj; i++) {
		const struct slg_objective *o = &p->obj[i];
		const char *fixed;

		/* coverage counts steps by rendering the lookback as one
		 * step: a lookback that does not follow ${range} would be
		 * counted as data wherever it reaches */
		if (p->min_coverage > 0 && !o->sustained &&
		    slg_objective_judged(o) &&
		    (fixed = slg_template_fixed_lookback(o->tmpl)) != NULL)
			return fail(c, o->name, "its query's lookback is fixed "
			    "at '%.12s': a windowed objective's query must look "
			    "back ${range} (or ${window}) only, so that its "
			    "coverage of the window can be measured; write the "
			    "range as a variable, or set \"min_coverage\": "
			    "\"0%%\"", fixed);
	}
	for (i = 0; i < p->nobj; i++) {
		if (slg_objective_judged(&p->obj[i]))
			return 0;
	}
	return fail(c, NULL, "no objective has 'pass' criteria, so nothing "
	    "would be judged");
}

int
slg_policy_parse(const char *json, size_t len, const char *name,
    const char *queries_dir, const char *datadir, struct slg_policy **out,
    struct slg_err *err)
{
	struct ctx c = { name, queries_dir, datadir, err, NULL };
	struct slg_policy *p = NULL;
	cJSON *root = NULL;
	int rc = 0;

	*out = NULL;
	if (len > SLG_POLICY_MAX_BYTES) {
		rc = fail(&c, NULL, "larger than %zu bytes", SLG_POLICY_MAX_BYTES);
		goto out;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->path = strdup(name)) == NULL ||
	    (p->source = malloc(len + 1)) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(p->source, json, len);
	p->source[len] = '\0';
	p->source_len = len;
	/* a NUL would cut a string short of what the file says */
	if (slg_json_check(json, len, "the file", err) != 0) {
		slg_err_prefix(err, "policy '%s'", name);
		if (err != NULL)
			err->code = SLG_EPOLICY;
		rc = SLG_EPOLICY;
		goto out;
	}
	if ((root = cJSON_ParseWithLength(json, len)) == NULL) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= json && at <= json + len ?
		    (size_t)(at - json) : 0;
		int line = 1;

		for (size_t i = 0; i < off; i++)
			line += json[i] == '\n';
		rc = fail(&c, NULL, "invalid JSON near line %d", line);
		goto out;
	}
	if ((rc = parse_root(&c, root, p)) != 0)
		goto out;
	*out = p;
	p = NULL;
out:
	cJSON_Delete(root);
	slg_policy_free(p);
	return rc;
}

int
slg_policy_load(const char *path, const char *queries_dir,
    const char *datadir, struct slg_policy **out, struct slg_err *err)
{
	struct slg_buf b = SLG_BUF_INIT;
	int rc;

	*out = NULL;
	/* an unreadable policy is a policy error, like a wrong one */
	if (slg_buf_read_file(&b, path, SLG_POLICY_MAX_BYTES, "policy",
	    err) != 0) {
		rc = err->code = SLG_EPOLICY;
		goto out;
	}
	rc = slg_policy_parse(b.data, b.len, path, queries_dir, datadir, out, err);
out:
	slg_buf_release(&b);
	return rc;
}

void
slg_policy_free(struct slg_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nobj; i++) {
		free(p->obj[i].name);
		free(p->obj[i].query);
		free(p->obj[i].tmpl);
	}
	free(p->obj);
	free(p->path);
	free(p->source);
	free(p->service);
	free(p->environment);
	free(p->guard_query);
	free(p->guard_tmpl);
	free(p);
}

int
slg_objective_judged(const struct slg_objective *o)
{
	return o->npass > 0 || o->nwarn > 0;
}

int
slg_objective_relative(const struct slg_objective *o)
{
	for (size_t i = 0; i < o->npass; i++) {
		if (o->pass[i].rel != SLG_REL_NONE)
			return 1;
	}
	for (size_t i = 0; i < o->nwarn; i++) {
		if (o->warn[i].rel != SLG_REL_NONE)
			return 1;
	}
	return 0;
}

const char *
slg_bsource_str(enum slg_bsource s)
{
	return bsources[s];
}

const char *
slg_bfilter_str(enum slg_bfilter f)
{
	return bfilters[f];
}

const char *
slg_aggregate_str(enum slg_aggregate a)
{
	return aggregates[a];
}

/* A value as criteria write it: 0.08, "80ms", "99.9%". */
static int
baseline_value(const cJSON *v, double *out)
{
	struct slg_criterion crit;
	char buf[64];

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return isfinite(*out) ? 0 : -1;
	}
	if (!cJSON_IsString(v) || snprintf(buf, sizeof(buf), "<= %s",
	    v->valuestring) >= (int)sizeof(buf) ||
	    slg_criterion_parse(buf, &crit, NULL) != 0 ||
	    crit.rel != SLG_REL_NONE)
		return -1;
	*out = crit.value;
	return 0;
}

int
slg_baseline_file_load(const char *path, struct slg_stored_baseline **rows,
    size_t *n, struct slg_err *err)
{
	static const char *const keys[] = { "service", "environment", "commit",
	    "objectives", NULL };
	struct ctx c = { path, NULL, NULL, err, "baseline file" };
	struct slg_buf b = SLG_BUF_INIT;
	struct slg_stored_baseline *list = NULL;
	const char *service, *env, *commit;
	const cJSON *objs, *it;
	cJSON *root = NULL;
	size_t cnt = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if ((rc = slg_buf_read_file(&b, path, SLG_POLICY_MAX_BYTES,
	    "baseline file", err)) != 0)
		goto out;
	if (slg_json_check(b.data, b.len, "the file", err) != 0) {
		slg_err_prefix(err, "baseline file '%s'", path);
		rc = SLG_EPOLICY;
		if (err != NULL)
			err->code = rc;
		goto out;
	}
	if ((root = cJSON_ParseWithLength(b.data, b.len)) == NULL ||
	    !cJSON_IsObject(root)) {
		rc = slg_err_set(err, SLG_EPOLICY, "baseline file '%s': not a "
		    "JSON object", path);
		goto out;
	}
	if ((rc = check_keys(&c, root, keys, NULL, NULL)) != 0 ||
	    (rc = get_string(&c, root, "service", NULL, &service)) != 0 ||
	    (rc = get_string(&c, root, "environment", NULL, &env)) != 0 ||
	    (rc = get_string(&c, root, "commit", NULL, &commit)) != 0)
		goto out;
	objs = cJSON_GetObjectItemCaseSensitive(root, "objectives");
	if (service == NULL || env == NULL || !good_label(service) ||
	    !good_label(env) || !cJSON_IsObject(objs) ||
	    cJSON_GetArraySize(objs) == 0) {
		rc = slg_err_set(err, SLG_EPOLICY, "baseline file '%s': needs "
		    "'service', 'environment' and a non-empty 'objectives' "
		    "object", path);
		goto out;
	}
	if ((list = calloc((size_t)cJSON_GetArraySize(objs),
	    sizeof(*list))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = check_keys(&c, objs, NULL, NULL, NULL)) != 0)
		goto out;
	cJSON_ArrayForEach(it, objs) {
		struct slg_stored_baseline *r = &list[cnt++];

		if (!good_name(it->string) || baseline_value(it, &r->value) != 0) {
			rc = slg_err_set(err, SLG_EPOLICY, "baseline file '%s': "
			    "objective '%s': want a number, a percentage or a "
			    "duration", path, it->string);
			goto out;
		}
		r->service = strdup(service);
		r->environment = strdup(env);
		r->objective = strdup(it->string);
		r->source_commit = slg_strdup(commit);
		if (!r->service || !r->environment || !r->objective ||
		    (commit && !r->source_commit)) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
	}
	*rows = list;
	*n = cnt;
	list = NULL;
out:
	for (size_t i = 0; list != NULL && i < cnt; i++)
		slg_stored_baseline_release(&list[i]);
	free(list);
	cJSON_Delete(root);
	slg_buf_release(&b);
	return rc;
}

static void
inline_query(cJSON *o, const char *tmpl)
{
	if (cJSON_GetObjectItemCaseSensitive(o, "query") == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "query");
	cJSON_AddStringToObject(o, "promql", tmpl);
}

int
slg_policy_inlined(const struct slg_policy *p, char **out, struct slg_err *err)
{
	cJSON *root = cJSON_ParseWithLength(p->source, p->source_len), *it;
	size_t i = 0;

	*out = NULL;
	if (root == NULL)
		return slg_err_set(err, SLG_EPOLICY, "policy '%s': invalid JSON",
		    p->path);
	if (p->has_guard)
		inline_query(cJSON_GetObjectItemCaseSensitive(root, "guard"),
		    p->guard_tmpl);
	/* objectives are in the file's order, as parse_root read them */
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root,
	    "objectives")) {
		if (i < p->nobj)
			inline_query(it, p->obj[i++].tmpl);
	}
	*out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *out ? 0 : slg_err_set(err, SLG_ENOMEM, "out of memory");
}
