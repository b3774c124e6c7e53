package dev.dmengine.auth;

import dev.dmengine.spi.infra.RateLimit;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link AuthService}. {@link #defaults()} is sensible for a game; change single
 * values with {@link #toBuilder()}. Every value is checked and a wrong one is refused with
 * its name.
 *
 * @param issuer                 {@code iss} of access tokens, e.g. the public base URL
 * @param audience               {@code aud} of access tokens
 * @param accessTokenLifetime    1 minute to 1 day; default 15 minutes
 * @param refreshIdleLifetime    a refresh token unused this long is dead; default 14 days
 * @param refreshFamilyLifetime  absolute lifetime of a login session, however often it is
 *                               refreshed; default 30 days, at least the idle lifetime
 * @param clockSkew              tolerance for other hosts' clocks when checking an access token's
 *                               {@code exp}, {@code iat} and {@code nbf}, 0 to 5 minutes; default 30 s
 * @param passwordHashing        Argon2id parameters, never below OWASP's minimum
 * @param minPasswordEntropyBits see {@link PasswordPolicy}; default 20
 * @param limits                 rate limits per client IP, per account and per device
 * @param refreshLeeway          how long after a refresh token was used its concurrent use still
 *                               gets the same successor instead of ending the session (two tabs
 *                               refreshing at once), 0 (off) to 60 s; default 15 s
 * @param deviceTokenLifetime    how long a device token (device cookie) marks its client as
 *                               known to the account, 1 to 400 days; default 90 days; each
 *                               successful login issues a fresh one
 * @param hashingPool            how many password hashes run at once and how many wait; see
 *                               {@link PasswordHasher}; default {@link PasswordHasher.Pool#defaults()}
 */
public record AuthConfig(String issuer, String audience, Duration accessTokenLifetime,
                         Duration refreshIdleLifetime, Duration refreshFamilyLifetime, Duration clockSkew,
                         PasswordHasher.Params passwordHashing, double minPasswordEntropyBits, Limits limits,
                         Duration refreshLeeway, Duration deviceTokenLifetime, PasswordHasher.Pool hashingPool) {

    /**
     * Rate limits of the auth calls. Per IP limits slow down one client trying many accounts;
     * per account limits slow down many clients trying one account. Logins follow OWASP's
     * device-cookie scheme (see {@link AuthService}): {@code loginPerAccount} is shared by
     * every client of the account that presents no valid device token of it ("untrusted"),
     * {@code loginPerDevice} is a device's own; both count attempts, and a successful login
     * resets the one it was admitted by.
     */
    public record Limits(RateLimit loginPerIp, RateLimit loginPerAccount, RateLimit registerPerIp,
                         RateLimit registerPerAccount, RateLimit refreshPerIp, RateLimit refreshPerAccount,
                         RateLimit loginPerDevice) {

        public Limits {
            Objects.requireNonNull(loginPerIp, "loginPerIp");
            Objects.requireNonNull(loginPerAccount, "loginPerAccount");
            Objects.requireNonNull(loginPerDevice, "loginPerDevice");
            Objects.requireNonNull(registerPerIp, "registerPerIp");
            Objects.requireNonNull(registerPerAccount, "registerPerAccount");
            Objects.requireNonNull(refreshPerIp, "refreshPerIp");
            Objects.requireNonNull(refreshPerAccount, "refreshPerAccount");
        }

        /** The limits without a separate device limit: a device gets what the account's untrusted clients get. */
        public Limits(RateLimit loginPerIp, RateLimit loginPerAccount, RateLimit registerPerIp,
                      RateLimit registerPerAccount, RateLimit refreshPerIp, RateLimit refreshPerAccount) {
            this(loginPerIp, loginPerAccount, registerPerIp, registerPerAccount, refreshPerIp, refreshPerAccount,
                    loginPerAccount);
        }

        /**
         * Login: 30 a minute per IP (a shared NAT stays usable); 10 per 15 minutes with bursts of
         * 5 for the account's untrusted clients together, and the same for each known device on
         * its own. Register: 10 an hour per IP with bursts of 5, 3 an hour per email.
         * Refresh: 60 a minute per IP, 20 a minute per player — a client refreshes every
         * 15 minutes per device.
         */
        public static Limits defaults() {
            return new Limits(
                    RateLimit.of(30, Duration.ofMinutes(1)),
                    new RateLimit(10, Duration.ofMinutes(15), 5),
                    new RateLimit(10, Duration.ofHours(1), 5),
                    RateLimit.of(3, Duration.ofHours(1)),
                    RateLimit.of(60, Duration.ofMinutes(1)),
                    RateLimit.of(20, Duration.ofMinutes(1)),
                    new RateLimit(10, Duration.ofMinutes(15), 5));
        }
    }

    public AuthConfig {
        requireText("issuer", issuer);
        requireText("audience", audience);
        requireBetween("accessTokenLifetime", accessTokenLifetime, Duration.ofMinutes(1), Duration.ofDays(1));
        requireBetween("refreshIdleLifetime", refreshIdleLifetime, accessTokenLifetime, Duration.ofDays(400));
        requireBetween("refreshFamilyLifetime", refreshFamilyLifetime, refreshIdleLifetime, Duration.ofDays(400));
        requireBetween("clockSkew", clockSkew, Duration.ZERO, Duration.ofMinutes(5));
        Objects.requireNonNull(passwordHashing, "passwordHashing");
        if (!passwordHashing.atLeast(PasswordHasher.Params.OWASP_MINIMUM)) {
            throw new IllegalArgumentException("passwordHashing " + passwordHashing
                    + " is below the OWASP minimum for Argon2id (m=19456 KiB, t=2, p=1)");
        }
        if (!(minPasswordEntropyBits >= 0 && minPasswordEntropyBits <= 64)) {
            throw new IllegalArgumentException("minPasswordEntropyBits must be 0 to 64, was " + minPasswordEntropyBits);
        }
        Objects.requireNonNull(limits, "limits");
        requireBetween("refreshLeeway", refreshLeeway, Duration.ZERO, Duration.ofSeconds(60));
        requireBetween("deviceTokenLifetime", deviceTokenLifetime, Duration.ofDays(1), Duration.ofDays(400));
        Objects.requireNonNull(hashingPool, "hashingPool");
    }

    public static AuthConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .issuer(issuer).audience(audience)
                .accessTokenLifetime(accessTokenLifetime)
                .refreshIdleLifetime(refreshIdleLifetime)
                .refreshFamilyLifetime(refreshFamilyLifetime)
                .clockSkew(clockSkew)
                .passwordHashing(passwordHashing)
                .minPasswordEntropyBits(minPasswordEntropyBits)
                .limits(limits)
                .refreshLeeway(refreshLeeway)
                .deviceTokenLifetime(deviceTokenLifetime)
                .hashingPool(hashingPool);
    }

    static String requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    static Duration requireBetween(String name, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be set");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", was " + value);
        }
        return value;
    }

    /** Starts from the defaults. */
    public static final class Builder {
        private String issuer = "dm-engine";
        private String audience = "dm-engine";
        private Duration accessTokenLifetime = Duration.ofMinutes(15);
        private Duration refreshIdleLifetime = Duration.ofDays(14);
        private Duration refreshFamilyLifetime = Duration.ofDays(30);
        private Duration clockSkew = Duration.ofSeconds(30);
        private PasswordHasher.Params passwordHashing = PasswordHasher.Params.OWASP_MINIMUM;
        private double minPasswordEntropyBits = PasswordPolicy.DEFAULT_MIN_ENTROPY_BITS;
        private Limits limits = Limits.defaults();
        private Duration refreshLeeway = Duration.ofSeconds(15);
        private Duration deviceTokenLifetime = Duration.ofDays(90);
        private PasswordHasher.Pool hashingPool = PasswordHasher.Pool.defaults();

        private Builder() {
        }

        public Builder issuer(String value) {
            issuer = value;
            return this;
        }

        public Builder audience(String value) {
            audience = value;
            return this;
        }

        public Builder accessTokenLifetime(Duration value) {
            accessTokenLifetime = value;
            return this;
        }

        public Builder refreshIdleLifetime(Duration value) {
            refreshIdleLifetime = value;
            return this;
        }

        public Builder refreshFamilyLifetime(Duration value) {
            refreshFamilyLifetime = value;
            return this;
        }

        public Builder clockSkew(Duration value) {
            clockSkew = value;
            return this;
        }

        public Builder passwordHashing(PasswordHasher.Params value) {
            passwordHashing = value;
            return this;
        }

        public Builder minPasswordEntropyBits(double value) {
            minPasswordEntropyBits = value;
            return this;
        }

        public Builder limits(Limits value) {
            limits = value;
            return this;
        }

        public Builder refreshLeeway(Duration value) {
            refreshLeeway = value;
            return this;
        }

        public Builder deviceTokenLifetime(Duration value) {
            deviceTokenLifetime = value;
            return this;
        }

        public Builder hashingPool(PasswordHasher.Pool value) {
            hashingPool = value;
            return this;
        }

        public AuthConfig build() {
            return new AuthConfig(issuer, audience, accessTokenLifetime, refreshIdleLifetime, refreshFamilyLifetime,
                    clockSkew, passwordHashing, minPasswordEntropyBits, limits, refreshLeeway, deviceTokenLifetime,
                    hashingPool);
        }
    }
}
