package dev.dmengine.postgres;

import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.testkit.TurnStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
}
