package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.Embedder;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Builds a new embedding space from the message texts of the active one, in batches, while
 * retrieval keeps using the active space; then switches to the new space atomically.
 *
 * <p>Each batch reads the next messages (in id order) that have a vector in the source
 * space, embeds their texts with the new {@link Embedder}, and writes the new vectors and the
 * run's cursor in one transaction. A run that crashed resumes after its last committed batch:
 * {@link #run} picks up the cursor stored in {@code game.reembed_runs}. Progress (rows done /
 * total) is readable at any time with {@link #progress}, from any process.
 *
 * <p>After the switch, one more pass embeds the messages that reached the old space while the
 * last batch was being written, so no message is left without a vector in the new space.
 */
public final class Reembedder {

    /** Where a run is: {@code RUNNING}, {@code BUILT} (all batches done) or {@code SWITCHED}. */
    public record Progress(EmbeddingSpace source, EmbeddingSpace target, long done, long total, String state) {
        public double fraction() {
            return total == 0 ? 1.0 : Math.min(1.0, (double) done / total);
        }

        public boolean switched() {
            return "SWITCHED".equals(state);
        }
    }

    private final Db db;
    private final EmbeddingSpaces spaces;
    private final PgVectorIndex index;
    private final String runs;
    private final String messages;

    Reembedder(Db db, EmbeddingSpaces spaces, PgVectorIndex index) {
        this.db = db;
        this.spaces = spaces;
        this.index = index;
        this.runs = db.game() + ".reembed_runs";
        this.messages = db.game() + ".messages";
    }

    /** The progress of the run that builds {@code target}, if one was started. */
    public Optional<Progress> progress(EmbeddingSpace target) {
        Optional<EmbeddingSpaces.Info> t = spaces.find(target);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        return db.call("re-embedding progress", h -> h.createQuery("SELECT r.done, r.total, r.state, s.model_id, "
                        + "s.dimension FROM " + runs + " r JOIN " + db.game() + ".embedding_spaces s "
                        + "ON s.id = r.source_space_id WHERE r.target_space_id = :t")
                .bind("t", t.get().id())
                .map((rs, ctx) -> new Progress(new EmbeddingSpace(rs.getString("model_id"), rs.getInt("dimension")),
                        target, rs.getLong("done"), rs.getLong("total"), rs.getString("state")))
                .findOne());
    }

    /** Runs {@link #run} on the executor. */
    public CompletableFuture<Progress> runInBackground(Embedder embedder, int batchSize, Executor executor) {
        return CompletableFuture.supplyAsync(() -> run(embedder, batchSize, Integer.MAX_VALUE), executor);
    }

    /**
     * Builds (or goes on building) the embedder's space from the active space, at most
     * {@code maxBatches} batches in this call; when the build is complete, switches to it.
     * Call again after a crash or after a partial call: it resumes where the last committed
     * batch ended.
     */
    public Progress run(Embedder embedder, int batchSize, int maxBatches) {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new InvalidInputException("batchSize", "must be 1 to 10000, was " + batchSize);
        }
        EmbeddingSpace target = embedder.space();
        Run run = start(target);
        if (run.state.equals("SWITCHED")) {
            return progress(target).orElseThrow();
        }
        for (int i = 0; i < maxBatches; i++) {
            if (batch(run, embedder, batchSize) == 0) {
                finish(run, embedder, batchSize);
                break;
            }
        }
        return progress(target).orElseThrow();
    }

    private record Run(EmbeddingSpaces.Info source, EmbeddingSpaces.Info target, String state) {
    }

    private Run start(EmbeddingSpace target) {
        EmbeddingSpaces.Info t = spaces.register(target, EmbeddingSpaces.State.BUILDING);
        Optional<Run> existing = db.call("find re-embedding run", h -> h.createQuery("SELECT source_space_id, state FROM "
                        + runs + " WHERE target_space_id = :t")
                .bind("t", t.id()).map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getString(2)}).findOne())
                .map(row -> new Run(byId((Integer) row[0]), t, (String) row[1]));
        if (existing.isPresent()) {
            return existing.get();
        }
        EmbeddingSpace active = spaces.active().orElseThrow(() -> new NotFoundException("active embedding space", "-"));
        if (active.equals(target)) {
            throw new InvalidInputException("embedder", target + " is already the active space");
        }
        EmbeddingSpaces.Info source = spaces.find(active).orElseThrow();
        db.tx("start re-embedding run", h -> h.createUpdate("INSERT INTO " + runs + " (target_space_id, "
                        + "source_space_id, done, total, state) SELECT :t, :s, 0, count(*), 'RUNNING' FROM "
                        + source.table() + " ON CONFLICT (target_space_id) DO NOTHING")
                .bind("t", t.id()).bind("s", source.id()).execute());
        return new Run(source, t, "RUNNING");
    }

    private EmbeddingSpaces.Info byId(int id) {
        return spaces.list().stream().filter(i -> i.id() == id).findFirst()
                .orElseThrow(() -> new NotFoundException("embedding space", id));
    }

    private record Row(UUID messageId, UUID sessionId, UUID playerId, String content) {
    }

    /** Embeds and stores one batch; returns how many rows it took. */
    private int batch(Run run, Embedder embedder, int batchSize) {
        UUID cursor = db.call("re-embedding cursor", h -> h.createQuery("SELECT last_message_id FROM " + runs
                        + " WHERE target_space_id = :t")
                .bind("t", run.target.id()).mapTo(UUID.class).findOne().orElse(null));
        List<Row> rows = db.maintenance("read re-embedding batch", h -> h.createQuery("SELECT v.message_id, v.session_id, "
                        + "v.player_id, m.content FROM " + run.source.table() + " v JOIN " + messages
                        + " m ON m.id = v.message_id" + (cursor == null ? "" : " WHERE v.message_id > :cursor")
                        + " ORDER BY v.message_id LIMIT :n")
                .bind("cursor", cursor).bind("n", batchSize)
                .map((rs, ctx) -> new Row(Db.uuid(rs, "message_id"), Db.uuid(rs, "session_id"),
                        Db.uuid(rs, "player_id"), rs.getString("content")))
                .list());
        if (rows.isEmpty()) {
            return 0;
        }
        List<float[]> vectors = embedder.embedAll(rows.stream().map(Row::content).toList());
        if (vectors.size() != rows.size()) {
            throw new IllegalStateException("embedder returned " + vectors.size() + " vectors for " + rows.size()
                    + " texts");
        }
        List<dev.dmengine.spi.retrieval.VectorRecord> records = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            records.add(new dev.dmengine.spi.retrieval.VectorRecord(r.messageId, r.sessionId, r.playerId,
                    vectors.get(i)));
        }
        UUID last = rows.getLast().messageId();
        db.inMaintenanceTransaction(() -> {
            index.upsertAll(run.target.space(), records);
            db.call("advance re-embedding cursor", h -> h.createUpdate("UPDATE " + runs + " SET last_message_id = :last, "
                            + "done = done + :n, total = greatest(total, done + :n), updated_at = now() "
                            + "WHERE target_space_id = :t")
                    .bind("last", last).bind("n", rows.size()).bind("t", run.target.id()).execute());
            return null;
        });
        return rows.size();
    }

    private void finish(Run run, Embedder embedder, int batchSize) {
        db.call("re-embedding built", h -> h.createUpdate("UPDATE " + runs + " SET state = 'BUILT', total = done, "
                        + "updated_at = now() WHERE target_space_id = :t AND state = 'RUNNING'")
                .bind("t", run.target.id()).execute());
        spaces.switchTo(run.target.space());
        // messages written to the old space between the last batch and the switch
        while (batch(run, embedder, batchSize) > 0) {
            // keep going
        }
        db.call("re-embedding switched", h -> h.createUpdate("UPDATE " + runs + " SET state = 'SWITCHED', "
                        + "total = done, updated_at = now() WHERE target_space_id = :t")
                .bind("t", run.target.id()).execute());
    }
}
