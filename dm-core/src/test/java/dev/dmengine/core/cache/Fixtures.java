package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.infra.Cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Stores and a cache that count, pause, stage or fail, for the hot-read tests. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    private Fixtures() {
    }

    static GameCharacter hero(int hp) {
        return new GameCharacter(Ids.newId(), Ids.newId(), "Aria", "wizard", 1, "{\"hp\":" + hp + "}", List.of(), 0,
                T0, T0);
    }

    static GameCharacter withHp(GameCharacter c, int hp) {
        return c.withSheet("{\"hp\":" + hp + "}", c.inventory(), c.level());
    }

    static Message message(UUID session, String text) {
        return new Message(Ids.newId(), session, null, MessageRole.PLAYER, text, T0, Map.of());
    }

    /** A character store that counts its reads and can hold one read after it read the row. */
    static final class GatedCharacters implements CharacterStore {
        final InMemoryCharacterStore inner = new InMemoryCharacterStore();
        final AtomicInteger gets = new AtomicInteger();
        private volatile CountDownLatch readDone;
        private volatile CountDownLatch release;

        /** The next {@link #get} reads the row, then waits for {@link #release()}. */
        CountDownLatch holdNextRead() {
            readDone = new CountDownLatch(1);
            release = new CountDownLatch(1);
            return readDone;
        }

        void release() {
            release.countDown();
        }

        @Override
        public GameCharacter create(GameCharacter c) {
            return inner.create(c);
        }

        @Override
        public Optional<GameCharacter> get(UUID id) {
            gets.incrementAndGet();
            Optional<GameCharacter> row = inner.get(id);
            CountDownLatch done = readDone;
            if (done != null && done.getCount() > 0) {
                done.countDown();
                await(release);
            }
            return row;
        }

        @Override
        public List<GameCharacter> listByOwner(UUID ownerId) {
            return inner.listByOwner(ownerId);
        }

        @Override
        public GameCharacter update(GameCharacter c) {
            return inner.update(c);
        }

        @Override
        public boolean delete(UUID id) {
            return inner.delete(id);
        }
    }

    /**
     * A character store with transactions as a database has them: writes made inside
     * {@link #transactor} are seen by their own thread at once and by others only at the commit;
     * an exception discards them.
     */
    static final class StagedCharacters implements CharacterStore {
        final InMemoryCharacterStore committed = new InMemoryCharacterStore();
        final AtomicInteger gets = new AtomicInteger();
        private final ThreadLocal<Map<UUID, GameCharacter>> view = new ThreadLocal<>();
        private final ThreadLocal<List<GameCharacter>> writes = new ThreadLocal<>();
        final Transactor transactor = new Transactor() {
            @Override
            public <T> T inTransaction(Supplier<T> work) {
                if (writes.get() != null) {
                    return work.get();
                }
                view.set(new HashMap<>());
                writes.set(new ArrayList<>());
                try {
                    T result = work.get();
                    writes.get().forEach(committed::update); // the commit
                    return result;
                } finally {
                    view.remove();
                    writes.remove();
                }
            }
        };

        @Override
        public GameCharacter create(GameCharacter c) {
            return committed.create(c);
        }

        @Override
        public Optional<GameCharacter> get(UUID id) {
            gets.incrementAndGet();
            Map<UUID, GameCharacter> mine = view.get();
            if (mine != null && mine.containsKey(id)) {
                return Optional.of(mine.get(id));
            }
            return committed.get(id);
        }

        @Override
        public List<GameCharacter> listByOwner(UUID ownerId) {
            return committed.listByOwner(ownerId);
        }

        @Override
        public GameCharacter update(GameCharacter c) {
            if (writes.get() == null) {
                return committed.update(c);
            }
            GameCharacter current = get(c.id()).orElseThrow();
            if (current.version() != c.version()) {
                throw new ConflictException("stale version");
            }
            GameCharacter next = new GameCharacter(c.id(), c.ownerId(), c.name(), c.characterClass(), c.level(),
                    c.sheet(), c.inventory(), c.version() + 1, c.createdAt(), c.updatedAt());
            view.get().put(c.id(), next);
            writes.get().add(c);
            return next;
        }

        @Override
        public boolean delete(UUID id) {
            return committed.delete(id);
        }
    }

    /** A message store that counts {@code recent} calls. */
    static final class CountingMessages implements MessageStore {
        final InMemoryMessageStore inner = new InMemoryMessageStore();
        final AtomicInteger recents = new AtomicInteger();

        @Override
        public Message append(Message message) {
            return inner.append(message);
        }

        @Override
        public Optional<Message> get(UUID id) {
            return inner.get(id);
        }

        @Override
        public Page<Message> list(UUID sessionId, String cursor, int limit) {
            return inner.list(sessionId, cursor, limit);
        }

        @Override
        public List<Message> recent(UUID sessionId, int limit) {
            recents.incrementAndGet();
            return inner.recent(sessionId, limit);
        }

        @Override
        public long count(UUID sessionId) {
            return inner.count(sessionId);
        }

        @Override
        public boolean delete(UUID id) {
            return inner.delete(id);
        }

        @Override
        public long deleteSession(UUID sessionId) {
            return inner.deleteSession(sessionId);
        }
    }

    /** An in-memory cache that can be switched off: every call then fails as Redis's adapter does. */
    static final class FlakyCache implements Cache {
        final InMemoryCache inner;
        volatile boolean down;
        final AtomicInteger calls = new AtomicInteger();

        FlakyCache(Clock clock) {
            inner = new InMemoryCache(clock);
        }

        private void reach() {
            calls.incrementAndGet();
            if (down) {
                throw new UnavailableException("cannot reach the cache (test)");
            }
        }

        @Override
        public Optional<String> get(String key) {
            reach();
            return inner.get(key);
        }

        @Override
        public void put(String key, String value, Duration ttl) {
            reach();
            inner.put(key, value, ttl);
        }

        @Override
        public boolean putIfAbsent(String key, String value, Duration ttl) {
            reach();
            return inner.putIfAbsent(key, value, ttl);
        }

        @Override
        public boolean delete(String key) {
            reach();
            return inner.delete(key);
        }

        @Override
        public boolean deleteIfEquals(String key, String expected) {
            reach();
            return inner.deleteIfEquals(key, expected);
        }

        @Override
        public boolean expireIfEquals(String key, String expected, Duration ttl) {
            reach();
            return inner.expireIfEquals(key, expected, ttl);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for a latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
