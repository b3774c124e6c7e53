package dev.dmengine.postgres;

import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.testkit.RefreshTokenStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link RefreshTokenStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresRefreshTokenStoreContractIT extends RefreshTokenStoreContract {

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
    protected RefreshTokenStore newStore() {
        schemas.truncate();
        return schemas.pg.refreshTokens();
    }
}
