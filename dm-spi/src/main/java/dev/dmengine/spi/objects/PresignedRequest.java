package dev.dmengine.spi.objects;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A request the browser makes straight to the object store.
 *
 * @param headers headers the client must send with it (e.g. {@code Content-Type})
 */
public record PresignedRequest(String method, URI url, Map<String, String> headers, Instant expiresAt) {

    public PresignedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
