-- slogate schema 7: watches any service can carry on.
--
-- A running evaluation is domain data, the same whoever started it (the
-- service or a local check --wait): the policy it judges by, inlined, with
-- the digest of the file it came from, the subject, the window's start and
-- the deadline; no longer the HTTP request that started it.
--
-- Leases: the service (or local check) polling a watch holds it until
-- lease_until and renews it as it polls; once it stops, another takes the
-- watch over. Each poll names the process that made it.
ALTER TABLE watches ADD COLUMN policy TEXT;
ALTER TABLE watches ADD COLUMN policy_path TEXT;
ALTER TABLE watches ADD COLUMN policy_digest TEXT;
ALTER TABLE watches ADD COLUMN trial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE watches ADD COLUMN actor TEXT;
ALTER TABLE watches ADD COLUMN branch TEXT;
ALTER TABLE watches ADD COLUMN ref_name TEXT;
ALTER TABLE watches ADD COLUMN commit_author TEXT;
ALTER TABLE watches ADD COLUMN commit_subject TEXT;
ALTER TABLE watches ADD COLUMN commit_time INTEGER;
ALTER TABLE watches ADD COLUMN build_time INTEGER;
ALTER TABLE watches ADD COLUMN pipeline_id TEXT;
ALTER TABLE watches ADD COLUMN pipeline_url TEXT;
ALTER TABLE watches ADD COLUMN job_url TEXT;
ALTER TABLE watches ADD COLUMN lease_owner TEXT;
ALTER TABLE watches ADD COLUMN lease_until INTEGER;
ALTER TABLE watch_polls ADD COLUMN polled_by TEXT;

-- A watch the service started kept its request: what it runs from moves
-- into the columns (times given as unix seconds or RFC 3339; no build time
-- is the watch's start, as the service took it). A local wait kept no
-- request ('{}') and leaves no policy: no service can carry it on.
UPDATE watches SET
	policy = json_extract(request, '$.policy'),
	policy_path = json_extract(request, '$.policy_path'),
	policy_digest = json_extract(request, '$.policy_digest'),
	trial = coalesce(json_extract(request, '$.trial'), 0),
	actor = json_extract(request, '$.requested_by'),
	branch = coalesce(json_extract(request, '$.branch'),
	    json_extract(request, '$.ref_name')),
	ref_name = json_extract(request, '$.ref_name'),
	commit_author = json_extract(request, '$.commit_author'),
	commit_subject = json_extract(request, '$.commit_subject'),
	pipeline_id = json_extract(request, '$.pipeline_id'),
	pipeline_url = json_extract(request, '$.pipeline_url'),
	job_url = json_extract(request, '$.job_url'),
	commit_time = CASE WHEN json_extract(request, '$.commit_time') NOT GLOB
	    '*[^0-9]*' THEN CAST(json_extract(request, '$.commit_time') AS INTEGER)
	    ELSE CAST(strftime('%s', json_extract(request, '$.commit_time')) AS
	    INTEGER) END,
	build_time = coalesce(CASE WHEN json_extract(request, '$.build_time')
	    NOT GLOB '*[^0-9]*' THEN CAST(json_extract(request, '$.build_time') AS
	    INTEGER) ELSE CAST(strftime('%s', json_extract(request,
	    '$.build_time')) AS INTEGER) END, created_at)
WHERE json_valid(request) AND json_type(request, '$.policy') = 'object';
ALTER TABLE watches DROP COLUMN request;
