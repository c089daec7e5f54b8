-- slogate on PostgreSQL, schema 1: what schema/sqlite/001..007 make, in
-- one migration, for the PostgreSQL store that several `slogate serve`
-- replicas share. Types follow the SQLite schema's values (BIGINT for
-- integers and unix seconds, DOUBLE PRECISION for reals, TEXT), so a row
-- reads back, and hashes for the audit trail, the same on both. Ids come
-- from sequences, never max() + 1: replicas write at once. Text compares
-- byte by byte (COLLATE "C"), as in SQLite, whatever the database's locale:
-- lists come out in the same order and commit prefixes are ranges.

CREATE TABLE schema_version (
	version         INTEGER NOT NULL
);
INSERT INTO schema_version VALUES (1);

-- Verdicts and watches take ids from one sequence, so an evaluation that
-- waits for its window keeps its id from the moment it is asked for.
CREATE SEQUENCE evaluation_ids;
-- The order verdicts are written in: the latest verdict of a commit is the
-- one written last, whatever its id.
CREATE SEQUENCE verdict_recorded;

CREATE TABLE watches (
	id              BIGINT  PRIMARY KEY DEFAULT nextval('evaluation_ids'),
	service         TEXT COLLATE "C"    NOT NULL,
	environment     TEXT COLLATE "C"    NOT NULL,
	commit_sha      TEXT COLLATE "C"    NOT NULL,
	since           BIGINT  NOT NULL,   -- the window starts here: the deploy
	deadline        BIGINT  NOT NULL,   -- the wait ends here, inconclusive
	created_at      BIGINT  NOT NULL,
	state           TEXT COLLATE "C"    NOT NULL CHECK (state IN ('running', 'done')),
	errors          BIGINT  NOT NULL DEFAULT 0,
	settle          BIGINT  NOT NULL DEFAULT 0,
	progress        TEXT COLLATE "C",
	-- what it is run from, the same whoever started it
	policy          TEXT COLLATE "C",   -- inlined; NULL: nobody else can
	policy_path     TEXT COLLATE "C",
	policy_digest   TEXT COLLATE "C",
	trial           BIGINT  NOT NULL DEFAULT 0,
	actor           TEXT COLLATE "C",
	branch          TEXT COLLATE "C",
	ref_name        TEXT COLLATE "C",
	commit_author   TEXT COLLATE "C",
	commit_subject  TEXT COLLATE "C",
	commit_time     BIGINT,
	build_time      BIGINT,
	pipeline_id     TEXT COLLATE "C",
	pipeline_url    TEXT COLLATE "C",
	job_url         TEXT COLLATE "C",
	lease_owner     TEXT COLLATE "C",   -- the service polling it
	lease_until     BIGINT              -- its lease ends
);

CREATE TABLE verdicts (
	id              BIGINT  PRIMARY KEY DEFAULT nextval('evaluation_ids'),
	watch_id        BIGINT  REFERENCES watches (id),
	service         TEXT COLLATE "C"    NOT NULL,
	environment     TEXT COLLATE "C"    NOT NULL,
	commit_sha      TEXT COLLATE "C"    NOT NULL,
	commit_time     BIGINT,
	commit_author   TEXT COLLATE "C",
	commit_subject  TEXT COLLATE "C",
	branch          TEXT COLLATE "C",
	build_time      BIGINT  NOT NULL,
	evaluated_at    BIGINT  NOT NULL,
	window_start    BIGINT  NOT NULL,
	window_end      BIGINT  NOT NULL,
	step            BIGINT  NOT NULL,
	pipeline_id     TEXT COLLATE "C",
	pipeline_url    TEXT COLLATE "C",
	job_url         TEXT COLLATE "C",
	ref_name        TEXT COLLATE "C",
	policy_path     TEXT COLLATE "C"    NOT NULL,
	policy_digest   TEXT COLLATE "C"    NOT NULL,
	prometheus_url  TEXT COLLATE "C"    NOT NULL,
	slogate_version TEXT COLLATE "C"    NOT NULL,
	verdict         TEXT COLLATE "C"    NOT NULL
	    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'error')),
	reason          TEXT COLLATE "C"    NOT NULL,
	guard_promql    TEXT COLLATE "C",
	guard_value     DOUBLE PRECISION,
	guard_min       DOUBLE PRECISION,
	score           DOUBLE PRECISION,
	score_max       DOUBLE PRECISION,
	score_pass      DOUBLE PRECISION,
	score_warn      DOUBLE PRECISION,
	trial           BIGINT  NOT NULL DEFAULT 0 CHECK (trial IN (0, 1)),
	recorded        BIGINT  NOT NULL UNIQUE DEFAULT nextval('verdict_recorded')
);

