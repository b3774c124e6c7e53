package dev.dmengine.core.turn;

/**
 * Receives a turn's events in order, one at a time, from the turn's event publisher — a thread
 * of the engine's, not the one that plays the turn, which does not wait for the event bus — and
 * all of them before {@code play} returns or throws. Tokens arrive as
 * {@link TurnEvent.Token}. A listener that throws does not stop the turn (the caller's
 * connection may be gone); the engine logs it and stops calling that listener.
 */
@FunctionalInterface
public interface TurnListener {

    TurnListener NONE = event -> { };

    void onEvent(TurnEvent event);

    /**
     * The event with the id the session's event bus gave it — the id a client following the
     * session's event stream sees, and may resume from. {@code 0} when the event was not
     * published: the bus failed, or it is an idempotent retry's result sent to this caller only.
     * By default, {@link #onEvent}.
     */
    default void onPublished(TurnEvent event, long eventId) {
        onEvent(event);
    }
}
