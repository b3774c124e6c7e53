package dev.dmengine.spi.game;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Durable turn records. */
public interface TurnStore {

    /**
     * Stores a new turn; a {@link dev.dmengine.spi.ConflictException} if the session already
     * has a turn with the same sequence number or the same idempotency key.
     */
    TurnRecord create(TurnRecord turn);

    Optional<TurnRecord> get(UUID id);

    Optional<TurnRecord> findByIdempotencyKey(UUID sessionId, String idempotencyKey);

    /** Replaces the stored turn with the same id; not found if there is none. */
    TurnRecord update(TurnRecord turn);

    /** The session's turns in sequence order. */
    List<TurnRecord> listBySession(UUID sessionId);

    /** The session's turn with the highest sequence number, if any. */
    Optional<TurnRecord> latest(UUID sessionId);
}
