package dev.dmengine.spi;

/** A dependency is down, timed out or overloaded; the same call may succeed later. */
public final class UnavailableException extends RetriableException {

    public UnavailableException(String message) {
        super(message, null);
    }

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
