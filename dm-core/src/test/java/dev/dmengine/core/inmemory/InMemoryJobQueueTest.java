package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.testkit.JobQueueContract;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryJobQueueTest extends JobQueueContract {

    @Override
    protected JobQueue newQueue(MutableClock clock) {
        return new InMemoryJobQueue(clock, Duration.ofHours(1));
    }

    @Test
    void a_retried_job_goes_behind_the_jobs_already_waiting() {
        String q = queueName("retry-order");
        UUID first = queue.enqueue(q, "{}");
        UUID second = queue.enqueue(q, "{}");
        ClaimedJob job = queue.claim(q, "w1", LONG).orElseThrow();
        assertThat(job.id()).isEqualTo(first);

        queue.fail(job, "try later", true);

        assertThat(queue.claim(q, "w1", LONG)).map(ClaimedJob::id).contains(second);
        assertThat(queue.claim(q, "w1", LONG)).map(ClaimedJob::id).contains(first);
    }

    @Test
    void a_holder_whose_lease_ran_out_may_still_finish_until_someone_else_claims_it() {
        String q = queueName("late-but-alone");
        UUID id = queue.enqueue(q, "{}");
        ClaimedJob job = queue.claim(q, "w1", Duration.ofSeconds(5)).orElseThrow();
        clock.advance(Duration.ofSeconds(6));

        assertThat(queue.complete(job, "done")).isTrue();
        assertThat(queue.claim(q, "w2", LONG)).isEmpty();
        assertThat(queue.status(id).orElseThrow().result()).isEqualTo("done");
    }

    @Test
    void finished_jobs_are_forgotten_after_the_retention() {
        String q = queueName("retention");
        UUID id = queue.enqueue(q, "{}");
        queue.complete(queue.claim(q, "w1", LONG).orElseThrow(), "ok");
        clock.advance(Duration.ofHours(2));

        for (int i = 0; i < 1_100; i++) { // enough enqueues to trigger a sweep
            queue.enqueue(queueName("filler"), "{}");
        }

        assertThat(queue.status(id)).isEmpty();
    }
}
