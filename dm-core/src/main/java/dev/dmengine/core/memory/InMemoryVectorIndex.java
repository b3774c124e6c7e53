package dev.dmengine.core.memory;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Exact cosine search: every vector is normalised once when stored, a query scans only its
 * scope (one session or one player) in its space, and ties are broken by message id
 * ascending, so results are deterministic.
 */
public final class InMemoryVectorIndex implements VectorIndex {

    /** Best first; equal scores by message id ascending. */
    static final Comparator<VectorMatch> ORDER = Comparator.comparingDouble(VectorMatch::score).reversed()
            .thenComparing(VectorMatch::messageId, Ids::compare);

    private record Entry(UUID messageId, UUID sessionId, UUID playerId, double[] unit) {
    }

    private static final class Space {
        final Map<UUID, Entry> byMessage = new HashMap<>();
        final Map<UUID, Set<UUID>> bySession = new HashMap<>();
        final Map<UUID, Set<UUID>> byPlayer = new HashMap<>();

        void put(Entry e) {
            remove(e.messageId());
            byMessage.put(e.messageId(), e);
            bySession.computeIfAbsent(e.sessionId(), k -> new LinkedHashSet<>()).add(e.messageId());
            byPlayer.computeIfAbsent(e.playerId(), k -> new LinkedHashSet<>()).add(e.messageId());
        }

        boolean remove(UUID messageId) {
            Entry old = byMessage.remove(messageId);
            if (old == null) {
                return false;
            }
            unlink(bySession, old.sessionId(), messageId);
            unlink(byPlayer, old.playerId(), messageId);
            return true;
        }

        private static void unlink(Map<UUID, Set<UUID>> index, UUID key, UUID messageId) {
            Set<UUID> ids = index.get(key);
            ids.remove(messageId);
            if (ids.isEmpty()) {
                index.remove(key);
            }
        }
    }

    private final Map<EmbeddingSpace, Space> spaces = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    @Override
    public void upsert(EmbeddingSpace space, VectorRecord record) {
        Checks.notNull(space, "space");
        Checks.notNull(record, "record");
        Entry entry = new Entry(record.messageId(), record.sessionId(), record.playerId(),
                unit(space, record.vector()));
        lock.writeLock().lock();
        try {
            spaces.computeIfAbsent(space, s -> new Space()).put(entry);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void upsertAll(EmbeddingSpace space, List<VectorRecord> records) {
        Checks.notNull(space, "space");
        Checks.notNull(records, "records");
        List<Entry> entries = new ArrayList<>(records.size());
        for (VectorRecord r : records) { // validate all before storing any
            Checks.notNull(r, "record");
            entries.add(new Entry(r.messageId(), r.sessionId(), r.playerId(), unit(space, r.vector())));
        }
        lock.writeLock().lock();
        try {
            Space s = spaces.computeIfAbsent(space, k -> new Space());
            entries.forEach(s::put);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<VectorMatch> search(VectorQuery query) {
        Checks.notNull(query, "query");
        double[] q = unit(query.space(), query.vector());
        int k = query.k();
        PriorityQueue<VectorMatch> best = new PriorityQueue<>(ORDER.reversed()); // worst on top
        lock.readLock().lock();
        try {
            Space space = spaces.get(query.space());
            if (space == null) {
                return List.of();
            }
            Map<UUID, Set<UUID>> scopeIndex = query.scope() == VectorQuery.Scope.SESSION ? space.bySession
                    : space.byPlayer;
            Collection<UUID> candidates = scopeIndex.getOrDefault(query.scopeId(), Set.of());
            for (UUID id : candidates) {
                if (query.exclude().contains(id)) {
                    continue;
                }
                Entry e = space.byMessage.get(id);
                VectorMatch m = new VectorMatch(e.messageId(), e.sessionId(), dot(q, e.unit()));
                if (best.size() < k) {
                    best.add(m);
                } else if (ORDER.compare(m, best.peek()) < 0) {
                    best.poll();
                    best.add(m);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        List<VectorMatch> result = new ArrayList<>(best);
        result.sort(ORDER);
        return List.copyOf(result);
    }

    @Override
    public boolean delete(UUID messageId) {
        Checks.notNull(messageId, "messageId");
        lock.writeLock().lock();
        try {
            boolean removed = false;
            for (Space s : spaces.values()) {
                removed |= s.remove(messageId);
            }
            return removed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public long count(EmbeddingSpace space, UUID sessionId) {
        Checks.notNull(space, "space");
        Checks.notNull(sessionId, "sessionId");
        lock.readLock().lock();
        try {
            Space s = spaces.get(space);
            return s == null ? 0 : s.bySession.getOrDefault(sessionId, Set.of()).size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Checks the vector against the space and returns it scaled to length 1 (a copy). */
    static double[] unit(EmbeddingSpace space, float[] vector) {
        Checks.notNull(vector, "vector");
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
        double scale = 1 / Math.sqrt(norm);
        double[] unit = new double[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = vector[i] * scale;
        }
        return unit;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return Math.max(-1, Math.min(1, sum));
    }
}
