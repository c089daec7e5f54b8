/* trail: the audit trail's hashing and checks, alike for every backend
 * (see trail.h). Holds SQL only that both backends read the same way. */
#include <stdio.h>
#include <string.h>

#include "store/trail.h"

#define VERDICT_COLUMNS "id, watch_id, service, environment, " \
    "commit_sha, commit_time, commit_author, commit_subject, branch, " \
    "build_time, evaluated_at, window_start, window_end, step, pipeline_id, " \
    "pipeline_url, job_url, ref_name, policy_path, policy_digest, " \
    "prometheus_url, slogate_version, verdict, reason, guard_promql, " \
    "guard_value, guard_min, score, score_max, score_pass, score_warn, trial"
#define OBJECTIVE_COLUMNS "verdict_id, position, name, promql, " \
    "sustained, judged, unit, pass_criteria, warn_criteria, status, value, " \
    "value_at, baseline, baseline_source, points, points_failed, " \
    "points_warn, points_missing, detail, baseline_commits, " \
    "baseline_detail, weight, key"
#define BASELINE_COLUMNS "id, service, environment, objective, value, " \
    "set_at, set_by, source_commit, source_verdict, note"

/* What an entry of each kind records: the columns as they were when it
 * was written, named so that a column added later does not change the
 * hash of an old row. $1 is the subject's id. */
static const struct {
	const char *kind;
	const char *sql[2];
} contents[] = {
	{ "evaluation", { "SELECT " VERDICT_COLUMNS " FROM verdicts "
	    "WHERE id = $1", "SELECT " OBJECTIVE_COLUMNS " FROM "
	    "objective_results WHERE verdict_id = $1 ORDER BY position" } },
	{ "trial", { "SELECT " VERDICT_COLUMNS " FROM verdicts WHERE "
	    "id = $1", "SELECT " OBJECTIVE_COLUMNS " FROM "
	    "objective_results WHERE verdict_id = $1 ORDER BY position" } },
	{ "approval", { "SELECT id, verdict_id, commit_sha, service, "
	    "environment, approved_by, named_by, reason, created_at, expires_at "
	    "FROM approvals WHERE id = $1", NULL } },
	{ "revocation", { "SELECT id, revoked_at, revoked_by, revoked_named_by, "
	    "revoke_reason FROM approvals WHERE id = $1 AND revoked_at IS NOT "
	    "NULL", NULL } },
	{ "baseline", { "SELECT " BASELINE_COLUMNS " FROM baselines WHERE "
	    "id = $1", NULL } },
	{ "invalidation", { "SELECT id, verdict_id, invalidated_by, reason, "
	    "created_at FROM invalidations WHERE id = $1", NULL } },
};

void
slg_trail_hash_value(struct slg_sha256 *h, enum slg_trail_type type,
    long long i, double r, const char *t, size_t tl)
{
	char num[64];
	int n;

	switch (type) {
	case SLG_TV_INT:
		n = snprintf(num, sizeof(num), "I%lld;", i);
		break;
	case SLG_TV_REAL:
		n = snprintf(num, sizeof(num), "R%.17g;", r);
		break;
	case SLG_TV_NULL:
		n = snprintf(num, sizeof(num), "N;");
		break;
	default:
		n = snprintf(num, sizeof(num), "T%zu:", tl);
		slg_sha256_add(h, num, (size_t)n);
		slg_sha256_add(h, t, tl);
		n = snprintf(num, sizeof(num), ";");
		break;
	}
	slg_sha256_add(h, num, (size_t)n);
}

static void
hash_text(struct slg_sha256 *h, const char *t)
{
	slg_trail_hash_value(h, t ? SLG_TV_TEXT : SLG_TV_NULL, 0, 0, t,
	    t ? strlen(t) : 0);
}

