package dev.dmengine.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * The device token a successful login hands out (OWASP's "device cookie"; see
 * {@link AuthService}): a browser keeps it in an HttpOnly cookie named with
 * {@link #cookieTag()}, an API client keeps {@link #value()} and sends it back with its next
 * login. {@link #toString()} hides the value.
 *
 * @param value     {@code dmd_…}: the account it is for, a random device id and its expiry,
 *                  signed by the server
 * @param cookieTag a short keyed hash of the account, for a cookie name per account that does
 *                  not reveal the email ({@link AuthService#deviceCookieTag(String)})
 * @param expiresAt when it stops marking the client as known
 */
public record DeviceToken(String value, String cookieTag, Instant expiresAt) {

    public DeviceToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(cookieTag, "cookieTag");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "DeviceToken[expiresAt=" + expiresAt + "]";
    }
}
