/* copy: moves a whole history from one database to another (store.h's
 * slg_store_copy): read in one snapshot of the source, written in one
 * transaction of the destination, with ids, hashes and the order written
 * kept, and the counts of every table compared before it commits. */
#include <stdio.h>
#include <string.h>

#include "store/backend.h"
#include "store/copy.h"
#include "store/store.h"

/* In an order the foreign keys allow. latest_verdicts is not copied: the
 * destination's trigger makes it from the verdicts, inserted in the order
 * they were written, and its count is compared like the others. */
static struct slg_copy_table tables[] = {
	{ "watches", "id, service, environment, commit_sha, since, deadline, "
	    "created_at, state, errors, settle, progress, policy, policy_path, "
	    "policy_digest, trial, actor, branch, ref_name, commit_author, "
	    "commit_subject, commit_time, build_time, pipeline_id, pipeline_url, "
	    "job_url, lease_owner, lease_until", "id", 0 },
	/* recorded last: a SQLite destination's trigger numbers it anew */
	{ "verdicts", "id, watch_id, service, environment, commit_sha, "
	    "commit_time, commit_author, commit_subject, branch, build_time, "
	    "evaluated_at, window_start, window_end, step, pipeline_id, "
	    "pipeline_url, job_url, ref_name, policy_path, policy_digest, "
	    "prometheus_url, slogate_version, verdict, reason, guard_promql, "
	    "guard_value, guard_min, score, score_max, score_pass, score_warn, "
	    "trial, recorded", "recorded", 0 },
	{ "objective_results", "verdict_id, position, name, promql, sustained, "
	    "judged, unit, pass_criteria, warn_criteria, status, value, "
	    "value_at, baseline, baseline_source, points, points_failed, "
	    "points_warn, points_missing, detail, baseline_commits, "
	    "baseline_detail, weight, key", "verdict_id, position", 0 },
	{ "baselines", "id, service, environment, objective, value, set_at, "
	    "set_by, source_commit, note, source_verdict", "id", 0 },
	{ "approvals", "id, verdict_id, commit_sha, service, environment, "
	    "approved_by, reason, created_at, expires_at, revoked_at, "
	    "revoked_by, revoke_reason, named_by, revoked_named_by", "id", 0 },
	{ "invalidations", "id, verdict_id, invalidated_by, reason, created_at",
	    "id", 0 },
	{ "watch_polls", "watch_id, seq, polled_at, window_end, verdict, "
	    "summary, reason, polled_by", "watch_id, seq", 0 },
	{ "audit", "id, at, actor, kind, service, environment, commit_sha, "
	    "subject_id, what, why, content_hash, prev_hash, hash", "id", 0 },
	{ "audit_start", "verdicts, approvals, baselines, invalidations",
	    "verdicts", 0 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

struct put {
	struct slg_store *to;
	const struct slg_copy_table *t;
	int64_t rows;
};

static int
put_row(void *ctx, const struct slg_copy_value *v, int n, struct slg_err *err)
{
	struct put *p = ctx;

	p->rows++;
	return p->to->ops->copy_write(p->to, p->t, v, n, err);
}

static int
count_of(struct slg_store *st, const char *table, int64_t *n,
    struct slg_err *err)
{
	return st->ops->copy_count(st, table, n, err);
}

int
slg_store_copy(struct slg_store *from, struct slg_store *to,
    struct slg_copy_report *rep, struct slg_err *err)
{
	static const char *const must_be_empty[] = { "verdicts", "watches",
	    "baselines", "approvals", "audit" };
	int64_t have, want;
	int rc;

	memset(rep, 0, sizeof(*rep));
	for (size_t i = 0; i < NTABLES; i++) {
		const char *c = tables[i].columns;

		tables[i].ncol = 1;
		while ((c = strchr(c, ',')) != NULL && c++)
			tables[i].ncol++;
	}
	if ((rc = from->ops->copy_begin(from, 0, err)) != 0)
		return rc;
	if ((rc = to->ops->copy_begin(to, 1, err)) != 0)
		goto end_from;
	for (size_t i = 0; i < sizeof(must_be_empty) / sizeof(*must_be_empty);
	    i++) {
		if ((rc = count_of(to, must_be_empty[i], &have, err)) != 0)
			goto fail;
		if (have > 0) {
			rc = slg_err_set(err, SLG_ECONFLICT, "the destination %s "
			    "holds %lld rows of %s already: copy into a new "
			    "database", slg_store_label(to), (long long)have,
			    must_be_empty[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < NTABLES; i++) {
		struct put p = { to, &tables[i], 0 };

		if ((rc = count_of(from, tables[i].name, &want, err)) != 0 ||
		    (rc = from->ops->copy_read(from, &tables[i], put_row, &p,
		    err)) != 0 ||
		    (rc = count_of(to, tables[i].name, &have, err)) != 0)
			goto fail;
		if (p.rows != want || have != want) {
			rc = slg_err_set(err, SLG_ESTORE, "%s: %lld rows in the "
			    "source, %lld read, %lld in the destination: nothing "
			    "was copied", tables[i].name, (long long)want,
			    (long long)p.rows, (long long)have);
			goto fail;
		}
		snprintf(rep->table[i], sizeof(rep->table[i]), "%s",
		    tables[i].name);
		rep->rows[i] = want;
		rep->ntables = i + 1;
	}
	if ((rc = count_of(from, "latest_verdicts", &want, err)) != 0 ||
	    (rc = count_of(to, "latest_verdicts", &have, err)) != 0)
		goto fail;
	if (have != want) {
		rc = slg_err_set(err, SLG_ESTORE, "latest_verdicts: %lld in the "
		    "source, %lld made in the destination: nothing was copied",
		    (long long)want, (long long)have);
		goto fail;
	}
	rc = to->ops->copy_end(to, 1, 1, err);
	from->ops->copy_end(from, 0, 1, NULL);
	return rc;
fail:
	to->ops->copy_end(to, 1, 0, NULL);
end_from:
	from->ops->copy_end(from, 0, 0, NULL);
	return rc;
}
