-- DM Engine schema, version 4: each space's HNSW graph leaves the vector table.
--
-- Up to V3 the HNSW index sat on vectors_N itself, so every write paid for a graph insert
-- (milliseconds, more for a denser graph). From V4 the graph indexes vectors_N_ann (message
-- id, player id, the vector L2-normalised as halfvec) and vectors_N_pending holds the ids
-- written but not yet in the graph; the adapters' background indexer moves them. Here the
-- existing vectors are copied into the graph table and the graph is built once (one build is
-- far faster than the indexer's row-by-row inserts; it takes minutes for a million vectors
-- and uses maintenance_work_mem). Stop servers running the version-3 adapter first: they
-- would keep writing vectors without queuing them for the graph.
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT id, dimension FROM ${game}.embedding_spaces ORDER BY id LOOP
        EXECUTE format('DROP INDEX IF EXISTS ${game}.vectors_%s_hnsw_idx', s.id);
        IF s.dimension <= 4000 THEN
            EXECUTE format('CREATE TABLE ${game}.vectors_%1$s_ann (message_id uuid PRIMARY KEY, '
                    'player_id uuid NOT NULL, embedding halfvec(%2$s) NOT NULL)', s.id, s.dimension);
            EXECUTE format('CREATE INDEX vectors_%1$s_ann_player_idx ON ${game}.vectors_%1$s_ann (player_id)', s.id);
            EXECUTE format('CREATE TABLE ${game}.vectors_%1$s_pending (message_id uuid PRIMARY KEY)', s.id);
            EXECUTE format('INSERT INTO ${game}.vectors_%1$s_ann (message_id, player_id, embedding) '
                    'SELECT message_id, player_id, l2_normalize(embedding)::halfvec(%2$s) '
                    'FROM ${game}.vectors_%1$s', s.id, s.dimension);
            EXECUTE format('CREATE INDEX vectors_%1$s_ann_hnsw_idx ON ${game}.vectors_%1$s_ann '
                    'USING hnsw (embedding halfvec_cosine_ops) WITH (m = 32, ef_construction = 128)', s.id);
        END IF;
    END LOOP;
END
$$;
