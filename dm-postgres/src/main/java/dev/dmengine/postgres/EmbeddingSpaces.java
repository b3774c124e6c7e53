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
 * column, a btree on the session and one on the player (exact per-scope scans), and an HNSW
 * index with cosine ops for approximate player-wide search.
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
    }

    /** Up to this dimension the session index carries the vectors (btree entries are at most ~2.7 kB). */
    public static final int MAX_COVERING_DIMENSION = 600;

    /** HNSW indexes on pgvector's {@code vector} type take at most this many dimensions. */
    public static final int MAX_HNSW_DIMENSION = 2_000;

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
            if (space.dimension() <= MAX_HNSW_DIMENSION) {
                h.execute("CREATE INDEX " + bare + "_hnsw_idx ON " + table
                        + " USING hnsw (embedding vector_cosine_ops) WITH (m = " + hnswM + ", ef_construction = "
                        + hnswEfConstruction + ")");
            }
            return new Info(id, space, state, table);
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
        db.tx("retire embedding space", h -> {
            String state = h.createQuery("SELECT state FROM " + spaces + " WHERE id = :id FOR UPDATE")
                    .bind("id", info.id()).mapTo(String.class).one();
            if (State.valueOf(state) == State.ACTIVE) {
                throw new InvalidInputException("space", space + " is the active space; switch to another first");
            }
            h.createUpdate("UPDATE " + spaces + " SET state = 'RETIRED' WHERE id = :id").bind("id", info.id()).execute();
            h.execute("TRUNCATE " + info.table());
            return null;
        });
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
