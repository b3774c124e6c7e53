package dev.dmengine.postgres;

import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.testkit.CharacterStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
}
