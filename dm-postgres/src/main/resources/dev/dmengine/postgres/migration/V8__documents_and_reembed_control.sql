-- DM Engine schema, version 8: documents other services index, and the operator's control of a
-- re-embedding run.

-- texts written through the embeddings service (/vec/upsert): their vectors live in the
-- embedding spaces under the document's id, like a message's; the text is kept so that a
-- re-embedding run can build a new space from it
CREATE TABLE ${game}.documents (
    id         uuid        PRIMARY KEY,
    player_id  uuid        NOT NULL,
    session_id uuid,
    content    text        NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX documents_player_idx ON ${game}.documents (player_id);

-- stop_requested: the operator asked the run to stop after its current batch (it resumes when
-- started again); settled_at: when the pass after the switch, which embeds what reached the old
-- space from turns that began before the switch, was done
ALTER TABLE ${game}.reembed_runs
    ADD COLUMN stop_requested boolean     NOT NULL DEFAULT false,
    ADD COLUMN started_at     timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN settled_at     timestamptz;
