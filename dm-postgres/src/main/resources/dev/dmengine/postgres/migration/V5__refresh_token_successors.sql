-- A rotated refresh token remembers its successor: the hash, and the successor's value sealed
-- (AES-GCM) under a key derived from the server's secret and the used token itself, which is
-- never stored. Within a short leeway a concurrent use of the used token (two tabs refreshing
-- at once) gets that same successor instead of ending the session. Without the used token the
-- sealed value cannot be opened, so the table still holds nothing a client could present.
ALTER TABLE ${auth}.refresh_tokens
    ADD COLUMN successor_hash   text CHECK (length(successor_hash) BETWEEN 1 AND 200),
    ADD COLUMN sealed_successor text CHECK (length(sealed_successor) BETWEEN 1 AND 512);
