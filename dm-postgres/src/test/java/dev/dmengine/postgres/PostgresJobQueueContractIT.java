package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.testkit.JobQueueContract;
import dev.dmengine.testkit.MutableClock;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    // ---- PostgreSQL-specific ----

    @Test
    void a_lease_that_is_not_positive_or_longer_than_a_day_is_invalid_input() {
        String q = queueName("lease");

        assertThatThrownBy(() -> queue.claim(q, "w1", Duration.ZERO))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lease");
        assertThatThrownBy(() -> queue.claim(q, "w1", Duration.ofDays(2)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lease");
    }
}
