package dev.dmengine.postgres;

import com.pgvector.PGvector;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link VectorIndex} on pgvector, tables per {@link EmbeddingSpace} (see {@link EmbeddingSpaces}).
 *
 * <h2>Writes: the vector row only</h2>
 * A write stores the vector in {@code vectors_N} (the source of truth, with a covering btree
 * on the session) and the message id in {@code vectors_N_pending}, in one statement. It does
 * not touch the HNSW graph: inserting into a graph costs milliseconds per row and grows with
 * the graph's density, so the graph is kept in {@code vectors_N_ann} and filled by
 * {@link #indexPending(int)}, which the adapters' background {@link AnnIndexer} calls. Until
 * then a pending vector is still found: player-scope search ranks the pending rows exactly
 * next to the graph's candidates.
 *
 * <h2>Session scope: exact</h2>
 * {@code WHERE session_id = :s ORDER BY (embedding <=> :q) + 0 LIMIT k}: the session's rows
 * come from an index-only scan of the covering btree and are ranked by exact cosine distance
 * with a bounded top-k sort. The {@code + 0} makes the sort key an expression no index can
 * provide, so the planner can never answer with an HNSW scan filtered by session afterwards
 * (the trap that returns 0–2 rows instead of k for large sessions), even where someone adds
 * such an index to the vector table. The result is exact (recall 1.0) and always
 * {@code min(k, candidates)} rows.
 *
 * <h2>Player scope: HNSW with iterative scans, re-ranked exactly</h2>
 * A player's whole history can be large, so candidates come from the HNSW graph (cosine on
 * the L2-normalised {@code halfvec}, half the bytes of {@code vector}) with
 * {@code hnsw.iterative_scan = relaxed_order} (pgvector 0.8): the scan goes on until enough
 * rows pass the player filter. The candidates (2·k) and the pending rows of the player are
 * then ranked by the exact cosine distance of the stored {@code vector}. When the player's
 * rows are few the planner takes the player btree and the answer is exact.
 */
public final class PgVectorIndex implements VectorIndex {

    private final Db db;
    private final EmbeddingSpaces spaces;
    private volatile int efSearch = 800;
    private volatile Runnable onWrite = () -> { };
    private volatile Runnable afterDequeue = () -> { };

    PgVectorIndex(Db db, EmbeddingSpaces spaces) {
        this.db = db;
        this.spaces = spaces;
    }

    /** The adapter's registry of spaces: which one is active, switching, retiring. */
    public EmbeddingSpaces spaces() {
        return spaces;
    }

    /** Sets {@code hnsw.ef_search} for player-scope searches (at least 2·k is used). */
    public PgVectorIndex efSearch(int ef) {
        if (ef < 1 || ef > 1_000) {
            throw new IllegalArgumentException("efSearch must be 1 to 1000, was " + ef);
        }
        this.efSearch = ef;
        return this;
    }

    /** Called after each write (the background indexer wakes up). */
    void onWrite(Runnable listener) {
        this.onWrite = listener;
    }

    @Override
    public void upsert(EmbeddingSpace space, VectorRecord record) {
        upsertAll(space, List.of(record));
    }

    @Override
    public void upsertAll(EmbeddingSpace space, List<VectorRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        for (int i = 0; i < records.size(); i++) {
            Checks.vector(records.size() == 1 ? "vector" : "records[" + i + "].vector", records.get(i).vector(),
                    space.dimension());
        }
        EmbeddingSpaces.Info info = spaces.register(space, EmbeddingSpaces.State.READY);
        String upsert = "INSERT INTO " + info.table() + " (message_id, session_id, player_id, embedding) "
                + "VALUES (:message, :session, :player, :embedding) ON CONFLICT (message_id) DO UPDATE SET "
                + "session_id = excluded.session_id, player_id = excluded.player_id, embedding = excluded.embedding";
        // the vector and its place in the ANN queue in one statement: one round trip, one commit.
        // DO UPDATE, not DO NOTHING: when the indexer holds the queued row (it is reading the
        // old vector) the write waits for it and then queues the id again; DO NOTHING would
        // not wait, and the graph could keep the old vector with nothing queued to replace it
        String sql = info.hasAnn()
                ? "WITH v AS (" + upsert + " RETURNING message_id) INSERT INTO " + info.pendingTable()
                        + " (message_id) SELECT message_id FROM v ON CONFLICT (message_id) DO UPDATE SET "
                        + "message_id = excluded.message_id"
                : upsert;
        if (records.size() == 1) {
            VectorRecord r = records.getFirst();
            db.call("store vector", h -> h.createUpdate(sql).bind("message", r.messageId())
                    .bind("session", r.sessionId()).bind("player", r.playerId())
                    .bind("embedding", vector(r.vector())).execute());
        } else {
            db.tx("store vectors", h -> {
                PreparedBatch batch = h.prepareBatch(sql);
                for (VectorRecord r : records) {
                    batch.bind("message", r.messageId()).bind("session", r.sessionId()).bind("player", r.playerId())
                            .bind("embedding", vector(r.vector())).add();
                }
                return batch.execute();
            });
        }
        if (info.hasAnn()) {
            onWrite.run();
        }
    }

