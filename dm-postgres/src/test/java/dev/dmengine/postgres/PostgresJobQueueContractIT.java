package dev.dmengine.postgres;

import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.testkit.JobQueueContract;
import dev.dmengine.testkit.MutableClock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link JobQueueContract} against PostgreSQL. Leases run on the database's clock
 * ({@code clock_timestamp()}), so the suite's clock is ignored and it uses short real leases.
 */
class PostgresJobQueueContractIT extends JobQueueContract {

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
    protected JobQueue newQueue(MutableClock ignored) {
        schemas.truncate();
        return schemas.pg.jobQueue();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }
}
