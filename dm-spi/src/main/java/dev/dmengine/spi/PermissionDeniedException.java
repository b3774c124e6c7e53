package dev.dmengine.spi;

/**
 * The caller is known but may not do this (a disabled account, a missing service
 * credential). Things owned by someone else are reported as {@link NotFoundException}.
 */
public final class PermissionDeniedException extends NonRetriableException {

    public PermissionDeniedException(String message) {
        super(message, null);
    }
}
