-- Player assets (flow B): an object (bucket, key) is named by at most one live asset, so that
-- deleting one asset never deletes bytes another still shows; uploads never completed are found
-- by the clean-up without a scan; and a character's portrait is a row of its own. Asset rows
-- that were DELETED keep no claim on their object.
CREATE UNIQUE INDEX assets_object_key ON ${game}.assets (bucket, object_key) WHERE status <> 'DELETED';
CREATE INDEX assets_pending_idx ON ${game}.assets (updated_at, id) WHERE status = 'PENDING';

-- No foreign key to characters (another port, see V1): the engine checks that the character is
-- the owner's, and forgets the portrait of a character that no longer exists.
CREATE TABLE ${game}.character_portraits (
    character_id uuid        PRIMARY KEY,
    owner_id     uuid        NOT NULL,
    asset_id     uuid        NOT NULL REFERENCES ${game}.assets (id) ON DELETE CASCADE,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX character_portraits_owner_idx ON ${game}.character_portraits (owner_id);
CREATE INDEX character_portraits_asset_idx ON ${game}.character_portraits (asset_id);
