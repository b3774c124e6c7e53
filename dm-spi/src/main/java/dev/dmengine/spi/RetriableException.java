package dev.dmengine.spi;

/** A failure that may go away: the caller that owns the retry policy may try again. */
public abstract sealed class RetriableException extends DmException
        permits RateLimitedException, UnavailableException {

    protected RetriableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetriable() {
        return true;
    }
}
