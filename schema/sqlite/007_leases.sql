-- slogate schema 7: leases on running evaluations. The service that polls
-- a watch holds it until lease_until and renews it as it polls; when that
-- service is gone, another takes the watch over once the lease ends. Each
-- poll names the service that made it.
ALTER TABLE watches ADD COLUMN lease_owner TEXT;
ALTER TABLE watches ADD COLUMN lease_until INTEGER;
ALTER TABLE watch_polls ADD COLUMN polled_by TEXT;
