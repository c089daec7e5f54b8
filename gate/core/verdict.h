/* verdict: the result of one evaluation, as the evaluator makes it, the
 * store keeps it and every report writes it. Data and names only: must not
 * do I/O or decide anything. */
#ifndef SLG_VERDICT_H
#define SLG_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "core/criteria.h"

/* Numbered as the exit codes of `slogate check`; never renumber. */
enum slg_verdict_kind {
	SLG_V_PASS = 0,
	SLG_V_FAIL = 1,
	SLG_V_WARN = 2,
	SLG_V_INCONCLUSIVE = 3,
	SLG_V_ERROR = 4
};

enum slg_status {
	SLG_ST_PASS,
	SLG_ST_WARN,
	SLG_ST_FAIL,
	SLG_ST_NODATA,
	SLG_ST_ERROR,
	SLG_ST_INFO		/* informational: recorded, not judged */
};

struct slg_objective_result {
	char *name;
	char *promql;		/* as sent to Prometheus */
	int sustained;
	int judged;
	enum slg_unit unit;
	char *pass_text;	/* "<= 120ms, <= +10%", NULL when none */
	char *warn_text;
	enum slg_status status;
	double value;		/* NaN when none; the worst point if sustained */
	double value_at;	/* unix time of value, 0 when none */
	int has_baseline;
	double baseline;
	char *baseline_source;	/* "stored", "previous", "ancestor" */
	char *baseline_commits;	/* commits it came from, comma separated */
	char *baseline_detail;	/* how: "avg of 3 verdicts (12, 15, 17)" */
	double weight;		/* for scoring */
	int key;
	size_t points;		/* points judged (sustained) */
	size_t points_failed;
	size_t points_warn;
	size_t points_missing;
	size_t failed_run;	/* longest run of failed points (not stored) */
	int failed_no_data;	/* failed for want of data, by on_no_data
				 * (not stored) */
	char *detail;		/* why, in words; "" when nothing to say */
};

struct slg_verdict {
	int64_t id;		/* 0 until recorded */
	enum slg_verdict_kind verdict;
	char *reason;
	char *service;
	char *environment;
	char *commit;
	int64_t commit_time;	/* 0 when unknown */
	char *commit_author;
	char *commit_subject;
	char *branch;
	int64_t build_time;
	int64_t evaluated_at;
	int64_t window_start;
	int64_t window_end;
	int64_t step;
	char *pipeline_id;
	char *pipeline_url;
	char *job_url;
	char *ref_name;
	char *policy_path;
	char *policy_digest;
	char *prometheus_url;
	char *version;		/* slogate version that judged */
	int has_guard;
	char *guard_promql;
	double guard_value;	/* NaN when none */
	double guard_min;
	int has_score;
	double score;		/* earned weight */
	double score_max;	/* weight of the judged objectives */
	double score_pass;	/* thresholds, as ratios of score_max */
	double score_warn;
	size_t nobj;
	struct slg_objective_result *obj;
	int64_t watch_id;	/* the watch it ended, 0: none (same as id) */
	int trial;		/* shown, never counted by status or baselines */
	char *actor;		/* who asked, for the audit trail; NULL when
				 * read back */
	/* filled when read back from the store */
	size_t napprovals;
	struct slg_approval *approvals;
	int invalidated;
	char *invalidated_by;
	char *invalidated_reason;
	int64_t invalidated_at;
};

/* A release manager's approval to promote a commit the gate did not pass. */
struct slg_approval {
	int64_t id;
	int64_t verdict_id;	/* the verdict it overrides */
	char *commit;
	char *service;
	char *environment;
	char *by;		/* who: the token's name, or the local user */
	char *named_by;		/* the person a client names; NULL: none */
	char *reason;
	int64_t created_at;
	int64_t expires_at;	/* 0: never */
	int64_t revoked_at;	/* 0: not revoked */
	char *revoked_by;
	char *revoked_named_by;
	char *revoke_reason;
};

/* One stored baseline value and where it came from. */
struct slg_stored_baseline {
	int64_t id;
	char *service;
	char *environment;
	char *objective;
	double value;
	int64_t set_at;
	char *set_by;
	char *source_commit;
	int64_t source_verdict;		/* 0: none */
	char *note;
};

void slg_stored_baseline_release(struct slg_stored_baseline *b);