CREATE TABLE objective_results (
	verdict_id      BIGINT  NOT NULL REFERENCES verdicts (id),
	position        BIGINT  NOT NULL,
	name            TEXT COLLATE "C"    NOT NULL,
	promql          TEXT COLLATE "C"    NOT NULL,
	sustained       BIGINT  NOT NULL,
	judged          BIGINT  NOT NULL,
	unit            BIGINT  NOT NULL,
	pass_criteria   TEXT COLLATE "C",
	warn_criteria   TEXT COLLATE "C",
	status          TEXT COLLATE "C"    NOT NULL
	    CHECK (status IN ('pass', 'warn', 'fail', 'no_data', 'error', 'info')),
	value           DOUBLE PRECISION,
	value_at        DOUBLE PRECISION,
	baseline        DOUBLE PRECISION,
	baseline_source TEXT COLLATE "C",
	points          BIGINT  NOT NULL,
	points_failed   BIGINT  NOT NULL,
	points_warn     BIGINT  NOT NULL,
	points_missing  BIGINT  NOT NULL,
	detail          TEXT COLLATE "C"    NOT NULL,
	baseline_commits TEXT COLLATE "C",
	baseline_detail TEXT COLLATE "C",
	weight          DOUBLE PRECISION NOT NULL DEFAULT 1,
	key             BIGINT  NOT NULL DEFAULT 0,
	PRIMARY KEY (verdict_id, position)
);

CREATE TABLE baselines (
	id              BIGSERIAL PRIMARY KEY,
	service         TEXT COLLATE "C"    NOT NULL,
	environment     TEXT COLLATE "C"    NOT NULL,
	objective       TEXT COLLATE "C"    NOT NULL,
	value           DOUBLE PRECISION NOT NULL,
	set_at          BIGINT  NOT NULL,
	set_by          TEXT COLLATE "C",
	source_commit   TEXT COLLATE "C",
	note            TEXT COLLATE "C",
	source_verdict  BIGINT  REFERENCES verdicts (id)
);

CREATE TABLE approvals (
	id              BIGSERIAL PRIMARY KEY,
	verdict_id      BIGINT  NOT NULL REFERENCES verdicts (id),
	commit_sha      TEXT COLLATE "C"    NOT NULL,
	service         TEXT COLLATE "C"    NOT NULL,
	environment     TEXT COLLATE "C"    NOT NULL,
	approved_by     TEXT COLLATE "C"    NOT NULL,
	reason          TEXT COLLATE "C"    NOT NULL CHECK (length(reason) > 0),
	created_at      BIGINT  NOT NULL,
	expires_at      BIGINT,
	revoked_at      BIGINT,
	revoked_by      TEXT COLLATE "C",
	revoke_reason   TEXT COLLATE "C",
	named_by        TEXT COLLATE "C",
	revoked_named_by TEXT COLLATE "C"
);

CREATE TABLE invalidations (
	id              BIGSERIAL PRIMARY KEY,
	verdict_id      BIGINT  NOT NULL REFERENCES verdicts (id),
	invalidated_by  TEXT COLLATE "C",
	reason          TEXT COLLATE "C"    NOT NULL CHECK (length(reason) > 0),
	created_at      BIGINT  NOT NULL
);

