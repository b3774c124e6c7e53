package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jdbi.v3.core.Handle;

/**
 * The embedding spaces the database holds and which one is active. Each space (model id,
 * dimension) has its own table {@code game.vectors_<id>} with a {@code vector(dimension)}
 * column, a btree on the session and one on the player (exact per-scope scans). Up to
 * {@link #MAX_HNSW_DIMENSION} dimensions it also has {@code vectors_<id>_ann}, the vectors
 * L2-normalised as {@code halfvec} under an HNSW index with cosine ops for approximate
 * player-wide search, and {@code vectors_<id>_pending}, the ids written but not yet put in
 * that graph (see {@link PgVectorIndex}).
 *
 * <p>The engine writes and retrieves under {@link #active()}. Re-embedding builds another
 * space while this one stays active, then {@link #switchTo} makes the new one active in one
 * transaction: readers see either the old space or the new one, never a mix.
 */
public final class EmbeddingSpaces {

    /** Where a space is in its life. */
    public enum State {
        /** Being filled by a re-embedding run; not searched by the engine. */
        BUILDING,
        /** Complete (or registered) but not the one the engine uses. */
        READY,
        /** The space the engine writes to and retrieves from; at most one. */
        ACTIVE,
        /** No longer used; its vectors may be dropped. */
        RETIRED
    }

    /** One registered space. {@code table} is the schema-qualified name of its vector table. */
    public record Info(int id, EmbeddingSpace space, State state, String table) {

        /** Whether the space has an HNSW graph (its dimension is at most {@link #MAX_HNSW_DIMENSION}). */
        public boolean hasAnn() {
            return space.dimension() <= MAX_HNSW_DIMENSION;
        }

        /** The table the HNSW graph indexes: message id, player id, normalised {@code halfvec}. */
        public String annTable() {
            return table + "_ann";
        }

        /** The ids of vectors written but not yet in the graph. */
        public String pendingTable() {
            return table + "_pending";
        }

        /** The HNSW index, schema-qualified. */
        public String annIndex() {
            return table + "_ann_hnsw_idx";
        }
    }

    /** Up to this dimension the session index carries the vectors (btree entries are at most ~2.7 kB). */
    public static final int MAX_COVERING_DIMENSION = 600;

    /** HNSW indexes on pgvector's {@code halfvec} type take at most this many dimensions. */
    public static final int MAX_HNSW_DIMENSION = 4_000;

    private final Db db;
    private final String spaces;
    private final Map<EmbeddingSpace, Info> known = new ConcurrentHashMap<>();
    private final int hnswM;
    private final int hnswEfConstruction;

    EmbeddingSpaces(Db db, int hnswM, int hnswEfConstruction) {
        this.db = db;
        this.spaces = db.game() + ".embedding_spaces";
        this.hnswM = hnswM;
        this.hnswEfConstruction = hnswEfConstruction;
    }

    /** The active space, if one was set. */
    public Optional<EmbeddingSpace> active() {
        return db.call("active embedding space", h -> h.createQuery("SELECT model_id, dimension FROM " + spaces
                        + " WHERE state = 'ACTIVE'")
                .map((rs, ctx) -> new EmbeddingSpace(rs.getString("model_id"), rs.getInt("dimension")))
                .findOne());
    }

    /**
     * Registers the space (creating its table and indexes) if it is new; the first space
     * registered while none is active becomes active, later ones are {@code initial}.
     */
    public Info register(EmbeddingSpace space, State initial) {
        if (initial == State.ACTIVE || initial == State.RETIRED) {
            throw new IllegalArgumentException("register spaces as BUILDING or READY, then switchTo: " + initial);
        }
        Info cached = known.get(space);
        if (cached != null) {
            return cached;
        }
        Info info = db.tx("register embedding space", h -> {
            h.createQuery("SELECT pg_advisory_xact_lock(hashtext(:key))").bind("key", spaces).mapTo(String.class).one();
            Optional<Info> existing = find(h, space);
            if (existing.isPresent()) {
                return existing.get();
            }
            boolean anyActive = h.createQuery("SELECT count(*) FROM " + spaces + " WHERE state = 'ACTIVE'")
                    .mapTo(Long.class).one() > 0;
            State state = anyActive ? initial : State.ACTIVE;
            int id = h.createQuery("INSERT INTO " + spaces + " (model_id, dimension, state, activated_at) "
                            + "VALUES (:model, :dim, :state, CASE WHEN :state = 'ACTIVE' THEN now() END) RETURNING id")
                    .bind("model", space.modelId()).bind("dim", space.dimension()).bind("state", state.name())
                    .mapTo(Integer.class).one();
            String table = tableName(id);
            String bare = "vectors_" + id;
            h.execute("CREATE TABLE " + table + " (message_id uuid PRIMARY KEY, session_id uuid NOT NULL, "
                    + "player_id uuid NOT NULL, embedding vector(" + space.dimension() + ") NOT NULL)");
            // covering: a session's vectors sit together in the index's leaf pages and the exact
            // per-session scan is an index-only scan (1.7x faster at 10,000 messages, measured);
            // a btree entry must fit in a third of a page, hence the dimension bound
            h.execute("CREATE INDEX " + bare + "_session_idx ON " + table + " (session_id)"
                    + (space.dimension() <= MAX_COVERING_DIMENSION ? " INCLUDE (message_id, embedding)" : ""));
            h.execute("CREATE INDEX " + bare + "_player_idx ON " + table + " (player_id)");
            Info created = new Info(id, space, state, table);
            if (created.hasAnn()) {
                h.execute("CREATE TABLE " + created.annTable() + " (message_id uuid PRIMARY KEY, "
                        + "player_id uuid NOT NULL, embedding halfvec(" + space.dimension() + ") NOT NULL)");
                h.execute("CREATE INDEX " + bare + "_ann_player_idx ON " + created.annTable() + " (player_id)");
                h.execute("CREATE TABLE " + created.pendingTable() + " (message_id uuid PRIMARY KEY)");
                h.execute(createAnnIndex(created));
            }
            return created;
        });
        known.put(space, new Info(info.id(), space, info.state(), info.table()));
        return info;
    }

