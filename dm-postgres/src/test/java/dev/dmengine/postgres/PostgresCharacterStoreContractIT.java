package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.testkit.CharacterStoreContract;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link CharacterStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresCharacterStoreContractIT extends CharacterStoreContract {

    private static PgTest.Schemas schemas;

    @BeforeAll
    static void createSchemas() {
        schemas = PgTest.Schemas.forContract();
    }

    @AfterAll
    static void dropSchemas() {
        schemas.close();
    }

    @Override
    protected CharacterStore newStore() {
        schemas.truncate();
        return schemas.pg.characters();
    }

    // ---- PostgreSQL-specific ----

    @Test
    void the_sheet_comes_back_as_written_not_reformatted() {
        String sheet = "{\"str\":12,  \"hp\" : 10,\"notes\":[\"b\",\"a\"]}"; // jsonb would reorder and respace it
        GameCharacter c = store.create(character(Ids.newId(), "Bruna", T0).withSheet(sheet, List.of(), 1));

        assertThat(c.sheet()).isEqualTo(sheet);
        assertThat(store.get(c.id()).orElseThrow().sheet()).isEqualTo(sheet);
    }

    @Test
    void update_rewrites_the_inventory_rows_in_order() {
        GameCharacter v1 = store.create(character(Ids.newId(), "Bruna", T0));
        List<InventoryItem> items = List.of(
                new InventoryItem("potion", "Potion", 3, 0.5, false, Set.of("consumable")),
                new InventoryItem("dagger", "Dagger", 2, 1.0, true, Set.of("weapon", "light")));

        GameCharacter v2 = store.update(v1.withSheet(SHEET, items, 2));

        assertThat(store.get(v1.id())).contains(v2);
        assertThat(v2.inventory()).extracting(InventoryItem::itemId).containsExactly("potion", "dagger");
    }

    @Test
    void lets_exactly_one_of_two_concurrent_updates_of_the_same_version_win() throws Exception {
        GameCharacter v1 = store.create(character(Ids.newId(), "Bruna", T0));
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
                        return e.getMessage().contains("version") ? "conflict" : "conflict without version";
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
    void oversize_malformed_and_nul_escaped_sheets_are_invalid_input() {
        GameCharacter c = character(Ids.newId(), "Bruna", T0);
        String huge = "{\"notes\": \"" + "x".repeat(300_000) + "\"}"; // over the default 256 KiB

        assertThatThrownBy(() -> store.create(c.withSheet(huge, List.of(), 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("sheet").hasMessageContaining("bytes");
        assertThatThrownBy(() -> store.create(c.withSheet("{not json", List.of(), 1)))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> store.create(c.withSheet("{\"a\": \"\\u0000\"}", List.of(), 1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("u0000");
        assertThat(store.get(c.id())).isEmpty();
    }
}
