package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Db;
import dev.dmengine.postgres.internal.SqlErrors;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Builds a new embedding space from the texts behind the vectors of the active one (messages
 * and {@link PostgresDocumentStore documents}), in batches, while retrieval keeps using the
 * active space; then switches to the new space atomically.
 *
 * <p>A run goes through these steps, each a named method below:
 * <ol>
 * <li>{@link #start}: registers the target space and the run ({@code game.reembed_runs}), or
 *     finds the run a crashed or stopped process left;</li>
 * <li>{@link #batch}, until none is left: the next messages in id order after the run's cursor,
 *     embedded with the new {@link Embedder}; their vectors and the advanced cursor commit in
 *     one transaction, so a crashed run resumes after its last committed batch and never embeds
 *     a committed batch twice;</li>
 * <li>the target's HNSW graph, built in one go if the background indexer is far behind
 *     (one build is many times faster than inserting row by row);</li>
 * <li>{@link #sweep} before the switch: what reached the old space behind the cursor while the
 *     batches ran (a document written with an older id, a message whose vector came late);</li>
 * <li>the switch: the new space becomes the active one and the run {@code SWITCHED}, in one
 *     transaction — readers see the old space or the new one, never a mix;</li>
 * <li>{@link #sweep} right after it, and again in {@link #settle} once turns that began before
 *     the switch (and wrote to the old space) have ended.</li>
 * </ol>
 *
 * <p>One process runs a given run at a time: {@link #run} holds a PostgreSQL advisory lock
 * (on a connection of its own) while it works, and another process asking to run it gets a
 * {@link ConflictException}; the lock goes with the connection if the process dies. The cursor
 * advances only from the value the batch started at, so even a run whose lock was lost with its
 * connection cannot write over another's progress. Progress (rows done / total) is readable at
 * any time with {@link #progress}, from any process; {@link #requestStop} asks a run to stop
 * after its current batch and {@link #cancel} drops a run that is not running.
 */
public final class Reembedder {

    /** Where a run is. {@code state}: {@code RUNNING}, {@code BUILT} (all batches done) or {@code SWITCHED}. */
    public record Progress(EmbeddingSpace source, EmbeddingSpace target, long done, long total, String state,
                           boolean stopRequested, Instant startedAt, Instant updatedAt, Instant settledAt) {

        public double fraction() {
            return total == 0 ? 1.0 : Math.min(1.0, (double) done / total);
        }

        public boolean switched() {
            return "SWITCHED".equals(state);
        }

        /** Switched, and the pass after the switch is done too. */
        public boolean settled() {
            return settledAt != null;
        }
    }

    /** Told about each committed batch of a run, on the run's thread. */
    @FunctionalInterface
    public interface Listener {

        Listener NONE = (progress, embedded) -> { };

        /**
         * After a batch committed: the run's progress and how many texts the batch embedded. An
         * exception thrown here ends the run after that batch; it resumes there when run again.
         */
        void batchDone(Progress progress, int embedded);
    }

    private static final int MAX_BATCH = 10_000;
    /** Vectors waiting for the target's graph from which the graph is built at once before the switch. */
    static final int REBUILD_GRAPH_AT = 5_000;
    private volatile int rebuildGraphAt = REBUILD_GRAPH_AT;
    /** {@code maintenance_work_mem} of that build; a graph larger than this is built on disk, slower. */
    static final int REBUILD_GRAPH_MEMORY_MB = 256;

    private final Db db;
    private final EmbeddingSpaces spaces;
    private final PgVectorIndex index;
    private final String runs;
    private final String messages;
    private final String documents;
    private final String lockKey;

    Reembedder(Db db, EmbeddingSpaces spaces, PgVectorIndex index) {
        this.db = db;
        this.spaces = spaces;
        this.index = index;
        this.runs = db.game() + ".reembed_runs";
        this.messages = db.game() + ".messages";
        this.documents = db.game() + ".documents";
        this.lockKey = db.game() + ".reembed";
    }

    /** From how many vectors waiting for the target's graph it is built at once (tests lower it). */
    void rebuildGraphAt(int pending) {
        this.rebuildGraphAt = pending;
    }

    // ---- reading progress ----

    /** The progress of the run that builds {@code target}, if one was started. */
    public Optional<Progress> progress(EmbeddingSpace target) {
        Optional<EmbeddingSpaces.Info> t = spaces.find(target);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        return db.call("re-embedding progress", h -> h.createQuery(progressSql("WHERE r.target_space_id = :t"))
                .bind("t", t.get().id()).map(this::mapProgress).findOne());
    }

    /** The run an operator most likely asks about: an unfinished one if any, else the latest. */
    public Optional<Progress> latest() {
        return db.call("latest re-embedding run", h -> h.createQuery(progressSql(
                        "ORDER BY (r.state <> 'SWITCHED') DESC, r.updated_at DESC LIMIT 1"))
                .map(this::mapProgress).findOne());
    }

    /** Every run that is not switched yet (normally at most one). */
    public List<Progress> unfinished() {
        return db.call("unfinished re-embedding runs", h -> h.createQuery(progressSql(
                        "WHERE r.state <> 'SWITCHED' ORDER BY r.updated_at DESC"))
                .map(this::mapProgress).list());
    }

    /** Whether some process (this one included) is running the run that builds {@code target} now. */
    public boolean running(EmbeddingSpace target) {
        Optional<EmbeddingSpaces.Info> t = spaces.find(target);
        return t.isPresent() && db.call("is re-embedding running", h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM "
                        + "pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND database = "
                        + "(SELECT oid FROM pg_database WHERE datname = current_database()) "
                        + "AND classid = hashtext(:key)::oid AND objid = CAST(:id AS integer)::oid)")
                .bind("key", lockKey).bind("id", t.get().id()).mapTo(Boolean.class).one());
    }

    private String progressSql(String tail) {
        return "SELECT r.done, r.total, r.state, r.stop_requested, r.started_at, r.updated_at, r.settled_at, "
                + "s.model_id AS source_model, s.dimension AS source_dimension, "
                + "t.model_id AS target_model, t.dimension AS target_dimension FROM " + runs + " r JOIN "
                + db.game() + ".embedding_spaces s ON s.id = r.source_space_id JOIN " + db.game()
                + ".embedding_spaces t ON t.id = r.target_space_id " + tail;
    }

    private Progress mapProgress(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Progress(new EmbeddingSpace(rs.getString("source_model"), rs.getInt("source_dimension")),
                new EmbeddingSpace(rs.getString("target_model"), rs.getInt("target_dimension")),
                rs.getLong("done"), rs.getLong("total"), rs.getString("state"), rs.getBoolean("stop_requested"),
                Db.instant(rs, "started_at"), Db.instant(rs, "updated_at"), Db.instant(rs, "settled_at"));
    }

    // ---- running ----

    /** Runs {@link #run} on the executor. */
    public CompletableFuture<Progress> runInBackground(Embedder embedder, int batchSize, Executor executor) {
        return CompletableFuture.supplyAsync(() -> run(embedder, batchSize, Integer.MAX_VALUE), executor);
    }

    /** {@link #run(Embedder, int, int, Listener)} with no listener. */
    public Progress run(Embedder embedder, int batchSize, int maxBatches) {
        return run(embedder, batchSize, maxBatches, Listener.NONE);
    }

    /**
     * Builds (or goes on building) the embedder's space from the active space, at most
     * {@code maxBatches} batches in this call; when the build is complete, switches to it.
     * Call again after a crash, a stop or a partial call: it resumes where the last committed
     * batch ended (and clears a stop request).
     *
     * @throws ConflictException if another process runs it now, or another run is unfinished
     */
    public Progress run(Embedder embedder, int batchSize, int maxBatches, Listener listener) {
        checkBatchSize(batchSize);
        EmbeddingSpace target = embedder.space();
        EmbeddingSpaces.Info t = spaces.register(target, EmbeddingSpaces.State.BUILDING);
        try (RunLock lock = lock(t)) {
            Run run = start(t);
            if (!run.switched) {
                for (int i = 0; i < maxBatches; i++) {
                    lock.check();
                    Cursor cursor = cursor(run);
                    if (cursor.stopRequested) {
                        break;
                    }
                    int embedded = batch(run, embedder, batchSize, cursor.last);
                    if (embedded < 0) {
                        finish(run, embedder, batchSize, listener, lock);
                        break;
                    }
                    listener.batchDone(progress(target).orElseThrow(), embedded);
                }
            }
        }
        return progress(target).orElseThrow();
    }

    /**
     * The pass after a switch, once the turns that began before it have ended: embeds into the
     * (now active) target what reached the old space after the switch, then marks the run settled.
     */
    public Progress settle(Embedder embedder, int batchSize, Listener listener) {
        checkBatchSize(batchSize);
        EmbeddingSpace target = embedder.space();
        EmbeddingSpaces.Info t = spaces.find(target)
                .orElseThrow(() -> new NotFoundException("re-embedding run", target));
        try (RunLock lock = lock(t)) {
            Run run = existing(t).filter(r -> r.switched)
                    .orElseThrow(() -> new ConflictException("the re-embedding run to " + target + " has not switched"));
            sweep(run, embedder, batchSize, listener, lock);
            db.call("re-embedding settled", h -> h.createUpdate("UPDATE " + runs + " SET settled_at = now(), "
                    + "updated_at = now() WHERE target_space_id = :t").bind("t", t.id()).execute());
        }
        return progress(target).orElseThrow();
    }

    /** Asks the run that builds {@code target} to stop after its current batch; {@code false} if it is finished or absent. */
    public boolean requestStop(EmbeddingSpace target) {
        Optional<EmbeddingSpaces.Info> t = spaces.find(target);
        return t.isPresent() && db.call("stop re-embedding run", h -> h.createUpdate("UPDATE " + runs
                        + " SET stop_requested = true, updated_at = now() WHERE target_space_id = :t "
                        + "AND state <> 'SWITCHED'")
                .bind("t", t.get().id()).execute()) == 1;
    }

    /**
     * Drops a run that has not switched and is not running: the run's record, and the target
     * space's vectors (the space is retired).
     *
     * @throws ConflictException if it runs now or has switched already
     */
    public void cancel(EmbeddingSpace target) {
        EmbeddingSpaces.Info t = spaces.find(target)
                .orElseThrow(() -> new NotFoundException("re-embedding run", target));
        try (RunLock lock = lock(t)) {
            Run run = existing(t).orElseThrow(() -> new NotFoundException("re-embedding run", target));
            if (run.switched) {
                throw new ConflictException("the re-embedding run to " + target + " has switched already; "
                        + "nothing to cancel");
            }
            deleteRun(t);
            if (spaces.state(target) != EmbeddingSpaces.State.ACTIVE) {
                spaces.retire(target);
            }
        }
    }

    private static void checkBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new InvalidInputException("batchSize", "must be 1 to " + MAX_BATCH + ", was " + batchSize);
        }
    }

    private record Run(EmbeddingSpaces.Info source, EmbeddingSpaces.Info target, boolean switched) {
    }

    /** Step 1: the run to go on with, or a new one from the active space. */
    private Run start(EmbeddingSpaces.Info t) {
        EmbeddingSpace target = t.space();
        Optional<EmbeddingSpace> active = spaces.active();
        Optional<Run> existing = existing(t);
        if (existing.isPresent()) {
            Run run = existing.get();
            if (active.isPresent() && active.get().equals(target)) {
                if (!run.switched) { // switched, and the process ended before it said so
                    markSwitched(t);
                }
                return new Run(run.source, run.target, true);
            }
            if (!run.switched && active.isPresent() && active.get().equals(run.source.space())) {
                db.call("resume re-embedding run", h -> h.createUpdate("UPDATE " + runs + " SET stop_requested = "
                        + "false, updated_at = now() WHERE target_space_id = :t").bind("t", t.id()).execute());
                return run;
            }
            deleteRun(t); // switched long ago, or built from a space that is no longer the active one
        }
        EmbeddingSpace from = active.orElseThrow(() -> new ConflictException("no embedding space is active yet: "
                + "there is nothing to re-embed"));
        if (from.equals(target)) {
            throw new InvalidInputException("model", target + " is the active embedding space already");
        }
        for (Progress other : unfinished()) {
            if (!other.target().equals(target) && other.source().equals(from)) {
                throw new ConflictException("the re-embedding run to " + other.target() + " is unfinished ("
                        + other.done() + " of " + other.total() + "): finish it, or cancel it first");
            }
        }
        EmbeddingSpaces.Info source = spaces.find(from).orElseThrow();
        db.tx("start re-embedding run", h -> h.createUpdate("INSERT INTO " + runs + " (target_space_id, "
                        + "source_space_id, done, total, state) SELECT :t, :s, 0, count(*), 'RUNNING' FROM "
                        + source.table() + " ON CONFLICT (target_space_id) DO NOTHING")
                .bind("t", t.id()).bind("s", source.id()).execute());
        return new Run(source, t, false);
    }

    private Optional<Run> existing(EmbeddingSpaces.Info t) {
        return db.call("find re-embedding run", h -> h.createQuery("SELECT source_space_id, state FROM " + runs
                        + " WHERE target_space_id = :t")
                .bind("t", t.id()).map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getString(2)}).findOne())
                .map(row -> new Run(byId((Integer) row[0]), t, "SWITCHED".equals(row[1])));
    }

    private void deleteRun(EmbeddingSpaces.Info t) {
        db.call("delete re-embedding run", h -> h.createUpdate("DELETE FROM " + runs + " WHERE target_space_id = :t")
                .bind("t", t.id()).execute());
    }

    private EmbeddingSpaces.Info byId(int id) {
        return spaces.list().stream().filter(i -> i.id() == id).findFirst()
                .orElseThrow(() -> new NotFoundException("embedding space", id));
    }

    private record Row(UUID messageId, UUID sessionId, UUID playerId, String content, boolean document) {
    }

    private record Cursor(UUID last, boolean stopRequested) {
    }

    /** Where the run's batches are, and whether the operator asked it to stop. */
    private Cursor cursor(Run run) {
        return db.call("re-embedding cursor", h -> h.createQuery("SELECT last_message_id, stop_requested FROM " + runs
                        + " WHERE target_space_id = :t")
                .bind("t", run.target.id())
                .map((rs, ctx) -> new Cursor(Db.uuid(rs, "last_message_id"), rs.getBoolean("stop_requested")))
                .findOne().orElseThrow(() -> new NotFoundException("re-embedding run", run.target.space())));
    }

    /**
     * Step 2: embeds and stores the next batch after the cursor; returns how many texts it
     * embedded, or -1 when no row is left.
     */
    private int batch(Run run, Embedder embedder, int batchSize, UUID cursor) {
        List<Row> rows = read(run, cursor, false, batchSize);
        if (rows.isEmpty()) {
            return -1;
        }
        List<float[]> vectors = embed(embedder, rows);
        write(run, rows, vectors, true, cursor);
        return rows.size();
    }

    /**
     * Steps 3 and 5: embeds every row of the source space that has no vector in the target, in
     * id order, pass after pass until a pass finds none (rows written during a pass behind its
     * position are found by the next).
     */
    private void sweep(Run run, Embedder embedder, int batchSize, Listener listener, RunLock lock) {
        int found;
        do {
            found = 0;
            UUID after = null;
            while (true) {
                lock.check();
                List<Row> rows = read(run, after, true, batchSize);
                if (rows.isEmpty()) {
                    break;
                }
                write(run, rows, embed(embedder, rows), false, null);
                found += rows.size();
                after = rows.getLast().messageId();
                listener.batchDone(progress(run.target.space()).orElseThrow(), rows.size());
            }
        } while (found > 0);
    }

    /**
     * Steps 3 and 4: the target's HNSW graph built in one go when the background indexer is far
     * behind, the sweep, then the switch, then the sweep right after it.
     */
    private void finish(Run run, Embedder embedder, int batchSize, Listener listener, RunLock lock) {
        db.call("re-embedding built", h -> h.createUpdate("UPDATE " + runs + " SET state = 'BUILT', total = done, "
                        + "updated_at = now() WHERE target_space_id = :t AND state = 'RUNNING'")
                .bind("t", run.target.id()).execute());
        if (index.pending(run.target.space()) >= rebuildGraphAt) {
            // row by row the indexer puts 50 to 140 vectors a second into a graph; one build of
            // the whole graph is many times faster, and nobody searches the target yet
            index.rebuildAnnIndex(run.target.space(), REBUILD_GRAPH_MEMORY_MB);
        }
        sweep(run, embedder, batchSize, listener, lock);
        db.inTransaction(() -> {
            spaces.switchTo(run.target.space());
            markSwitched(run.target);
            return null;
        });
        sweep(run, embedder, batchSize, listener, lock);
    }

    private void markSwitched(EmbeddingSpaces.Info t) {
        db.call("re-embedding switched", h -> h.createUpdate("UPDATE " + runs + " SET state = 'SWITCHED', "
                        + "total = greatest(total, done), updated_at = now() WHERE target_space_id = :t")
                .bind("t", t.id()).execute());
    }

    /**
     * Source rows with a text (a message's or a document's) in id order: after {@code after},
     * and with {@code missingOnly} only those without a vector in the target.
     */
    private List<Row> read(Run run, UUID after, boolean missingOnly, int limit) {
        String sql = "SELECT v.message_id, v.session_id, v.player_id, m.content AS message_content, "
                + "d.content AS document_content FROM " + run.source.table() + " v "
                + "LEFT JOIN " + messages + " m ON m.id = v.message_id "
                + "LEFT JOIN " + documents + " d ON d.id = v.message_id "
                + "WHERE (m.id IS NOT NULL OR d.id IS NOT NULL)"
                + (after == null ? "" : " AND v.message_id > :after")
                + (missingOnly ? " AND NOT EXISTS (SELECT 1 FROM " + run.target.table()
                        + " t WHERE t.message_id = v.message_id)" : "")
                + " ORDER BY v.message_id LIMIT :n";
        return db.maintenance("read re-embedding batch", h -> h.createQuery(sql)
                .bind("after", after).bind("n", limit)
                .map((rs, ctx) -> {
                    String message = rs.getString("message_content");
                    return new Row(Db.uuid(rs, "message_id"), Db.uuid(rs, "session_id"), Db.uuid(rs, "player_id"),
                            message != null ? message : rs.getString("document_content"), message == null);
                })
                .list());
    }

    private static List<float[]> embed(Embedder embedder, List<Row> rows) {
        List<float[]> vectors = embedder.embedAll(rows.stream().map(Row::content).toList());
        if (vectors.size() != rows.size()) {
            throw new IllegalStateException("embedder returned " + vectors.size() + " vectors for " + rows.size()
                    + " texts");
        }
        return vectors;
    }

    /**
     * Writes a batch's vectors into the target and counts them, in one transaction; with
     * {@code advance}, also moves the cursor — only from {@code cursor}, the value the batch
     * started at. A document whose text changed since it was read is left out (its update
     * removed its vectors from every space but the active one, so a sweep embeds it again).
     */
    private void write(Run run, List<Row> rows, List<float[]> vectors, boolean advance, UUID cursor) {
        db.inMaintenanceTransaction(() -> {
            Map<UUID, String> current = documentTexts(rows);
            List<VectorRecord> records = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                if (!r.document || r.content.equals(current.get(r.messageId))) {
                    records.add(new VectorRecord(r.messageId, r.sessionId, r.playerId, vectors.get(i)));
                }
            }
            index.upsertAll(run.target.space(), records);
            int updated = db.call("advance re-embedding run", h -> h.createUpdate("UPDATE " + runs + " SET "
                            + (advance ? "last_message_id = :last, " : "")
                            + "done = done + :n, total = greatest(total, done + :n), updated_at = now() "
                            + "WHERE target_space_id = :t"
                            + (advance ? " AND last_message_id IS NOT DISTINCT FROM CAST(:cursor AS uuid)" : ""))
                    .bind("last", rows.getLast().messageId()).bind("cursor", cursor).bind("n", records.size())
                    .bind("t", run.target.id()).execute());
            if (updated != 1) {
                throw new ConflictException("the re-embedding run to " + run.target.space()
                        + " was advanced by another process");
            }
            return null;
        });
    }

    /** The current texts of the batch's documents, locked until the batch commits. */
    private Map<UUID, String> documentTexts(List<Row> rows) {
        List<UUID> ids = rows.stream().filter(Row::document).map(Row::messageId).toList();
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<UUID, String> texts = new HashMap<>();
        db.call("lock re-embedded documents", h -> h.createQuery("SELECT id, content FROM " + documents
                        + " WHERE id = ANY(:ids) FOR SHARE")
                .bindArray("ids", UUID.class, ids)
                .map((rs, ctx) -> Map.entry(Db.uuid(rs, "id"), rs.getString("content"))).list())
                .forEach(e -> texts.put(e.getKey(), e.getValue()));
        return texts;
    }

    // ---- one process per run ----

    private RunLock lock(EmbeddingSpaces.Info t) {
        Handle h;
        try {
            h = db.jdbi().open();
        } catch (RuntimeException e) {
            throw SqlErrors.translate("lock re-embedding run", e);
        }
        boolean locked;
        try {
            locked = h.createQuery("SELECT pg_try_advisory_lock(hashtext(:key), :id)")
                    .bind("key", lockKey).bind("id", t.id()).mapTo(Boolean.class).one();
        } catch (RuntimeException e) {
            h.close();
            throw SqlErrors.translate("lock re-embedding run", e);
        }
        if (!locked) {
            h.close();
            throw new ConflictException("the re-embedding run to " + t.space() + " is running in another process");
        }
        return new RunLock(h, t.id());
    }

    /** The advisory lock that makes this process the run's only runner, on a connection of its own. */
    private final class RunLock implements AutoCloseable {
        private final Handle handle;
        private final int id;

        RunLock(Handle handle, int id) {
            this.handle = handle;
            this.id = id;
        }

        /** Fails if the lock's connection (and with it the lock) is gone. */
        void check() {
            try {
                handle.createQuery("SELECT 1").mapTo(Integer.class).one();
            } catch (RuntimeException e) {
                throw SqlErrors.translate("re-embedding run lock", e);
            }
        }

        @Override
        public void close() {
            try {
                handle.createQuery("SELECT pg_advisory_unlock(hashtext(:key), :id)").bind("key", lockKey)
                        .bind("id", id).mapTo(Boolean.class).one();
            } catch (RuntimeException ignored) {
                // a broken connection: the lock went with it
            } finally {
                handle.close();
            }
        }
    }
}