    /** The space as registered, if it is. */
    public Optional<Info> find(EmbeddingSpace space) {
        Info cached = known.get(space);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Info> info = db.call("find embedding space", h -> find(h, space));
        info.ifPresent(i -> known.put(space, i));
        return info;
    }

    /**
     * Whether the schema is at the layout this code writes: the registry exists and every space
     * that has a graph has its queue table (migrations may not have run yet, or run elsewhere).
     */
    boolean installed() {
        return db.call("find embedding space registry", h -> {
            if (!h.createQuery("SELECT to_regclass(:t) IS NOT NULL").bind("t", spaces).mapTo(Boolean.class).one()) {
                return false;
            }
            return h.createQuery("SELECT NOT EXISTS (SELECT 1 FROM " + spaces + " WHERE dimension <= :max "
                            + "AND to_regclass(:schema || '.vectors_' || id || '_pending') IS NULL)")
                    .bind("max", MAX_HNSW_DIMENSION).bind("schema", db.game()).mapTo(Boolean.class).one();
        });
    }

    /** Every registered space with its current state, oldest first. */
    public List<Info> list() {
        return db.call("list embedding spaces", h -> h.createQuery("SELECT id, model_id, dimension, state FROM "
                        + spaces + " ORDER BY id")
                .map((rs, ctx) -> new Info(rs.getInt("id"),
                        new EmbeddingSpace(rs.getString("model_id"), rs.getInt("dimension")),
                        State.valueOf(rs.getString("state")), tableName(rs.getInt("id"))))
                .list());
    }

    /** The current state of a registered space. */
    public State state(EmbeddingSpace space) {
        Info info = find(space).orElseThrow(() -> new NotFoundException("embedding space", space));
        return db.call("embedding space state", h -> h.createQuery("SELECT state FROM " + spaces + " WHERE id = :id")
                .bind("id", info.id()).mapTo(String.class).findOne())
                .map(State::valueOf).orElseThrow(() -> new NotFoundException("embedding space", space));
    }

    /**
     * Makes the space the active one, atomically: the previous active space becomes READY in
     * the same transaction.
     */
    public void switchTo(EmbeddingSpace space) {
        Info info = find(space).orElseThrow(() -> new NotFoundException("embedding space", space));
        db.tx("switch embedding space", h -> {
            h.createUpdate("UPDATE " + spaces + " SET state = 'READY' WHERE state = 'ACTIVE' AND id <> :id")
                    .bind("id", info.id()).execute();
            int n = h.createUpdate("UPDATE " + spaces + " SET state = 'ACTIVE', activated_at = now() WHERE id = :id")
                    .bind("id", info.id()).execute();
            if (n != 1) {
                throw new NotFoundException("embedding space", space);
            }
            return null;
        });
    }

    /** Marks a space no longer active as retired and drops its vectors. */
    public void retire(EmbeddingSpace space) {
        Info info = find(space).orElseThrow(() -> new NotFoundException("embedding space", space));
        db.maintenance("retire embedding space", h -> {
            String state = h.createQuery("SELECT state FROM " + spaces + " WHERE id = :id FOR UPDATE")
                    .bind("id", info.id()).mapTo(String.class).one();
            if (State.valueOf(state) == State.ACTIVE) {
                throw new InvalidInputException("space", space + " is the active space; switch to another first");
            }
            h.createUpdate("UPDATE " + spaces + " SET state = 'RETIRED' WHERE id = :id").bind("id", info.id()).execute();
            // graph, queue, vectors: the order the indexer and player searches lock them in
            h.execute("TRUNCATE " + (info.hasAnn() ? info.annTable() + ", " + info.pendingTable() + ", " : "")
                    + info.table());
            return null;
        });
    }

    /** The statement that creates the space's HNSW index with this registry's graph settings. */
    String createAnnIndex(Info info) {
        String bare = info.annIndex().substring(info.annIndex().indexOf('.') + 1);
        return "CREATE INDEX " + bare + " ON " + info.annTable() + " USING hnsw (embedding halfvec_cosine_ops) "
                + "WITH (m = " + hnswM + ", ef_construction = " + hnswEfConstruction + ")";
    }

    String tableName(int id) {
        return db.game() + ".vectors_" + id;
    }

    private Optional<Info> find(Handle h, EmbeddingSpace space) {
        return h.createQuery("SELECT id, state FROM " + spaces + " WHERE model_id = :model AND dimension = :dim")
                .bind("model", space.modelId()).bind("dim", space.dimension())
                .map((rs, ctx) -> new Info(rs.getInt("id"), space, State.valueOf(rs.getString("state")),
                        tableName(rs.getInt("id"))))
                .findOne();
    }

    /** Forgets cached ids (after the schema was dropped and recreated). */
    void forget() {
        known.clear();
    }
}
