package dev.dmengine.spi;

/**
 * A request carried an idempotency key that was used before for a different request (another
 * message, another body): replaying the first result would answer a question that was not
 * asked, and running it would break the key's promise. The client sends the first request
 * again or uses a new key. Hosts answer it as the IETF Idempotency-Key draft suggests (HTTP 422).
 */
public final class IdempotencyKeyReusedException extends ConflictException {

    public IdempotencyKeyReusedException(String message) {
        super(message);
    }
}
