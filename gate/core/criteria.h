/* criteria: "OP VALUE" thresholds ("<= 120ms", ">= 99.95%", "<= +10%") and
 * whether a value meets them. Must not do I/O. */
#ifndef SLG_CRITERIA_H
#define SLG_CRITERIA_H

#include <stddef.h>

#include "util/err.h"

enum slg_op { SLG_OP_LT, SLG_OP_LE, SLG_OP_GT, SLG_OP_GE };

enum slg_rel {
	SLG_REL_NONE,	/* absolute threshold */
	SLG_REL_PCT,	/* percent of the baseline: "<= +10%" */
	SLG_REL_DELTA	/* difference from the baseline: "<= +0.02", "<= +20ms" */
};

/* How values compared with a criterion are best shown to a person. */
enum slg_unit { SLG_UNIT_NUMBER, SLG_UNIT_RATIO, SLG_UNIT_SECONDS };

struct slg_criterion {
	enum slg_op op;
	enum slg_rel rel;
	enum slg_unit unit;	/* RATIO for "99.9%", SECONDS for "120ms" */
	double value;		/* threshold, or percent / delta when relative */
	char text[48];		/* as written, trimmed */
};

/* Parses one criterion. Gives SLG_EPOLICY with a message naming the problem. */
int slg_criterion_parse(const char *s, struct slg_criterion *out,
    struct slg_err *err);

/* The threshold a value is compared with: value itself when absolute, else
 * derived from baseline. */
double slg_criterion_threshold(const struct slg_criterion *c, double baseline);

/* 1 when v meets c. A relative criterion with no baseline holds and sets
 * *skipped (when not NULL). NaN and the infinities never meet anything. */
int slg_criterion_holds(const struct slg_criterion *c, double v,
    int has_baseline, double baseline, int *skipped);

/* "<", "<=", ">", ">=". */
const char *slg_op_str(enum slg_op op);

/* Writes v for a person: "99.95%" for a ratio, "120ms" or "1.5s" for
 * seconds, else up to 6 significant digits; "no data" for NaN. */
void slg_value_format(double v, enum slg_unit unit, char *out, size_t n);

/* A finite v as the shortest text (up to 17 significant digits) that
 * reads back as exactly v, for machines: JSON, CSV. */
void slg_number_format(double v, char *out, size_t n);

/* As slg_value_format, with as many more significant digits (up to 17)
 * as it takes for the text, read back as a criterion would read it, to
 * fall on the same side of each of the n thresholds as v: a value that
 * misses ">= 99.95%" never reads "99.95%" (0.9994999999999999 reads
 * "99.94999999999999%"). */
void slg_value_format_exact(double v, enum slg_unit unit,
    const double *thresholds, size_t n, char *out, size_t len);

/* 1 when a larger value is better for this operator (> and >=). */
int slg_op_higher_is_better(enum slg_op op);

#endif
