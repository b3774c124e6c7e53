package dev.dmengine.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One security-relevant auth event. Carries who (player id, when known) and from where
 * (client IP) — never an email, a password or a token: a player who types their password
 * into the email field must not find it in the logs.
 *
 * @param playerId {@code null} when the account is unknown (e.g. a login for an unknown email)
 * @param clientIp as given by the host, sanitised; {@code "unknown"} when absent
 * @param detail   a short machine-readable code ({@code wrong_password}, {@code login:ip},
 *                 {@code family=<uuid>}), {@code null} when there is nothing to add
 */
public record AuditEvent(Type type, Instant at, UUID playerId, String clientIp, String detail) {

    /** What happened. */
    public enum Type {
        REGISTERED,
        /** A registration for an email that already has an account; the caller was not told. */
        REGISTER_EXISTING_EMAIL,
        LOGIN_SUCCEEDED,
        LOGIN_FAILED,
        /** A stored hash was replaced by one with the current Argon2id parameters. */
        PASSWORD_REHASHED,
        /** A used refresh token was presented again; its family was revoked. */
        REFRESH_REUSE_DETECTED,
        /**
         * A used refresh token was presented again within the refresh leeway while its
         * successor was unused (e.g. two tabs refreshing at once): it got the same successor.
         */
        REFRESH_IN_LEEWAY,
        LOGGED_OUT,
        LOGGED_OUT_EVERYWHERE,
        ACCOUNT_DISABLED,
        ACCOUNT_ENABLED,
        RATE_LIMITED
    }

    private static final Pattern DETAIL = Pattern.compile("[A-Za-z0-9_:=.\\-]{1,100}");

    public AuditEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        clientIp = ClientIp.sanitise(clientIp);
        if (detail != null && !DETAIL.matcher(detail).matches()) {
            throw new IllegalArgumentException("an audit detail is a short code, not free text");
        }
    }
}
