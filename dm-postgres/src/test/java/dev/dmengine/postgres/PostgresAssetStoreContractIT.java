package dev.dmengine.postgres;

import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.testkit.AssetStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link AssetStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresAssetStoreContractIT extends AssetStoreContract {

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
    protected AssetStore newStore() {
        schemas.truncate();
        return schemas.pg.assets();
    }
}
