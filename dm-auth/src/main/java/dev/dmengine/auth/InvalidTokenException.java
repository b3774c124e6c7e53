package dev.dmengine.auth;

import dev.dmengine.spi.UnauthenticatedException;

import java.util.Objects;

/**
 * An access or refresh token was refused (401). {@link #reason()} says why, for logs and
 * metrics; the message is safe to show and never contains the token.
 */
public final class InvalidTokenException extends UnauthenticatedException {

    /** Why a token was refused. */
    public enum Reason {
        /** Not a compact JWS / not a refresh token of ours; garbage or truncated. */
        MALFORMED,
        /** {@code alg} is not on the allow-list (e.g. {@code none}, HMAC, RSA). */
        DISALLOWED_ALGORITHM,
        /** No verification key has this {@code kid}. */
        UNKNOWN_KEY,
        /** The signature does not verify. */
        BAD_SIGNATURE,
        /** Past its expiry (plus the allowed clock skew). */
        EXPIRED,
        /**
         * Issued ({@code iat}) or valid only from ({@code nbf}) a time further in the future
         * than the allowed clock skew: a token we did not issue now, or a clock gone wrong.
         */
        NOT_YET_VALID,
        WRONG_ISSUER,
        WRONG_AUDIENCE,
        /** Not an access token ({@code typ} header), or a required claim is missing or malformed. */
        WRONG_TYPE,
        /** Logged out, logged out everywhere, family revoked, or the player is gone. */
        REVOKED,
        /** A refresh token presented a second time; its family has been revoked. */
        REUSED,
        /** No such refresh token. */
        UNKNOWN
    }

    private final Reason reason;

    InvalidTokenException(Reason reason, String message) {
        this(reason, message, null);
    }

    InvalidTokenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    static InvalidTokenException access(Reason reason) {
        return access(reason, null);
    }

    static InvalidTokenException access(Reason reason, Throwable cause) {
        return new InvalidTokenException(reason,
                reason == Reason.EXPIRED ? "the access token has expired" : "the access token is not valid", cause);
    }

    static InvalidTokenException refresh(Reason reason) {
        return new InvalidTokenException(reason, switch (reason) {
            case EXPIRED -> "the refresh token has expired; log in again";
            case REUSED -> "the refresh token was already used; this session has been ended, log in again";
            default -> "the refresh token is not valid; log in again";
        });
    }

    public Reason reason() {
        return reason;
    }
}
