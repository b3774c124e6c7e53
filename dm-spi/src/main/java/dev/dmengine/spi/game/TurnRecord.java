package dev.dmengine.spi.game;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The durable record of one DM turn: what the player said, what the DM answered, and the
 * game mechanics between them.
 *
 * @param seq             1, 2, 3… per session, in the order turns began
 * @param idempotencyKey  the client's key for the request that started the turn, or {@code null}
 * @param stateBefore     the game state (JSON) the turn started from; regenerating the turn
 *                        starts from here
 * @param stateAfter      the game state (JSON) after the turn's changes were applied
 * @param mechanics       the turn's rolls, state changes and rejected actions (JSON)
 * @param failureReason   why the turn failed, in words a player can read
 */
public record TurnRecord(UUID id, UUID sessionId, long seq, String idempotencyKey, TurnStatus status,
                         UUID playerMessageId, UUID dmMessageId, String stateBefore, String stateAfter,
                         String mechanics, String failureReason, Instant createdAt, Instant updatedAt) {

    public TurnRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(playerMessageId, "playerMessageId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (seq < 1) {
            throw new IllegalArgumentException("seq starts at 1: " + seq);
        }
    }

    public TurnRecord completed(UUID dmMessage, String after, String mechanicsJson, Instant at) {
        return new TurnRecord(id, sessionId, seq, idempotencyKey, TurnStatus.COMPLETED, playerMessageId, dmMessage,
                stateBefore, after, mechanicsJson, null, createdAt, at);
    }

    public TurnRecord failed(String reason, Instant at) {
        return new TurnRecord(id, sessionId, seq, idempotencyKey, TurnStatus.FAILED, playerMessageId, null,
                stateBefore, null, null, reason, createdAt, at);
    }

    public TurnRecord restarted(Instant at) {
        return new TurnRecord(id, sessionId, seq, idempotencyKey, TurnStatus.IN_PROGRESS, playerMessageId, null,
                stateBefore, null, null, null, createdAt, at);
    }
}
