package dev.dmengine.server;

import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnauthenticatedException;
import io.helidon.http.Headers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The service credential {@code dm.service.token}, sent as a bearer token and compared in
 * constant time (digests of equal length, whatever was sent). Guards {@code /vec/*},
 * {@code /ai/*} and {@code /metrics}.
 */
final class ServiceToken {

    private final byte[] digest;

    ServiceToken(String token) {
        this.digest = sha256(token);
    }

    /** Passes a request that carries the token; 401 without a bearer token, 403 with another one. */
    void authorize(Headers headers) {
        String token = Authn.bearer(headers)
                .orElseThrow(() -> new UnauthenticatedException("send the service token as Authorization: Bearer"));
        if (!MessageDigest.isEqual(sha256(token), digest)) {
            throw new PermissionDeniedException("the service token is not valid");
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
