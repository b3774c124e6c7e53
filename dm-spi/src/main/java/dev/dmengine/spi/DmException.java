package dev.dmengine.spi;

/**
 * Root of every exception a port, the engine or an adapter throws on purpose.
 *
 * <p>Two families: {@link RetriableException} (the same call may succeed later) and
 * {@link NonRetriableException} (the call is wrong or forbidden as it stands). Adapters
 * translate vendor, SQL and HTTP errors into this hierarchy once, at their boundary; the
 * host maps each family to one HTTP status.
 */
public abstract sealed class DmException extends RuntimeException
        permits RetriableException, NonRetriableException {

    protected DmException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether repeating the same call later may succeed. */
    public abstract boolean isRetriable();
}
