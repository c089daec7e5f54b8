-- slogate schema 6: the order verdicts were written in, and the latest
-- verdict of each service and environment.
--
-- A watched evaluation's verdict keeps the id its watch took when it
-- started, so a verdict written meanwhile has a higher id than the
-- watch's, written later. Which verdict of a commit is the latest (status,
-- approvals) is the one written last: `recorded` says it.

ALTER TABLE verdicts ADD COLUMN recorded INTEGER;
UPDATE verdicts SET recorded = id;
CREATE UNIQUE INDEX verdicts_recorded ON verdicts (recorded);
CREATE INDEX verdicts_by_commit_recorded
    ON verdicts (commit_sha, service, environment, recorded);

-- Kept in the same transaction as each verdict, so `/` and the service
-- pages read a row per service instead of scanning every verdict.
CREATE TABLE latest_verdicts (
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	verdict_id      INTEGER NOT NULL REFERENCES verdicts (id),
	PRIMARY KEY (service, environment)
) WITHOUT ROWID;

INSERT INTO latest_verdicts (service, environment, verdict_id)
SELECT service, environment, id FROM verdicts v
WHERE recorded = (SELECT max(recorded) FROM verdicts w
    WHERE w.service = v.service AND w.environment = v.environment);

-- The database numbers each verdict and notes it as the latest, not the
-- binary: a slogate older than this schema that has the file open goes on
-- writing verdicts, and they must count as written last too.
CREATE TRIGGER verdicts_written AFTER INSERT ON verdicts
BEGIN
	UPDATE verdicts SET recorded =
	    (SELECT coalesce(max(recorded), 0) + 1 FROM verdicts)
	WHERE id = NEW.id;
	INSERT INTO latest_verdicts (service, environment, verdict_id)
	VALUES (NEW.service, NEW.environment, NEW.id)
	ON CONFLICT (service, environment) DO UPDATE
	SET verdict_id = excluded.verdict_id;
END;
