/* jsonin: reads back the JSON that report_json writes (verdicts,
 * approvals, baselines, the status decision), for the CLI's remote mode.
 * Must not do I/O. */
#ifndef SLG_JSONIN_H
#define SLG_JSONIN_H

#include <stddef.h>

#include "util/err.h"
#include "core/verdict.h"

/* A verdict object, or an array of them (*n set). *out is the caller's.
 * Gives SLG_EPARSE naming what is missing. */
int slg_jsonin_verdict(const char *json, size_t len, struct slg_verdict **out,
    struct slg_err *err);
int slg_jsonin_verdicts(const char *json, size_t len,
    struct slg_verdict ***out, size_t *n, struct slg_err *err);

/* The object of slg_report_status_json: promote, reason, and the verdict
 * and approval when present (NULL otherwise; caller frees both). */
int slg_jsonin_status(const char *json, size_t len, int *promote,
    char **reason, struct slg_verdict **verdict, struct slg_approval **approval,
    struct slg_err *err);

/* An approval object; out is the caller's (slg_approval_release).
 * *overrides (when not NULL) is the kind of the verdict it overrides, or
 * -1 when the answer does not say. */
int slg_jsonin_approval(const char *json, size_t len, struct slg_approval *out,
    int *overrides, struct slg_err *err);

/* An array of baseline objects. */
int slg_jsonin_baselines(const char *json, size_t len,
    struct slg_stored_baseline **out, size_t *n, struct slg_err *err);

/* An evaluation: a running watch (w->running set, *v NULL) or its
 * verdict (*v, the caller's). w is the caller's (slg_watch_release). */
int slg_jsonin_evaluation(const char *json, size_t len, struct slg_watch *w,
    struct slg_verdict **v, struct slg_err *err);

/* {"entries": [...]} of GET /api/v1/audit, and what audit/verify found.
 * *out is the caller's (free each with slg_audit_entry_release). */
int slg_jsonin_audit(const char *json, size_t len,
    struct slg_audit_entry **out, size_t *n, struct slg_err *err);
int slg_jsonin_audit_check(const char *json, size_t len,
    struct slg_audit_check *c, struct slg_err *err);

/* The "error" and "detail" of an error answer, as one message; NULL when
 * the text is not such an answer. Caller frees. */
char *slg_jsonin_error(const char *json, size_t len);

#endif
