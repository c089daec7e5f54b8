/* fuzz_jsonin: the input as the service's answer to each reader of
 * jsonin (what the CLI's remote mode reads), and what was read written
 * again with every report writer, as the CLI prints it. A verdict read
 * must be written as JSON that reads back as the same verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report/jsonin.h"
#include "report/report.h"
#include "same.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Writes the list with every writer that takes one. */
static void
write_list(FILE *f, struct slg_verdict *const *list, size_t n)
{
	slg_report_show_text(f, list, n);
	slg_report_history_text(f, list, n);
	slg_report_history_csv(f, list, n);
	slg_report_history_json(f, list, n);
	slg_report_verdict_page_json(f, list, n, "/api/v1/verdicts?before=1");
}

/* Writes v with every verdict writer; its JSON must read back. */
static void
write_verdict(FILE *f, const struct slg_verdict *v)
{
	struct slg_verdict *again = NULL;
	struct slg_err err = { 0, "" };
	const char *why;
	char *json = NULL;
	size_t len = 0;
	FILE *j;

	slg_report_text(f, v, "fuzz.db");
	slg_report_junit(f, v);
	slg_report_dotenv(f, v);
	write_list(f, (struct slg_verdict *const *)&v, 1);
	if ((j = open_memstream(&json, &len)) == NULL)
		abort();
	slg_report_json(j, v);
	fclose(j);
	if (slg_jsonin_verdict(json, len, &again, &err) != 0) {
		fprintf(stderr, "fuzz_jsonin: a verdict written as JSON does "
		    "not read back: %s\n%s\n", err.msg, json);
		abort();
	}
	if ((why = same_verdict(v, again)) != NULL) {
		fprintf(stderr, "fuzz_jsonin: a verdict written as JSON reads "
		    "back with another %s\n%s\n", why, json);
		abort();
	}
	slg_verdict_free(again);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct slg_err err = { 0, "" };
	struct slg_verdict *v = NULL, **list = NULL;
	struct slg_approval *a = NULL, one;
	struct slg_stored_baseline *b = NULL;
	struct slg_status_report rep = { 0 };
	struct slg_watch w;
	char *reason = NULL, *msg;
	size_t n = 0;
	int promote, kind;
	FILE *f;

	if ((f = fopen("/dev/null", "w")) == NULL)
		abort();

	if (slg_jsonin_verdict(json, size, &v, &err) == 0)
		write_verdict(f, v);
	slg_verdict_free(v);
	v = NULL;

	if (slg_jsonin_verdicts(json, size, &list, &n, &err) == 0)
		write_list(f, list, n);
	for (size_t i = 0; i < n; i++)
		slg_verdict_free(list[i]);
	free(list);

	if (slg_jsonin_status(json, size, &promote, &reason, &v, &a,
	    &err) == 0) {
		rep.commit = v ? v->commit : "0123abcd";
		rep.service = "svc";
		rep.environment = "env";
		rep.promote = promote;
		rep.reason = reason ? reason : "";
		rep.verdict = v;
		rep.approval = a;
		slg_report_status_text(f, &rep);
		slg_report_status_json(f, &rep);
		if (v != NULL)
			write_verdict(f, v);
	}
	if (a != NULL)
		slg_approval_release(a);
	free(a);
	free(reason);
	slg_verdict_free(v);
	v = NULL;

	if (slg_jsonin_approval(json, size, &one, &kind, &err) == 0) {
		slg_report_approval_json(f, &one, NULL);
		(void)slg_verdict_str(kind);
	}
	slg_approval_release(&one);

	n = 0;
	if (slg_jsonin_baselines(json, size, &b, &n, &err) == 0) {
		slg_report_baselines_text(f, b, n);
		slg_report_baselines_json(f, b, n);
	}
	for (size_t i = 0; i < n; i++)
		slg_stored_baseline_release(&b[i]);
	free(b);

	if (slg_jsonin_evaluation(json, size, &w, &v, &err) == 0) {
		if (v != NULL)
			write_verdict(f, v);
		else
			slg_report_watch_json(f, &w);
	}
	slg_watch_release(&w);
	slg_verdict_free(v);

	if ((msg = slg_jsonin_error(json, size)) != NULL)
		fprintf(f, "%s\n", msg);
	free(msg);
	fclose(f);
	return 0;
}