    @Override
    public List<VectorMatch> search(VectorQuery q) {
        Checks.vector("vector", q.vector(), q.space().dimension());
        Optional<EmbeddingSpaces.Info> found = spaces.find(q.space());
        if (found.isEmpty()) {
            return List.of(); // nothing was ever stored in this space
        }
        EmbeddingSpaces.Info info = found.get();
        List<UUID> exclude = List.copyOf(q.exclude());
        return switch (q.scope()) {
            case SESSION -> searchExact(info, "session_id", q, exclude);
            case PLAYER -> info.hasAnn()
                    ? searchPlayerAnn(info, q, exclude)
                    : searchExact(info, "player_id", q, exclude);
        };
    }

    /** The exact per-session query (parameters {@code :q :scope :exclude :k}); tests read its plan. */
    static String sessionSql(String table) {
        return exactSql(table, "session_id");
    }

    /**
     * Every row of the scope ranked by exact cosine distance, through the btree on the scope
     * column; {@code + 0} keeps any HNSW index out of the plan.
     */
    private static String exactSql(String table, String scopeColumn) {
        return "SELECT message_id, session_id, (embedding <=> :q) + 0 AS d FROM " + table
                + " WHERE " + scopeColumn + " = :scope AND NOT (message_id = ANY(:exclude)) "
                + "ORDER BY d, message_id LIMIT :k";
    }

    private List<VectorMatch> searchExact(EmbeddingSpaces.Info info, String scopeColumn, VectorQuery q,
                                          List<UUID> exclude) {
        return db.call("search vectors by " + scopeColumn, h -> h.createQuery(exactSql(info.table(), scopeColumn))
                .bind("q", vector(q.vector())).bind("scope", q.scopeId())
                .bindArray("exclude", UUID.class, exclude).bind("k", q.k())
                .map(PgVectorIndex::match).list());
    }

    private static VectorMatch match(ResultSet rs, StatementContext ctx) throws SQLException {
        return new VectorMatch(Db.uuid(rs, "message_id"), Db.uuid(rs, "session_id"), 1.0 - rs.getDouble("d"));
    }

    /**
     * The player query over the graph (parameters {@code :q :scope :exclude :k :candidates}):
     * candidates from the HNSW scan (relaxed order, so 2·k of them) and every pending row of
     * the player, then one exact ranking on the stored vectors. Both joins are per-id index
     * lookups ({@code LATERAL … LIMIT 1}, which the planner cannot flatten): planned as hash
     * joins they scanned every vector of the player. Tests read its plan.
     */
    static String playerSql(EmbeddingSpaces.Info info) {
        return "WITH a AS MATERIALIZED (SELECT message_id FROM " + info.annTable()
                + " WHERE player_id = :scope AND NOT (message_id = ANY(:exclude)) "
                + "ORDER BY embedding <=> l2_normalize(:q)::halfvec(" + info.space().dimension() + ") "
                + "LIMIT :candidates), "
                + "c AS MATERIALIZED (SELECT message_id FROM a UNION SELECT p.message_id FROM "
                + info.pendingTable() + " p CROSS JOIN LATERAL (SELECT 1 FROM " + info.table()
                + " pv WHERE pv.message_id = p.message_id AND pv.player_id = :scope LIMIT 1) mine) "
                + "SELECT v.message_id, v.session_id, v.embedding <=> :q AS d FROM c CROSS JOIN LATERAL "
                + "(SELECT x.message_id, x.session_id, x.embedding FROM " + info.table()
                + " x WHERE x.message_id = c.message_id AND x.player_id = :scope LIMIT 1) v "
                + "WHERE NOT (v.message_id = ANY(:exclude)) ORDER BY d, v.message_id LIMIT :k";
    }

