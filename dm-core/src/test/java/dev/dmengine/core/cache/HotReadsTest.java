package dev.dmengine.core.cache;

import dev.dmengine.core.cache.Fixtures.FlakyCache;
import dev.dmengine.core.cache.Fixtures.GatedCharacters;
import dev.dmengine.core.cache.Fixtures.StagedCharacters;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.testkit.Await;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.dmengine.core.cache.Fixtures.hero;
import static dev.dmengine.core.cache.Fixtures.withHp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The protocol of {@link HotReads} on entities (characters stand for sessions too: same code path). */
class HotReadsTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    /** A thread per task: the common pool may have a single worker on a small machine. */
    private static final java.util.concurrent.Executor THREADS = Thread.ofVirtual()::start;

    private final MutableClock clock = new MutableClock();
    private final FlakyCache cache = new FlakyCache(clock);

    private HotReads instance() {
        return HotReads.builder(cache).ttl(TTL).build();
    }

    private static int hp(GameCharacter c) {
        return Integer.parseInt(c.sheet().replaceAll("\\D", ""));
    }

    @Test
    void warm_reads_are_served_by_the_cache_without_reading_the_store() {
        GatedCharacters store = new GatedCharacters();
        HotReads hot = instance();
        CharacterStore characters = hot.characters(store);
        GameCharacter created = characters.create(hero(10)); // written through

        for (int i = 0; i < 3; i++) {
            assertThat(characters.get(created.id())).contains(created);
        }

        assertThat(store.gets).hasValue(0);
        assertThat(hot.stats().hits()).isEqualTo(3);
        assertThat(hot.stats().writeThroughs()).isEqualTo(1);
    }

    @Test
    void a_cold_entry_is_read_from_the_store_once_then_from_the_cache() {
        GatedCharacters store = new GatedCharacters();
        GameCharacter row = store.create(hero(10)); // written behind the cache's back: it knows nothing of it
        HotReads a = instance();
        HotReads b = instance();

        assertThat(a.characters(store).get(row.id())).contains(row);
        assertThat(b.characters(store).get(row.id())).contains(row);
        assertThat(a.characters(store).get(row.id())).contains(row);

        assertThat(store.gets).hasValue(1);
        assertThat(a.stats().misses()).isEqualTo(1);
        assertThat(b.stats().hits()).isEqualTo(1);
    }

    @Test
    void a_write_on_one_instance_is_read_at_once_on_another_that_held_the_old_value() {
        GatedCharacters store = new GatedCharacters();
        CharacterStore onA = instance().characters(store);
        HotReads b = instance();
        CharacterStore onB = b.characters(store);
        GameCharacter v1 = onA.create(hero(10));
        assertThat(onB.get(v1.id()).map(HotReadsTest::hp)).contains(10); // B now holds a copy

        GameCharacter v2 = onA.update(withHp(v1, 4));

        assertThat(onB.get(v1.id())).contains(v2);
        assertThat(store.gets).as("served by A's write-through, not the store").hasValue(0);
        assertThat(onA.get(v1.id())).contains(v2);
    }

    @Test
    void a_reader_that_read_the_old_row_while_a_write_committed_never_serves_it() throws Exception {
        GatedCharacters store = new GatedCharacters();
        GameCharacter v1 = store.create(hero(10));
        CharacterStore onA = instance().characters(store);
        CharacterStore onB = instance().characters(store);

        CountDownLatch rowRead = store.holdNextRead();
        CompletableFuture<GameCharacter> slowRead =
                CompletableFuture.supplyAsync(() -> onB.get(v1.id()).orElseThrow(), THREADS);
        Fixtures.await(rowRead);                                // B has read hp 10 from the store, and waits
        GameCharacter v2 = onA.update(withHp(v1, 3));           // A's write commits and ends meanwhile
        store.release();                                        // B now fills the cache with what it read
        assertThat(hp(slowRead.get(30, TimeUnit.SECONDS))).isEqualTo(10); // its own read was before the write

        assertThat(onB.get(v1.id())).contains(v2);
        assertThat(onA.get(v1.id())).contains(v2);
        assertThat(instance().characters(store).get(v1.id())).contains(v2);
    }

    @Test
    void a_write_inside_a_transaction_is_cached_only_once_it_has_committed() throws Exception {
        StagedCharacters store = new StagedCharacters();
        GameCharacter v1 = store.create(hero(10));
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        Transactor tx = a.transactor(store.transactor);
        HotReads b = instance();
        CharacterStore onB = b.characters(store);
        assertThat(onB.get(v1.id()).map(HotReadsTest::hp)).contains(10); // warm everywhere before the turn

        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<GameCharacter> turn = CompletableFuture.supplyAsync(() -> tx.inTransaction(() -> {
            GameCharacter stored = onA.update(withHp(v1, 2));
            assertThat(onA.get(v1.id())).contains(stored); // the transaction reads its own write
            written.countDown();
            Fixtures.await(commit);
            return stored;
        }), THREADS);
        Fixtures.await(written);
        for (int i = 0; i < 3; i++) { // during the transaction: the committed row, and nothing filled
            assertThat(onB.get(v1.id()).map(HotReadsTest::hp)).contains(10);
        }
        assertThat(b.stats().bypasses()).isEqualTo(3);
        commit.countDown();
        GameCharacter v2 = turn.get(30, TimeUnit.SECONDS);

        int storeReads = store.gets.get();
        assertThat(onB.get(v1.id())).contains(v2);
        assertThat(store.gets).as("written through at the commit").hasValue(storeReads);
    }

    @Test
    void a_rolled_back_transaction_leaves_the_committed_value_readable_everywhere() {
        StagedCharacters store = new StagedCharacters();
        GameCharacter v1 = store.create(hero(10));
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        CharacterStore onB = instance().characters(store);
        assertThat(onB.get(v1.id())).contains(v1);

        assertThatThrownBy(() -> a.transactor(store.transactor).inTransaction(() -> {
            onA.update(withHp(v1, 1));
            throw new IllegalStateException("the model failed");
        })).hasMessage("the model failed");

        assertThat(onB.get(v1.id())).contains(v1);
        assertThat(onA.get(v1.id())).contains(v1);
        assertThat(a.stats().invalidations()).isEqualTo(1);
        assertThat(a.stats().writeThroughs()).isZero();
    }

    @Test
    void a_compensation_that_writes_the_old_value_back_is_what_every_instance_reads() {
        GatedCharacters store = new GatedCharacters(); // no transactions: TurnCommit compensates instead
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        CharacterStore onB = instance().characters(store);
        GameCharacter v1 = onA.create(hero(10));
        Transactor tx = a.transactor(Transactor.none());

        GameCharacter[] written = new GameCharacter[1];
        assertThatThrownBy(() -> tx.inTransaction(() -> {
            written[0] = onA.update(withHp(v1, 1));
            throw new IllegalStateException("the turn record could not be stored");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(onB.get(v1.id()).map(HotReadsTest::hp)).as("the store holds it until undone").contains(1);
        GameCharacter undone = onA.update(new GameCharacter(v1.id(), v1.ownerId(), v1.name(), v1.characterClass(),
                v1.level(), v1.sheet(), v1.inventory(), written[0].version(), v1.createdAt(), v1.updatedAt()));

        assertThat(onB.get(v1.id())).contains(undone);
        assertThat(hp(onA.get(v1.id()).orElseThrow())).isEqualTo(10);
    }

    @Test
    void two_writes_of_one_entry_in_a_transaction_end_once_with_the_last_value() {
        StagedCharacters store = new StagedCharacters();
        GameCharacter v1 = store.create(hero(10));
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        CharacterStore onB = instance().characters(store);

        GameCharacter v3 = a.transactor(store.transactor).inTransaction(() -> {
            GameCharacter v2 = onA.update(withHp(v1, 8));
            return onA.update(withHp(v2, 6));
        });

        assertThat(onB.get(v1.id())).contains(v3);
        assertThat(a.stats().writeThroughs()).isEqualTo(1);
    }

    private static GameSession retitled(GameSession s, String title) {
        return new GameSession(s.id(), s.ownerId(), s.characterId(), title, s.seed(), s.createdAt(),
                s.updatedAt().plusSeconds(1));
    }

    /**
     * Two writes of one session overlap; {@code firstStarted} begins first, and the order of the
     * rest is given: each string is the write ("A" or "B") whose next stage runs, the stages being
     * its store write and then the end of its write.
     */
    private void overlap(String... stages) throws Exception {
        InMemorySessionStore rows = new InMemorySessionStore();
        ScriptedSessions scripted = new ScriptedSessions(rows);
        SessionStore onA = instance().sessions(scripted);
        SessionStore onB = instance().sessions(scripted);
        SessionStore reader = instance().sessions(rows);
        GameSession s0 = onB.create(new GameSession(Ids.newId(), Ids.newId(), Ids.newId(), "The keep", 1L,
                Fixtures.T0, Fixtures.T0));
        assertThat(reader.get(s0.id())).contains(s0); // a third instance holds the old value
        var stepA = scripted.script("A");
        var stepB = scripted.script("B");
        CompletableFuture<GameSession> a = CompletableFuture.supplyAsync(() -> onA.update(retitled(s0, "A")), THREADS);
        Await.until("A has put its token", Duration.ofSeconds(30), () -> a.isDone() || hasWriterToken(s0.id()));
        String aToken = cache.inner.get(CachingSessionStore.KIND.state(s0.id())).orElseThrow();
        CompletableFuture<GameSession> b = CompletableFuture.supplyAsync(() -> onB.update(retitled(s0, "B")), THREADS);
        Await.until("B has put its token", Duration.ofSeconds(30),
                () -> !cache.inner.get(CachingSessionStore.KIND.state(s0.id())).orElseThrow().equals(aToken));
        int writesA = 0;
        int writesB = 0;
        for (String stage : stages) {
            var step = stage.equals("A") ? stepA : stepB;
            int done = stage.equals("A") ? writesA++ : writesB++;
            if (done == 0) {
                step.go().countDown();
                Await.until(stage + " has written its row", Duration.ofSeconds(30),
                        () -> step.written().getCount() == 0 || a.isCompletedExceptionally()
                                || b.isCompletedExceptionally());
                assertThat(a).isNotCompletedExceptionally();
                assertThat(b).isNotCompletedExceptionally();
            } else {
                step.end().countDown();
                (stage.equals("A") ? a : b).get(30, TimeUnit.SECONDS);
            }
        }

        GameSession last = rows.get(s0.id()).orElseThrow();
        assertThat(reader.get(s0.id())).contains(last);
        assertThat(onA.get(s0.id())).contains(last);
        assertThat(onB.get(s0.id())).contains(last);
    }

    private boolean hasWriterToken(UUID session) {
        return cache.inner.get(CachingSessionStore.KIND.state(session)).filter(t -> t.startsWith("w")).isPresent();
    }

    @Test
    void of_two_overlapping_writes_the_one_that_committed_last_is_read_whichever_ends_first() throws Exception {
        overlap("A", "B", "A", "B"); // A commits first, B last; A ends first
        overlap("A", "B", "B", "A"); // A commits first, B last; B ends first
        overlap("B", "A", "A", "B"); // B commits first, A last (A's token was replaced by B's); A ends first
        overlap("B", "A", "B", "A"); // B commits first, A last; B ends first
    }

    @Test
    void a_refused_store_write_invalidates_and_loses_nothing() {
        GatedCharacters store = new GatedCharacters();
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        GameCharacter v1 = onA.create(hero(10));
        GameCharacter v2 = onA.update(withHp(v1, 9));

        assertThatThrownBy(() -> onA.update(withHp(v1, 1))).isInstanceOf(ConflictException.class);

        assertThat(instance().characters(store).get(v1.id())).contains(v2);
        assertThat(onA.get(v1.id())).contains(v2);
    }

    @Test
    void a_deleted_entry_is_not_found_on_the_other_instance() {
        GatedCharacters store = new GatedCharacters();
        CharacterStore onA = instance().characters(store);
        CharacterStore onB = instance().characters(store);
        GameCharacter v1 = onA.create(hero(10));
        assertThat(onB.get(v1.id())).isPresent();

        assertThat(onA.delete(v1.id())).isTrue();

        assertThat(onB.get(v1.id())).isEmpty();
    }

    @Test
    void while_the_cache_is_down_reads_use_the_store_and_one_warning_is_logged() {
        GatedCharacters store = new GatedCharacters();
        HotReads hot = HotReads.builder(cache).ttl(TTL).failureLogInterval(Duration.ofHours(1)).build();
        CharacterStore characters = hot.characters(store);
        GameCharacter v1 = characters.create(hero(10));
        cache.down = true;

        for (int i = 0; i < 100; i++) {
            assertThat(characters.get(v1.id())).contains(v1);
        }

        assertThat(store.gets).hasValue(100);
        assertThat(hot.stats().cacheFailures()).isEqualTo(100);
        assertThat(hot.warningsLogged()).isEqualTo(1);
        cache.down = false;
        assertThat(characters.get(v1.id())).contains(v1);
        assertThat(store.gets).as("the cache serves again").hasValue(100);
    }

    @Test
    void while_the_cache_is_down_a_write_is_refused_before_the_store_is_touched() {
        GatedCharacters store = new GatedCharacters();
        HotReads hot = instance();
        CharacterStore characters = hot.characters(store);
        GameCharacter v1 = characters.create(hero(10));
        cache.down = true;

        assertThatThrownBy(() -> characters.update(withHp(v1, 1)))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("the character was not saved: the game's cache is unreachable; try again in a moment");

        assertThat(store.inner.get(v1.id())).contains(v1);
        assertThat(hot.stats().refusedWrites()).isEqualTo(1);
        cache.down = false;
        assertThat(characters.get(v1.id())).contains(v1);
    }

    @Test
    void when_the_cache_fails_after_the_store_write_the_write_stands_and_nobody_reads_the_old_value() {
        GatedCharacters rows = new GatedCharacters();
        CharacterStore store = new CharacterStoreThatLosesTheCache(rows, cache);
        HotReads a = instance();
        CharacterStore onA = a.characters(store);
        HotReads b = instance();
        CharacterStore onB = b.characters(store);
        GameCharacter v1 = onA.create(hero(10));
        assertThat(onB.get(v1.id())).contains(v1); // B holds the old value

        GameCharacter v2 = onA.update(withHp(v1, 5)); // the cache goes down during the store write
        cache.down = false;

        assertThat(a.stats().cacheFailures()).isPositive();
        assertThat(onB.get(v1.id())).contains(v2); // the marker stands: read from the store
        assertThat(onA.get(v1.id())).contains(v2);
        assertThat(b.stats().bypasses()).isEqualTo(1);
        clock.advance(TTL); // the marker expires: the entry is filled again, from the committed row
        assertThat(onB.get(v1.id())).contains(v2);
        assertThat(onA.get(v1.id())).contains(v2);
        assertThat(a.stats().hits() + b.stats().hits()).isEqualTo(2); // B's before the write, A's last read
    }

    @Test
    void an_entry_expires_after_the_ttl() {
        GatedCharacters store = new GatedCharacters();
        CharacterStore characters = instance().characters(store);
        GameCharacter v1 = characters.create(hero(10));
        characters.get(v1.id());
        assertThat(store.gets).hasValue(0);

        clock.advance(TTL);

        assertThat(characters.get(v1.id())).contains(v1);
        assertThat(store.gets).hasValue(1);
    }

    @Test
    void the_ttl_is_required_and_at_least_a_second() {
        assertThatThrownBy(() -> HotReads.builder(cache).build()).hasMessageContaining("ttl is required");
        assertThatThrownBy(() -> HotReads.builder(cache).ttl(Duration.ofMillis(500)))
                .hasMessage("ttl must be at least 1 second, was PT0.5S");
        assertThatThrownBy(() -> HotReads.builder(cache).recentWindow(0))
                .hasMessage("recentWindow must be 1 to 1000, was 0");
    }

    /** Each update waits for its step's {@code go} before writing, then says {@code written}, then waits for {@code end}. */
    private static final class ScriptedSessions implements SessionStore {
        record Step(CountDownLatch go, CountDownLatch written, CountDownLatch end) {
        }

        private final SessionStore rows;
        private final java.util.concurrent.ConcurrentHashMap<String, Step> byTitle =
                new java.util.concurrent.ConcurrentHashMap<>();

        ScriptedSessions(SessionStore rows) {
            this.rows = rows;
        }

        Step script(String title) {
            Step step = new Step(new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1));
            byTitle.put(title, step);
            return step;
        }

        @Override
        public GameSession create(GameSession s) {
            return rows.create(s);
        }

        @Override
        public java.util.Optional<GameSession> get(java.util.UUID id) {
            return rows.get(id);
        }

        @Override
        public java.util.List<GameSession> listByOwner(java.util.UUID ownerId) {
            return rows.listByOwner(ownerId);
        }

        @Override
        public GameSession update(GameSession s) {
            Step step = byTitle.get(s.title());
            Fixtures.await(step.go());
            GameSession stored = rows.update(s);
            step.written().countDown();
            Fixtures.await(step.end());
            return stored;
        }

        @Override
        public boolean delete(java.util.UUID id) {
            return rows.delete(id);
        }
    }

    /** Takes the cache down while it writes the row: the write's last step then fails. */
    private static final class CharacterStoreThatLosesTheCache implements CharacterStore {
        private final CharacterStore rows;
        private final FlakyCache cache;

        CharacterStoreThatLosesTheCache(CharacterStore rows, FlakyCache cache) {
            this.rows = rows;
            this.cache = cache;
        }

        @Override
        public GameCharacter create(GameCharacter c) {
            return rows.create(c);
        }

        @Override
        public java.util.Optional<GameCharacter> get(java.util.UUID id) {
            return rows.get(id);
        }

        @Override
        public java.util.List<GameCharacter> listByOwner(java.util.UUID ownerId) {
            return rows.listByOwner(ownerId);
        }

        @Override
        public GameCharacter update(GameCharacter c) {
            GameCharacter stored = rows.update(c);
            cache.down = true;
            return stored;
        }

        @Override
        public boolean delete(java.util.UUID id) {
            return rows.delete(id);
        }
    }
}
