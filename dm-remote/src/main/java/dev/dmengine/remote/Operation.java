package dev.dmengine.remote;

import java.util.Objects;

/**
 * What a remote call does, for its error messages: {@code description} starts the message
 * ("chat completion failed with HTTP 400: …"), and a 404 becomes
 * {@code NotFoundException(resourceKind, resourceId)}.
 */
public record Operation(String description, String resourceKind, String resourceId) {

    public Operation {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(resourceKind, "resourceKind");
        Objects.requireNonNull(resourceId, "resourceId");
    }

    public static Operation of(String description, String resourceKind, String resourceId) {
        return new Operation(description, resourceKind, resourceId);
    }
}
