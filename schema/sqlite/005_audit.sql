-- slogate schema 5: the audit trail. Every change (an evaluation, a
-- trial, an approval, a revocation, a baseline, an invalidation) adds one
-- entry, in the same transaction as the change. Each entry holds the
-- SHA-256 of what it records (content_hash: the row as stored) and of
-- itself chained to the entry before it (hash over prev_hash and its
-- fields), so `slogate audit verify` finds a row changed or deleted with
-- plain SQL, and an entry removed from the middle.

CREATE TABLE audit (
	id              INTEGER PRIMARY KEY,
	at              INTEGER NOT NULL,
	actor           TEXT    NOT NULL,   -- the token's name, or the local user
	kind            TEXT    NOT NULL CHECK (kind IN ('evaluation', 'trial',
	    'approval', 'revocation', 'baseline', 'invalidation')),
	service         TEXT,
	environment     TEXT,
	commit_sha      TEXT,
	subject_id      INTEGER NOT NULL,   -- the verdict, approval, baseline or invalidation
	what            TEXT    NOT NULL,   -- one line, as the CLI prints it
	why             TEXT,               -- the reason given, if any
	content_hash    TEXT    NOT NULL,
	prev_hash       TEXT    NOT NULL,   -- 64 zeros for the first entry
	hash            TEXT    NOT NULL
);

CREATE INDEX audit_by_service ON audit (service, environment, id);
CREATE INDEX audit_by_commit ON audit (commit_sha, id);

-- Rows older than the trail have no entry; verify starts after them.
CREATE TABLE audit_start (
	verdicts        INTEGER NOT NULL,
	approvals       INTEGER NOT NULL,
	baselines       INTEGER NOT NULL,
	invalidations   INTEGER NOT NULL
);
INSERT INTO audit_start VALUES (
	(SELECT coalesce(max(id), 0) FROM verdicts),
	(SELECT coalesce(max(id), 0) FROM approvals),
	(SELECT coalesce(max(id), 0) FROM baselines),
	(SELECT coalesce(max(id), 0) FROM invalidations));

-- Append-only for slogate's own statements; a hand with the file can
-- drop these, which is what the hash chain is for.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
