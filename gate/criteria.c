/* criteria: thresholds and whether a value meets them. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criteria.h"

/* The number written at [a, b) divided by 10^digits, as the double nearest
 * to the decimal value: "99.9%" must equal 0.999 exactly as Prometheus's
 * 0.999 does, which v / 100 does not (0.9990000000000001). */
static double
scaled(const char *a, const char *b, double v, int digits)
{
	char buf[64];
	char *end;
	double r;

	if (b - a > 40 || memchr(a, 'e', (size_t)(b - a)) ||
	    memchr(a, 'E', (size_t)(b - a)))
		return v / (digits == 2 ? 100.0 : 1000.0);
	snprintf(buf, sizeof(buf), "%.*se-%d", (int)(b - a), a, digits);
	r = strtod(buf, &end);
	return *end == '\0' ? r : v / (digits == 2 ? 100.0 : 1000.0);
}

int
slg_criterion_parse(const char *s, struct slg_criterion *out,
    struct slg_err *err)
{
	const char *p = s, *start, *end, *num_at, *unit_at;
	char *num_end;
	double v, unit = 1;
	int pct = 0;
	size_t n;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*p))
		p++;
	start = p;
	end = p + strlen(p);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	if (n == 0)
		return slg_err_set(err, SLG_EPOLICY, "empty criterion");
	if (n >= sizeof(out->text))
		return slg_err_set(err, SLG_EPOLICY, "criterion '%.40s...' is too long", start);
	memcpy(out->text, start, n);
	out->text[n] = '\0';

	if (strncmp(p, "<=", 2) == 0) {
		out->op = SLG_OP_LE;
		p += 2;
	} else if (strncmp(p, ">=", 2) == 0) {
		out->op = SLG_OP_GE;
		p += 2;
	} else if (*p == '<' && p[1] != '>') {
		out->op = SLG_OP_LT;
		p++;
	} else if (*p == '>' && p[1] != '<') {
		out->op = SLG_OP_GT;
		p++;
	} else {
		char op[4] = {0};

		for (int i = 0; i < 2 && p[i] && !isdigit((unsigned char)p[i]) &&
		    !isspace((unsigned char)p[i]); i++)
			op[i] = p[i];
		if (op[0] == '\0')
			return slg_err_set(err, SLG_EPOLICY, "criterion '%s' has "
			    "no operator (want one of < <= > >= before the "
			    "value)", out->text);
		return slg_err_set(err, SLG_EPOLICY,
		    "unknown operator '%s' in '%s' (want one of < <= > >=)",
		    op, out->text);
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		out->rel = SLG_REL_DELTA;	/* a sign makes it relative */
	if (!(isdigit((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
		return slg_err_set(err, SLG_EPOLICY,
		    "criterion '%s' has no number after the operator", out->text);
	errno = 0;
	num_at = p;
	v = strtod(p, &num_end);
	if (num_end == p || errno != 0 || !isfinite(v))
		return slg_err_set(err, SLG_EPOLICY,
		    "criterion '%s' has a bad number", out->text);
	p = num_end;
	while (*p == ' ')
		p++;
	unit_at = p;
	if (*p == '%') {
		pct = 1;
		p++;
	} else if (strncmp(p, "ms", 2) == 0) {
		unit = 0.001;
		p += 2;
	} else if (*p == 's') {
		p++;
	} else if (*p == 'm') {
		unit = 60;
		p++;
	} else if (*p == 'h') {
		unit = 3600;
		p++;
	} else {
		unit = 0;	/* a plain number */
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' && p < end)
		return slg_err_set(err, SLG_EPOLICY,
		    "criterion '%s' has an unknown unit '%.*s' (want %%, ms, s, m, "
		    "h or none)", out->text, (int)(end - unit_at), unit_at);
	if (out->rel != SLG_REL_NONE && pct) {
		out->rel = SLG_REL_PCT;
		out->value = v;
	} else if (pct) {
		out->value = scaled(num_at, num_end, v, 2);
		out->unit = SLG_UNIT_RATIO;
	} else if (unit == 0.001) {
		out->value = scaled(num_at, num_end, v, 3);
		out->unit = SLG_UNIT_SECONDS;
	} else {
		out->value = v * (unit ? unit : 1);
		out->unit = unit ? SLG_UNIT_SECONDS : SLG_UNIT_NUMBER;
	}
	return 0;
}

double
slg_criterion_threshold(const struct slg_criterion *c, double baseline)
{
	switch (c->rel) {
	case SLG_REL_PCT:
		return baseline * (1.0 + c->value / 100.0);
	case SLG_REL_DELTA:
		return baseline + c->value;
	case SLG_REL_NONE:
		break;
	}
	return c->value;
}

int
slg_criterion_holds(const struct slg_criterion *c, double v,
    int has_baseline, double baseline, int *skipped)
{
	double t;

	if (c->rel != SLG_REL_NONE && !has_baseline) {
		if (skipped != NULL)
			*skipped = 1;
		return !isnan(v);
	}
	if (isnan(v))
		return 0;
	t = slg_criterion_threshold(c, baseline);
	switch (c->op) {
	case SLG_OP_LT:
		return v < t;
	case SLG_OP_LE:
		return v <= t;
	case SLG_OP_GT:
		return v > t;
	case SLG_OP_GE:
		return v >= t;
	}
	return 0;
}

const char *
slg_op_str(enum slg_op op)
{
	static const char *s[] = { "<", "<=", ">", ">=" };

	return s[op];
}

int
slg_op_higher_is_better(enum slg_op op)
{
	return op == SLG_OP_GT || op == SLG_OP_GE;
}

void
slg_value_format(double v, enum slg_unit unit, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "no data");
	} else if (isinf(v)) {
		snprintf(out, n, "%s", v > 0 ? "+Inf" : "-Inf");
	} else if (unit == SLG_UNIT_RATIO) {
		snprintf(out, n, "%.6g%%", v * 100.0);
	} else if (unit == SLG_UNIT_SECONDS) {
		if (fabs(v) < 1.0)
			snprintf(out, n, "%.4gms", v * 1000.0);
		else
			snprintf(out, n, "%.4gs", v);
	} else {
		snprintf(out, n, "%.6g", v);
	}
}