    private List<VectorMatch> searchPlayerAnn(EmbeddingSpaces.Info info, VectorQuery q, List<UUID> exclude) {
        return db.tx("search player vectors", h -> {
            int ef = Math.min(1_000, Math.max(efSearch, 2 * q.k()));
            // JIT off: its compile (120 ms measured) is planned from cost estimates of the pending
            // table that say nothing of the few rows it holds, and saves nothing on these plans
            h.createQuery("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), "
                            + "set_config('hnsw.ef_search', :ef, true), set_config('jit', 'off', true)")
                    .bind("ef", Integer.toString(ef)).mapTo(String.class).list();
            return h.createQuery(playerSql(info))
                    .bind("q", vector(q.vector())).bind("scope", q.scopeId())
                    .bindArray("exclude", UUID.class, exclude).bind("k", q.k()).bind("candidates", 2 * q.k())
                    .map(PgVectorIndex::match).list();
        });
    }

    /**
     * Moves up to {@code max} pending vectors (the active space's first, then the others,
     * oldest first) into their HNSW graphs, in batches that commit on their own; several callers
     * (threads, server instances) share the work without taking the same rows. Returns how many
     * were moved. Call it outside any transaction of the caller's.
     */
    public int indexPending(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        int moved = 0;
        List<EmbeddingSpaces.Info> all = new ArrayList<>(spaces.list());
        all.sort(Comparator.comparing((EmbeddingSpaces.Info i) -> i.state() != EmbeddingSpaces.State.ACTIVE));
        for (EmbeddingSpaces.Info info : all) {
            if (!info.hasAnn() || info.state() == EmbeddingSpaces.State.RETIRED) {
                continue;
            }
            while (moved < max) {
                int n = indexBatch(info, Math.min(32, max - moved));
                if (n == 0) {
                    break;
                }
                moved += n;
            }
        }
        return moved;
    }

    private int indexBatch(EmbeddingSpaces.Info info, int batch) {
        // the queued rows are locked (SKIP LOCKED: others take the next ones) and deleted, then
        // their vectors go into the graph, in one transaction: a crash leaves them queued. Two
        // statements, so that the vectors are read with a snapshot taken after the rows were
        // locked: a write that committed before that is seen, one still running waits for this
        // transaction (the writer's ON CONFLICT DO UPDATE) and queues its id again
        return db.tx("index pending vectors", h -> {
            // losing this commit in a crash only puts the rows back in the queue (same transaction)
            h.execute("SET LOCAL synchronous_commit = off");
            // the tables in the order player searches and rebuilds take them (graph, queue,
            // vectors), so that a rebuild or a retire never deadlocks with this transaction
            h.execute("LOCK TABLE " + info.annTable() + ", " + info.pendingTable() + " IN ROW EXCLUSIVE MODE");
            h.execute("LOCK TABLE " + info.table() + " IN ACCESS SHARE MODE");
            List<UUID> ids = h.createQuery("DELETE FROM " + info.pendingTable() + " WHERE message_id IN "
                            + "(SELECT message_id FROM " + info.pendingTable()
                            + " ORDER BY message_id LIMIT :batch FOR UPDATE SKIP LOCKED) RETURNING message_id")
                    .bind("batch", batch).mapTo(UUID.class).list();
            if (ids.isEmpty()) {
                return 0;
            }
            afterDequeue.run();
            h.createUpdate("INSERT INTO " + info.annTable() + " (message_id, player_id, embedding) "
                            + "SELECT v.message_id, v.player_id, l2_normalize(v.embedding)::halfvec("
                            + info.space().dimension() + ") FROM unnest(:ids) AS p(id) CROSS JOIN LATERAL "
                            + "(SELECT x.message_id, x.player_id, x.embedding FROM " + info.table()
                            + " x WHERE x.message_id = p.id LIMIT 1) v "
                            + "ON CONFLICT (message_id) DO UPDATE SET "
                            + "player_id = excluded.player_id, embedding = excluded.embedding")
                    .bindArray("ids", UUID.class, ids).execute();
            return ids.size();
        });
    }

    /** Runs between taking rows off the queue and reading their vectors (tests interleave a write here). */
    void afterDequeue(Runnable hook) {
        this.afterDequeue = hook;
    }

    /** Vectors of the space written but not yet in its HNSW graph (they are searched exactly). */
    public long pending(EmbeddingSpace space) {
        Optional<EmbeddingSpaces.Info> info = spaces.find(space);
        if (info.isEmpty() || !info.get().hasAnn()) {
            return 0;
        }
        return db.call("count pending vectors", h -> h.createQuery("SELECT count(*) FROM "
                + info.get().pendingTable()).mapTo(Long.class).one());
    }

