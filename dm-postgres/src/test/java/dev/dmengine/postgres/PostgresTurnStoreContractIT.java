package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.testkit.TurnStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link TurnStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresTurnStoreContractIT extends TurnStoreContract {

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
    protected TurnStore newStore() {
        schemas.truncate();
        return schemas.pg.turns();
    }

    // ---- PostgreSQL-specific ----

    @Test
    void state_and_mechanics_come_back_as_written_not_reformatted() {
        TurnRecord t = store.create(turn(Ids.newId(), 1, null));
        String after = "{\"str\":12,  \"hp\" : 7}"; // jsonb would reorder and respace it
        String mechanics = "{\"rolls\":[12,3]}";

        TurnRecord done = store.update(t.completed(Ids.newId(), after, mechanics, T0.plusSeconds(1)));

        TurnRecord read = store.get(t.id()).orElseThrow();
        assertThat(read).isEqualTo(done);
        assertThat(read.stateBefore()).isEqualTo(t.stateBefore());
        assertThat(read.stateAfter()).isEqualTo(after);
        assertThat(read.mechanics()).isEqualTo(mechanics);
    }
}