int
slg_trail_content_hash(const struct slg_trail_reader *r, const char *kind,
    int64_t id, char out[65], int *found, struct slg_err *err)
{
	struct slg_sha256 h;
	size_t k;
	int rows, rc;

	*found = 0;
	for (k = 0; k < sizeof(contents) / sizeof(contents[0]); k++) {
		if (strcmp(contents[k].kind, kind) == 0)
			break;
	}
	if (k == sizeof(contents) / sizeof(contents[0]))
		return slg_err_set(err, SLG_ESTORE, "audit entry of unknown kind "
		    "'%.40s'", kind);
	if ((rc = slg_sha256_init(&h, err)) != 0)
		return rc;
	slg_sha256_add(&h, kind, strlen(kind));
	slg_sha256_add(&h, "\n", 1);
	for (int i = 0; i < 2 && contents[k].sql[i] != NULL; i++) {
		if ((rc = r->hash_rows(r->ctx, contents[k].sql[i], id, &h, &rows,
		    err)) != 0) {
			slg_sha256_abort(&h);
			return rc;
		}
		if (i == 0)
			*found = rows > 0;
	}
	slg_sha256_hex(&h, out);
	return 0;
}

/* The hash of an entry: its fields, its content's hash and the entry
 * before it. */
static int
entry_hash(const struct slg_audit_entry *e, char out[65], struct slg_err *err)
{
	struct slg_sha256 h;
	int rc;

	if ((rc = slg_sha256_init(&h, err)) != 0)
		return rc;
	slg_trail_hash_value(&h, SLG_TV_INT, e->id, 0, NULL, 0);
	slg_trail_hash_value(&h, SLG_TV_INT, e->at, 0, NULL, 0);
	hash_text(&h, e->actor);
	hash_text(&h, e->kind);
	hash_text(&h, e->service);
	hash_text(&h, e->environment);
	hash_text(&h, e->commit);
	slg_trail_hash_value(&h, SLG_TV_INT, e->subject_id, 0, NULL, 0);
	hash_text(&h, e->what);
	hash_text(&h, e->why);
	hash_text(&h, e->content_hash);
	hash_text(&h, e->prev_hash);
	slg_sha256_hex(&h, out);
	return 0;
}

int
slg_trail_seal(const struct slg_trail_reader *r, struct slg_audit_entry *e,
    int64_t last_id, const char *last_hash, struct slg_err *err)
{
	int found, rc;

	if (e->actor == NULL)
		e->actor = (char *)"unknown";
	if ((rc = slg_trail_content_hash(r, e->kind, e->subject_id,
	    e->content_hash, &found, err)) != 0)
		return rc;
	if (!found)
		return slg_err_set(err, SLG_ESTORE, "the %s to record in the audit "
		    "trail is not there", e->kind);
	e->id = last_id + 1;
	snprintf(e->prev_hash, sizeof(e->prev_hash), "%s",
	    last_hash ? last_hash : SLG_TRAIL_ZERO_HASH);
	return entry_hash(e, e->hash, err);
}

/* ---- the entries of each change ---- */

void
slg_trail_of_verdict(struct slg_audit_entry *e, const struct slg_verdict *v,
    char *what, size_t n)
{
	memset(e, 0, sizeof(*e));
	snprintf(what, n, "verdict %lld: %s, policy %.12s", (long long)v->id,
	    slg_verdict_str(v->verdict), v->policy_digest ? v->policy_digest :
	    "?");
	e->at = v->evaluated_at;
	e->actor = v->actor;
	e->kind = v->trial ? "trial" : "evaluation";
	e->service = v->service;
	e->environment = v->environment;
	e->commit = v->commit;
	e->subject_id = v->id;
	e->what = what;
}

void
slg_trail_of_baseline(struct slg_audit_entry *e,
    const struct slg_stored_baseline *b, int64_t id, char *what, size_t n)
{
	memset(e, 0, sizeof(*e));
	snprintf(what, n, "baseline %.100s = %.17g (%s)", b->objective, b->value,
	    b->note ? b->note : "set");
	e->at = b->set_at;
	e->actor = b->set_by;
	e->kind = "baseline";
	e->service = b->service;
	e->environment = b->environment;
	e->commit = b->source_commit;
	e->subject_id = id;
	e->what = what;
}

void
slg_trail_of_approval(struct slg_audit_entry *e, const struct slg_approval *a,
    char *what, size_t n)
{
	memset(e, 0, sizeof(*e));
	snprintf(what, n, "approval %lld of verdict %lld", (long long)a->id,
	    (long long)a->verdict_id);
	e->at = a->created_at;
	e->actor = a->by;
	e->kind = "approval";
	e->service = a->service;
	e->environment = a->environment;
	e->commit = a->commit;
	e->subject_id = a->id;
	e->what = what;
	e->why = a->reason;
}

