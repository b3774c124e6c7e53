package dev.dmengine.core.cache;

import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.infra.Cache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The protocol behind {@link HotReads}, for every kind of entry alike. Each entry is two keys of
 * the {@link Cache}:
 *
 * <ul>
 *   <li>{@code <ns><kind>:<id>:v}, the entry's <em>state</em>: a random token, {@code r…} (put
 *       by a reader: readers may fill data under it) or {@code w…} (put by a writer before its
 *       store write: only that writer puts data under it, after its commit);</li>
 *   <li>{@code <ns><kind>:<id>:d}, the <em>data</em>: {@code <state>\n<json>}, current only while
 *       the state holds exactly that token.</li>
 * </ul>
 *
 * <p><b>Read.</b> Get the state (absent: create an {@code r} token with {@code putIfAbsent}).
 * Data tagged with it — or this instance's local copy filed under it — is the value. Otherwise,
 * under an {@code r} token: read the store <em>after having seen the token</em> and put the data
 * under that token; under a {@code w} token (a write is under way, or its end failed): read the
 * store and fill nothing. A write that commits after the store was read replaces the token before
 * it ends, so data filled from an old row never matches the state again: a slow reader filling
 * an old row is harmless by construction.
 *
 * <p><b>Write.</b> Before the store write, put a fresh {@code w} token (if that fails the write is
 * refused: {@link UnavailableException}, nothing written). After the write has committed — at
 * once, or when the outermost {@link #transactor transaction} of the thread ends — get the state:
 * still our token, so no other write began since ours: put the new data under it (write-through);
 * anything else, or a failed or rolled-back write, or a new value we cannot know: put a fresh
 * {@code r} token, which matches no data (invalidation). A writer whose token was replaced may
 * have committed after the one that replaced it, so it must invalidate, never write through.
 *
 * <p>A window of messages is updated rather than replaced: its write starts from this instance's
 * local copy only if the state still holds the copy's token, checked and replaced in one step
 * ({@code deleteIfEquals} of that token, then {@code putIfAbsent} of ours; if anything slipped in
 * between, the write only invalidates).
 */
final class HotEntries {

    /** Key namespace, with the format number of {@link Codec}'s JSON. */
    static final String NAMESPACE = "dm:hot1:";
    static final char READABLE = 'r';
    static final char WRITING = 'w';

    /** One family of entries: its key letter and its cached form. */
    record Kind<T>(String letter, String noun, Function<T, String> encode, Function<String, T> decode) {
        String state(UUID id) {
            return NAMESPACE + letter + ":" + id + ":v";
        }

        String data(UUID id) {
            return NAMESPACE + letter + ":" + id + ":d";
        }
    }

    /** What happened to reads and writes, counted. */
    static final class Counters {
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder bypasses = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder writeThroughs = new LongAdder();
        final LongAdder invalidations = new LongAdder();
        final LongAdder refusedWrites = new LongAdder();
    }

    private final Cache cache;
    private final Duration ttl;
    private final LocalCopies local;
    private final QuietLog log;
    final Counters counters = new Counters();
    private final ThreadLocal<Scope> scope = new ThreadLocal<>();

    HotEntries(Cache cache, Duration ttl, int localCopies, QuietLog log) {
        this.cache = cache;
        this.ttl = ttl;
        this.local = new LocalCopies(localCopies);
        this.log = log;
    }

    // ------------------------------------------------------------------------------------ reads

    /**
     * The entry's value: from the cache when it holds a current one that {@code usable} accepts,
     * else from {@code store} (then cached). Never fails because of the cache.
     */
    <T> Optional<T> read(Kind<T> kind, UUID id, Supplier<Optional<T>> store, Predicate<T> usable) {
        String stateKey = kind.state(id);
        String token = null; // the state seen before the store is read; null: fill nothing
        try {
            String state = cache.get(stateKey).orElse(null);
            if (state == null) {
                String fresh = READABLE + newToken();
                if (cache.putIfAbsent(stateKey, fresh, ttl)) {
                    token = fresh;
                } else {
                    counters.bypasses.increment(); // a writer or another reader got there first
                }
            } else {
                T cached = cached(kind, id, stateKey, state);
                if (cached != null && usable.test(cached)) {
                    counters.hits.increment();
                    return Optional.of(cached);
                }
                if (!state.isEmpty() && state.charAt(0) == READABLE) {
                    token = state;
                } else {
                    counters.bypasses.increment(); // a write is under way (or could not end): no fill
                }
            }
        } catch (RuntimeException e) {
            cacheFailed("read", kind, id, e);
            token = null;
        }
        if (token == null) {
            return store.get();
        }
        counters.misses.increment();
        Optional<T> value = store.get(); // read after the token was seen: a later commit changes the token
        String seen = token;
        value.ifPresent(v -> fill(kind, id, stateKey, seen, v));
        return value;
    }

    private <T> T cached(Kind<T> kind, UUID id, String stateKey, String token) {
        T mine = local.get(stateKey, token);
        if (mine != null) {
            return mine;
        }
        Optional<String> data = cache.get(kind.data(id));
        if (data.isEmpty()) {
            return null;
        }
        String raw = data.get();
        int cut = raw.indexOf('\n');
        if (cut < 0 || !raw.regionMatches(0, token, 0, token.length()) || cut != token.length()) {
            return null;
        }
        try {
            T value = kind.decode().apply(raw.substring(cut + 1));
            local.put(stateKey, token, value);
            return value;
        } catch (RuntimeException undecodable) {
            log.warn("decode", "a cached " + kind.noun() + " could not be read back; it is read from the store",
                    undecodable);
            return null;
        }
    }

    private <T> void fill(Kind<T> kind, UUID id, String stateKey, String token, T value) {
        try {
            cache.put(kind.data(id), token + "\n" + kind.encode().apply(value), ttl);
            local.put(stateKey, token, value);
        } catch (RuntimeException e) {
            cacheFailed("fill", kind, id, e);
        }
    }

    // ----------------------------------------------------------------------------------- writes

    /**
     * A store write that replaces the whole entry (a session or a character): marked before,
     * the stored value after, forgotten if the store write fails.
     */
    <T> T replace(Kind<T> kind, UUID id, Supplier<T> storeWrite) {
        return write(kind, id, false, storeWrite, Write::set);
    }

    /**
     * A store write that changes the entry it starts from (a window appended to or shortened):
     * marked before, started from this instance's current copy when there is one, and after the
     * write the copy changed by {@code change} with what the store returned; forgotten if the
     * store write fails or no current copy was there to change.
     */
    <T, R> R update(Kind<T> kind, UUID id, Supplier<R> storeWrite, BiFunction<T, R, T> change) {
        return write(kind, id, true, storeWrite, (w, result) -> w.change(value -> change.apply(value, result)));
    }

    /**
     * The whole-entry write protocol, once: mark ({@link #begin}), write the store, tell the write
     * what it did ({@code report}), forget it if the store write failed, end it.
     */
    <T, R> R write(Kind<T> kind, UUID id, boolean fromLocalCopy, Supplier<R> storeWrite,
                   BiConsumer<Write<T>, R> report) {
        Write<T> w = begin(kind, Objects.requireNonNull(id, "id"), fromLocalCopy);
        try {
            R result = storeWrite.get();
            report.accept(w, result);
            return result;
        } catch (RuntimeException | Error e) {
            w.forget();
            throw e;
        } finally {
            w.end();
        }
    }

    /** A store delete of the entry: marked before, forgotten after, whatever the store said. */
    <R> R remove(Kind<?> kind, UUID id, Supplier<R> storeDelete) {
        Write<?> w = begin(kind, Objects.requireNonNull(id, "id"), false);
        try {
            return storeDelete.get();
        } finally {
            w.forget();
            w.end();
        }
    }

    /**
     * Marks the entry as being written, before the store write. {@code fromLocalCopy}: start the
     * new value from this instance's copy, if it is provably current (a window that is updated).
     *
     * @throws UnavailableException the cache cannot take the marker: do not write the store
     */
    <T> Write<T> begin(Kind<T> kind, UUID id, boolean fromLocalCopy) {
        String stateKey = kind.state(id);
        Scope current = scope.get();
        if (current != null) {
            @SuppressWarnings("unchecked")
            Write<T> open = (Write<T>) current.writes.get(stateKey);
            if (open != null) {
                return open; // a second write of the entry in one transaction: it is marked already
            }
        }
        LocalCopies.Copy copy = local.remove(stateKey);
        String marker = WRITING + newToken();
        T base;
        try {
            base = mark(stateKey, marker, fromLocalCopy ? copy : null);
        } catch (RuntimeException e) {
            counters.refusedWrites.increment();
            cacheFailed("mark", kind, id, e);
            throw new UnavailableException("the " + kind.noun() + " was not saved: the game's cache is unreachable;"
                    + " try again in a moment", e);
        }
        Write<T> write = new Write<>(this, kind, id, marker, base, current != null);
        if (current != null) {
            current.writes.put(stateKey, write);
        }
        return write;
    }

    @SuppressWarnings("unchecked")
    private <T> T mark(String stateKey, String marker, LocalCopies.Copy copy) {
        if (copy != null && cache.deleteIfEquals(stateKey, copy.token())) {
            if (cache.putIfAbsent(stateKey, marker, ttl)) {
                return (T) copy.value(); // nothing changed the entry since the copy was current
            }
        }
        cache.put(stateKey, marker, ttl);
        return null;
    }

    /** Ends a write: writes the new value through, or invalidates the entry. Never throws. */
    <T> void finish(Write<T> write, boolean committed) {
        String stateKey = write.kind.state(write.id);
        if (!committed || !write.known()) {
            invalidate(write, stateKey);
            return;
        }
        try {
            if (!cache.get(stateKey).filter(write.marker::equals).isPresent()) {
                invalidate(write, stateKey); // another write began since ours (or our token expired)
                return;
            }
            cache.put(write.kind.data(write.id), write.marker + "\n" + write.kind.encode().apply(write.value()), ttl);
            local.put(stateKey, write.marker, write.value());
            counters.writeThroughs.increment();
        } catch (RuntimeException e) {
            cacheFailed("write through", write.kind, write.id, e);
            invalidate(write, stateKey);
        }
    }

    private void invalidate(Write<?> write, String stateKey) {
        try {
            cache.put(stateKey, READABLE + newToken(), ttl);
            counters.invalidations.increment();
        } catch (RuntimeException e) {
            // our token stays, without data, until it expires: until then nobody trusts or fills the entry
            cacheFailed("invalidate", write.kind, write.id, e);
        }
    }

    private void cacheFailed(String what, Kind<?> kind, UUID id, RuntimeException e) {
        counters.failures.increment();
        String consequence = switch (what) {
            case "read", "fill" -> " (read from the store instead)";
            case "mark" -> " before writing it (the write was refused)";
            case "write through" -> " after writing it (invalidating it instead)";
            default -> " after writing it (nobody reads it from the cache until the writer's token expires)";
        };
        log.warn(what, "hot reads: could not " + what + " the cached " + kind.noun() + " " + id + consequence, e);
    }

    private static String newToken() {
        return UUID.randomUUID().toString();
    }

    // ------------------------------------------------------------------------------ transactions

    /**
     * The transactor that defers the end of every write made inside it to the end of the
     * outermost transaction on the thread: after the commit (write through) or the rollback
     * (invalidate). Nested calls join the outer one, as the database transactors do.
     */
    Transactor transactor(Transactor inner) {
        return new Transactor() {
            @Override
            public <R> R inTransaction(Supplier<R> work) {
                if (scope.get() != null) {
                    return inner.inTransaction(work);
                }
                Scope opened = new Scope();
                scope.set(opened);
                boolean committed = false;
                try {
                    R result = inner.inTransaction(work);
                    committed = true;
                    return result;
                } finally {
                    scope.remove();
                    for (Write<?> w : opened.writes.values()) {
                        finish(w, committed);
                    }
                }
            }
        };
    }

    /** The writes of one transaction, by state key. */
    private static final class Scope {
        final Map<String, Write<?>> writes = new LinkedHashMap<>();
    }

    /**
     * One entry's write in progress. The store call reports what it did: {@link #set} (the new
     * value), {@link #change} (a change to the value, if it is known), {@link #forget} (not known:
     * the entry is invalidated); then {@link #end}.
     */
    static final class Write<T> {
        private final HotEntries entries;
        final Kind<T> kind;
        final UUID id;
        final String marker;
        private final boolean scoped;
        private T value;
        private boolean known;

        private Write(HotEntries entries, Kind<T> kind, UUID id, String marker, T base, boolean scoped) {
            this.entries = entries;
            this.kind = kind;
            this.id = id;
            this.marker = marker;
            this.value = base;
            this.known = base != null;
            this.scoped = scoped;
        }

        void set(T newValue) {
            value = newValue;
            known = true;
        }

        void change(UnaryOperator<T> change) {
            if (known) {
                value = change.apply(value);
            }
        }

        void forget() {
            value = null;
            known = false;
        }

        boolean known() {
            return known;
        }

        T value() {
            return value;
        }

        /** After the store call; a write inside a transaction ends with it. */
        void end() {
            if (!scoped) {
                entries.finish(this, true);
            }
        }
    }

    /**
     * Decoded values this instance read or wrote, by state key and token: a read whose state
     * token matches needs one cache round trip and no decoding, and a window's write can start
     * from it. Bounded (least recently used first out); a stale copy is never used, because the
     * token it is filed under is never current again.
     */
    static final class LocalCopies {
        record Copy(String token, Object value) {
        }

        private final int capacity;
        private final Map<String, Copy> copies;

        LocalCopies(int capacity) {
            this.capacity = capacity;
            this.copies = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Copy> eldest) {
                    return size() > LocalCopies.this.capacity;
                }
            };
        }

        @SuppressWarnings("unchecked")
        synchronized <T> T get(String key, String token) {
            Copy c = copies.get(key);
            return c != null && c.token().equals(token) ? (T) c.value() : null;
        }

        synchronized void put(String key, String token, Object value) {
            if (capacity > 0) {
                copies.put(key, new Copy(token, value));
            }
        }

        synchronized Copy remove(String key) {
            return copies.remove(key);
        }

        synchronized int size() {
            return copies.size();
        }
    }
}
