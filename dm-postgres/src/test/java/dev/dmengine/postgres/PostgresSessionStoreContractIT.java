package dev.dmengine.postgres;

import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.testkit.SessionStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link SessionStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresSessionStoreContractIT extends SessionStoreContract {

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
    protected SessionStore newStore() {
        schemas.truncate();
        return schemas.pg.sessions();
    }
}
