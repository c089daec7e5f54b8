-- slogate schema 6: the latest verdict of each service and environment,
-- kept in the same transaction as each verdict, so `/` and the service
-- pages read a row per service instead of scanning every verdict.

CREATE TABLE latest_verdicts (
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	verdict_id      INTEGER NOT NULL REFERENCES verdicts (id),
	PRIMARY KEY (service, environment)
) WITHOUT ROWID;

INSERT INTO latest_verdicts (service, environment, verdict_id)
SELECT service, environment, max(id) FROM verdicts
GROUP BY service, environment;
