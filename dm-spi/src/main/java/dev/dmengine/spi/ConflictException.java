package dev.dmengine.spi;

/**
 * The call collides with the current state: a duplicate key, a stale version, a second
 * turn while one is in flight, an idempotency key used before for another request
 * ({@link IdempotencyKeyReusedException}).
 */
public sealed class ConflictException extends NonRetriableException permits IdempotencyKeyReusedException {

    public ConflictException(String message) {
        super(message, null);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
