package dev.dmengine.core.turn;

/**
 * Receives a turn's events on the thread that plays the turn, in order. Tokens arrive as
 * {@link TurnEvent.Token}. A listener that throws does not stop the turn (the caller's
 * connection may be gone); the engine logs it and stops calling that listener.
 */
@FunctionalInterface
public interface TurnListener {

    TurnListener NONE = event -> { };

    void onEvent(TurnEvent event);
}
