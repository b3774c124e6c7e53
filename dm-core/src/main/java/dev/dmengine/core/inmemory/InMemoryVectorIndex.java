package dev.dmengine.core.inmemory;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 *
 * <p>Layout for speed: the vectors of one session in one space are stored column by column
 * ({@code columns[d][n]} is dimension d of the session's n-th vector), so scoring a whole
 * session is one multiply-add pass per query dimension over contiguous floats, a loop the
 * JIT vectorises; dimensions where the query is zero (most of them for sparse embedders)
 * are skipped. A player's scope is the union of their sessions.
 */
public final class InMemoryVectorIndex implements VectorIndex {

    /** Best first; equal scores by message id ascending. */
    static final Comparator<VectorMatch> ORDER = Comparator.comparingDouble(VectorMatch::score).reversed()
            .thenComparing(VectorMatch::messageId, Ids::compare);

    /** The vectors of one session in one space, column-major. */
    private static final class Segment {
        final UUID sessionId;
        final float[][] columns;
        UUID[] ids = new UUID[16];
        UUID[] players = new UUID[16];
        final Map<UUID, Integer> position = new HashMap<>();
        int size;

        Segment(UUID sessionId, int dimension) {
            this.sessionId = sessionId;
            this.columns = new float[dimension][16];
        }

        void put(UUID messageId, UUID playerId, float[] unit) {
            Integer at = position.get(messageId);
            int n;
            if (at != null) {
                n = at;
            } else {
                if (size == ids.length) {
                    int capacity = size * 2;
                    ids = Arrays.copyOf(ids, capacity);
                    players = Arrays.copyOf(players, capacity);
                    for (int d = 0; d < columns.length; d++) {
                        columns[d] = Arrays.copyOf(columns[d], capacity);
                    }
                }
                n = size++;
                position.put(messageId, n);
            }
            ids[n] = messageId;
            players[n] = playerId;
            for (int d = 0; d < columns.length; d++) {
                columns[d][n] = unit[d];
            }
        }

        boolean remove(UUID messageId) {
            Integer at = position.remove(messageId);
            if (at == null) {
                return false;
            }
            int last = --size;
            if (at != last) { // move the last vector into the hole
                ids[at] = ids[last];
                players[at] = players[last];
                for (float[] column : columns) {
                    column[at] = column[last];
                }
                position.put(ids[at], at);
            }
            ids[last] = null;
            players[last] = null;
            return true;
        }

        /** Offers this segment's vectors (of {@code player}, or all when null) to the top-k. */
        void score(float[] q, UUID player, Set<UUID> exclude, TopK top) {
            if (size == 0) {
                return;
            }
            float[] scores = new float[size];
            int n = size;
            for (int d = 0; d < q.length; d++) {
                float qd = q[d];
                if (qd == 0f) {
                    continue;
                }
                float[] column = columns[d];
                for (int i = 0; i < n; i++) {
                    scores[i] += qd * column[i];
                }
            }
            for (int i = 0; i < n; i++) {
                if (player != null && !player.equals(players[i])) {
                    continue;
                }
                double score = Math.max(-1, Math.min(1, scores[i]));
                if (top.accepts(score, ids[i]) && !exclude.contains(ids[i])) {
                    top.add(new VectorMatch(ids[i], sessionId, score));
                }
            }
        }
    }

    /** The k best matches seen so far; worst on top of the heap. */
    private static final class TopK {
        final int k;
        final PriorityQueue<VectorMatch> heap;

        TopK(int k) {
            this.k = k;
            this.heap = new PriorityQueue<>(Math.min(k, 1024) + 1, ORDER.reversed());
        }

        boolean accepts(double score, UUID id) {
            if (heap.size() < k) {
                return true;
            }
            VectorMatch worst = heap.peek();
            return score > worst.score() || score == worst.score() && Ids.compare(id, worst.messageId()) < 0;
        }

        void add(VectorMatch m) {
            heap.add(m);
            if (heap.size() > k) {
                heap.poll();
            }
        }

        List<VectorMatch> sorted() {
            List<VectorMatch> result = new ArrayList<>(heap);
            result.sort(ORDER);
            return List.copyOf(result);
        }
    }

    private static final class Space {
        final int dimension;
        final Map<UUID, Segment> bySession = new HashMap<>();
        final Map<UUID, UUID> sessionOf = new HashMap<>();
        final Map<UUID, Set<UUID>> sessionsOfPlayer = new HashMap<>();

        Space(int dimension) {
            this.dimension = dimension;
        }

        void put(VectorRecord r, float[] unit) {
            UUID previous = sessionOf.get(r.messageId());
            if (previous != null && !previous.equals(r.sessionId())) {
                remove(r.messageId());
            }
            bySession.computeIfAbsent(r.sessionId(), id -> new Segment(id, dimension)).put(r.messageId(), r.playerId(), unit);
            sessionOf.put(r.messageId(), r.sessionId());
            sessionsOfPlayer.computeIfAbsent(r.playerId(), p -> new LinkedHashSet<>()).add(r.sessionId());
        }

        boolean remove(UUID messageId) {
            UUID session = sessionOf.remove(messageId);
            if (session == null) {
                return false;
            }
            Segment segment = bySession.get(session);
            segment.remove(messageId);
            if (segment.size == 0) {
                bySession.remove(session);
            }
            return true;
        }
    }

    private final Map<EmbeddingSpace, Space> spaces = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    @Override
    public void upsert(EmbeddingSpace space, VectorRecord record) {
        Checks.notNull(space, "space");
        Checks.notNull(record, "record");
        float[] unit = unit(space, record.vector());
        lock.writeLock().lock();
        try {
            spaces.computeIfAbsent(space, s -> new Space(s.dimension())).put(record, unit);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void upsertAll(EmbeddingSpace space, List<VectorRecord> records) {
        Checks.notNull(space, "space");
        Checks.notNull(records, "records");
        List<float[]> units = new ArrayList<>(records.size());
        for (VectorRecord r : records) { // validate all before storing any
            Checks.notNull(r, "record");
            units.add(unit(space, r.vector()));
        }
        lock.writeLock().lock();
        try {
            Space s = spaces.computeIfAbsent(space, k -> new Space(k.dimension()));
            for (int i = 0; i < records.size(); i++) {
                s.put(records.get(i), units.get(i));
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<VectorMatch> search(VectorQuery query) {
        Checks.notNull(query, "query");
        float[] q = unit(query.space(), query.vector());
        TopK top = new TopK(query.k());
        lock.readLock().lock();
        try {
            Space space = spaces.get(query.space());
            if (space == null) {
                return List.of();
            }
            if (query.scope() == VectorQuery.Scope.SESSION) {
                Segment segment = space.bySession.get(query.scopeId());
                if (segment != null) {
                    segment.score(q, null, query.exclude(), top);
                }
            } else {
                for (UUID session : space.sessionsOfPlayer.getOrDefault(query.scopeId(), Set.of())) {
                    Segment segment = space.bySession.get(session);
                    if (segment != null) {
                        segment.score(q, query.scopeId(), query.exclude(), top);
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return top.sorted();
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
    public Set<UUID> unindexed(EmbeddingSpace space, UUID sessionId, Collection<UUID> messageIds) {
        Checks.notNull(space, "space");
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(messageIds, "messageIds");
        if (messageIds.size() > 200) {
            throw new InvalidInputException("messageIds", "at most 200 at once, was " + messageIds.size());
        }
        lock.readLock().lock();
        try {
            Space s = spaces.get(space);
            Segment segment = s == null ? null : s.bySession.get(sessionId);
            Set<UUID> missing = new HashSet<>();
            for (UUID id : messageIds) {
                if (segment == null || !segment.position.containsKey(Checks.notNull(id, "messageIds[]"))) {
                    missing.add(id);
                }
            }
            return Set.copyOf(missing);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long count(EmbeddingSpace space, UUID sessionId) {
        Checks.notNull(space, "space");
        Checks.notNull(sessionId, "sessionId");
        lock.readLock().lock();
        try {
            Space s = spaces.get(space);
            Segment segment = s == null ? null : s.bySession.get(sessionId);
            return segment == null ? 0 : segment.size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Checks the vector against the space and returns it scaled to length 1 (a copy). */
    static float[] unit(EmbeddingSpace space, float[] vector) {
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
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }
}
