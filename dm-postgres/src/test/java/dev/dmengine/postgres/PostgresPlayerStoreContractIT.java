package dev.dmengine.postgres;

import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.testkit.PlayerStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link PlayerStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresPlayerStoreContractIT extends PlayerStoreContract {

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
    protected PlayerStore newStore() {
        schemas.truncate();
        return schemas.pg.players();
    }
}
