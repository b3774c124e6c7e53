package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.infra.ClaimedJob;
import dev.dmengine.spi.infra.Enqueued;
import dev.dmengine.spi.infra.JobInfo;
import dev.dmengine.spi.infra.NewJob;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.JobState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link JobQueue} must do: at-least-once delivery with leases. Extend it and build
 * the queue on the given clock; an adapter whose leases run on a server's clock overrides
 * {@link #supportsInjectedClock()} and the suite uses short real leases with bounded polling.
 */
public abstract class JobQueueContract {

    protected static final Duration LONG = Duration.ofHours(1);

    protected MutableClock clock;
    protected JobQueue queue;

    protected abstract JobQueue newQueue(MutableClock clock);

    protected boolean supportsInjectedClock() {
        return true;
    }

    @BeforeEach
    void freshQueue() {
        clock = new MutableClock();
        queue = newQueue(clock);
    }

    /** A queue name no other test has used. */
    protected static String queueName(String name) {
        return "contract-" + name + "-" + Ids.newId();
    }

    protected Duration shortLease() {
        return supportsInjectedClock() ? Duration.ofSeconds(30) : Duration.ofMillis(400);
    }

    /** Lets a short lease run out and returns the job's redelivery. */
    protected ClaimedJob claimAfterLeaseExpires(String q, String worker) {
        if (supportsInjectedClock()) {
            clock.advance(shortLease().plusMillis(1));
            return queue.claim(q, worker, LONG).orElseThrow(() -> new AssertionError("job was not redelivered"));
        }
        return Await.value("the expired job is redelivered", Await.DEFAULT_TIMEOUT,
                () -> queue.claim(q, worker, LONG).orElse(null));
    }

    @Test
    void enqueued_job_is_queued_with_no_attempts() {
        String q = queueName("status");
        UUID id = queue.enqueue(q, "{\"turn\":1}");

        JobInfo info = queue.status(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.QUEUED);
        assertThat(info.attempts()).isZero();
        assertThat(info.queue()).isEqualTo(q);
        assertThat(info.result()).isNull();
        assertThat(queue.status(Ids.newId())).isEmpty();
    }

    @Test
    void a_job_keeps_its_owner_key_request_hash_and_payload() {
        String q = queueName("owned");
        UUID owner = Ids.newId();
        Enqueued e = queue.enqueue(new NewJob(q, "{\"text\":\"look\"}", owner, "key-1", "hash-1"));

        assertThat(e.created()).isTrue();
        JobInfo info = queue.status(e.job().id()).orElseThrow();
        assertThat(info.ownerId()).isEqualTo(owner);
        assertThat(info.idempotencyKey()).isEqualTo("key-1");
        assertThat(info.requestHash()).isEqualTo("hash-1");
        assertThat(info.payload()).isEqualTo("{\"text\":\"look\"}");
        assertThat(info.finished()).isFalse();
        assertThat(queue.find(q, "key-1")).map(JobInfo::id).contains(e.job().id());
        assertThat(queue.find(q, "key-2")).isEmpty();
        assertThat(queue.find(queueName("other"), "key-1")).isEmpty();
    }

    @Test
    void a_key_used_again_returns_its_job_and_enqueues_nothing_even_once_the_job_finished() {
        String q = queueName("key");
        Enqueued first = queue.enqueue(new NewJob(q, "{\"n\":1}", Ids.newId(), "same", "h1"));
        Enqueued again = queue.enqueue(new NewJob(q, "{\"n\":2}", Ids.newId(), "same", "h2"));

        assertThat(again.created()).isFalse();
        assertThat(again.job().id()).isEqualTo(first.job().id());
        assertThat(again.job().requestHash()).as("the first request's hash is kept").isEqualTo("h1");
        assertThat(again.job().payload()).isEqualTo("{\"n\":1}");
        ClaimedJob claimed = queue.claim(q, "w", LONG).orElseThrow();
        assertThat(queue.claim(q, "w", LONG)).as("only one job was queued").isEmpty();
        assertThat(queue.complete(claimed, "{}")).isTrue();
        assertThat(queue.enqueue(new NewJob(q, "{\"n\":3}", null, "same", null)).created()).isFalse();
        assertThat(queue.claim(q, "w", LONG)).isEmpty();
        assertThat(queue.enqueue(new NewJob(queueName("elsewhere"), "{}", null, "same", null)).created())
                .as("keys are per queue").isTrue();
    }

    @Test
    void concurrent_requests_with_one_key_make_one_job() throws Exception {
        String q = queueName("race");
        int n = 30;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Enqueued>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return queue.enqueue(new NewJob(q, "{}", null, "race-key", "h"));
                }));
            }
            start.countDown();
            java.util.Set<UUID> ids = new java.util.HashSet<>();
            int created = 0;
            for (var f : results) {
                Enqueued e = f.get();
                ids.add(e.job().id());
                created += e.created() ? 1 : 0;
            }
            assertThat(ids).hasSize(1);
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_malformed_idempotency_key_is_refused_naming_the_field() {
        String q = queueName("badkey");
        for (String bad : List.of("", "has space", "x".repeat(201), "tab\tkey")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.enqueue(new NewJob(q, "{}", null, bad, null)))
                    .isInstanceOf(dev.dmengine.spi.InvalidInputException.class)
                    .hasMessageContaining("idempotencyKey");
        }
        assertThat(queue.claim(q, "w", LONG)).isEmpty();
    }

    @Test
    void jobs_are_claimed_in_enqueue_order() {
        String q = queueName("order");
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(queue.enqueue(q, "{\"n\":" + i + "}"));
        }

        List<UUID> claimed = new ArrayList<>();
        Optional<ClaimedJob> job;
        while ((job = queue.claim(q, "w1", LONG)).isPresent()) {
            claimed.add(job.get().id());
            assertThat(claimed).hasSizeLessThanOrEqualTo(5);
        }

        assertThat(claimed).containsExactlyElementsOf(ids);
    }

    @Test
    void claimed_job_carries_payload_attempt_and_lease() {
        String q = queueName("claim");
        UUID id = queue.enqueue(q, "{\"turn\":7}");

        ClaimedJob job = queue.claim(q, "w1", LONG).orElseThrow();

        assertThat(job.id()).isEqualTo(id);
        assertThat(job.queue()).isEqualTo(q);
        assertThat(job.payload()).isEqualTo("{\"turn\":7}");
        assertThat(job.attempt()).isEqualTo(1);
        if (supportsInjectedClock()) {
            assertThat(job.leaseUntil()).isEqualTo(clock.instant().plus(LONG));
        }
        JobInfo info = queue.status(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.RUNNING);
        assertThat(info.attempts()).isEqualTo(1);
    }

    @Test
    void queues_are_isolated() {
        String a = queueName("a");
        String b = queueName("b");
        UUID inA = queue.enqueue(a, "{}");

        assertThat(queue.claim(b, "w1", LONG)).isEmpty();
        assertThat(queue.claim(a, "w1", LONG)).map(ClaimedJob::id).contains(inA);
    }

    @Test
    void a_leased_job_is_not_claimed_twice() {
        String q = queueName("leased");
        queue.enqueue(q, "{}");
        queue.claim(q, "w1", LONG).orElseThrow();

        assertThat(queue.claim(q, "w2", LONG)).isEmpty();
    }

    @Test
    void completed_job_succeeds_with_its_result_and_is_not_delivered_again() {
        String q = queueName("complete");
        UUID id = queue.enqueue(q, "{}");
        ClaimedJob job = queue.claim(q, "w1", shortLease()).orElseThrow();

        assertThat(queue.complete(job, "{\"dmMessage\":\"m1\"}")).isTrue();

        JobInfo info = queue.status(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(info.result()).isEqualTo("{\"dmMessage\":\"m1\"}");
        assertThat(queue.complete(job, "again")).isFalse();
        if (supportsInjectedClock()) {
            clock.advance(shortLease().multipliedBy(10));
        } else {
            Await.pass(shortLease().multipliedBy(2));
        }
        assertThat(queue.claim(q, "w2", LONG)).isEmpty();
        assertThat(queue.status(id).orElseThrow().result()).isEqualTo("{\"dmMessage\":\"m1\"}");
    }

    @Test
    void job_of_a_dead_worker_is_delivered_again_and_the_stale_holder_loses() {
        String q = queueName("dead-worker");
        UUID id = queue.enqueue(q, "{\"turn\":3}");
        ClaimedJob stale = queue.claim(q, "w1", shortLease()).orElseThrow();

        ClaimedJob again = claimAfterLeaseExpires(q, "w2");

        assertThat(again.id()).isEqualTo(id);
        assertThat(again.payload()).isEqualTo("{\"turn\":3}");
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.leaseToken()).isNotEqualTo(stale.leaseToken());
        assertThat(queue.complete(stale, "stale result")).isFalse();
        assertThat(queue.fail(stale, "stale failure", true)).isFalse();
        assertThat(queue.extend(stale, LONG)).isFalse();
        assertThat(queue.status(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);

        assertThat(queue.complete(again, "fresh result")).isTrue();
        JobInfo info = queue.status(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(info.result()).isEqualTo("fresh result");
        assertThat(info.attempts()).isEqualTo(2);
    }

    @Test
    void extended_lease_keeps_the_job_with_its_worker() throws InterruptedException {
        if (!supportsInjectedClock()) { // real time: extend at once, look once the first lease is long over
            String q = queueName("extend-real-time");
            queue.enqueue(q, "{}");
            Duration lease = Duration.ofSeconds(2);
            long claimed = System.nanoTime();
            ClaimedJob job = queue.claim(q, "w1", lease).orElseThrow();
            assertThat(queue.extend(job, Duration.ofSeconds(120))).isTrue();
            long wait = lease.plusMillis(300).toNanos() - (System.nanoTime() - claimed);
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            }

            assertThat(queue.claim(q, "w2", LONG)).isEmpty();
            assertThat(queue.complete(job, "done")).isTrue();
            return;
        }
        String q = queueName("extend");
        queue.enqueue(q, "{}");
        ClaimedJob job = queue.claim(q, "w1", Duration.ofSeconds(30)).orElseThrow();
        clock.advance(Duration.ofSeconds(20));

        assertThat(queue.extend(job, Duration.ofSeconds(30))).isTrue();
        clock.advance(Duration.ofSeconds(20)); // 40 s after the claim, 20 s into the extension

        assertThat(queue.claim(q, "w2", LONG)).isEmpty();
        assertThat(queue.complete(job, "done")).isTrue();
    }

    @Test
    void lease_that_ran_out_cannot_be_extended_once_redelivered() {
        String q = queueName("extend-late");
        queue.enqueue(q, "{}");
        ClaimedJob first = queue.claim(q, "w1", shortLease()).orElseThrow();
        ClaimedJob second = claimAfterLeaseExpires(q, "w2");

        assertThat(queue.extend(first, LONG)).isFalse();
        assertThat(queue.extend(second, LONG)).isTrue();
    }

    @Test
    void failed_job_with_retry_is_queued_again_at_once() {
        String q = queueName("retry");
        UUID id = queue.enqueue(q, "{}");
        ClaimedJob first = queue.claim(q, "w1", LONG).orElseThrow();

        assertThat(queue.fail(first, "model timed out", true)).isTrue();

        assertThat(queue.status(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        ClaimedJob second = queue.claim(q, "w2", LONG).orElseThrow();
        assertThat(second.id()).isEqualTo(id);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(queue.complete(first, "late")).isFalse();
    }

    @Test
    void failed_job_without_retry_stays_failed_with_its_reason() {
        String q = queueName("fail");
        UUID id = queue.enqueue(q, "{}");
        ClaimedJob job = queue.claim(q, "w1", LONG).orElseThrow();

        assertThat(queue.fail(job, "the session was deleted", false)).isTrue();

        JobInfo info = queue.status(id).orElseThrow();
        assertThat(info.state()).isEqualTo(JobState.FAILED);
        assertThat(info.result()).isEqualTo("the session was deleted");
        assertThat(queue.claim(q, "w2", LONG)).isEmpty();
        assertThat(queue.complete(job, "after all")).isFalse();
    }

    @Test
    void concurrent_workers_claim_every_job_exactly_once() {
        String q = queueName("workers");
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(queue.enqueue(q, "{\"n\":" + i + "}"));
        }

        List<List<UUID>> claimed = Concurrently.run(8, t -> {
            List<UUID> mine = new ArrayList<>();
            Optional<ClaimedJob> job;
            while ((job = queue.claim(q, "w" + t, LONG)).isPresent()) {
                mine.add(job.get().id());
                assertThat(queue.complete(job.get(), "ok")).isTrue();
            }
            return mine;
        });

        assertThat(claimed.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).allSatisfy(id -> assertThat(queue.status(id).orElseThrow().state())
                .isEqualTo(JobState.SUCCEEDED));
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_queued() {
        String q = queueName("text");
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> queue.enqueue(q, bad));
        }
        assertThat(queue.claim(q, "worker", LONG)).isEmpty();
        UUID id = queue.enqueue(q, "{\"turn\":1}");
        ClaimedJob job = queue.claim(q, "worker", LONG).orElseThrow();
        for (String bad : InvalidText.SAMPLES) {
            InvalidText.assertRefused(bad, () -> queue.complete(job, bad));
            InvalidText.assertRefused(bad, () -> queue.fail(job, bad, false));
        }
        assertThat(queue.status(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(queue.complete(job, "{\"ok\":true}")).isTrue();
    }
}
