package dev.dmengine.spi;

/**
 * The call collides with the current state: a duplicate key, a stale version, a second
 * turn while one is in flight.
 */
public final class ConflictException extends NonRetriableException {

    public ConflictException(String message) {
        super(message, null);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
