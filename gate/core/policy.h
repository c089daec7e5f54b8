/* policy: reads an SLO policy (JSON) and its PromQL templates into structs,
 * checking every key. Must not do network or database I/O. */
#ifndef SLG_POLICY_H
#define SLG_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/criteria.h"
#include "util/err.h"
#include "core/verdict.h"

#define SLG_MAX_CRITERIA 8
#define SLG_POLICY_MAX_BYTES ((size_t)1 << 20)
#define SLG_TEMPLATE_MAX_BYTES ((size_t)64 << 10)

enum slg_nodata { SLG_NODATA_INCONCLUSIVE, SLG_NODATA_FAIL };

/* What a relative criterion means when there is no baseline. */
enum slg_nobase {
	SLG_NOBASE_INCONCLUSIVE,	/* nothing judged: no data */
	SLG_NOBASE_SKIP			/* skipped, and the output says so */
};

/* Where a relative criterion's baseline comes from. */
enum slg_bsource {
	SLG_BASE_STORED,	/* set by a person or a pipeline */
	SLG_BASE_PREVIOUS,	/* the last N verdicts of the service */
	SLG_BASE_ANCESTOR	/* the nearest first-parent ancestors' verdicts */
};

enum slg_bfilter { SLG_BFILTER_PASS, SLG_BFILTER_PASS_OR_WARN };

enum slg_aggregate {
	SLG_AGG_AVG, SLG_AGG_P50, SLG_AGG_P90, SLG_AGG_P95, SLG_AGG_MIN,
	SLG_AGG_MAX
};

struct slg_baseline_spec {
	enum slg_bsource source;
	int results;			/* N verdicts (previous, ancestor) */
	enum slg_bfilter filter;
	enum slg_aggregate aggregate;
};

struct slg_objective {
	char *name;
	char *query;		/* template name, NULL when given inline */
	char *tmpl;		/* the template text */
	int sustained;
	struct slg_criterion pass[SLG_MAX_CRITERIA];
	size_t npass;
	struct slg_criterion warn[SLG_MAX_CRITERIA];
	size_t nwarn;
	struct slg_baseline_spec baseline;	/* the policy's unless its own */
	double weight;		/* for scoring; default 1 */
	int key;		/* failing it fails the gate whatever the score */
};

struct slg_policy {
	char *path;		/* as given, for messages and the record */
	char *source;		/* the file's bytes, for its digest */
	size_t source_len;
	char *service;
	char *environment;
	int64_t window;		/* seconds */
	int64_t step;		/* seconds */
	int has_guard;
	char *guard_query;	/* template name or NULL */
	char *guard_tmpl;
	double guard_min;
	enum slg_nodata on_no_data;
	enum slg_nobase on_no_baseline;
	double min_coverage;	/* share of a windowed objective's steps
				 * that must hold data; 0: not measured */
	int fail_after;		/* consecutive failed points that fail a
				 * sustained objective; default 1 */
	int error_limit;	/* polls in a row that erred end a wait */
	int has_score;		/* score instead of "the worst decides" */
	double score_pass;	/* ratios: 0.9 for "90%" */
	double score_warn;
	struct slg_objective *obj;
	size_t nobj;
};

/* Reads and checks the policy at path. Templates named by "query" are read
 * from queries_dir when it is not NULL, else from the first of
 * POLICYDIR/queries, POLICYDIR/../queries, ./queries and datadir/queries
 * (datadir may be NULL) that has the file. *out is the caller's
 * (slg_policy_free). Gives SLG_EPOLICY or SLG_EIO, message naming the file,
 * the objective and the problem. */
int slg_policy_load(const char *path, const char *queries_dir,
    const char *datadir, struct slg_policy **out, struct slg_err *err);

/* As slg_policy_load, for a policy already in memory; name stands for the
 * file in messages. */
int slg_policy_parse(const char *json, size_t len, const char *name,
    const char *queries_dir, const char *datadir, struct slg_policy **out,
    struct slg_err *err);

void slg_policy_free(struct slg_policy *p);

/* 1 when the objective has pass or warn criteria (is judged). */
int slg_objective_judged(const struct slg_objective *o);

/* 1 when any criterion of the objective is relative to a baseline. */
int slg_objective_relative(const struct slg_objective *o);

/* Reads a baseline file, the shape of a slo-baseline.json:
 * {"service": S, "environment": E, "commit": SHA (optional),
 *  "objectives": {"latency_p95": 0.080, "availability": "99.95%", ...}}.
 * Values are numbers, percentages or durations. Fills service,
 * environment, objective, value and source_commit of each row; *rows is
 * the caller's. Gives SLG_EPOLICY naming the file and the problem, SLG_EIO
 * when it cannot be read. */
int slg_baseline_file_load(const char *path, struct slg_stored_baseline **rows,
    size_t *n, struct slg_err *err);

/* The policy's JSON with every "query" replaced by its template as
 * "promql", so a service without this repository's queries/ can evaluate
 * it. *out is the caller's. */
int slg_policy_inlined(const struct slg_policy *p, char **out,
    struct slg_err *err);

/* Names as the policy writes them: "stored", "pass_or_warn", "p95"... */
const char *slg_bsource_str(enum slg_bsource s);
const char *slg_bfilter_str(enum slg_bfilter f);
const char *slg_aggregate_str(enum slg_aggregate a);

#endif
