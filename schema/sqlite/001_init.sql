-- slogate schema 1: verdicts, their objectives, and stored baselines.
-- Applied in one transaction by the store; PRAGMA user_version records it.

CREATE TABLE verdicts (
	id              INTEGER PRIMARY KEY,
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	commit_sha      TEXT    NOT NULL,
	commit_time     INTEGER,            -- unix seconds, NULL when unknown
	commit_author   TEXT,
	commit_subject  TEXT,
	branch          TEXT,
	build_time      INTEGER NOT NULL,
	evaluated_at    INTEGER NOT NULL,
	window_start    INTEGER NOT NULL,
	window_end      INTEGER NOT NULL,
	step            INTEGER NOT NULL,
	pipeline_id     TEXT,
	pipeline_url    TEXT,
	job_url         TEXT,
	ref_name        TEXT,
	policy_path     TEXT    NOT NULL,
	policy_digest   TEXT    NOT NULL,   -- git blob id of the policy file
	prometheus_url  TEXT    NOT NULL,
	slogate_version TEXT    NOT NULL,
	verdict         TEXT    NOT NULL
	    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'error')),
	reason          TEXT    NOT NULL,
	guard_promql    TEXT,
	guard_value     REAL,
	guard_min       REAL
);

CREATE TABLE objective_results (
	verdict_id      INTEGER NOT NULL REFERENCES verdicts (id),
	position        INTEGER NOT NULL,
	name            TEXT    NOT NULL,
	promql          TEXT    NOT NULL,
	sustained       INTEGER NOT NULL,
	judged          INTEGER NOT NULL,
	unit            INTEGER NOT NULL,
	pass_criteria   TEXT,
	warn_criteria   TEXT,
	status          TEXT    NOT NULL
	    CHECK (status IN ('pass', 'warn', 'fail', 'no_data', 'error', 'info')),
	value           REAL,               -- NULL when there was no data
	value_at        REAL,
	baseline        REAL,
	baseline_source TEXT,
	points          INTEGER NOT NULL,
	points_failed   INTEGER NOT NULL,
	points_warn     INTEGER NOT NULL,
	points_missing  INTEGER NOT NULL,
	detail          TEXT    NOT NULL,
	PRIMARY KEY (verdict_id, position)
) WITHOUT ROWID;

-- Baselines are never changed in place: each change is a new row, and the
-- newest row for (service, environment, objective) is the baseline.
CREATE TABLE baselines (
	id              INTEGER PRIMARY KEY,
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	objective       TEXT    NOT NULL,
	value           REAL    NOT NULL,
	set_at          INTEGER NOT NULL,
	set_by          TEXT,
	source_commit   TEXT,
	note            TEXT
);

CREATE INDEX verdicts_by_service ON verdicts (service, environment, id);
CREATE INDEX verdicts_by_commit ON verdicts (commit_sha, service, environment, id);
CREATE INDEX baselines_by_key ON baselines (service, environment, objective, id);
