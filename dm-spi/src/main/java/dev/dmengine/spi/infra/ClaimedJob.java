package dev.dmengine.spi.infra;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A job a worker holds until {@code leaseUntil}. If the worker neither completes nor fails
 * it by then, the queue delivers it again (to any worker); {@code leaseToken} tells the
 * stale holder's late calls apart.
 *
 * @param attempt 1 on first delivery, +1 on each redelivery
 */
public record ClaimedJob(UUID id, String queue, String payload, int attempt, String leaseToken, Instant leaseUntil) {

    public ClaimedJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(leaseToken, "leaseToken");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
    }
}
