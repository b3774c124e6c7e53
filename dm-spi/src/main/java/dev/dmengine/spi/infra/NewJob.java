package dev.dmengine.spi.infra;

import java.util.Objects;
import java.util.UUID;

/**
 * A job to enqueue.
 *
 * @param ownerId        who may see the job and its result (a player id), or {@code null} for a
 *                       job of the system
 * @param idempotencyKey at most one job per queue and key: enqueueing a key again returns the
 *                       job it named ({@link Enqueued#created()} false); {@code null} for none
 * @param requestHash    a fingerprint of the request the key was first used with, kept so a
 *                       later request with the same key can be told apart; {@code null} for none
 */
public record NewJob(String queue, String payload, UUID ownerId, String idempotencyKey, String requestHash) {

    public NewJob {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(payload, "payload");
    }

    /** A job with no owner and no idempotency key. */
    public static NewJob of(String queue, String payload) {
        return new NewJob(queue, payload, null, null, null);
    }
}