/* An evaluation that waits for its window: polled every step from the
 * deploy (since) until its verdict is certain, or the deadline. Its id is
 * the id of the verdict it ends with. */
struct slg_watch {
	int64_t id;
	char *service;
	char *environment;
	char *commit;
	int64_t since;
	int64_t deadline;
	int64_t created_at;
	int running;		/* 0 once its verdict is recorded */
	int errors;		/* polls in a row that erred */
	int settle;		/* polls of the whole window lacking data */
	int polls;
	char *progress;		/* the latest poll in one line, or NULL */
	/* what it is run from, the same whoever started it (the service or a
	 * local check --wait), so any service can carry it on */
	char *policy;		/* the policy, inlined (JSON) */
	char *policy_path;
	char *policy_digest;	/* of the policy file it was started with */
	int trial;
	char *actor;		/* who asked */
	char *branch;
	char *ref_name;
	char *commit_author;
	char *commit_subject;
	int64_t commit_time;
	int64_t build_time;
	char *pipeline_id;
	char *pipeline_url;
	char *job_url;
	char *owner;		/* the service polling it (its lease), or NULL */
	int64_t lease_until;	/* the lease ends: then another may take it */
};

/* One poll of a watch, in its timeline. */
struct slg_watch_poll {
	int64_t polled_at;
	int64_t window_end;	/* observed up to */
	enum slg_verdict_kind verdict;
	char *summary;		/* "17m/30m observed, availability 99.97% ok" */
	char *reason;
	char *polled_by;	/* the service that polled, or NULL */
};

void slg_watch_release(struct slg_watch *w);
void slg_watch_poll_release(struct slg_watch_poll *p);

/* r's value for a person, in its unit, never reading as meeting a
 * threshold of r's criteria that it misses (slg_value_format_exact over
 * the thresholds of r->pass_text and r->warn_text, relative ones from
 * r->baseline). */
void slg_value_text(const struct slg_objective_result *r, char *out,
    size_t n);

/* Frees contents and struct; NULL is fine. */
void slg_verdict_free(struct slg_verdict *v);

/* Frees an approval's contents. */
void slg_approval_release(struct slg_approval *a);

/* "pass", "fail", "warn", "inconclusive", "error". */
const char *slg_verdict_str(enum slg_verdict_kind k);
/* Parses those names; -1 for anything else. */
int slg_verdict_parse(const char *s);

/* "pass", "warn", "fail", "no_data", "error", "info". */
const char *slg_status_str(enum slg_status s);
int slg_status_parse(const char *s);

/* "named via who" when a client named a person beside the identity that
 * was authenticated, else "who": what every output shows, so a claimed
 * name never stands alone. Returns a copy (the caller frees), NULL when out
 * of memory. */
char *slg_who_display(const char *who, const char *named);

/* slg_who_display into buf, for the approver and the revoker of a. */
const char *slg_approval_approver(const struct slg_approval *a, char *buf,
    size_t n);
const char *slg_approval_revoker(const struct slg_approval *a, char *buf,
    size_t n);

/* One entry of the audit trail: who changed what, when and why, with the
 * SHA-256 of what it records and of itself chained to the entry before. */
struct slg_audit_entry {
	int64_t id;
	int64_t at;
	char *actor;		/* the token's name, or the local user */
	const char *kind;	/* evaluation trial approval revocation
				 * baseline invalidation */
	char *service;
	char *environment;
	char *commit;
	int64_t subject_id;	/* the verdict, approval, baseline row or
				 * invalidation */
	char *what;		/* one line */
	char *why;		/* the reason given, or NULL */
	char content_hash[65];
	char prev_hash[65];
	char hash[65];
};

/* What walking the audit trail found (slogate audit verify). */
struct slg_audit_check {
	int ok;				/* 1: the whole trail holds */
	int64_t entries;		/* entries walked */
	int64_t bad;			/* the first entry that does not, or 0 */
	char why[512];			/* what does not hold */
	int64_t older;			/* rows older than the trail */
	int64_t head;			/* the last entry, and its hash: */
	char head_hash[65];		/* note it to check a cut later */
};

/* The kind's own static name ("evaluation", "trial", "approval",
 * "revocation", "baseline", "invalidation") when k is one, else NULL. */
const char *slg_audit_kind(const char *k);

/* Frees the strings of an entry read back from the store. */
void slg_audit_entry_release(struct slg_audit_entry *e);

#endif
