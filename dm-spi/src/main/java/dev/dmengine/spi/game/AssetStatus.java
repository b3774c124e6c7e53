package dev.dmengine.spi.game;

/** Lifecycle of an uploaded asset. */
public enum AssetStatus {
    /** An upload URL was handed out; the object may not exist yet. */
    PENDING,
    /** The object was uploaded and verified. */
    READY,
    /** The object was deleted. */
    DELETED
}
