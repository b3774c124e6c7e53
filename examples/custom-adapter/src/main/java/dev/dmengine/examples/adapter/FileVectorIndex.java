package dev.dmengine.examples.adapter;

import dev.dmengine.examples.adapter.internal.VectorLog;
import dev.dmengine.examples.adapter.internal.VectorLog.Change;
import dev.dmengine.examples.adapter.internal.VectorLog.Delete;
import dev.dmengine.examples.adapter.internal.VectorLog.Put;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * A {@link VectorIndex} in one local file: every change is appended to the file before it is
 * applied in memory, and opening the file replays it. Searches are exact: a cosine scan of the
 * query's scope (one session, or the sessions of one player), so results never miss a vector.
 * Meant for one process and up to some hundred thousand vectors; {@link #compact()} drops
 * replaced and deleted vectors from the file.
 *
 * <pre>{@code
 * try (FileVectorIndex index = FileVectorIndex.open(Path.of("data/vectors.log"))) {
 *     DmEngine engine = DmEngine.builder().vectorIndex(index).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: searches run in parallel; writes are serialised, so the file's order is the
 * order in which they were applied. An {@link InvalidInputException} (wrong dimension, a zero
 * or non-finite vector) stores nothing; an {@link dev.dmengine.spi.UnavailableException} (the
 * disk failed) leaves file and memory as they were before the call.
 */
public final class FileVectorIndex implements VectorIndex, AutoCloseable {

    /** When an acknowledged write is safe. */
    public enum Durability {
        /** Written to the operating system before the call returns: survives the process dying. */
        PROCESS_CRASH,
        /** Forced to the disk before the call returns: survives a power loss too; slower. */
        POWER_LOSS
    }

    /** Best first; equal scores by message id ascending (the contract's tie rule). */
    private static final Comparator<VectorMatch> BEST_FIRST = Comparator.comparingDouble(VectorMatch::score)
            .reversed().thenComparing(VectorMatch::messageId, Ids::compare);

    /** The vectors of one space: by message, and grouped by session for session-scope searches. */
    private static final class Space {
        final Map<UUID, Put> byMessage = new HashMap<>();
        final Map<UUID, Map<UUID, Put>> bySession = new HashMap<>();

        void put(Put p) {
            remove(p.messageId());
            byMessage.put(p.messageId(), p);
            bySession.computeIfAbsent(p.sessionId(), s -> new LinkedHashMap<>()).put(p.messageId(), p);
        }

        boolean remove(UUID messageId) {
            Put old = byMessage.remove(messageId);
            if (old == null) {
                return false;
            }
            Map<UUID, Put> session = bySession.get(old.sessionId());
            session.remove(messageId);
            if (session.isEmpty()) {
                bySession.remove(old.sessionId());
            }
            return true;
        }

        Collection<Put> scope(VectorQuery q) {
            if (q.scope() == VectorQuery.Scope.SESSION) {
                return bySession.getOrDefault(q.scopeId(), Map.of()).values();
            }
            return byMessage.values().stream().filter(p -> p.playerId().equals(q.scopeId())).toList(); // a full scan
        }
    }

    private final Map<EmbeddingSpace, Space> spaces = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final VectorLog log;

    private FileVectorIndex(Path file, Durability durability) {
        this.log = VectorLog.open(file, durability == Durability.POWER_LOSS, this::apply);
    }

    /** Opens the index stored in {@code file}, creating it if absent; writes survive the process dying. */
    public static FileVectorIndex open(Path file) {
        return open(file, Durability.PROCESS_CRASH);
    }

    /**
     * Opens the index stored in {@code file}, creating it if absent. A record torn by a crash at
     * the end of the file is dropped (its write never returned).
     *
     * @throws IllegalArgumentException the file is not a vector log, or is damaged before its end
     * @throws dev.dmengine.spi.UnavailableException the file cannot be read or written
     */
    public static FileVectorIndex open(Path file, Durability durability) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(durability, "durability");
        return new FileVectorIndex(file, durability);
    }

    @Override
    public void upsert(EmbeddingSpace space, VectorRecord record) {
        upsertAll(space, List.of(record));
    }

    /** Checks every record first, then stores them all in one append. */
    @Override
    public void upsertAll(EmbeddingSpace space, List<VectorRecord> records) {
        Objects.requireNonNull(space, "space");
        List<Put> puts = new ArrayList<>(records.size());
        for (VectorRecord r : records) {
            Objects.requireNonNull(r, "record");
            puts.add(new Put(space, r.messageId(), r.sessionId(), r.playerId(), unit(space, r.vector())));
        }
        write(puts);
    }

    @Override
    public List<VectorMatch> search(VectorQuery query) {
        Objects.requireNonNull(query, "query");
        float[] q = unit(query.space(), query.vector());
        lock.readLock().lock();
        try {
            Space space = spaces.get(query.space());
            if (space == null) {
                return List.of();
            }
            PriorityQueue<VectorMatch> best = new PriorityQueue<>(BEST_FIRST.reversed()); // worst on top
            for (Put p : space.scope(query)) {
                if (!query.exclude().contains(p.messageId())) {
                    best.add(new VectorMatch(p.messageId(), p.sessionId(), cosine(q, p.unit())));
                    if (best.size() > query.k()) {
                        best.poll();
                    }
                }
            }
            return best.stream().sorted(BEST_FIRST).toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean delete(UUID messageId) {
        Objects.requireNonNull(messageId, "messageId");
        lock.writeLock().lock();
        try {
            if (spaces.values().stream().noneMatch(s -> s.byMessage.containsKey(messageId))) {
                return false; // nothing to delete: nothing to write
            }
            write(List.of(new Delete(messageId)));
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public long count(EmbeddingSpace space, UUID sessionId) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(sessionId, "sessionId");
        lock.readLock().lock();
        try {
            Space s = spaces.get(space);
            return s == null ? 0 : s.bySession.getOrDefault(sessionId, Map.of()).size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Set<UUID> unindexed(EmbeddingSpace space, UUID sessionId, Collection<UUID> messageIds) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(sessionId, "sessionId");
        if (messageIds.size() > 200) {
            throw new InvalidInputException("messageIds", "at most 200 at once, was "
                    + messageIds.size());
        }
        lock.readLock().lock();
        try {
            Space s = spaces.get(space);
            Map<UUID, Put> session = s == null ? Map.of() : s.bySession.getOrDefault(sessionId, Map.of());
            return messageIds.stream().filter(id -> !session.containsKey(id))
                    .collect(Collectors.toUnmodifiableSet());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Rewrites the file with the live vectors only (replaced and deleted ones take space until
     * then). Writers wait while it runs; a crash leaves the old file or the new one, whole.
     */
    public void compact() {
        lock.writeLock().lock();
        try {
            List<Put> live = spaces.values().stream().flatMap(s -> s.byMessage.values().stream()).toList();
            log.rewrite(live);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The file's length in bytes. */
    public long fileSize() {
        lock.readLock().lock();
        try {
            return log.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            log.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** To the file first, then to memory: memory never holds what the file has not got. */
    private void write(List<? extends Change> changes) {
        lock.writeLock().lock();
        try {
            log.append(changes);
            changes.forEach(this::apply);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Applies one change to memory, the same way for a live write and for a replay of the file. */
    private void apply(Change change) {
        switch (change) {
            case Put p -> spaces.computeIfAbsent(p.space(), s -> new Space()).put(p);
            case Delete d -> spaces.values().forEach(s -> s.remove(d.messageId()));
        }
    }

    private static double cosine(float[] unitA, float[] unitB) {
        double dot = 0;
        for (int i = 0; i < unitA.length; i++) {
            dot += (double) unitA[i] * unitB[i];
        }
        return Math.max(-1, Math.min(1, dot));
    }

    /** Checks the vector against the space and returns a copy scaled to length 1. */
    private static float[] unit(EmbeddingSpace space, float[] vector) {
        if (vector.length != space.dimension()) {
            throw new InvalidInputException("vector", "has " + vector.length + " dimensions but embedding space "
                    + space.modelId() + " has " + space.dimension());
        }
        double norm = 0;
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                throw new InvalidInputException("vector", "must hold finite numbers only");
            }
            norm += (double) x * x;
        }
        if (norm == 0) {
            throw new InvalidInputException("vector", "must not be all zeros (it has no direction)");
        }
        double length = Math.sqrt(norm);
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / length);
        }
        return unit;
    }
}
