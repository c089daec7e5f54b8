/* criteria: thresholds and whether a value meets them. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/criteria.h"

/* The number written at [a, b) divided by 10^digits, as the double nearest
 * to the decimal value: "99.9%" must equal 0.999 exactly as Prometheus's
 * 0.999 does, which v / 100 does not (0.9990000000000001). An exponent
 * takes the division ("9.99e1%" is 9.99e-1), so it is exact too. */
static double
scaled(const char *a, const char *b, double v, int digits)
{
	const char *x = a;
	char buf[64];
	char *end;
	long exp10 = 0;
	double r;

	while (x < b && *x != 'e' && *x != 'E')
		x++;
	if (b - a > 40)
		return v / (digits == 2 ? 100.0 : 1000.0);
	if (x < b) {
		/* at most 40 digits: strtod read the exponent already */
		exp10 = strtol(x + 1, &end, 10);
		if (end != b || exp10 < -1000 || exp10 > 1000)
			return v / (digits == 2 ? 100.0 : 1000.0);
	}
	snprintf(buf, sizeof(buf), "%.*se%ld", (int)(x - a), a, exp10 - digits);
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
	/* the text is printed where people read it: one line, no controls
	 * (white space around it is trimmed) */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f)
			return slg_err_set(err, SLG_EPOLICY, "criterion holds a "
			    "control character at byte %zu", i);
	}
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
	/* decimal only: strtod also reads hex ("0x1p4" is 16) */
	if (num_end == p || errno != 0 || !isfinite(v) ||
	    strspn(p, "0123456789.eE+-") < (size_t)(num_end - p))
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
	/* "1e308h" is past the doubles in seconds: no threshold at all */
	if (!isfinite(out->value))
		return slg_err_set(err, SLG_EPOLICY,
		    "criterion '%s' has a bad number", out->text);
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

	/* an infinity is no measurement: it meets no threshold, -Inf not
	 * even "<= 120ms" */
	if (!isfinite(v))
		return 0;
	if (c->rel != SLG_REL_NONE && !has_baseline) {
		if (skipped != NULL)
			*skipped = 1;
		return 1;
	}
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

/* v with sig significant digits, its decimal point moved shift places
 * to the right ("0.9995", 2 -> "99.95"): moving digits in the text is
 * exact, where v * 100 would round. Trailing zeros are dropped. */
static void
shifted(double v, int sig, int shift, char *out, size_t n)
{
	char e[64], digits[32], *p, *x;
	size_t nd = 0, o = 0;
	int exp10;

	if (v == 0) {
		snprintf(out, n, "0");
		return;
	}
	snprintf(e, sizeof(e), "%.*e", sig - 1, v);
	p = e + (*e == '-');
	x = strchr(p, 'e');
	if (x == NULL)
		goto plain;
	for (char *q = p; q < x && nd < sizeof(digits) - 1; q++) {
		if (isdigit((unsigned char)*q))
			digits[nd++] = *q;
	}
	digits[nd] = '\0';
	exp10 = atoi(x + 1) + shift;	/* the point after digit exp10 */
	if (*e == '-' && o + 1 < n)
		out[o++] = '-';
	if (exp10 < -4 || exp10 >= sig) {
		/* as %g does: an exponent where zeros would pad the digits */
		while (nd > 1 && digits[nd - 1] == '0')
			digits[--nd] = '\0';
		snprintf(out + o, n - o, "%c%s%se%c%02d", digits[0],
		    nd > 1 ? "." : "", digits + 1, exp10 < 0 ? '-' : '+',
		    abs(exp10));
		return;
	}
	if (exp10 < 0) {
		for (int i = 0; i < 2 && o + 1 < n; i++)
			out[o++] = "0."[i];
		for (int i = 0; i < -exp10 - 1 && o + 1 < n; i++)
			out[o++] = '0';
		for (size_t i = 0; i < nd && o + 1 < n; i++)
			out[o++] = digits[i];
	} else {
		for (int i = 0; i <= exp10 && o + 1 < n; i++)
			out[o++] = (size_t)i < nd ? digits[i] : '0';
		if ((size_t)exp10 + 1 < nd && o + 1 < n) {
			out[o++] = '.';
			for (size_t i = (size_t)exp10 + 1; i < nd && o + 1 < n; i++)
				out[o++] = digits[i];
		}
	}
	out[o] = '\0';
	if (strchr(out, '.') != NULL) {
		while (o > 0 && out[o - 1] == '0')
			out[--o] = '\0';
		if (o > 0 && out[o - 1] == '.')
			out[--o] = '\0';
	}
	return;
plain:
	snprintf(out, n, "%.*g", sig, v * (shift == 2 ? 100.0 : shift == 3 ?
	    1000.0 : 1.0));
}

/* Writes v with sig significant digits, in its unit. */
static void
format_sig(double v, enum slg_unit unit, int sig, char *out, size_t n)
{
	char num[48];

	if (unit == SLG_UNIT_RATIO) {
		shifted(v, sig, 2, num, sizeof(num));
		snprintf(out, n, "%s%%", num);
	} else if (unit == SLG_UNIT_SECONDS && fabs(v) < 1.0) {
		shifted(v, sig, 3, num, sizeof(num));
		snprintf(out, n, "%sms", num);
	} else if (unit == SLG_UNIT_SECONDS) {
		shifted(v, sig, 0, num, sizeof(num));
		snprintf(out, n, "%ss", num);
	} else {
		shifted(v, sig, 0, num, sizeof(num));
		snprintf(out, n, "%s", num);
	}
}

void
slg_number_format(double v, char *out, size_t n)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

void
slg_value_format(double v, enum slg_unit unit, char *out, size_t n)
{
	slg_value_format_exact(v, unit, NULL, 0, out, n);
}

static int
side(double a, double b)
{
	return (a > b) - (a < b);
}

void
slg_value_format_exact(double v, enum slg_unit unit,
    const double *thresholds, size_t n, char *out, size_t len)
{
	int sig = unit == SLG_UNIT_SECONDS ? 4 : 6;

	if (isnan(v)) {
		snprintf(out, len, "no data");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (;; sig++) {
		struct slg_criterion c;
		char crit[80];
		int same = 1;

		format_sig(v, unit, sig, out, len);
		if (sig >= 17 || n == 0)
			return;
		/* what a person reading the text would take it for (a
		 * sign would make the criterion relative: read it apart) */
		snprintf(crit, sizeof(crit), "<= %s", out + (*out == '-'));
		if (slg_criterion_parse(crit, &c, NULL) != 0)
			return;
		if (*out == '-')
			c.value = -c.value;
		for (size_t i = 0; i < n && same; i++)
			same = isnan(thresholds[i]) ||
			    side(c.value, thresholds[i]) == side(v, thresholds[i]);
		if (same)
			return;
	}
}
