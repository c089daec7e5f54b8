-- slogate schema 4: who approved, as the service knows it, and trials.
-- approved_by and revoked_by are the authenticated identity (the token's
-- name in the service, the local user in the CLI); the named_ columns hold
-- the person a client names beside it ("j.doe via release-approvals").
-- A trial verdict is shown but never counted: not by status, not as a
-- baseline (an inline policy, or a window that ends before its build).

ALTER TABLE approvals ADD COLUMN named_by TEXT;
ALTER TABLE approvals ADD COLUMN revoked_named_by TEXT;
ALTER TABLE verdicts ADD COLUMN trial INTEGER NOT NULL DEFAULT 0;
