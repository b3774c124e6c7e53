package dev.dmengine.spi.infra;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A job as the queue sees it.
 *
 * @param result the worker's result (on success) or the failure reason, else {@code null}
 */
public record JobInfo(UUID id, String queue, JobState state, int attempts, String result, Instant createdAt,
                      Instant updatedAt) {

    public JobInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
