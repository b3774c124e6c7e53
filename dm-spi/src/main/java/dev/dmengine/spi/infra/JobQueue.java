package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable at-least-once work queues for slow generations. Jobs of one queue are claimed in
 * enqueue order; a job whose lease runs out is claimed again.
 */
public interface JobQueue {

    /** Enqueues a payload (JSON) and returns the job's id. */
    UUID enqueue(String queue, String payload);

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
