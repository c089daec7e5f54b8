-- slogate schema 2: where baselines came from, scores, approvals and
-- invalidated verdicts. Rows of the audit trail are only ever added; a
-- revocation is recorded on the approval it ends, which stays.

ALTER TABLE objective_results ADD COLUMN baseline_commits TEXT;  -- comma separated
ALTER TABLE objective_results ADD COLUMN baseline_detail TEXT;   -- "avg of 3 verdicts"
ALTER TABLE objective_results ADD COLUMN weight REAL NOT NULL DEFAULT 1;
ALTER TABLE objective_results ADD COLUMN key INTEGER NOT NULL DEFAULT 0;

ALTER TABLE verdicts ADD COLUMN score REAL;        -- NULL when the policy does not score
ALTER TABLE verdicts ADD COLUMN score_max REAL;
ALTER TABLE verdicts ADD COLUMN score_pass REAL;   -- thresholds, as ratios
ALTER TABLE verdicts ADD COLUMN score_warn REAL;

ALTER TABLE baselines ADD COLUMN source_verdict INTEGER REFERENCES verdicts (id);

CREATE TABLE approvals (
	id              INTEGER PRIMARY KEY,
	verdict_id      INTEGER NOT NULL REFERENCES verdicts (id),  -- the one it overrides
	commit_sha      TEXT    NOT NULL,
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	approved_by     TEXT    NOT NULL,
	reason          TEXT    NOT NULL CHECK (length(reason) > 0),
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER,            -- NULL: does not expire
	revoked_at      INTEGER,
	revoked_by      TEXT,
	revoke_reason   TEXT
);

CREATE TABLE invalidations (
	id              INTEGER PRIMARY KEY,
	verdict_id      INTEGER NOT NULL REFERENCES verdicts (id),
	invalidated_by  TEXT,
	reason          TEXT    NOT NULL CHECK (length(reason) > 0),
	created_at      INTEGER NOT NULL
);

CREATE INDEX approvals_by_commit ON approvals (commit_sha, service, environment, id);
CREATE INDEX approvals_by_verdict ON approvals (verdict_id);
CREATE INDEX invalidations_by_verdict ON invalidations (verdict_id);
CREATE INDEX verdicts_by_branch ON verdicts (service, environment, branch, id);
