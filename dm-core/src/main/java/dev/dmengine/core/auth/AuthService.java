package dev.dmengine.core.auth;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.auth.AuditEvent.Type;
import dev.dmengine.core.auth.InvalidTokenException.Reason;
import dev.dmengine.core.game.PlayerService;
import dev.dmengine.core.game.Validation;
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
 *       {@code Retry-After} header.</li>
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
 * Two refreshes racing with the same token count as a reuse and end the session — clients
 * should serialise refreshes.
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

    private AuthService(Builder b) {
        this.players = require(b.players, "playerStore");
        this.refreshTokens = require(b.refreshTokens, "refreshTokenStore");
        this.limiter = require(b.limiter, "rateLimiter");
        this.transactor = b.transactor == null ? Transactor.none() : b.transactor;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.audit = b.audit == null ? AuditLog.slf4j() : b.audit;
        this.config = b.config == null ? AuthConfig.defaults() : b.config;
        this.policy = b.policy == null ? new PasswordPolicy(config.minPasswordEntropyBits()) : b.policy;
        this.hasher = b.hasher == null ? new PasswordHasher(config.passwordHashing()) : b.hasher;
        TokenKeys keys = b.keys;
        if (keys == null) {
            keys = TokenKeys.generate();
            LOG.warn("No token keys configured: signing access tokens with a new key ({}); every player is logged "
                    + "out when this process stops. Configure persistent Ed25519 keys for a deployment.",
                    keys.signingKeyId());
        }
        this.tokens = new TokenService(keys, config, clock);
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
        String email = PlayerService.normaliseEmail(registration.email());
        String displayName = Validation.text("displayName", registration.displayName(), PlayerService.MAX_DISPLAY_NAME);
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

    /**
     * Checks the password and opens a session.
     *
     * @throws InvalidCredentialsException for an unknown email or a wrong password, alike
     * @throws PermissionDeniedException   right password, disabled account
     * @throws RateLimitedException        per IP, then per account (attempts; reset on success)
     * @throws InvalidInputException       a malformed email, or a password longer than any
     *                                     the policy allows
     */
    public AuthResult login(String email, String password, String clientIp) {
        String ip = ClientIp.sanitise(clientIp);
        limit("login:ip", "auth:login:ip:" + ip, config.limits().loginPerIp(), null, ip, "login attempts");
        String normalised = PlayerService.normaliseEmail(email);
        if (password == null || password.isEmpty()) {
            throw new InvalidInputException("password", "must not be empty");
        }
        if (password.length() > 4 * PasswordPolicy.MAX_LENGTH) { // cheap bound before normalising
            throw new InvalidInputException("password", "must be at most " + PasswordPolicy.MAX_LENGTH + " characters");
        }
        String accountKey = "auth:login:account:" + accountKey(normalised);
        limit("login:account", accountKey, config.limits().loginPerAccount(), null, ip, "login attempts");

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
        limiter.reset(accountKey);
        player = upgradeHash(player, password, ip);
        AuthResult result = openSession(player);
        record(Type.LOGIN_SUCCEEDED, player.id(), ip, "session=" + result.sessionId());
        return result;
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

    private AuthResult openSession(Player player) {
        Instant now = clock.instant();
        RefreshFamily family = new RefreshFamily(Ids.newId(), player.id(), now,
                now.plus(config.refreshFamilyLifetime()), null);
        String secret = RefreshSecrets.newSecret();
        transactor.inTransaction(() -> {
            refreshTokens.createFamily(family);
            refreshTokens.addToken(new RefreshToken(RefreshSecrets.sha256(secret), family.id(), player.id(), now, null));
            return null;
        });
        return result(player, family, secret, now);
    }

    private AuthResult result(Player player, RefreshFamily family, String secret, Instant now) {
        AccessToken access = tokens.issue(player.id(), family.id(), player.tokensNotBefore());
        Instant refreshExpiry = min(now.plus(config.refreshIdleLifetime()), family.expiresAt());
        return new AuthResult(player, family.id(),
                new AuthTokens(access.value(), access.claims().expiresAt(), secret, refreshExpiry));
    }

    // ---------------------------------------------------------------- refresh

    /**
     * Exchanges a refresh token for a new pair; the presented one is used up.
     *
     * @throws InvalidTokenException     unknown, malformed, expired or revoked; or
     *                                   {@link InvalidTokenException.Reason#REUSED} when it was
     *                                   already used — the whole session is then revoked
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
        RefreshFamily family = refreshTokens.getFamily(stored.familyId())
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.REVOKED));
        if (family.revokedAt() != null) {
            throw InvalidTokenException.refresh(Reason.REVOKED);
        }
        if (!family.isActive(now)) {
            throw InvalidTokenException.refresh(Reason.EXPIRED);
        }
        if (stored.usedAt() != null) {
            throw reuse(stored, ip, now);
        }
        if (!now.isBefore(stored.issuedAt().plus(config.refreshIdleLifetime()))) {
            throw InvalidTokenException.refresh(Reason.EXPIRED);
        }
        Player player = players.get(stored.playerId())
                .orElseThrow(() -> InvalidTokenException.refresh(Reason.REVOKED));
        if (player.disabled()) {
            throw disabled();
        }
        String next = RefreshSecrets.newSecret();
        // Mark and add together; a lost race is decided inside, acted on outside, so that
        // revoking the family is not rolled back with the transaction.
        boolean rotated = transactor.inTransaction(() -> {
            if (!refreshTokens.markUsed(hash, now)) {
                return false;
            }
            refreshTokens.addToken(new RefreshToken(RefreshSecrets.sha256(next), family.id(), player.id(), now, null));
            return true;
        });
        if (!rotated) {
            throw reuse(stored, ip, now);
        }
        return result(player, family, next, now);
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

    /** Wires the service; the three stores are required, the rest default sensibly. */
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

        /** Takes the player store, refresh-token store, rate limiter, transactor and clock of an engine. */
        public Builder ports(DmEngine.Ports ports) {
            Objects.requireNonNull(ports, "ports");
            return playerStore(ports.playerStore())
                    .refreshTokenStore(ports.refreshTokenStore())
                    .rateLimiter(ports.rateLimiter())
                    .transactor(ports.transactor())
                    .clock(ports.clock());
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