CREATE TABLE watch_polls (
	watch_id        BIGINT  NOT NULL REFERENCES watches (id),
	seq             BIGINT  NOT NULL,
	polled_at       BIGINT  NOT NULL,
	window_end      BIGINT  NOT NULL,
	verdict         TEXT COLLATE "C"    NOT NULL
	    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'error')),
	summary         TEXT COLLATE "C"    NOT NULL,
	reason          TEXT COLLATE "C"    NOT NULL,
	polled_by       TEXT COLLATE "C",
	PRIMARY KEY (watch_id, seq)
);

-- The latest verdict of each service and environment, written in each
-- verdict's transaction, so `/` reads a row per service.
CREATE TABLE latest_verdicts (
	service         TEXT COLLATE "C"    NOT NULL,
	environment     TEXT COLLATE "C"    NOT NULL,
	verdict_id      BIGINT  NOT NULL REFERENCES verdicts (id),
	PRIMARY KEY (service, environment)
);

-- The database notes each verdict as the latest, as the SQLite schema's
-- trigger does, so no writer can leave it out.
CREATE FUNCTION verdict_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO latest_verdicts (service, environment, verdict_id)
	VALUES (NEW.service, NEW.environment, NEW.id)
	ON CONFLICT (service, environment) DO UPDATE
	SET verdict_id = excluded.verdict_id;
	RETURN NULL;
END;
$$;
CREATE TRIGGER verdicts_written AFTER INSERT ON verdicts
FOR EACH ROW EXECUTE FUNCTION verdict_written();

CREATE TABLE audit (
	id              BIGINT  PRIMARY KEY,  -- the chain's order: the store
	                                      -- appends under a lock of the table
	at              BIGINT  NOT NULL,
	actor           TEXT COLLATE "C"    NOT NULL,
	kind            TEXT COLLATE "C"    NOT NULL CHECK (kind IN ('evaluation', 'trial',
	    'approval', 'revocation', 'baseline', 'invalidation')),
	service         TEXT COLLATE "C",
	environment     TEXT COLLATE "C",
	commit_sha      TEXT COLLATE "C",
	subject_id      BIGINT  NOT NULL,
	what            TEXT COLLATE "C"    NOT NULL,
	why             TEXT COLLATE "C",
	content_hash    TEXT COLLATE "C"    NOT NULL,
	prev_hash       TEXT COLLATE "C"    NOT NULL,
	hash            TEXT COLLATE "C"    NOT NULL
);

-- A new database has no rows older than the trail.
CREATE TABLE audit_start (
	verdicts        BIGINT  NOT NULL,
	approvals       BIGINT  NOT NULL,
	baselines       BIGINT  NOT NULL,
	invalidations   BIGINT  NOT NULL
);
INSERT INTO audit_start VALUES (0, 0, 0, 0);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE INDEX verdicts_by_service ON verdicts (service, environment, id);
CREATE INDEX verdicts_by_commit ON verdicts (commit_sha, service, environment, id);
CREATE INDEX verdicts_by_commit_recorded
    ON verdicts (commit_sha, service, environment, recorded);
CREATE INDEX verdicts_by_branch ON verdicts (service, environment, branch, id);
CREATE INDEX baselines_by_key ON baselines (service, environment, objective, id);
CREATE INDEX approvals_by_commit ON approvals (commit_sha, service, environment, id);
CREATE INDEX approvals_by_verdict ON approvals (verdict_id);
CREATE INDEX invalidations_by_verdict ON invalidations (verdict_id);
CREATE INDEX watches_running ON watches (state, id);
CREATE INDEX watches_by_commit ON watches (commit_sha, service, environment, id);
CREATE INDEX audit_by_service ON audit (service, environment, id);
CREATE INDEX audit_by_commit ON audit (commit_sha, id);
