/* test_report: what the writers print of values and outside text: exact
 * numbers where machines read, escaped text where people do, XML a
 * parser accepts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "testutil.h"

/* A failing verdict whose value is just below its threshold and whose
 * texts come from outside. */
static struct slg_verdict *
verdict(void)
{
	struct slg_verdict *v = calloc(1, sizeof(*v));
	struct slg_objective_result *o;

	assert_non_null(v);
	v->id = 7;
	v->verdict = SLG_V_FAIL;
	v->reason = strdup("availability: 99.94999999999999% misses >= 99.95%");
	v->service = strdup("pay");
	v->environment = strdup("staging");
	v->commit = strdup("cccccccccccccccccccccccccccccccccccccccc");
	v->branch = strdup("main\n\x1b[32mverdict: pass");
	v->build_time = v->evaluated_at = 1795677720;
	v->window_start = 1795675920;
	v->window_end = 1795677720;
	v->step = 60;
	v->policy_path = strdup("p.json");
	v->policy_digest = strdup("0123456789abcdef0123456789abcdef01234567");
	v->prometheus_url = strdup("http://127.0.0.1:9090");
	v->version = strdup("0.1.0");
	v->guard_value = NAN;
	v->nobj = 1;
	v->obj = calloc(1, sizeof(*v->obj));
	assert_non_null(v->obj);
	o = &v->obj[0];
	o->name = strdup("availability");
	o->promql = strdup("sum(rate(ok[30m])) / sum(rate(all[30m]))");
	o->judged = 1;
	o->unit = SLG_UNIT_RATIO;
	o->pass_text = strdup(">= 99.95%");
	o->status = SLG_ST_FAIL;
	o->value = 0.9994999999999999;
	o->value_at = 1795677720;
	o->baseline = NAN;
	o->weight = 1;
	o->detail = strdup("prometheus said \xef\xbf\xbf and \x1b[2J");
	return v;
}

static char *
written(int (*w)(FILE *, const struct slg_verdict *),
    const struct slg_verdict *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(w(f, v), 0);
	fclose(f);
	return buf;
}

static int
csv(FILE *f, const struct slg_verdict *v)
{
	struct slg_verdict *const list[] = { (struct slg_verdict *)v };

	return slg_report_history_csv(f, list, 1);
}

static int
text(FILE *f, const struct slg_verdict *v)
{
	return slg_report_text(f, v, "t.db");
}

static void
test_csv_has_the_exact_value(void **state)
{
	struct slg_verdict *v = verdict();
	char *out = written(csv, v);

	(void)state;
	/* not 0.9995, which reads as meeting >= 99.95% */
	assert_contains(out, ",0.9994999999999999\r\n");
	/* the branch on one line, its controls written out */
	assert_contains(out, "main\\n\\x1b[32mverdict: pass");
	assert_null(strchr(out, '\x1b'));
	free(out);
	slg_verdict_free(v);
}

static void
test_text_is_escaped(void **state)
{
	struct slg_verdict *v = verdict();
	char *out = written(text, v);

	(void)state;
	assert_contains(out, "99.94999999999999%");
	assert_contains(out, "(main\\n\\x1b[32mverdict: pass)");
	assert_contains(out, "prometheus said \\uffff and \\x1b[2J");
	assert_null(strchr(out, '\x1b'));
	free(out);
	slg_verdict_free(v);
}

static void
test_junit_is_xml(void **state)
{
	struct slg_verdict *v = verdict();
	char *out = written(slg_report_junit, v);

	(void)state;
	/* U+FFFF and ESC are not allowed in XML 1.0: written out */
	assert_null(strstr(out, "\xef\xbf\xbf"));
	assert_null(strchr(out, '\x1b'));
	assert_contains(out, "prometheus said \\uffff and \\x1b[2J");
	free(out);
	slg_verdict_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_has_the_exact_value),
		cmocka_unit_test(test_text_is_escaped),
		cmocka_unit_test(test_junit_is_xml),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
