package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Character, session, message, turn and asset stores. Each group has its factory method so
 * that the class can be split into {@code extends XxxStoreContract} suites.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresGameStoresIT {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private PgTest.Schemas schemas;

    @BeforeAll
    void open() {
        schemas = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix()).maxJsonBytes(16 * 1024));
    }

    @AfterAll
    void drop() {
        schemas.close();
    }

    protected CharacterStore newCharacterStore() {
        return schemas.pg.characters();
    }

    protected SessionStore newSessionStore() {
        return schemas.pg.sessions();
    }

    protected MessageStore newMessageStore() {
        return schemas.pg.messages();
    }

    protected TurnStore newTurnStore() {
        return schemas.pg.turns();
    }

    protected AssetStore newAssetStore() {
        return schemas.pg.assets();
    }

    private static GameCharacter character(UUID owner) {
        return new GameCharacter(Ids.newId(), owner, "Ayla", "rogue", 1, "{\"hp\": 9, \"str\": 12}",
                List.of(new InventoryItem("dagger", "Dagger", 2, 1.0, true, Set.of("weapon", "light")),
                        new InventoryItem("rope", "Rope (50 ft)", 1, 10.0, false, Set.of())),
                0, NOW, NOW);
    }

    // ---- characters ----

    @Test
    void creates_a_character_at_version_1_with_its_inventory_in_order() {
        CharacterStore store = newCharacterStore();
        GameCharacter created = store.create(character(Ids.newId()));
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.inventory()).extracting(InventoryItem::itemId).containsExactly("dagger", "rope");
        assertThat(store.get(created.id())).contains(created);
        assertThat(store.listByOwner(created.ownerId())).containsExactly(created);
    }

    @Test
    void increments_the_version_on_update_and_rewrites_the_inventory() {
        CharacterStore store = newCharacterStore();
        GameCharacter v1 = store.create(character(Ids.newId()));
        GameCharacter v2 = store.update(v1.withSheet("{\"hp\": 4, \"str\": 12}",
                List.of(new InventoryItem("potion", "Potion", 3, 0.5, false, Set.of("consumable"))), 2));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.level()).isEqualTo(2);
        assertThat(store.get(v1.id())).contains(v2);
        assertThat(store.get(v1.id()).orElseThrow().inventory()).extracting(InventoryItem::itemId)
                .containsExactly("potion");
    }

    @Test
    void refuses_a_stale_update_as_a_conflict_and_keeps_the_newer_write() {
        CharacterStore store = newCharacterStore();
        GameCharacter v1 = store.create(character(Ids.newId()));
        GameCharacter v2 = store.update(v1.withSheet("{\"hp\": 1}", v1.inventory(), 1));
        assertThatThrownBy(() -> store.update(v1.withSheet("{\"hp\": 99}", List.of(), 1)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("version");
        assertThat(store.get(v1.id())).contains(v2);
    }

    @Test
    void lets_exactly_one_of_two_concurrent_updates_of_the_same_version_win() throws Exception {
        CharacterStore store = newCharacterStore();
        GameCharacter v1 = store.create(character(Ids.newId()));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int hp = i;
                Callable<String> update = () -> {
                    go.await();
                    try {
                        store.update(v1.withSheet("{\"hp\": " + hp + "}", List.of(), 1));
                        return "ok";
                    } catch (ConflictException e) {
                        return "conflict";
                    }
                };
                results.add(pool.submit(update));
            }
            go.countDown();
            List<String> outcomes = new ArrayList<>();
            for (Future<String> f : results) {
                outcomes.add(f.get());
            }
            assertThat(outcomes).containsExactlyInAnyOrder("ok", "conflict");
            assertThat(store.get(v1.id()).orElseThrow().version()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reports_an_update_of_an_unknown_character_as_not_found() {
        GameCharacter ghost = character(Ids.newId());
        assertThatThrownBy(() -> newCharacterStore().update(ghost)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void rejects_oversize_and_malformed_sheets_as_invalid_input() {
        CharacterStore store = newCharacterStore();
        GameCharacter c = character(Ids.newId());
        String huge = "{\"notes\": \"" + "x".repeat(20_000) + "\"}";
        assertThatThrownBy(() -> store.create(c.withSheet(huge, List.of(), 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("sheet").hasMessageContaining("bytes");
        assertThatThrownBy(() -> store.create(c.withSheet("{not json", List.of(), 1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.create(c.withSheet("{\"a\": \"\\u0000\"}", List.of(), 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("u0000");
        assertThat(store.get(c.id())).isEmpty();
    }

    // ---- sessions ----

    @Test
    void stores_sessions_and_lists_an_owners_sessions_most_recently_updated_first() {
        SessionStore store = newSessionStore();
        UUID owner = Ids.newId();
        GameSession a = store.create(new GameSession(Ids.newId(), owner, Ids.newId(), "Crypt", 42, NOW, NOW));
        GameSession b = store.create(new GameSession(Ids.newId(), owner, Ids.newId(), "Tower", 7, NOW,
                NOW.plusSeconds(5)));
        assertThat(store.listByOwner(owner)).containsExactly(b, a);
        GameSession renamed = new GameSession(a.id(), owner, a.characterId(), "Deep crypt", 42, NOW,
                NOW.plusSeconds(10));
        assertThat(store.update(renamed)).isEqualTo(renamed);
        assertThat(store.listByOwner(owner)).containsExactly(renamed, b);
        assertThat(store.delete(a.id())).isTrue();
        assertThat(store.delete(a.id())).isFalse();
    }

    // ---- messages ----

    private static Message message(UUID session, String text) {
        return new Message(Ids.newId(), session, null, MessageRole.PLAYER, text, Instant.now(),
                Map.of("model", "offline"));
    }

    @Test
    void pages_a_transcript_in_creation_order_with_an_opaque_cursor() {
        MessageStore store = newMessageStore();
        UUID session = Ids.newId();
        List<Message> written = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            written.add(store.append(message(session, "m" + i)));
        }
        store.append(message(Ids.newId(), "another session"));
        Page<Message> first = store.list(session, null, 3);
        Page<Message> second = store.list(session, first.nextCursor(), 3);
        Page<Message> third = store.list(session, second.nextCursor(), 3);
        assertThat(first.items()).isEqualTo(written.subList(0, 3));
        assertThat(second.items()).isEqualTo(written.subList(3, 6));
        assertThat(third.items()).isEqualTo(written.subList(6, 7));
        assertThat(third.nextCursor()).isNull();
        assertThat(store.recent(session, 2)).isEqualTo(written.subList(5, 7));
        assertThat(store.count(session)).isEqualTo(7);
        assertThat(store.delete(written.getFirst().id())).isTrue();
        assertThat(store.deleteSession(session)).isEqualTo(6);
        assertThat(store.count(session)).isZero();
    }

    @Test
    void refuses_a_duplicate_message_id_as_a_conflict() {
        MessageStore store = newMessageStore();
        Message m = store.append(message(Ids.newId(), "once"));
        assertThatThrownBy(() -> store.append(m)).isInstanceOf(ConflictException.class);
    }

    @Test
    void rejects_message_text_that_postgres_cannot_store() {
        MessageStore store = newMessageStore();
        UUID session = Ids.newId();
        assertThatThrownBy(() -> store.append(message(session, "I open the door\0")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("content").hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.append(message(session, "broken \uD83D surrogate")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> store.list(session, "not-a-cursor", 10)).isInstanceOf(InvalidInputException.class);
        assertThat(store.count(session)).isZero();
        // emoji (a proper surrogate pair) is fine
        assertThat(store.append(message(session, "roll \uD83C\uDFB2")).content()).endsWith("\uD83C\uDFB2");
    }

    // ---- turns ----

    private static TurnRecord turn(UUID session, long seq, String key) {
        return new TurnRecord(Ids.newId(), session, seq, key, TurnStatus.IN_PROGRESS, Ids.newId(), null,
                "{\"hp\": 9}", null, null, null, NOW, NOW);
    }

    @Test
    void keeps_sequence_numbers_and_idempotency_keys_unique_per_session() {
        TurnStore store = newTurnStore();
        UUID session = Ids.newId();
        TurnRecord first = store.create(turn(session, 1, "key-1"));
        assertThatThrownBy(() -> store.create(turn(session, 1, "key-2"))).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> store.create(turn(session, 2, "key-1"))).isInstanceOf(ConflictException.class);
        // the same key and seq in another session are fine
        store.create(turn(Ids.newId(), 1, "key-1"));
        TurnRecord second = store.create(turn(session, 2, null));
        TurnRecord third = store.create(turn(session, 3, null));
        assertThat(store.findByIdempotencyKey(session, "key-1")).contains(first);
        assertThat(store.listBySession(session)).containsExactly(first, second, third);
        assertThat(store.latest(session)).contains(third);
    }

    @Test
    void updates_a_turn_to_completed_with_its_state_and_mechanics() {
        TurnStore store = newTurnStore();
        TurnRecord t = store.create(turn(Ids.newId(), 1, null));
        TurnRecord done = store.update(t.completed(Ids.newId(), "{\"hp\": 7}", "{\"rolls\": [3]}", NOW));
        assertThat(store.get(t.id())).contains(done);
        assertThat(done.status()).isEqualTo(TurnStatus.COMPLETED);
        assertThat(done.stateAfter()).isEqualTo("{\"hp\": 7}");
        assertThatThrownBy(() -> store.update(turn(Ids.newId(), 1, null))).isInstanceOf(NotFoundException.class);
    }

    // ---- assets ----

    @Test
    void lists_an_owners_assets_that_are_not_deleted() {
        AssetStore store = newAssetStore();
        UUID owner = Ids.newId();
        Asset a = store.create(new Asset(Ids.newId(), owner, "portrait", "dm", "p/a.png", "image/png", 10, null,
                AssetStatus.PENDING, NOW, NOW));
        Asset b = store.create(new Asset(Ids.newId(), owner, "map", "dm", "p/b.png", "image/png", 20, "ab12",
                AssetStatus.READY, NOW.plusSeconds(1), NOW));
        assertThat(store.listByOwner(owner)).containsExactly(a, b);
        Asset deleted = store.update(new Asset(a.id(), owner, "portrait", "dm", "p/a.png", "image/png", 10, null,
                AssetStatus.DELETED, NOW, NOW.plusSeconds(2)));
        assertThat(store.get(a.id())).contains(deleted);
        assertThat(store.listByOwner(owner)).containsExactly(b);
        assertThat(store.delete(b.id())).isTrue();
        assertThat(store.get(b.id())).isEmpty();
    }
}
