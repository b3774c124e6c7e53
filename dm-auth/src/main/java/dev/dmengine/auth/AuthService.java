package dev.dmengine.auth;

import dev.dmengine.auth.AuditEvent.Type;
import dev.dmengine.auth.InvalidTokenException.Reason;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.spi.identity.RefreshFamily;
import dev.dmengine.spi.identity.RefreshToken;
import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.infra.RateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Password accounts, access tokens and rotating refresh tokens, framework-free: the HTTP
 * host turns these calls into endpoints, cookies and status codes.
 *
 * <h2>Errors (what the host maps)</h2>
 * <ul>
 *   <li>{@link InvalidInputException} (400): malformed email, display name or a password the
 *       {@link PasswordPolicy} refuses (field {@code password}, message for the player);</li>
 *   <li>{@link InvalidCredentialsException} (401): login failed — one message for an unknown
 *       email and a wrong password;</li>
 *   <li>{@link InvalidTokenException} (401): an access or refresh token refused, with a
 *       {@link InvalidTokenException.Reason};</li>
 *   <li>{@link PermissionDeniedException} (403): the account is disabled (told only to a
 *       caller who proved the password or holds a token);</li>
 *   <li>{@link dev.dmengine.spi.RateLimitedException} (429): carries {@code retryAfter} for the
 *       {@code Retry-After} header;</li>
 *   <li>{@link dev.dmengine.spi.UnavailableException} (503): too many passwords being hashed at
 *       once; carries {@code retryAfter} too.</li>
 * </ul>
 *
 * <h2>Account enumeration</h2>
 * Login: an unknown email and a wrong password give the same exception and message after the
 * same work (an unknown account's password is verified against the hasher's dummy hash).
 * Register: {@link #register} answers the same way — it returns normally — whether or not the
 * email already has an account, after the same work (policy check and Argon2id hash in both
 * cases); for an existing email nothing is changed and nobody is logged in. Tokens are
 * therefore never handed out by register: the client logs in next (the GUI does so at once
 * with the credentials it holds). A game has no out-of-band channel (no verification mail),
 * so "register then log in" still tells an attacker whether their own password was taken —
 * that probe costs a register and a login, both rate-limited per IP and per account and
 * audited, the best a mail-less sign-up can do.
 *
 * <h2>Sessions</h2>
 * A login opens a session: a refresh-token family with an absolute lifetime. Every refresh
 * marks the presented token used (atomically) and issues a new one in the same family;
 * presenting a used token again revokes the family (reuse detection: a stolen token and its
 * owner cannot both keep going). Access tokens name their family ({@code sid}), so
 * {@link #authenticate} refuses them once their session is logged out; "log out everywhere"
 * and disabling an account also set the player's {@code tokensNotBefore}.
 *
 * <h2>The refresh leeway</h2>
 * Two tabs refreshing at once present the same token. Within {@link AuthConfig#refreshLeeway()}
 * of a token's use, and while its successor is unused, presenting it again gives the same
 * successor (and a new access token); after the leeway, or for any older token of the
 * family, it is a reuse. The successor's value is kept on the used token's row sealed with a
 * key derived from the server's key and the used token (see {@link RefreshSecrets}), so the
 * store never holds a token a client could present. The store rotates atomically
 * ({@link RefreshTokenStore#rotate}), so the loser of a race finds the winner's successor.
 *
 * <h2>Login limits: device tokens</h2>
 * OWASP's "Slow Down Online Guessing Attacks with Device Cookies": a successful login returns
 * a {@link DeviceToken} for the account (the host sets it as a cookie per account, or an API
 * client keeps it). A login presenting a valid device token of the account is admitted by
 * that device's own budget ({@link AuthConfig.Limits#loginPerDevice()}); every other client of
 * the account — no token, or an invalid, expired or other account's one — by the budget they
 * all share ({@link AuthConfig.Limits#loginPerAccount()}). An attacker guessing the password
 * of a known account exhausts only the shared budget; the owner's known devices keep logging
 * in; a device that fails too often is locked on its own. A success resets the budget that
 * admitted it, so the owner logging in from a known device does not refill the attacker's.
 * The limit: the owner on an unknown device waits like the attacker.
 *
 * <h2>Work</h2>
 * Password hashing is bounded by the {@link PasswordHasher}'s pool: a login or registration
 * that finds it full gets a {@link dev.dmengine.spi.UnavailableException} with a retry delay.
 *
 * <p>Thread-safe. Build with {@link #builder()}.
 */
public final class AuthService {

    private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);

    private final PlayerStore players;
    private final RefreshTokenStore refreshTokens;
    private final RateLimiter limiter;
    private final Transactor transactor;
    private final Clock clock;
    private final AuditLog audit;
    private final AuthConfig config;
    private final PasswordPolicy policy;
    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final DeviceTokens devices;
    private final byte[] successorKey;

    private AuthService(Builder b) {
        this.players = require(b.players, "playerStore");
        this.refreshTokens = require(b.refreshTokens, "refreshTokenStore");
        this.limiter = require(b.limiter, "rateLimiter");
        this.transactor = b.transactor == null ? Transactor.none() : b.transactor;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.audit = b.audit == null ? AuditLog.slf4j() : b.audit;
        this.config = b.config == null ? AuthConfig.defaults() : b.config;
        this.policy = b.policy == null ? new PasswordPolicy(config.minPasswordEntropyBits()) : b.policy;
        this.hasher = b.hasher == null ? new PasswordHasher(config.passwordHashing(), config.hashingPool()) : b.hasher;
        TokenKeys keys = b.keys;
        if (keys == null) {
            keys = TokenKeys.generate();
            LOG.warn("No token keys configured: signing access tokens with a new key ({}); every player is logged "
                    + "out when this process stops. Configure persistent Ed25519 keys for a deployment.",
                    keys.signingKeyId());
        }
        this.tokens = new TokenService(keys, config, clock);
        ServerSecrets secrets = new ServerSecrets(keys);
        this.devices = new DeviceTokens(secrets.key("device-token"), config.deviceTokenLifetime(), clock);
        this.successorKey = secrets.key("refresh-successor");
    }

    private static <T> T require(T value, String name) {
        if (value == null) {
            throw new IllegalStateException("AuthService needs a " + name);
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    public AuthConfig config() {
        return config;
    }

    public PasswordPolicy passwordPolicy() {
        return policy;
    }

    public TokenService tokenService() {
        return tokens;
    }

    // ---------------------------------------------------------------- register

    /**
     * Creates an account — or, if the email already has one, quietly does nothing: the call
     * returns normally in both cases after the same work, so its answer does not reveal
     * whether the email is registered (see the class comment). Log in next to get tokens.
     *
     * @throws InvalidInputException on a malformed email or display name, or a password the
     *                               policy refuses (checked before the email is looked up)
     * @throws RateLimitedException  per IP, then per email
     */
    public void register(Registration registration, String clientIp) {
        Objects.requireNonNull(registration, "registration");
        String ip = ClientIp.sanitise(clientIp);
        limit("register:ip", "auth:register:ip:" + ip, config.limits().registerPerIp(), null, ip, "registrations");
        String email = AccountInput.email(registration.email());
        String displayName = AccountInput.displayName(registration.displayName());
        limit("register:account", "auth:register:account:" + accountKey(email), config.limits().registerPerAccount(),
                null, ip, "registrations");
        policy.check(registration.password(), email, displayName);
        String hash = hasher.hash(registration.password()); // also for an existing email: same work, same time

        Optional<Player> existing = players.findByEmail(email);
        if (existing.isPresent()) {
            record(Type.REGISTER_EXISTING_EMAIL, existing.get().id(), ip, null);
            return;
        }
        Instant now = clock.instant();
        Player player = new Player(Ids.newId(), email, displayName, hash, false, null, now, now);
        try {
            players.create(player);
        } catch (ConflictException e) { // registered by a concurrent call in between
            record(Type.REGISTER_EXISTING_EMAIL, null, ip, "concurrent");
            return;
        }
        record(Type.REGISTERED, player.id(), ip, null);
    }

    // ---------------------------------------------------------------- login

    /** {@link #login(LoginAttempt)} without a device token. */
    public AuthResult login(String email, String password, String clientIp) {
        return login(LoginAttempt.of(email, password, clientIp));
    }

    /**
     * Checks the password and opens a session. A client presenting a valid device token for
     * the account is admitted by that device's own attempt budget, any other by the budget
     * all untrusted clients of the account share (see the class comment); a success resets
     * the budget it used and hands out a fresh device token.
     *
     * @throws InvalidCredentialsException for an unknown email or a wrong password, alike
     * @throws PermissionDeniedException   right password, disabled account
     * @throws RateLimitedException        per IP, then per device or per account's untrusted clients
     * @throws InvalidInputException       a malformed email, a password longer than any the
     *                                     policy allows, or one that is not valid Unicode text
     * @throws dev.dmengine.spi.UnavailableException too many passwords being checked at once
     *                                     (with a retry delay)
     */
    public AuthResult login(LoginAttempt attempt) {
        Objects.requireNonNull(attempt, "attempt");
        String ip = ClientIp.sanitise(attempt.clientIp());
        limit("login:ip", "auth:login:ip:" + ip, config.limits().loginPerIp(), null, ip, "login attempts");
        String normalised = AccountInput.email(attempt.email());
        String password = attempt.password();
        requireLoginPassword(password);
        String budget = admit(normalised, attempt.deviceToken(), ip);

        Optional<Player> found = players.findByEmail(normalised);
        if (found.isEmpty()) {
            hasher.verifyDummy(password); // the same work as a wrong password
            record(Type.LOGIN_FAILED, null, ip, "unknown_account");
            throw new InvalidCredentialsException();
        }
        Player player = found.get();
        if (!hasher.verify(password, player.passwordHash())) {
            record(Type.LOGIN_FAILED, player.id(), ip, "wrong_password");
            throw new InvalidCredentialsException();
        }
        if (player.disabled()) {
            record(Type.LOGIN_FAILED, player.id(), ip, "account_disabled");
            throw disabled();
        }
        limiter.reset(budget);
        player = upgradeHash(player, password, ip);
        AuthResult result = openSession(player, devices.issue(normalised));
        record(Type.LOGIN_SUCCEEDED, player.id(), ip, "session=" + result.sessionId());
        return result;
    }

    private static void requireLoginPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException("password", "must not be empty");
        }
        if (password.length() > 4 * PasswordPolicy.MAX_LENGTH) { // cheap bound before normalising
            throw new InvalidInputException("password", "must be at most " + PasswordPolicy.MAX_LENGTH + " characters");
        }
        PasswordPolicy.requireWellFormed(password);
    }

    /**
     * Takes one attempt from the budget that judges this client and returns its rate-limit
     * key: the device's own if the token is valid for this account, else the one all the
     * account's untrusted clients share.
     */
    private String admit(String normalisedEmail, String deviceToken, String ip) {
        String account = accountKey(normalisedEmail);
        Optional<String> device = devices.verify(deviceToken, normalisedEmail);
        if (device.isPresent()) {
            String key = "auth:login:device:" + account + ":" + device.get();
            limit("login:device", key, config.limits().loginPerDevice(), null, ip, "login attempts from this device");
            return key;
        }
        String key = "auth:login:account:" + account;
        limit("login:account", key, config.limits().loginPerAccount(), null, ip, "login attempts");
        return key;
    }

    private Player upgradeHash(Player player, String password, String ip) {
        if (!hasher.needsRehash(player.passwordHash())) {
            return player;
        }
        String hash = hasher.hash(password);
        try {
            // re-read so that only the hash changes, not a concurrent logout-everywhere or disable
            Player current = players.get(player.id()).orElseThrow(() -> new NotFoundException("player", player.id()));
            Player stored = players.update(new Player(current.id(), current.email(), current.displayName(), hash,
                    current.disabled(), current.tokensNotBefore(), current.createdAt(), clock.instant()));
            record(Type.PASSWORD_REHASHED, player.id(), ip, null);
            return stored;
        } catch (RuntimeException e) { // the login stands; the next one tries again
            LOG.warn("Could not store the upgraded password hash of player {}: {}", player.id(), e.toString());
            return player;
        }
    }

    private AuthResult openSession(Player player, DeviceToken device) {
        Instant now = clock.instant();
        RefreshFamily family = new RefreshFamily(Ids.newId(), player.id(), now,
                now.plus(config.refreshFamilyLifetime()), null);
        String secret = RefreshSecrets.newSecret();
        transactor.inTransaction(() -> {
            refreshTokens.createFamily(family);
            refreshTokens.addToken(new RefreshToken(RefreshSecrets.sha256(secret), family.id(), player.id(), now, null));
            return null;
        });
        return result(player, family, secret, now, device);
    }

    /** The tokens of a session: a new access token, and the refresh token issued at {@code refreshIssuedAt}. */
    private AuthResult result(Player player, RefreshFamily family, String secret, Instant refreshIssuedAt,
                              DeviceToken device) {
        AccessToken access = tokens.issue(player.id(), family.id(), player.tokensNotBefore());
        Instant refreshExpiry = min(refreshIssuedAt.plus(config.refreshIdleLifetime()), family.expiresAt());
        return new AuthResult(player, family.id(),
                new AuthTokens(access.value(), access.claims().expiresAt(), secret, refreshExpiry), device);
    }

    /**
     * The tag that names the account's device cookie (a host's cookie name per account),
     * for a host that must find the cookie before calling {@link #login(LoginAttempt)}; empty
     * for a malformed email.
     */
    public Optional<String> deviceCookieTag(String email) {
        try {
            return Optional.of(devices.cookieTag(AccountInput.email(email)));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- refresh

    /**
     * Exchanges a refresh token for a new pair; the presented one is used up. Within the
     * refresh leeway after that, the same token presented again — two tabs refreshing at once
     * — gets the same successor (and a new access token) as long as that successor is unused;
     * any other use of a used token is a reuse.
     *
     * @throws InvalidTokenException     unknown, malformed, expired or revoked; or
     *                                   {@link InvalidTokenException.Reason#REUSED} when it was
     *                                   already used (outside the leeway, or not the immediate
     *                                   predecessor of the family's current token) — the whole
     *                                   session is then revoked
     * @throws PermissionDeniedException the account is disabled
     * @throws RateLimitedException      per IP, then per player
     */
    public AuthResult refresh(String refreshToken, String clientIp) {
        String ip = ClientIp.sanitise(clientIp);
        limit("refresh:ip", "auth:refresh:ip:" + ip, config.limits().refreshPerIp(), null, ip, "token refreshes");
        String hash = RefreshSecrets.hashOf(refreshToken)
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.MALFORMED));
        RefreshToken stored = refreshTokens.findToken(hash)
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.UNKNOWN));
        limit("refresh:account", "auth:refresh:player:" + stored.playerId(), config.limits().refreshPerAccount(),
                stored.playerId(), ip, "token refreshes");
        Instant now = clock.instant();
        RefreshFamily family = activeFamily(stored, now);
        if (stored.usedAt() != null) {
            return successorWithinLeeway(stored, refreshToken, family, ip, now);
        }
        if (!now.isBefore(stored.issuedAt().plus(config.refreshIdleLifetime()))) {
            throw InvalidTokenException.refresh(Reason.EXPIRED);
        }
        Player player = enabledPlayer(stored);
        String next = RefreshSecrets.newSecret();
        RefreshToken successor = new RefreshToken(RefreshSecrets.sha256(next), family.id(), player.id(), now, null);
        String sealed = RefreshSecrets.seal(next, refreshToken, family.id(), successorKey);
        if (!refreshTokens.rotate(hash, successor, sealed)) { // a concurrent refresh with this token won
            RefreshToken used = refreshTokens.findToken(hash).orElseThrow(() -> InvalidTokenException.refresh(Reason.UNKNOWN));
            return successorWithinLeeway(used, refreshToken, family, ip, now);
        }
        return result(player, family, next, now, null);
    }

    private RefreshFamily activeFamily(RefreshToken token, Instant now) {
        RefreshFamily family = refreshTokens.getFamily(token.familyId())
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.REVOKED));
        if (family.revokedAt() != null) {
            throw InvalidTokenException.refresh(Reason.REVOKED);
        }
        if (!family.isActive(now)) {
            throw InvalidTokenException.refresh(Reason.EXPIRED);
        }
        return family;
    }

    private Player enabledPlayer(RefreshToken token) {
        Player player = players.get(token.playerId())
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.REVOKED));
        if (player.disabled()) {
            throw disabled();
        }
        return player;
    }

    /**
     * A used token presented again: within the leeway, and while its successor is still
     * unused, the same successor once more (opened from its sealed copy with the presented
     * token); otherwise a reuse, which ends the session.
     */
    private AuthResult successorWithinLeeway(RefreshToken used, String presented, RefreshFamily family, String ip,
                                             Instant now) {
        boolean inLeeway = used.usedAt() != null && now.isBefore(used.usedAt().plus(config.refreshLeeway()));
        Optional<RefreshToken> successor = !inLeeway || used.successorHash() == null || used.sealedSuccessor() == null
                ? Optional.empty()
                : refreshTokens.findToken(used.successorHash())
                        .filter(t -> t.usedAt() == null && t.familyId().equals(family.id()));
        Optional<String> secret = successor.flatMap(t ->
                RefreshSecrets.unseal(used.sealedSuccessor(), presented, family.id(), successorKey))
                .filter(value -> RefreshSecrets.sha256(value).equals(used.successorHash()));
        if (secret.isEmpty()) {
            throw reuse(used, ip, now);
        }
        Player player = enabledPlayer(used);
        record(Type.REFRESH_IN_LEEWAY, player.id(), ip, "session=" + family.id());
        return result(player, family, secret.get(), successor.get().issuedAt(), null);
    }

    private InvalidTokenException reuse(RefreshToken stored, String ip, Instant now) {
        refreshTokens.revokeFamily(stored.familyId(), now);
        record(Type.REFRESH_REUSE_DETECTED, stored.playerId(), ip, "session=" + stored.familyId());
        return InvalidTokenException.refresh(Reason.REUSED);
    }


    // ---------------------------------------------------------------- logout

    /**
     * Ends the session the refresh token belongs to: the family is revoked, so neither its
     * refresh tokens nor its access tokens are accepted any more. Idempotent: an unknown,
     * malformed or already revoked token is ignored.
     *
     * @return whether a session was ended by this call
     */
    public boolean logout(String refreshToken, String clientIp) {
        Optional<RefreshToken> stored = RefreshSecrets.hashOf(refreshToken).flatMap(refreshTokens::findToken);
        if (stored.isEmpty()) {
            return false;
        }
        boolean revoked = refreshTokens.revokeFamily(stored.get().familyId(), clock.instant());
        if (revoked) {
            record(Type.LOGGED_OUT, stored.get().playerId(), ClientIp.sanitise(clientIp),
                    "session=" + stored.get().familyId());
        }
        return revoked;
    }

    /**
     * Ends the session an access token belongs to, for clients that hold no refresh token
     * at hand. The token must still be valid.
     */
    public boolean logoutSession(String accessToken, String clientIp) {
        AccessClaims claims = tokens.verify(accessToken);
        boolean revoked = refreshTokens.revokeFamily(claims.sessionId(), clock.instant());
        if (revoked) {
            record(Type.LOGGED_OUT, claims.playerId(), ClientIp.sanitise(clientIp), "session=" + claims.sessionId());
        }
        return revoked;
    }

    /**
     * Ends every session of the player and, through {@code tokensNotBefore}, every access
     * token issued until now — before it expires. The caller has authenticated the player.
     *
     * @return how many sessions were revoked
     * @throws NotFoundException if there is no such player
     */
    public int logoutEverywhere(UUID playerId, String clientIp) {
        Player player = players.get(playerId).orElseThrow(() -> new NotFoundException("player", playerId));
        Instant now = clock.instant();
        int revoked = refreshTokens.revokeAll(playerId, now);
        players.update(withNotBefore(player, player.disabled(), now));
        record(Type.LOGGED_OUT_EVERYWHERE, playerId, ClientIp.sanitise(clientIp), "sessions=" + revoked);
        return revoked;
    }

    /**
     * Disables or re-enables an account (an administrator's call). Disabling ends every
     * session and access token at once; a disabled player cannot log in or refresh.
     *
     * @throws NotFoundException if there is no such player
     */
    public Player setDisabled(UUID playerId, boolean disabled, String clientIp) {
        Player player = players.get(playerId).orElseThrow(() -> new NotFoundException("player", playerId));
        Instant now = clock.instant();
        Player updated;
        if (disabled) {
            refreshTokens.revokeAll(playerId, now);
            updated = players.update(withNotBefore(player, true, now));
        } else {
            updated = players.update(new Player(player.id(), player.email(), player.displayName(),
                    player.passwordHash(), false, player.tokensNotBefore(), player.createdAt(), now));
        }
        record(disabled ? Type.ACCOUNT_DISABLED : Type.ACCOUNT_ENABLED, playerId, ClientIp.sanitise(clientIp), null);
        return updated;
    }

    /** Tokens issued before the next whole second are refused; see {@link TokenService#issue}. */
    private static Player withNotBefore(Player player, boolean disabled, Instant now) {
        Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        if (player.tokensNotBefore() != null && player.tokensNotBefore().isAfter(notBefore)) {
            notBefore = player.tokensNotBefore();
        }
        return new Player(player.id(), player.email(), player.displayName(), player.passwordHash(), disabled,
                notBefore, player.createdAt(), now);
    }

    // ---------------------------------------------------------------- authenticate

    /**
     * The player an access token speaks for — every authenticated request's check, and
     * {@code /auth/me}. Beyond the signature and claims ({@link TokenService#verify}), the
     * player must exist and be enabled, the token must not predate their
     * {@code tokensNotBefore}, and its session must still be active.
     *
     * @throws InvalidTokenException     refused token (401)
     * @throws PermissionDeniedException disabled account (403)
     */
    public Player authenticate(String accessToken) {
        AccessClaims claims = tokens.verify(accessToken);
        Player player = players.get(claims.playerId()).orElseThrow(() -> InvalidTokenException.access(Reason.REVOKED));
        if (player.disabled()) {
            throw disabled();
        }
        if (player.tokensNotBefore() != null && claims.issuedAt().isBefore(player.tokensNotBefore())) {
            throw InvalidTokenException.access(Reason.REVOKED);
        }
        boolean sessionActive = refreshTokens.getFamily(claims.sessionId())
                .filter(f -> f.playerId().equals(player.id()) && f.isActive(clock.instant()))
                .isPresent();
        if (!sessionActive) {
            throw InvalidTokenException.access(Reason.REVOKED);
        }
        return player;
    }

    /** {@code /auth/me}: the same as {@link #authenticate(String)}. */
    public Player me(String accessToken) {
        return authenticate(accessToken);
    }

    // ---------------------------------------------------------------- helpers

    private void limit(String what, String key, RateLimit limit, UUID playerId, String ip, String description) {
        try {
            limiter.check(key, limit, description);
        } catch (RateLimitedException e) {
            record(Type.RATE_LIMITED, playerId, ip, what);
            throw e;
        }
    }

    /** Rate-limit keys name accounts by a hash, so a shared limiter store holds no email addresses. */
    private static String accountKey(String normalisedEmail) {
        return RefreshSecrets.sha256("dm-engine:account:" + normalisedEmail).substring(0, 32);
    }

    private static PermissionDeniedException disabled() {
        return new PermissionDeniedException("this account is disabled");
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private void record(Type type, UUID playerId, String ip, String detail) {
        try {
            audit.record(new AuditEvent(type, clock.instant(), playerId, ip, detail));
        } catch (RuntimeException e) {
            LOG.error("Audit log failed for {}: {}", type, e.toString());
        }
    }

    /**
     * Wires the service from ports of {@code dm-spi}: the player store, the refresh-token store and
     * the rate limiter are required, the rest default sensibly. A host that also runs the engine
     * passes the engine's own instances (the same player store, limiter, transactor and clock), so
     * an account registered here is the engine's player.
     */
    public static final class Builder {
        private PlayerStore players;
        private RefreshTokenStore refreshTokens;
        private RateLimiter limiter;
        private Transactor transactor;
        private Clock clock;
        private AuditLog audit;
        private AuthConfig config;
        private PasswordPolicy policy;
        private PasswordHasher hasher;
        private TokenKeys keys;

        private Builder() {
        }

        public Builder playerStore(PlayerStore value) {
            players = Objects.requireNonNull(value, "playerStore");
            return this;
        }

        public Builder refreshTokenStore(RefreshTokenStore value) {
            refreshTokens = Objects.requireNonNull(value, "refreshTokenStore");
            return this;
        }

        public Builder rateLimiter(RateLimiter value) {
            limiter = Objects.requireNonNull(value, "rateLimiter");
            return this;
        }

        /** Groups the store writes of a login or refresh; default: none. */
        public Builder transactor(Transactor value) {
            transactor = Objects.requireNonNull(value, "transactor");
            return this;
        }

        /** Default: system UTC. */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Default: {@link Slf4jAuditLog}. */
        public Builder auditLog(AuditLog value) {
            audit = Objects.requireNonNull(value, "auditLog");
            return this;
        }

        /** Default: {@link AuthConfig#defaults()}. */
        public Builder config(AuthConfig value) {
            config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** Default: a policy with the config's entropy floor. */
        public Builder passwordPolicy(PasswordPolicy value) {
            policy = Objects.requireNonNull(value, "passwordPolicy");
            return this;
        }

        /** Default: a hasher with the config's parameters. */
        public Builder passwordHasher(PasswordHasher value) {
            hasher = Objects.requireNonNull(value, "passwordHasher");
            return this;
        }

        /** Default: a fresh key that dies with the process (logged as a warning). */
        public Builder tokenKeys(TokenKeys value) {
            keys = Objects.requireNonNull(value, "tokenKeys");
            return this;
        }

        public AuthService build() {
            return new AuthService(this);
        }
    }
}
