package dev.dmengine.core.turn;

import dev.dmengine.spi.generation.CancellationSignal;

import java.util.Objects;
import java.util.UUID;

/**
 * A player's move.
 *
 * @param idempotencyKey a client-chosen key (1 to 128 printable ASCII characters) that makes
 *                       a retried request safe; {@code null} for none
 * @param cancellation   lets the caller abandon the turn (the player disconnected)
 */
public record TurnRequest(UUID sessionId, UUID playerId, String text, String idempotencyKey,
                          CancellationSignal cancellation) {

    public TurnRequest {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(cancellation, "cancellation");
    }

    public static TurnRequest of(UUID sessionId, UUID playerId, String text) {
        return new TurnRequest(sessionId, playerId, text, null, new CancellationSignal());
    }

    public TurnRequest withIdempotencyKey(String key) {
        return new TurnRequest(sessionId, playerId, text, key, cancellation);
    }
}