void
slg_trail_of_revocation(struct slg_audit_entry *e,
    const struct slg_approval *a, const char *by, const char *reason,
    int64_t at, char *what, size_t n)
{
	memset(e, 0, sizeof(*e));
	snprintf(what, n, "revoked approval %lld of verdict %lld",
	    (long long)a->id, (long long)a->verdict_id);
	e->at = at;
	e->actor = (char *)by;
	e->kind = "revocation";
	e->service = a->service;
	e->environment = a->environment;
	e->commit = a->commit;
	e->subject_id = a->id;
	e->what = what;
	e->why = (char *)reason;
}

void
slg_trail_of_invalidation(struct slg_audit_entry *e,
    const struct slg_verdict *v, int64_t id, const char *by,
    const char *reason, int64_t at, char *what, size_t n)
{
	memset(e, 0, sizeof(*e));
	snprintf(what, n, "invalidated verdict %lld (%s)", (long long)v->id,
	    slg_verdict_str(v->verdict));
	e->at = at;
	e->actor = (char *)by;
	e->kind = "invalidation";
	e->service = v->service;
	e->environment = v->environment;
	e->commit = v->commit;
	e->subject_id = id;
	e->what = what;
	e->why = (char *)reason;
}

/* ---- verifying ---- */

void
slg_trail_walk_start(struct slg_trail_walk *w,
    const struct slg_trail_reader *r, const char *expect_head,
    struct slg_audit_check *c)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->expect_head = expect_head;
	w->seen = expect_head == NULL;
	w->expect = 1;
	snprintf(w->prev, sizeof(w->prev), "%s", SLG_TRAIL_ZERO_HASH);
	memset(c, 0, sizeof(*c));
	c->ok = 1;
}

int
slg_trail_walk_step(struct slg_trail_walk *w, const struct slg_audit_entry *e,
    struct slg_audit_check *c, struct slg_err *err)
{
	char want[65];
	int found, rc = 0;

	c->entries++;
	if (e->id != w->expect)
		snprintf(c->why, sizeof(c->why), "entry %lld follows entry "
		    "%lld: the entries between were removed", (long long)e->id,
		    (long long)w->expect - 1);
	else if (strcmp(e->prev_hash, w->prev) != 0)
		snprintf(c->why, sizeof(c->why), "entry %lld does not chain "
		    "to the entry before it", (long long)e->id);
	else if ((rc = entry_hash(e, want, err)) != 0)
		;
	else if (strcmp(want, e->hash) != 0)
		snprintf(c->why, sizeof(c->why), "entry %lld was changed: "
		    "its hash does not match what it holds", (long long)e->id);
	else if ((rc = slg_trail_content_hash(w->r, e->kind, e->subject_id,
	    want, &found, err)) != 0)
		;
	else if (!found)
		snprintf(c->why, sizeof(c->why), "entry %lld records %s %lld, "
		    "which is gone", (long long)e->id, e->kind,
		    (long long)e->subject_id);
	else if (strcmp(want, e->content_hash) != 0)
		snprintf(c->why, sizeof(c->why), "entry %lld: the %s it "
		    "records (%lld) was changed since", (long long)e->id,
		    e->kind, (long long)e->subject_id);
	if (rc != 0)
		return rc;
	if (c->why[0] != '\0') {
		c->ok = 0;
		c->bad = e->id;
	}
	snprintf(w->prev, sizeof(w->prev), "%s", e->hash);
	w->seen |= w->expect_head != NULL && strcmp(e->hash,
	    w->expect_head) == 0;
	c->head = e->id;
	snprintf(c->head_hash, sizeof(c->head_hash), "%s", e->hash);
	w->expect = e->id + 1;
	return 0;
}

void
slg_trail_walk_end(struct slg_trail_walk *w, struct slg_audit_check *c)
{
	if (c->ok && !w->seen) {
		/* the end of the trail cut off: only a head kept elsewhere
		 * tells */
		c->ok = 0;
		snprintf(c->why, sizeof(c->why), "no entry has the hash %.64s "
		    "that was the head: entries after entry %lld were removed",
		    w->expect_head, (long long)c->head);
	}
}

