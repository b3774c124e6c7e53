package dev.dmengine.auth;

import java.util.Objects;

/** A signed access token (compact JWS) and what it says. {@link #toString()} hides the token. */
public record AccessToken(String value, AccessClaims claims) {

    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(claims, "claims");
    }

    @Override
    public String toString() {
        return "AccessToken[" + claims + "]";
    }
}
