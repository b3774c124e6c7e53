package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable at-least-once work queues for slow generations. Jobs of one queue are claimed in
 * enqueue order; a job whose lease runs out is claimed again.
 */
public interface JobQueue {

    /** Enqueues a payload (JSON) with no owner and no idempotency key, and returns the job's id. */
    default UUID enqueue(String queue, String payload) {
        return enqueue(NewJob.of(queue, payload)).job().id();
    }

    /**
     * Enqueues a job, at most once per queue and idempotency key: when the key already names a
     * job of the queue (finished or not, while the queue retains it), that job is returned and
     * nothing is enqueued. Atomic: of concurrent calls with one key, one creates the job.
     */
    Enqueued enqueue(NewJob job);

    /** The job of the queue that the idempotency key names, if the queue still holds it. */
    Optional<JobInfo> find(String queue, String idempotencyKey);

    /** Claims the oldest claimable job of the queue, if any, for {@code lease}. */
    Optional<ClaimedJob> claim(String queue, String workerId, Duration lease);

    /**
     * Marks the job succeeded with a result; {@code false} if the lease was lost (the job
     * was redelivered), in which case nothing changes.
     */
    boolean complete(ClaimedJob job, String result);

    /**
     * Marks the job failed; with {@code retry} it is queued again at once. {@code false} if
     * the lease was lost.
     */
    boolean fail(ClaimedJob job, String reason, boolean retry);

    /** Extends the lease of a job still being worked on; {@code false} if it was lost. */
    boolean extend(ClaimedJob job, Duration lease);

    Optional<JobInfo> status(UUID jobId);
}