const struct slg_trail_unrecorded slg_trail_unrecorded[] = {
	/* where the trail starts is no row of its own: moved past a
	 * recorded subject, it would hide the rows after it */
	{ "SELECT 1 WHERE (SELECT count(*) FROM audit_start) != 1 OR "
	    "(SELECT verdicts FROM audit_start) >= (SELECT min(subject_id) "
	    "FROM audit WHERE kind IN ('evaluation', 'trial')) OR "
	    "(SELECT approvals FROM audit_start) >= (SELECT min(subject_id) "
	    "FROM audit WHERE kind = 'approval') OR (SELECT baselines FROM "
	    "audit_start) >= (SELECT min(subject_id) FROM audit WHERE kind = "
	    "'baseline') OR (SELECT invalidations FROM audit_start) >= "
	    "(SELECT min(subject_id) FROM audit WHERE kind = 'invalidation')",
	    "audit_start" },
	{ "SELECT id FROM verdicts v WHERE (id > (SELECT verdicts FROM "
	    "audit_start) OR id < 1) AND NOT EXISTS (SELECT 1 FROM audit a WHERE "
	    "a.kind IN ('evaluation', 'trial') AND a.subject_id = v.id) "
	    "ORDER BY id LIMIT 1", "verdict" },
	{ "SELECT id FROM approvals p WHERE (id > (SELECT approvals FROM "
	    "audit_start) OR id < 1) AND NOT EXISTS (SELECT 1 FROM audit a WHERE "
	    "a.kind = 'approval' AND a.subject_id = p.id) ORDER BY id "
	    "LIMIT 1", "approval" },
	{ "SELECT id FROM approvals p WHERE (id > (SELECT approvals FROM "
	    "audit_start) OR id < 1) AND revoked_at IS NOT NULL AND NOT EXISTS "
	    "(SELECT 1 FROM audit a WHERE a.kind = 'revocation' AND "
	    "a.subject_id = p.id) ORDER BY id LIMIT 1",
	    "revocation of approval" },
	{ "SELECT id FROM baselines b WHERE (id > (SELECT baselines FROM "
	    "audit_start) OR id < 1) AND NOT EXISTS (SELECT 1 FROM audit a WHERE "
	    "a.kind = 'baseline' AND a.subject_id = b.id) ORDER BY id "
	    "LIMIT 1", "baseline" },
	{ "SELECT id FROM invalidations i WHERE (id > (SELECT "
	    "invalidations FROM audit_start) OR id < 1) AND NOT EXISTS (SELECT 1 FROM "
	    "audit a WHERE a.kind = 'invalidation' AND a.subject_id = "
	    "i.id) ORDER BY id LIMIT 1", "invalidation" },
	/* the order verdicts were written in (`recorded`, what "the latest"
	 * means to status and approvals) is the trail's order; a copy into
	 * SQLite numbers it anew but keeps the order */
	{ "SELECT id FROM (SELECT v.id, a.id AS aid, lag(a.id) OVER (ORDER BY "
	    "v.recorded) AS prev FROM verdicts v JOIN audit a ON a.kind IN "
	    "('evaluation', 'trial') AND a.subject_id = v.id) o WHERE prev > aid "
	    "ORDER BY id LIMIT 1", NULL },
};
const size_t slg_trail_nunrecorded = sizeof(slg_trail_unrecorded) /
    sizeof(slg_trail_unrecorded[0]);

void
slg_trail_unrecorded_why(size_t i, int64_t id, struct slg_audit_check *c)
{
	c->ok = 0;
	if (i == 0)
		snprintf(c->why, sizeof(c->why), "where the trail starts "
		    "(audit_start) was changed: it hides rows it recorded");
	else if (slg_trail_unrecorded[i].what == NULL)
		snprintf(c->why, sizeof(c->why), "verdict %lld is out of the order "
		    "the trail wrote verdicts in (`recorded` was changed): status "
		    "would take another verdict for the latest", (long long)id);
	else
		snprintf(c->why, sizeof(c->why), "%s %lld has no entry in the "
		    "audit trail: it was written around slogate",
		    slg_trail_unrecorded[i].what, (long long)id);
}
