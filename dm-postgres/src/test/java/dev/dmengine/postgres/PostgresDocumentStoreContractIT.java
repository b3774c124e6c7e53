package dev.dmengine.postgres;

import dev.dmengine.spi.retrieval.DocumentStore;
import dev.dmengine.testkit.DocumentStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link DocumentStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresDocumentStoreContractIT extends DocumentStoreContract {

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
    protected DocumentStore newStore() {
        schemas.truncate();
        return schemas.pg.documents();
    }
}
