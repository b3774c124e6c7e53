-- Finished jobs (a queued turn's outcome) are kept for a retention (a day by default) and then
-- deleted by PostgresJobQueue; this index finds the expired ones without reading the queue.
CREATE INDEX jobs_finished_idx ON ${game}.jobs (updated_at) WHERE state IN ('SUCCEEDED', 'FAILED');
