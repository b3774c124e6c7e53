package dev.dmengine.postgres;

import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.MessageStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link MessageStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresMessageStoreContractIT extends MessageStoreContract {

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
    protected MessageStore newStore() {
        schemas.truncate();
        return schemas.pg.messages();
    }
}
