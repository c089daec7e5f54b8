/* report: writers of a verdict, one per format (report_<fmt>.c), over the
 * one verdict struct. Must not fetch anything or decide anything. */
#ifndef SLG_REPORT_H
#define SLG_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/verdict.h"

/* The table a person reads in a CI log. where names the database, for the
 * "recorded as" line (NULL to leave it out). */
int slg_report_text(FILE *f, const struct slg_verdict *v, const char *where);

/* History: one line per verdict, objectives as columns. */
int slg_report_history_text(FILE *f, struct slg_verdict *const *list, size_t n);

/* History as CSV (RFC 4180): one row per verdict, objectives as columns. */
int slg_report_history_csv(FILE *f, struct slg_verdict *const *list, size_t n);

/* Everything recorded for verdicts (slogate show): objectives with their
 * PromQL and window, baselines and where they came from, approvals. */
int slg_report_show_text(FILE *f, struct slg_verdict *const *list, size_t n);

/* The promotion decision of slogate status, one line or one object. */
struct slg_status_report {
	const char *commit;
	const char *service;
	const char *environment;
	int promote;			/* 1: may be promoted */
	const char *reason;
	const struct slg_verdict *verdict;	/* the latest, or NULL */
	const struct slg_approval *approval;	/* the one that allowed, or NULL */
};
int slg_report_status_text(FILE *f, const struct slg_status_report *s);
int slg_report_status_json(FILE *f, const struct slg_status_report *s);

/* Stored baselines, as a table or a JSON array. */
int slg_report_baselines_text(FILE *f, const struct slg_stored_baseline *b,
    size_t n);
int slg_report_baselines_json(FILE *f, const struct slg_stored_baseline *b,
    size_t n);

/* An approval; with the verdict it overrides when not NULL. */
int slg_report_approval_json(FILE *f, const struct slg_approval *a,
    const struct slg_verdict *overrides);

/* {"verdicts": [...], "next": next} for the API's paged lists. */
int slg_report_verdict_page_json(FILE *f, struct slg_verdict *const *list,
    size_t n, const char *next);

/* The audit trail, newest first: a table, or {"entries": [...], "next"};
 * and what `audit verify` found. */
int slg_report_audit_text(FILE *f, const struct slg_audit_entry *e,
    size_t n);
int slg_report_audit_json(FILE *f, const struct slg_audit_entry *e,
    size_t n, const char *next);
int slg_report_audit_check_text(FILE *f, const struct slg_audit_check *c);
int slg_report_audit_check_json(FILE *f, const struct slg_audit_check *c);

/* {"error": error, "detail": detail}. */
int slg_report_error_json(FILE *f, const char *error, const char *detail);

/* One JSON object (pretty printed), or an array of them. */
int slg_report_json(FILE *f, const struct slg_verdict *v);
int slg_report_history_json(FILE *f, struct slg_verdict *const *list, size_t n);
/* A watched evaluation still running: {"id", "state": "running", ...,
 * "polls", "progress"}. */
int slg_report_watch_json(FILE *f, const struct slg_watch *w);

/* JUnit XML: one test case per objective (and the guard). */
int slg_report_junit(FILE *f, const struct slg_verdict *v);

/* SLOGATE_VERDICT=..., SLOGATE_VERDICT_ID=... lines for later CI jobs. */
int slg_report_dotenv(FILE *f, const struct slg_verdict *v);

#endif
