-- DM Engine schema, version 1: identity (auth) and game state (game).
-- Schema names come from Flyway placeholders so that tests and hosts can prefix them.
-- No foreign keys across ports (players <- characters <- sessions <- messages): each port
-- is its own aggregate and the engine checks ownership; keys inside one port are enforced.

-- Flyway creates both schemas (createSchemas) before this runs.

CREATE TABLE ${auth}.players (
    id                uuid        PRIMARY KEY,
    email             text        NOT NULL CHECK (length(email) BETWEEN 1 AND 320),
    display_name      text        NOT NULL CHECK (length(display_name) <= 200),
    password_hash     text        NOT NULL CHECK (length(password_hash) <= 1000),
    disabled          boolean     NOT NULL DEFAULT false,
    tokens_not_before timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
-- emails are unique whatever their case
CREATE UNIQUE INDEX players_email_lower_key ON ${auth}.players (lower(email));

CREATE TABLE ${auth}.refresh_families (
    id         uuid        PRIMARY KEY,
    player_id  uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX refresh_families_player_idx ON ${auth}.refresh_families (player_id, created_at DESC);

-- only hashes of refresh tokens are stored
CREATE TABLE ${auth}.refresh_tokens (
    token_hash text        PRIMARY KEY CHECK (length(token_hash) BETWEEN 1 AND 200),
    family_id  uuid        NOT NULL REFERENCES ${auth}.refresh_families (id) ON DELETE CASCADE,
    player_id  uuid        NOT NULL,
    issued_at  timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON ${auth}.refresh_tokens (family_id);

CREATE TABLE ${game}.characters (
    id              uuid        PRIMARY KEY,
    owner_id        uuid        NOT NULL,
    name            text        NOT NULL,
    character_class text        NOT NULL,
    level           integer     NOT NULL,
    sheet           jsonb       NOT NULL,
    version         bigint      NOT NULL CHECK (version >= 1),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX characters_owner_idx ON ${game}.characters (owner_id, created_at, id);

-- one row per item stack; rewritten with the character in the version-checked transaction
CREATE TABLE ${game}.inventory_items (
    character_id uuid             NOT NULL REFERENCES ${game}.characters (id) ON DELETE CASCADE,
    item_id      text             NOT NULL,
    position     integer          NOT NULL,
    name         text             NOT NULL,
    quantity     integer          NOT NULL CHECK (quantity >= 0),
    weight       double precision NOT NULL CHECK (weight >= 0),
    equipped     boolean          NOT NULL,
    tags         text[]           NOT NULL,
    PRIMARY KEY (character_id, item_id)
);

CREATE TABLE ${game}.sessions (
    id           uuid        PRIMARY KEY,
    owner_id     uuid        NOT NULL,
    character_id uuid        NOT NULL,
    title        text        NOT NULL,
    seed         bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX sessions_owner_idx ON ${game}.sessions (owner_id, updated_at DESC);

-- ids are UUIDv7, so id order is creation order
CREATE TABLE ${game}.messages (
    id         uuid        PRIMARY KEY,
    session_id uuid        NOT NULL,
    turn_id    uuid,
    role       text        NOT NULL CHECK (role IN ('PLAYER', 'DM', 'SYSTEM')),
    content    text        NOT NULL,
    created_at timestamptz NOT NULL,
    attributes jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX messages_session_created_idx ON ${game}.messages (session_id, created_at);

CREATE TABLE ${game}.turns (
    id                uuid        PRIMARY KEY,
    session_id        uuid        NOT NULL,
    seq               bigint      NOT NULL CHECK (seq >= 1),
    idempotency_key   text,
    status            text        NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'FAILED')),
    player_message_id uuid        NOT NULL,
    dm_message_id     uuid,
    state_before      jsonb,
    state_after       jsonb,
    mechanics         jsonb,
    failure_reason    text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT turns_session_seq_key UNIQUE (session_id, seq),
    CONSTRAINT turns_session_idempotency_key UNIQUE (session_id, idempotency_key)
);

CREATE TABLE ${game}.assets (
    id           uuid        PRIMARY KEY,
    owner_id     uuid        NOT NULL,
    kind         text        NOT NULL,
    bucket       text        NOT NULL,
    object_key   text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size >= 0),
    sha256       text,
    status       text        NOT NULL CHECK (status IN ('PENDING', 'READY', 'DELETED')),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX assets_owner_idx ON ${game}.assets (owner_id, created_at, id);

-- durable job records; claimed with SELECT ... FOR UPDATE SKIP LOCKED
CREATE TABLE ${game}.jobs (
    seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          uuid        PRIMARY KEY,
    queue       text        NOT NULL,
    payload     text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    attempts    integer     NOT NULL DEFAULT 0,
    worker_id   text,
    lease_token text,
    lease_until timestamptz,
    result      text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX jobs_claimable_idx ON ${game}.jobs (queue, seq) WHERE state IN ('QUEUED', 'RUNNING');