    /**
     * Builds the space's HNSW graph again from scratch from every stored vector, emptying the
     * queue: for bulk loads, where one index build is many times faster than inserting row by
     * row, and to start over. Writes and player-scope searches of the space wait for the build
     * (minutes for a million vectors); session-scope searches do not. Uses up to
     * {@code maintenanceWorkMemMb} MiB (the graph should fit) and PostgreSQL's parallel
     * maintenance workers. Runs as maintenance: the pool's socket timeout does not apply.
     */
    public void rebuildAnnIndex(EmbeddingSpace space, int maintenanceWorkMemMb) {
        if (maintenanceWorkMemMb < 64 || maintenanceWorkMemMb > 1_048_576) {
            throw new IllegalArgumentException("maintenanceWorkMemMb must be 64 to 1048576, was "
                    + maintenanceWorkMemMb);
        }
        EmbeddingSpaces.Info info = spaces.find(space)
                .orElseThrow(() -> new IllegalArgumentException("no such embedding space: " + space));
        if (!info.hasAnn()) {
            return;
        }
        db.maintenance("rebuild ANN index", h -> {
            h.execute("SET LOCAL maintenance_work_mem = '" + maintenanceWorkMemMb + "MB'");
            // graph first, then queue: the order player searches lock them in
            h.execute("LOCK TABLE " + info.annTable() + ", " + info.pendingTable() + " IN ACCESS EXCLUSIVE MODE");
            h.execute("DROP INDEX IF EXISTS " + info.annIndex());
            h.execute("TRUNCATE " + info.annTable() + ", " + info.pendingTable());
            h.execute("INSERT INTO " + info.annTable() + " (message_id, player_id, embedding) "
                    + "SELECT message_id, player_id, l2_normalize(embedding)::halfvec(" + space.dimension()
                    + ") FROM " + info.table());
            h.execute(spaces.createAnnIndex(info));
            return null;
        });
        db.maintenance("analyze ANN table", h -> h.execute("ANALYZE " + info.annTable()));
    }

    @Override
    public boolean delete(UUID messageId) {
        int deleted = 0;
        for (EmbeddingSpaces.Info info : spaces.list()) {
            deleted += db.tx("delete vector", h -> {
                int n = h.createUpdate("DELETE FROM " + info.table() + " WHERE message_id = :id")
                        .bind("id", messageId).execute();
                if (info.hasAnn()) {
                    h.createUpdate("DELETE FROM " + info.pendingTable() + " WHERE message_id = :id")
                            .bind("id", messageId).execute();
                    h.createUpdate("DELETE FROM " + info.annTable() + " WHERE message_id = :id")
                            .bind("id", messageId).execute();
                }
                return n;
            });
        }
        return deleted > 0;
    }

    @Override
    public long count(EmbeddingSpace space, UUID sessionId) {
        Optional<EmbeddingSpaces.Info> info = spaces.find(space);
        if (info.isEmpty()) {
            return 0;
        }
        return db.call("count vectors", h -> h.createQuery("SELECT count(*) FROM " + info.get().table()
                        + " WHERE session_id = :session")
                .bind("session", sessionId).mapTo(Long.class).one());
    }

    /** One query: the asked ids less those with a row in the space's table. */
    @Override
    public Set<UUID> unindexed(EmbeddingSpace space, UUID sessionId, Collection<UUID> messageIds) {
        Objects.requireNonNull(sessionId, "sessionId");
        if (messageIds.size() > 200) {
            throw new InvalidInputException("messageIds", "at most 200 at once, was " + messageIds.size());
        }
        if (messageIds.isEmpty()) {
            return Set.of();
        }
        Optional<EmbeddingSpaces.Info> info = spaces.find(space);
        if (info.isEmpty()) {
            return Set.copyOf(messageIds);
        }
        UUID[] ids = messageIds.toArray(UUID[]::new);
        return Set.copyOf(db.call("find unindexed messages", h -> h.createQuery("SELECT id FROM unnest(:ids) AS asked(id) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM " + info.get().table() + " v WHERE v.message_id = asked.id "
                        + "AND v.session_id = :session)")
                .bind("ids", ids).bind("session", sessionId).mapTo(UUID.class).list()));
    }

    static Argument vector(float[] v) {
        PGvector pg = new PGvector(v);
        return (position, statement, ctx) -> statement.setObject(position, pg);
    }
}
