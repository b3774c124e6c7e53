package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;
import dev.dmengine.testkit.JobQueueContract;
import dev.dmengine.testkit.MutableClock;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;

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

    @Test
    void finished_jobs_past_the_retention_are_deleted_and_nothing_else_is() throws Exception {
        String q = queueName("retention");
        UUID oldDone = queue.enqueue(q, "{}");
        UUID oldFailed = queue.enqueue(q, "{}");
        UUID freshDone = queue.enqueue(q, "{}");
        UUID oldRunning = queue.enqueue(q, "{}");
        UUID oldQueued = queue.enqueue(q, "{}");
        queue.complete(queue.claim(q, "w", LONG).orElseThrow(), "{}");
        queue.fail(queue.claim(q, "w", LONG).orElseThrow(), "no", false);
        queue.complete(queue.claim(q, "w", LONG).orElseThrow(), "{}");
        queue.claim(q, "w", LONG).orElseThrow();
        try (Connection c = schemas.pg.dataSource().getConnection();
             PreparedStatement age = c.prepareStatement("UPDATE " + schemas.pg.gameSchema() + ".jobs SET updated_at = "
                     + "clock_timestamp() - interval '25 hours' WHERE id = ANY(?)")) {
            age.setArray(1, c.createArrayOf("uuid", new Object[]{oldDone, oldFailed, oldRunning, oldQueued}));
            assertThat(age.executeUpdate()).isEqualTo(4);
        }

        int deleted = ((PostgresJobQueue) queue).purgeFinished();

        assertThat(deleted).isEqualTo(2);
        assertThat(queue.status(oldDone)).isEmpty();
        assertThat(queue.status(oldFailed)).isEmpty();
        assertThat(queue.status(freshDone)).isPresent(); // within the day
        assertThat(queue.status(oldRunning).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(queue.status(oldQueued).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(((PostgresJobQueue) queue).purgeFinished()).isZero();
    }
}
