package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Later {@code extends JobQueueContract} with {@link #newQueue()}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresJobQueueIT {

    private PgTest.Schemas schemas;

    @BeforeAll
    void open() {
        schemas = new PgTest.Schemas();
    }

    @AfterAll
    void drop() {
        schemas.close();
    }

    protected JobQueue newQueue() {
        return schemas.pg.jobQueue();
    }

    private static String queueName() {
        return "q-" + UUID.randomUUID();
    }

    @Test
    void claims_jobs_in_enqueue_order_and_records_the_result() {
        JobQueue q = newQueue();
        String queue = queueName();
        UUID first = q.enqueue(queue, "{\"n\": 1}");
        UUID second = q.enqueue(queue, "{\"n\": 2}");
        ClaimedJob job = q.claim(queue, "w1", Duration.ofSeconds(30)).orElseThrow();
        assertThat(job.id()).isEqualTo(first);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.payload()).isEqualTo("{\"n\": 1}");
        assertThat(q.status(first).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(q.complete(job, "done")).isTrue();
        assertThat(q.status(first).orElseThrow()).satisfies(i -> {
            assertThat(i.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(i.result()).isEqualTo("done");
        });
        assertThat(q.claim(queue, "w1", Duration.ofSeconds(30)).orElseThrow().id()).isEqualTo(second);
        assertThat(q.claim(queue, "w1", Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void redelivers_a_job_whose_lease_ran_out_and_ignores_the_stale_holder() throws Exception {
        JobQueue q = newQueue();
        String queue = queueName();
        UUID id = q.enqueue(queue, "{}");
        ClaimedJob stale = q.claim(queue, "w1", Duration.ofMillis(200)).orElseThrow();
        assertThat(q.claim(queue, "w2", Duration.ofSeconds(30))).isEmpty();
        Thread.sleep(400);
        ClaimedJob again = q.claim(queue, "w2", Duration.ofSeconds(30)).orElseThrow();
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(q.complete(stale, "late")).isFalse();
        assertThat(q.extend(stale, Duration.ofSeconds(5))).isFalse();
        assertThat(q.extend(again, Duration.ofSeconds(60))).isTrue();
        assertThat(q.complete(again, "ok")).isTrue();
        assertThat(q.status(id).orElseThrow().result()).isEqualTo("ok");
    }

    @Test
    void requeues_a_failed_job_when_asked_and_fails_it_for_good_otherwise() {
        JobQueue q = newQueue();
        String queue = queueName();
        UUID id = q.enqueue(queue, "{}");
        ClaimedJob one = q.claim(queue, "w", Duration.ofSeconds(30)).orElseThrow();
        assertThat(q.fail(one, "model timed out", true)).isTrue();
        assertThat(q.status(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        ClaimedJob two = q.claim(queue, "w", Duration.ofSeconds(30)).orElseThrow();
        assertThat(two.attempt()).isEqualTo(2);
        assertThat(q.fail(two, "bad prompt", false)).isTrue();
        assertThat(q.status(id).orElseThrow().state()).isEqualTo(JobState.FAILED);
        assertThat(q.claim(queue, "w", Duration.ofSeconds(30))).isEmpty();
    }

    @Test
    void never_hands_one_job_to_two_concurrent_workers() throws Exception {
        JobQueue q = newQueue();
        String queue = queueName();
        Set<UUID> enqueued = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            enqueued.add(q.enqueue(queue, "{\"i\": " + i + "}"));
        }
        List<UUID> claimed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String worker = "w" + w;
                workers.add(pool.submit(() -> {
                    Optional<ClaimedJob> job;
                    while ((job = q.claim(queue, worker, Duration.ofSeconds(30))).isPresent()) {
                        claimed.add(job.get().id());
                        q.complete(job.get(), worker);
                    }
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
        assertThat(new HashSet<>(claimed)).isEqualTo(enqueued);
    }

    @Test
    void rejects_a_non_positive_lease() {
        assertThatThrownBy(() -> newQueue().claim(queueName(), "w", Duration.ZERO))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("lease");
    }
}
