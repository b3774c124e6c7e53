package dev.dmengine.auth;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.dmengine.auth.InvalidTokenException.Reason;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.security.SignatureException;

import java.io.IOException;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and verifies access tokens: compact JWS signed with Ed25519 ({@code alg=EdDSA}).
 *
 * <p>A token carries {@code iss}, {@code aud}, {@code sub} (player id), {@code sid} (the
 * refresh-token family, i.e. the login session), {@code iat}, {@code exp}, {@code jti}, and in
 * its header {@code kid} and {@code typ=at+jwt} (RFC 9068), which tells it apart from any
 * other JWT signed with the same key.
 *
 * <p>Verification is strict: only {@code EdDSA} is accepted — {@code none}, every HMAC
 * algorithm (no HMAC/public-key confusion) and every other algorithm are refused before any
 * key is chosen; the key is looked up by {@code kid} among {@link TokenKeys} only, and the
 * {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} headers are never used to find one;
 * compressed and encrypted tokens are refused; issuer, audience, type and expiry must match;
 * a token issued ({@code iat}) or valid from ({@code nbf}) further in the future than the
 * allowed clock skew is refused ({@link Reason#NOT_YET_VALID}) — a signing key used on a host
 * whose clock is ahead, or a token minted for later, must not buy a longer life.
 * Whether the player still may use the token (logout, disabled account) is
 * {@link AuthService#authenticate(String)}'s business. Thread-safe.
 */
public final class TokenService {

    /** The JOSE {@code typ} of access tokens (RFC 9068 §2.1). */
    public static final String TOKEN_TYPE = "at+jwt";
    /** The claim naming the login session (refresh-token family) a token belongs to. */
    public static final String SESSION_CLAIM = "sid";
    /** Longer than any token we issue by far; refused before parsing. */
    static final int MAX_TOKEN_LENGTH = 4096;
    private static final String ALGORITHM = "EdDSA";
    /** Reads the raw JOSE header only; a header with anything after its object is malformed. */
    private static final ObjectMapper HEADER_READER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final TokenKeys keys;
    private final String issuer;
    private final String audience;
    private final Duration lifetime;
    private final Duration clockSkew;
    private final Clock clock;
    private final JwtParser parser;
    private final VerifiedTokens verified = new VerifiedTokens(VerifiedTokens.DEFAULT_CAPACITY);

    /**
     * @param lifetime  how long an access token is valid, 1 minute to 1 day
     * @param clockSkew tolerance for other hosts' clocks when checking expiry, 0 to 5 minutes
     */
    public TokenService(TokenKeys keys, String issuer, String audience, Duration lifetime, Duration clockSkew,
                        Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = AuthConfig.requireText("issuer", issuer);
        this.audience = AuthConfig.requireText("audience", audience);
        this.lifetime = AuthConfig.requireBetween("accessTokenLifetime", lifetime, Duration.ofMinutes(1), Duration.ofDays(1));
        this.clockSkew = AuthConfig.requireBetween("clockSkew", clockSkew, Duration.ZERO, Duration.ofMinutes(5));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parser = Jwts.parser()
                .sig().clear().add(Jwts.SIG.EdDSA).and()   // the allow-list: one algorithm
                .zip().clear().and()                       // no compressed payloads
                .keyLocator(new KidLocator(keys))
                .clock(() -> Date.from(clock.instant()))
                .clockSkewSeconds(clockSkew.toSeconds())
                .build();
    }

    /** A token service configured from {@link AuthConfig}. */
    public TokenService(TokenKeys keys, AuthConfig config, Clock clock) {
        this(keys, config.issuer(), config.audience(), config.accessTokenLifetime(), config.clockSkew(), clock);
    }

    public Duration lifetime() {
        return lifetime;
    }

    /**
     * Signs a token for the player's session, issued now — or at {@code notBefore} if that is
     * later, so that a token made just after "log out everywhere" (which sets a not-before
     * time rounded up to the next second) is not born dead.
     */
    public AccessToken issue(UUID playerId, UUID sessionId, Instant notBefore) {
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(sessionId, "sessionId");
        Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS); // JWT times are whole seconds
        if (notBefore != null && notBefore.isAfter(issuedAt)) {
            issuedAt = notBefore.truncatedTo(ChronoUnit.SECONDS);
        }
        Instant expiresAt = issuedAt.plus(lifetime);
        String tokenId = UUID.randomUUID().toString();
        String jwt = Jwts.builder()
                .header().keyId(keys.signingKeyId()).type(TOKEN_TYPE).and()
                .issuer(issuer)
                .audience().add(audience).and()
                .subject(playerId.toString())
                .claim(SESSION_CLAIM, sessionId.toString())
                .issuedAt(Date.from(issuedAt))
                .expiration(Date.from(expiresAt))
                .id(tokenId)
                .signWith(keys.signingKey(), Jwts.SIG.EdDSA)
                .compact();
        return new AccessToken(jwt, new AccessClaims(playerId, sessionId, tokenId, keys.signingKeyId(), issuedAt, expiresAt));
    }

    /**
     * The claims of a token we signed that is unexpired and meant for us.
     *
     * <p>Checking the Ed25519 signature costs about a millisecond of CPU, on every authenticated
     * request. So the claims of the last {@value VerifiedTokens#DEFAULT_CAPACITY} tokens that passed
     * are remembered, by the SHA-256 of the token's exact text (see {@link VerifiedTokens}): the same
     * text again is the same signed token, and of its checks only the expiry can change, so it alone
     * is checked again. A token that fails any check is not remembered, so what a stranger sends
     * never enters the memory; and the keys cannot change under a service (a new {@link TokenKeys}
     * is a new service).
     *
     * @throws InvalidTokenException with the {@link Reason} of the refusal
     */
    public AccessClaims verify(String token) {
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_LENGTH) {
            throw InvalidTokenException.access(Reason.MALFORMED);
        }
        VerifiedTokens.Digest digest = VerifiedTokens.digest(token);
        AccessClaims known = verified.get(digest);
        if (known != null) {
            if (!clock.instant().isAfter(known.expiresAt().plus(clockSkew))) {
                return known; // this very token passed every check below; only its expiry moves
            }
            verified.remove(digest); // expired: the checks below say so
        }
        AccessClaims claims = verifyUncached(token);
        verified.put(digest, claims);
        return claims;
    }

    /** How many verified tokens are remembered now; for tests. */
    int rememberedTokens() {
        return verified.size();
    }

    private AccessClaims verifyUncached(String token) {
        requireAllowedAlgorithm(token);
        Jws<Claims> jws;
        try {
            jws = parser.parseSignedClaims(token);
        } catch (Refused e) {
            throw InvalidTokenException.access(e.reason, e);
        } catch (ExpiredJwtException e) {
            throw InvalidTokenException.access(Reason.EXPIRED, e);
        } catch (PrematureJwtException e) { // nbf later than now + skew (jjwt checks it with our skew)
            throw InvalidTokenException.access(Reason.NOT_YET_VALID, e);
        } catch (SignatureException e) {
            throw InvalidTokenException.access(Reason.BAD_SIGNATURE, e);
        } catch (MalformedJwtException e) {
            throw InvalidTokenException.access(Reason.MALFORMED, e);
        } catch (JwtException e) { // unsupported (JWE, unknown crit, compressed…), other security failures
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof Refused)) {
                cause = cause.getCause();
            }
            throw InvalidTokenException.access(cause instanceof Refused r ? r.reason : Reason.MALFORMED, e);
        } catch (RuntimeException e) { // IllegalArgumentException and the like on garbage input
            throw InvalidTokenException.access(Reason.MALFORMED, e);
        }
        JwsHeader header = jws.getHeader();
        Claims claims = jws.getPayload();
        if (!TOKEN_TYPE.equals(header.getType())) {
            throw InvalidTokenException.access(Reason.WRONG_TYPE);
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw InvalidTokenException.access(Reason.WRONG_ISSUER);
        }
        Set<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(audience)) {
            throw InvalidTokenException.access(Reason.WRONG_AUDIENCE);
        }
        Date iat = claims.getIssuedAt();
        Date exp = claims.getExpiration();
        String jti = claims.getId();
        if (iat == null || exp == null || jti == null || jti.isBlank()) {
            throw InvalidTokenException.access(Reason.WRONG_TYPE);
        }
        if (iat.toInstant().isAfter(clock.instant().plus(clockSkew))) { // jjwt does not look at iat
            throw InvalidTokenException.access(Reason.NOT_YET_VALID);
        }
        return new AccessClaims(uuid(claims.getSubject()), uuid(claims.get(SESSION_CLAIM, String.class)), jti,
                header.getKeyId(), iat.toInstant(), exp.toInstant());
    }

    /**
     * The allow-list, applied to the raw header before the JWT library sees the token: only
     * {@code EdDSA} passes ({@code none}, HMAC, RSA and ECDSA do not). The library's own
     * algorithm registry holds only EdDSA as well, and the key locator checks again.
     */
    private static void requireAllowedAlgorithm(String token) {
        int dot = token.indexOf('.');
        if (dot < 1) {
            throw InvalidTokenException.access(Reason.MALFORMED);
        }
        JsonNode header;
        try {
            header = HEADER_READER.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
        } catch (IOException | IllegalArgumentException e) {
            throw InvalidTokenException.access(Reason.MALFORMED, e);
        }
        if (header == null || !header.isObject()) {
            throw InvalidTokenException.access(Reason.MALFORMED);
        }
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !ALGORITHM.equals(alg.textValue())) {
            throw InvalidTokenException.access(Reason.DISALLOWED_ALGORITHM);
        }
    }

    private static UUID uuid(String value) {
        if (value == null || value.length() != 36) {
            throw InvalidTokenException.access(Reason.WRONG_TYPE);
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw InvalidTokenException.access(Reason.WRONG_TYPE, e);
        }
    }

    /** Chooses the verification key by {@code kid}, after checking the algorithm; nothing else in the header counts. */
    private static final class KidLocator extends LocatorAdapter<Key> {
        private final TokenKeys keys;

        KidLocator(TokenKeys keys) {
            this.keys = keys;
        }

        @Override
        protected Key locate(JwsHeader header) {
            if (!ALGORITHM.equals(header.getAlgorithm())) {
                throw new Refused(Reason.DISALLOWED_ALGORITHM);
            }
            return keys.verificationKey(header.getKeyId()).orElseThrow(() -> new Refused(Reason.UNKNOWN_KEY));
        }

        @Override
        protected Key doLocate(io.jsonwebtoken.Header header) { // unprotected (alg=none) or anything else
            throw new Refused(Reason.DISALLOWED_ALGORITHM);
        }
    }

    /** A refusal decided by us inside jjwt's parse. */
    private static final class Refused extends JwtException {
        final Reason reason;

        Refused(Reason reason) {
            super(reason.name());
            this.reason = reason;
        }
    }

    @Override
    public String toString() {
        return "TokenService[iss=" + issuer + ", aud=" + audience + ", lifetime=" + lifetime + ", keys=" + keys + "]";
    }
}
