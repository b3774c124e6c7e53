package dev.dmengine.spi;

/** A failure that repeating the same call will not fix. */
public abstract sealed class NonRetriableException extends DmException
        permits NotFoundException, ConflictException, InvalidInputException, PermissionDeniedException,
        UnauthenticatedException {

    protected NonRetriableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetriable() {
        return false;
    }
}
