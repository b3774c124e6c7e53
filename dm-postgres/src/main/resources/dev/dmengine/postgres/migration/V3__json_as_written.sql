-- DM Engine schema, version 3: JSON documents are kept as written.
-- jsonb re-formats a document ({"hp":7} comes back as {"hp": 7}, keys re-ordered), so a store
-- returned another string than it was given and callers comparing sheets saw changes that
-- were none. json checks the syntax and keeps the text; no query looks inside these columns.

ALTER TABLE ${game}.characters ALTER COLUMN sheet TYPE json USING sheet::json;

ALTER TABLE ${game}.turns
    ALTER COLUMN state_before TYPE json USING state_before::json,
    ALTER COLUMN state_after  TYPE json USING state_after::json,
    ALTER COLUMN mechanics    TYPE json USING mechanics::json;
