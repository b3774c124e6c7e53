-- Jobs know whom they belong to and which request made them, so any server instance can answer
-- "is this your job, what became of it" and refuse a second job for the same idempotency key.
ALTER TABLE ${game}.jobs
    ADD COLUMN owner_id        uuid,
    ADD COLUMN idempotency_key text,
    ADD COLUMN request_hash    text;

CREATE UNIQUE INDEX jobs_idempotency_key_idx ON ${game}.jobs (queue, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
