package dev.dmengine.core;

import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.core.inmemory.InMemoryPlayerStore;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.core.inmemory.InMemoryTurnStore;
import dev.dmengine.core.inmemory.InMemoryVectorIndex;
import dev.dmengine.core.rules.CharacterSheets;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.RateLimit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two engines — two server instances — on the same stores and one cache, both with hot reads:
 * what one changes, the other reads at once; and a turn on a warm instance reads none of the
 * session, the character or the recent window from the store.
 */
class HotReadsTwoEnginesTest {

    private final InMemoryCache cache = new InMemoryCache();
    private final CountingStores raw = new CountingStores();
    private final InMemoryPlayerStore players = new InMemoryPlayerStore();
    private final InMemoryTurnStore turns = new InMemoryTurnStore();
    private final InMemoryVectorIndex vectors = new InMemoryVectorIndex();
    private final InMemoryJobQueue jobs = new InMemoryJobQueue();
    private final InMemoryRateLimiter limiter = new InMemoryRateLimiter();

    private DmEngine a;
    private DmEngine b;
    private Player player;
    private GameCharacter hero;
    private GameSession session;

    private DmEngine instance() {
        return DmEngine.builder().playerStore(players).characterStore(raw.characters).sessionStore(raw.sessions)
                .messageStore(raw.messages).turnStore(turns).vectorIndex(vectors).jobQueue(jobs).rateLimiter(limiter)
                .cache(cache).hotReads(cache, Duration.ofMinutes(5))
                .turnConfig(TurnConfig.defaults().withTurnRate(new RateLimit(10_000, Duration.ofSeconds(1), 10_000)))
                .build();
    }

    @BeforeEach
    void twoInstances() {
        a = instance();
        b = instance();
        player = a.players().create("aria@example.org", "Aria");
        hero = a.characters().create(player.id(), NewCharacter.of("Aria", "fighter"));
        session = a.sessions().create(player.id(), hero.id(), "The bridge");
    }

    private void play(DmEngine on, String text) {
        on.turns().play(TurnRequest.of(session.id(), player.id(), text), TurnListener.NONE);
    }

    private static int potions(GameCharacter c) {
        return c.inventory().stream().filter(i -> i.itemId().equals("healing-potion"))
                .mapToInt(InventoryItem::quantity).sum();
    }

    private static int hp(GameCharacter c) {
        return CharacterSheets.fromJson(c.sheet()).hp().current();
    }

    @Test
    void a_potion_drunk_on_one_instance_is_gone_on_the_other_at_once() {
        assertThat(potions(b.characters().get(player.id(), hero.id()))).isEqualTo(2); // B holds the character

        play(a, "I drink a potion");

        GameCharacter onB = b.characters().get(player.id(), hero.id());
        assertThat(potions(onB)).isEqualTo(1);
        assertThat(onB).isEqualTo(raw.characters.get(hero.id()).orElseThrow());
    }

    @Test
    void hp_lost_in_a_fight_on_one_instance_is_what_the_other_reads_and_plays_from() {
        int startHp = hp(b.characters().get(player.id(), hero.id()));
        int turnsPlayed = 0;
        while (hp(raw.characters.get(hero.id()).orElseThrow()) == startHp && turnsPlayed < 30) {
            DmEngine here = turnsPlayed % 2 == 0 ? a : b;
            DmEngine there = here == a ? b : a;
            play(here, "I attack the bandit");
            turnsPlayed++;
            GameCharacter truth = raw.characters.get(hero.id()).orElseThrow();
            assertThat(there.characters().get(player.id(), hero.id())).isEqualTo(truth);
            assertThat(there.sessions().get(player.id(), session.id())).isEqualTo(raw.sessions.get(session.id())
                    .orElseThrow());
            assertThat(there.ports().messageStore().recent(session.id(), 9))
                    .isEqualTo(raw.messages.recent(session.id(), 9));
        }
        assertThat(hp(raw.characters.get(hero.id()).orElseThrow())).as("the foe hit within 30 turns")
                .isLessThan(startHp);
    }

