package dev.dmengine.spi.infra;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A job as the queue sees it.
 *
 * @param result         the worker's result (on success) or the failure reason, else {@code null}
 * @param ownerId        the owner given at enqueue, or {@code null}
 * @param idempotencyKey the key given at enqueue, or {@code null}
 * @param requestHash    the request fingerprint given at enqueue, or {@code null}
 */
public record JobInfo(UUID id, String queue, String payload, JobState state, int attempts, String result,
                      Instant createdAt, Instant updatedAt, UUID ownerId, String idempotencyKey,
                      String requestHash) {

    public JobInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Whether the job has ended (succeeded, or failed for good). */
    public boolean finished() {
        return state == JobState.SUCCEEDED || state == JobState.FAILED;
    }
}
