package dev.dmengine.spi.game;

/** Who wrote a message of the transcript. */
public enum MessageRole {
    /** The player's input. */
    PLAYER,
    /** The Dungeon Master's narration. */
    DM,
    /** The engine: rolls, state changes, notices. */
    SYSTEM
}