    @Test
    void a_character_edited_on_one_instance_is_read_on_the_other_at_once() {
        GameCharacter onB = b.characters().get(player.id(), hero.id());

        GameCharacter edited = a.characters().update(player.id(), hero.id(), onB.version(),
                NewCharacter.of("Aria the Bold", "fighter"));

        assertThat(b.characters().get(player.id(), hero.id())).isEqualTo(edited);
        assertThat(b.characters().get(player.id(), hero.id()).name()).isEqualTo("Aria the Bold");
    }

    @Test
    void a_turn_on_a_warm_instance_reads_no_session_character_or_recent_window_from_the_store() {
        play(a, "I look around the bridge");
        raw.reset();

        for (int i = 0; i < 5; i++) {
            play(a, "I search the wagon " + i);
        }

        assertThat(raw.sessionGets).hasValue(0);
        assertThat(raw.characterGets).hasValue(0);
        assertThat(raw.recents).hasValue(0);
        assertThat(a.ports().messageStore().recent(session.id(), 9)).isEqualTo(raw.messages.recent(session.id(), 9));
    }

    @Test
    void a_turn_on_the_other_instance_reads_only_the_window_from_the_store() {
        play(a, "I look around the bridge");
        raw.reset();

        play(b, "I search the wagon");

        assertThat(raw.sessionGets).as("A's turn wrote the session through").hasValue(0);
        assertThat(raw.characterGets).hasValue(0);
        assertThat(raw.recents).as("B held no copy to append the player message to").hasValue(1);
    }

    /** The in-memory stores, counting the reads hot reads are meant to save. */
    static final class CountingStores {
        final AtomicInteger sessionGets = new AtomicInteger();
        final AtomicInteger characterGets = new AtomicInteger();
        final AtomicInteger recents = new AtomicInteger();
        final CharacterStore characters = new CountingCharacters(new InMemoryCharacterStore(), characterGets);
        final SessionStore sessions = new CountingSessions(new InMemorySessionStore(), sessionGets);
        final MessageStore messages = new CountingMessages(new InMemoryMessageStore(), recents);

        void reset() {
            sessionGets.set(0);
            characterGets.set(0);
            recents.set(0);
        }
    }

    private record CountingCharacters(CharacterStore inner, AtomicInteger gets) implements CharacterStore {
        public GameCharacter create(GameCharacter c) {
            return inner.create(c);
        }

        public Optional<GameCharacter> get(UUID id) {
            gets.incrementAndGet();
            return inner.get(id);
        }

        public List<GameCharacter> listByOwner(UUID ownerId) {
            return inner.listByOwner(ownerId);
        }

        public GameCharacter update(GameCharacter c) {
            return inner.update(c);
        }

        public boolean delete(UUID id) {
            return inner.delete(id);
        }
    }

    private record CountingSessions(SessionStore inner, AtomicInteger gets) implements SessionStore {
        public GameSession create(GameSession s) {
            return inner.create(s);
        }

        public Optional<GameSession> get(UUID id) {
            gets.incrementAndGet();
            return inner.get(id);
        }

        public List<GameSession> listByOwner(UUID ownerId) {
            return inner.listByOwner(ownerId);
        }

        public GameSession update(GameSession s) {
            return inner.update(s);
        }

        public GameSession touch(UUID id, java.time.Instant updatedAt) {
            return inner.touch(id, updatedAt);
        }

        public boolean delete(UUID id) {
            return inner.delete(id);
        }
    }

    private record CountingMessages(MessageStore inner, AtomicInteger recents) implements MessageStore {
        public Message append(Message m) {
            return inner.append(m);
        }

        public Optional<Message> get(UUID id) {
            return inner.get(id);
        }

        public Page<Message> list(UUID sessionId, String cursor, int limit) {
            return inner.list(sessionId, cursor, limit);
        }

        public List<Message> recent(UUID sessionId, int limit) {
            recents.incrementAndGet();
            return inner.recent(sessionId, limit);
        }

        public long count(UUID sessionId) {
            return inner.count(sessionId);
        }

        public boolean delete(UUID id) {
            return inner.delete(id);
        }

        public long deleteSession(UUID sessionId) {
            return inner.deleteSession(sessionId);
        }
    }
}
