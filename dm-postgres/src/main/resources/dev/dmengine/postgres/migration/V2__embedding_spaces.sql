-- DM Engine schema, version 2: embedding spaces, re-embedding progress, message paging by id.

-- pgvector lives in the public schema of the database (created there once, by a superuser
-- or the services script); every space's vector table uses its type.
CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;

-- one row per (model, dimension); the vectors of space N live in ${game}.vectors_N,
-- created when the space is registered (its column type needs the dimension).
CREATE TABLE ${game}.embedding_spaces (
    id           integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id     text        NOT NULL,
    dimension    integer     NOT NULL CHECK (dimension BETWEEN 1 AND 16000),
    state        text        NOT NULL CHECK (state IN ('BUILDING', 'READY', 'ACTIVE', 'RETIRED')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz,
    CONSTRAINT embedding_spaces_model_dimension_key UNIQUE (model_id, dimension)
);
-- at most one space is the active one
CREATE UNIQUE INDEX embedding_spaces_one_active ON ${game}.embedding_spaces ((true)) WHERE state = 'ACTIVE';

-- progress of building one space from another; the cursor makes a crashed build resumable
CREATE TABLE ${game}.reembed_runs (
    target_space_id integer     PRIMARY KEY REFERENCES ${game}.embedding_spaces (id) ON DELETE CASCADE,
    source_space_id integer     NOT NULL REFERENCES ${game}.embedding_spaces (id) ON DELETE CASCADE,
    last_message_id uuid,
    done            bigint      NOT NULL DEFAULT 0,
    total           bigint      NOT NULL DEFAULT 0,
    state           text        NOT NULL CHECK (state IN ('RUNNING', 'BUILT', 'SWITCHED')),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- transcript pages walk (session_id, id); UUIDv7 ids are in creation order
CREATE INDEX messages_session_id_idx ON ${game}.messages (session_id, id);
