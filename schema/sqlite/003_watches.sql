-- slogate schema 3: evaluations that wait for their window (check --since
-- --wait). A watch and the verdict it ends with share one id: verdicts and
-- watches take ids from one sequence (the store allocates them), so an
-- evaluation keeps its id from the moment it is asked for.

CREATE TABLE watches (
	id              INTEGER PRIMARY KEY,
	service         TEXT    NOT NULL,
	environment     TEXT    NOT NULL,
	commit_sha      TEXT    NOT NULL,
	since           INTEGER NOT NULL,   -- the window starts here: the deploy
	deadline        INTEGER NOT NULL,   -- the wait ends here, inconclusive
	created_at      INTEGER NOT NULL,
	state           TEXT    NOT NULL CHECK (state IN ('running', 'done')),
	errors          INTEGER NOT NULL DEFAULT 0,  -- polls in a row that erred
	settle          INTEGER NOT NULL DEFAULT 0,  -- polls of the whole window without all its data
	progress        TEXT,               -- the latest poll, in one line
	request         TEXT    NOT NULL    -- what it runs again from (JSON)
);

-- Every poll of a watch: its timeline. Only the watch's verdict counts.
CREATE TABLE watch_polls (
	watch_id        INTEGER NOT NULL REFERENCES watches (id),
	seq             INTEGER NOT NULL,
	polled_at       INTEGER NOT NULL,
	window_end      INTEGER NOT NULL,   -- observed up to here
	verdict         TEXT    NOT NULL
	    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'error')),
	summary         TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	PRIMARY KEY (watch_id, seq)
) WITHOUT ROWID;

ALTER TABLE verdicts ADD COLUMN watch_id INTEGER REFERENCES watches (id);

CREATE INDEX watches_running ON watches (state, id);
CREATE INDEX watches_by_commit ON watches (commit_sha, service, environment, id);
