package dev.dmengine.redis;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.cache.HotReads;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.core.inmemory.InMemoryPlayerStore;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.core.inmemory.InMemoryTurnStore;
import dev.dmengine.core.inmemory.InMemoryVectorIndex;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.testkit.CharacterStoreContract;
import dev.dmengine.testkit.MessageStoreContract;
import dev.dmengine.testkit.SessionStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's hot reads ({@code dm-core}'s {@link HotReads}, a test-scope dependency here) on
 * {@link RedisCache}: two instances are two engines with a Redis pool each, on one set of stores.
 */
class HotReadsOnRedisIT {

    private static final String PREFIX = RedisTest.randomPrefix("hot-reads");
    private static final Duration TTL = Duration.ofMinutes(5);

    private RedisAdapters redisA;
    private RedisAdapters redisB;

    @BeforeEach
    void twoPools() {
        redisA = RedisTest.builder(PREFIX).build();
        redisB = RedisTest.builder(PREFIX).build();
    }

    @AfterEach
    void closePools() {
        redisA.close();
        redisB.close();
    }

    @AfterAll
    static void deleteKeys() {
        RedisTest.deleteKeys(PREFIX);
    }

    /** One set of in-memory stores two engines share, as two servers share PostgreSQL. */
    private static final class Shared {
        final InMemoryPlayerStore players = new InMemoryPlayerStore();
        final InMemoryCharacterStore characters = new InMemoryCharacterStore();
        final InMemorySessionStore sessions = new InMemorySessionStore();
        final InMemoryMessageStore messages = new InMemoryMessageStore();
        final InMemoryTurnStore turns = new InMemoryTurnStore();
        final InMemoryVectorIndex vectors = new InMemoryVectorIndex();
        final InMemoryJobQueue jobs = new InMemoryJobQueue();
        final InMemoryRateLimiter limiter = new InMemoryRateLimiter();

        DmEngine engine(Cache cache) {
            return DmEngine.builder().playerStore(players).characterStore(characters).sessionStore(sessions)
                    .messageStore(messages).turnStore(turns).vectorIndex(vectors).jobQueue(jobs).rateLimiter(limiter)
                    .cache(cache).hotReads(cache, TTL)
                    .turnConfig(TurnConfig.defaults().withTurnRate(new RateLimit(10_000, Duration.ofSeconds(1), 10_000)))
                    .build();
        }
    }

    private static int potions(GameCharacter c) {
        return c.inventory().stream().filter(i -> i.itemId().equals("healing-potion"))
                .mapToInt(InventoryItem::quantity).sum();
    }

    @Test
    void what_a_turn_on_one_instance_changes_the_other_reads_at_once() {
        Shared stores = new Shared();
        DmEngine a = stores.engine(redisA.cache());
        DmEngine b = stores.engine(redisB.cache());
        Player player = a.players().create("aria@example.org", "Aria");
        GameCharacter hero = a.characters().create(player.id(), NewCharacter.of("Aria", "fighter"));
        GameSession session = a.sessions().create(player.id(), hero.id(), "The bridge");
        assertThat(potions(b.characters().get(player.id(), hero.id()))).isEqualTo(2); // B holds it

        a.turns().play(TurnRequest.of(session.id(), player.id(), "I drink a potion"), TurnListener.NONE);

        GameCharacter onB = b.characters().get(player.id(), hero.id());
        assertThat(potions(onB)).isEqualTo(1);
        assertThat(onB).isEqualTo(stores.characters.get(hero.id()).orElseThrow());

        for (int i = 0; i < 6; i++) { // turns alternate between the instances, each reading the other's turn
            DmEngine here = i % 2 == 0 ? b : a;
            DmEngine there = here == a ? b : a;
            here.turns().play(TurnRequest.of(session.id(), player.id(), "I attack the bandit " + i), TurnListener.NONE);
            assertThat(there.characters().get(player.id(), hero.id()))
                    .isEqualTo(stores.characters.get(hero.id()).orElseThrow());
            assertThat(there.sessions().get(player.id(), session.id()))
                    .isEqualTo(stores.sessions.get(session.id()).orElseThrow());
            assertThat(there.ports().messageStore().recent(session.id(), 9))
                    .isEqualTo(stores.messages.recent(session.id(), 9));
        }
    }

    @Test
    void an_edit_on_one_instance_is_read_on_the_other_at_once() {
        Shared stores = new Shared();
        DmEngine a = stores.engine(redisA.cache());
        DmEngine b = stores.engine(redisB.cache());
        Player player = a.players().create("bruna@example.org", "Bruna");
        GameCharacter hero = a.characters().create(player.id(), NewCharacter.of("Bruna", "rogue"));
        GameCharacter seen = b.characters().get(player.id(), hero.id());

        GameCharacter edited = a.characters().update(player.id(), hero.id(), seen.version(),
                NewCharacter.of("Bruna Quickfingers", "rogue"));

        assertThat(b.characters().get(player.id(), hero.id())).isEqualTo(edited);
    }

