package dev.dmengine.spi.game;

/** Where a turn is in its life. */
public enum TurnStatus {
    IN_PROGRESS,
    COMPLETED,
    FAILED
}
