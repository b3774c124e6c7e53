package dev.dmengine.postgres;

import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.testkit.VectorIndexContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The {@link VectorIndexContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PgVectorIndexContractIT extends VectorIndexContract {

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
    protected VectorIndex newIndex() {
        schemas.truncate();
        return schemas.pg.vectorIndex();
    }
}