    @Test
    void while_redis_is_down_reads_come_from_the_store_writes_are_refused_and_both_recover() throws Exception {
        try (PrivateRedis server = PrivateRedis.persistent();
             RedisAdapters ra = adapters(server); RedisAdapters rb = adapters(server)) {
            Shared stores = new Shared();
            DmEngine a = stores.engine(ra.cache());
            DmEngine b = stores.engine(rb.cache());
            Player player = a.players().create("cora@example.org", "Cora");
            GameCharacter hero = a.characters().create(player.id(), NewCharacter.of("Cora", "cleric"));
            GameCharacter warm = b.characters().get(player.id(), hero.id());

            server.stop();
            assertThat(b.characters().get(player.id(), hero.id())).isEqualTo(warm);
            assertThatThrownBy(() -> a.characters().update(player.id(), hero.id(), warm.version(),
                    NewCharacter.of("Cora the Lost", "cleric")))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("the character was not saved");
            assertThat(stores.characters.get(hero.id())).contains(warm);
            server.start(); // the append-only file brings every key back: none of them can be stale

            assertThat(b.characters().get(player.id(), hero.id())).isEqualTo(warm);
            GameCharacter edited = onceBack(() -> a.characters().update(player.id(), hero.id(), warm.version(),
                    NewCharacter.of("Cora the Found", "cleric")));
            assertThat(b.characters().get(player.id(), hero.id())).isEqualTo(edited);
        }
    }

    private static RedisAdapters adapters(PrivateRedis server) {
        return RedisAdapters.builder().url(server.url()).keyPrefix("hot:")
                .connectTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofSeconds(2)).build();
    }

    private static <T> T onceBack(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return call.get();
            } catch (UnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------- the store contracts, across two pools

    private HotReads writer() {
        return HotReads.builder(redisA.cache()).ttl(TTL).recentWindow(10).build();
    }

    private HotReads reader() {
        return HotReads.builder(redisB.cache()).ttl(TTL).recentWindow(10).build();
    }

    /** Writes through instance A's decorator, reads through B's. */
    @Nested
    class CharacterStoreAcrossInstances extends CharacterStoreContract {
        @Override
        protected CharacterStore newStore() {
            InMemoryCharacterStore rows = new InMemoryCharacterStore();
            CharacterStore w = writer().characters(rows);
            CharacterStore r = reader().characters(rows);
            return new CharacterStore() {
                public GameCharacter create(GameCharacter c) {
                    return w.create(c);
                }

                public Optional<GameCharacter> get(UUID id) {
                    return r.get(id);
                }

                public List<GameCharacter> listByOwner(UUID ownerId) {
                    return r.listByOwner(ownerId);
                }

                public GameCharacter update(GameCharacter c) {
                    return w.update(c);
                }

                public boolean delete(UUID id) {
                    return w.delete(id);
                }
            };
        }
    }

    /** Writes through instance A's decorator, reads through B's. */
    @Nested
    class SessionStoreAcrossInstances extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            InMemorySessionStore rows = new InMemorySessionStore();
            SessionStore w = writer().sessions(rows);
            SessionStore r = reader().sessions(rows);
            return new SessionStore() {
                public GameSession create(GameSession s) {
                    return w.create(s);
                }

                public Optional<GameSession> get(UUID id) {
                    return r.get(id);
                }

                public List<GameSession> listByOwner(UUID ownerId) {
                    return r.listByOwner(ownerId);
                }

                public GameSession update(GameSession s) {
                    return w.update(s);
                }

                public boolean delete(UUID id) {
                    return w.delete(id);
                }
            };
        }
    }

    /** Appends through A (which also reads, so its window copy is written through), reads through B. */
    @Nested
    class MessageStoreAcrossInstances extends MessageStoreContract {
        @Override
        protected MessageStore newStore() {
            InMemoryMessageStore rows = new InMemoryMessageStore();
            MessageStore w = writer().messages(rows);
            MessageStore r = reader().messages(rows);
            return new MessageStore() {
                public dev.dmengine.spi.game.Message append(dev.dmengine.spi.game.Message m) {
                    w.recent(m.sessionId(), 10);
                    return w.append(m);
                }

                public java.util.List<dev.dmengine.spi.game.Message> appendAll(
                        java.util.List<dev.dmengine.spi.game.Message> ms) {
                    if (!ms.isEmpty()) {
                        w.recent(ms.getFirst().sessionId(), 10);
                    }
                    return w.appendAll(ms);
                }

                public Optional<dev.dmengine.spi.game.Message> get(UUID id) {
                    return r.get(id);
                }

                public dev.dmengine.spi.Page<dev.dmengine.spi.game.Message> list(UUID sessionId, String cursor,
                                                                                 int limit) {
                    return r.list(sessionId, cursor, limit);
                }

                public List<dev.dmengine.spi.game.Message> recent(UUID sessionId, int limit) {
                    return r.recent(sessionId, limit);
                }

                public long count(UUID sessionId) {
                    return r.count(sessionId);
                }

                public boolean delete(UUID id) {
                    return w.delete(id);
                }

                public long deleteSession(UUID sessionId) {
                    return w.deleteSession(sessionId);
                }
            };
        }
    }
}
