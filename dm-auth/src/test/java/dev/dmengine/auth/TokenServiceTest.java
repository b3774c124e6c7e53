package dev.dmengine.auth;

import dev.dmengine.auth.InvalidTokenException.Reason;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenServiceTest {

    private static final String ISS = "https://dm.example";
    private static final String AUD = "dm-api";
    private static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final Duration SKEW = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private final KeyPair pair = TokenKeys.generateKeyPair();
    private final TokenKeys keys = TokenKeys.builder().signingKey("k1", pair).build();
    private final TokenService service = service(keys, ISS, AUD);
    private final UUID player = Ids.newId();
    private final UUID session = Ids.newId();

    private TokenService service(TokenKeys k, String issuer, String audience) {
        return new TokenService(k, issuer, audience, LIFETIME, SKEW, clock);
    }

    private static Reason reasonOf(TokenService s, String token) {
        try {
            s.verify(token);
        } catch (InvalidTokenException e) {
            assertThat(e).isInstanceOf(UnauthenticatedException.class);
            assertThat(e.getMessage()).doesNotContain(token == null || token.isEmpty() ? "\u0000" : token);
            return e.reason();
        }
        throw new AssertionError("the token was accepted");
    }

    @Test
    void issued_token_verifies_to_the_same_claims() {
        AccessToken token = service.issue(player, session, null);

        AccessClaims claims = service.verify(token.value());

        assertThat(claims).isEqualTo(token.claims());
        assertThat(claims.playerId()).isEqualTo(player);
        assertThat(claims.sessionId()).isEqualTo(session);
        assertThat(claims.keyId()).isEqualTo("k1");
        assertThat(claims.issuedAt()).isEqualTo(clock.instant());
        assertThat(claims.expiresAt()).isEqualTo(clock.instant().plus(LIFETIME));
        assertThat(token.toString()).doesNotContain(token.value());
    }

    @Test
    void header_and_claims_are_the_documented_ones() {
        String[] parts = service.issue(player, session, null).value().split("\\.");

        assertThat(Jose.decode(parts[0]))
                .contains("\"alg\":\"EdDSA\"", "\"kid\":\"k1\"", "\"typ\":\"at+jwt\"")
                .doesNotContain("jku", "x5u", "jwk");
        assertThat(Jose.decode(parts[1]))
                .contains("\"iss\":\"" + ISS + "\"", "\"aud\"", AUD, "\"sub\":\"" + player + "\"",
                        "\"sid\":\"" + session + "\"", "\"iat\":", "\"exp\":", "\"jti\":");
    }

    @Test
    void tokens_are_small_enough_for_a_cookie() {
        assertThat(service.issue(player, session, null).value().length()).isLessThan(600);
    }

    @Test
    void expires_after_its_lifetime_plus_the_allowed_skew() {
        String token = service.issue(player, session, null).value();

        clock.advance(LIFETIME.minusSeconds(1));
        assertThat(service.verify(token).playerId()).isEqualTo(player);
        clock.advance(SKEW); // past exp, within the skew
        assertThat(service.verify(token).playerId()).isEqualTo(player);
        clock.advance(Duration.ofSeconds(2));
        assertThat(reasonOf(service, token)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void a_remembered_token_is_checked_for_expiry_every_time_and_forgotten_once_expired() {
        String token = service.issue(player, session, null).value();

        assertThat(service.verify(token)).isEqualTo(service.verify(token));
        assertThat(service.rememberedTokens()).isEqualTo(1);
        clock.advance(LIFETIME.plus(SKEW).plusSeconds(1));

        assertThat(reasonOf(service, token)).isEqualTo(Reason.EXPIRED);
        assertThat(service.rememberedTokens()).isZero();
    }

    @Test
    void refused_tokens_are_never_remembered() {
        String token = service.issue(player, session, null).value();
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");

        assertThat(reasonOf(service, tampered)).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(service, "not.a.token")).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(service(keys, ISS, "another-api"), token)).isEqualTo(Reason.WRONG_AUDIENCE);
        assertThat(service.rememberedTokens()).isZero();
        assertThat(service.verify(token).playerId()).isEqualTo(player);
        assertThat(reasonOf(service, tampered)).as("the real token remembered, not its tampered copy")
                .isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void the_memory_of_verified_tokens_is_bounded_least_recently_used_first_out() {
        VerifiedTokens memory = new VerifiedTokens(2);
        AccessClaims claims = service.issue(player, session, null).claims();
        VerifiedTokens.Digest a = VerifiedTokens.digest("a");
        VerifiedTokens.Digest b = VerifiedTokens.digest("b");

        memory.put(a, claims);
        memory.put(b, claims);
        memory.get(a); // a is the more recently used
        memory.put(VerifiedTokens.digest("c"), claims);

        assertThat(memory.size()).isEqualTo(2);
        assertThat(memory.get(b)).isNull();
        assertThat(memory.get(VerifiedTokens.digest("a"))).isEqualTo(claims);
        assertThatThrownBy(() -> new VerifiedTokens(0)).hasMessage("capacity must be at least 1, was 0");
    }

    // ------------------------------------------------------------------ times in the future (issue 12, finding 10)

    private String signed(String claims) {
        return Jose.ed25519(Jose.header("EdDSA", "k1"), claims, pair.getPrivate());
    }

    @Test
    void a_token_issued_in_the_future_beyond_the_skew_is_refused() {
        String fromTheFuture = signed(Jose.claims(ISS, AUD, player, session, clock.instant().plus(SKEW).plusSeconds(1)));
        String withinSkew = signed(Jose.claims(ISS, AUD, player, session, clock.instant().plus(SKEW)));

        assertThat(reasonOf(service, fromTheFuture)).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(service.verify(withinSkew).playerId()).isEqualTo(player);
        clock.advance(Duration.ofSeconds(1));
        assertThat(service.verify(fromTheFuture).playerId()).isEqualTo(player);
    }

    @Test
    void a_token_not_valid_before_a_time_beyond_the_skew_is_refused_until_then() {
        Instant now = clock.instant();
        String claims = Jose.claims(ISS, AUD, player, session, now);
        String notYet = signed(claims.replace("\"jti\"", "\"nbf\":" + now.plus(SKEW).plusSeconds(1).getEpochSecond()
                + ",\"jti\""));
        String withinSkew = signed(claims.replace("\"jti\"", "\"nbf\":" + now.plus(SKEW).getEpochSecond() + ",\"jti\""));

        assertThat(reasonOf(service, notYet)).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(service.verify(withinSkew).playerId()).isEqualTo(player);
        clock.advance(Duration.ofSeconds(1));
        assertThat(service.verify(notYet).playerId()).isEqualTo(player);
    }

    @Test
    void issued_at_is_moved_up_to_a_later_not_before() {
        Instant notBefore = clock.instant().plusSeconds(1);

        AccessToken token = service.issue(player, session, notBefore);

        assertThat(token.claims().issuedAt()).isEqualTo(notBefore);
        assertThat(token.claims().expiresAt()).isEqualTo(notBefore.plus(LIFETIME));
    }

    @Test
    void a_tampered_payload_or_signature_is_refused() {
        String token = service.issue(player, session, null).value();
        String[] parts = token.split("\\.");
        String otherPlayer = Jose.b64(Jose.decode(parts[1]).replace(player.toString(), Ids.newId().toString()));
        char last = parts[2].charAt(10);
        String flippedSignature = parts[2].substring(0, 10) + (last == 'A' ? 'B' : 'A') + parts[2].substring(11);

        assertThat(reasonOf(service, parts[0] + "." + otherPlayer + "." + parts[2])).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(service, parts[0] + "." + parts[1] + "." + flippedSignature)).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(service, parts[0] + "." + parts[1] + ".")).isIn(Reason.BAD_SIGNATURE, Reason.MALFORMED,
                Reason.DISALLOWED_ALGORITHM);
    }

    @Test
    void an_unsigned_alg_none_token_is_refused() {
        String claims = Jose.claims(ISS, AUD, player, session, clock.instant());

        for (String alg : new String[]{"none", "None", "NONE"}) {
            String token = Jose.unsigned(Jose.header(alg, "k1"), claims);
            assertThat(reasonOf(service, token)).as(alg).isEqualTo(Reason.DISALLOWED_ALGORITHM);
        }
        String noAlg = Jose.unsigned("{\"typ\":\"at+jwt\",\"kid\":\"k1\"}", claims);
        assertThat(reasonOf(service, noAlg)).isEqualTo(Reason.DISALLOWED_ALGORITHM);
    }

    @Test
    void an_hs256_token_keyed_with_our_public_key_is_refused() {
        String claims = Jose.claims(ISS, AUD, player, session, clock.instant());
        PublicKey publicKey = pair.getPublic();
        byte[] encoded = publicKey.getEncoded();
        byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        byte[] pem = TokenKeys.toPem(publicKey).getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        for (byte[] secret : new byte[][]{encoded, raw, pem}) {
            for (String alg : new String[]{"HS256", "HS384", "HS512"}) {
                String token = Jose.hs256(Jose.header(alg, "k1"), claims, secret);
                assertThat(reasonOf(service, token)).as(alg).isEqualTo(Reason.DISALLOWED_ALGORITHM);
            }
        }
    }

    @Test
    void other_asymmetric_algorithms_are_refused_before_any_key_is_used() {
        String claims = Jose.claims(ISS, AUD, player, session, clock.instant());

        for (String alg : new String[]{"ES256", "RS256", "PS256", "Ed25519"}) {
            String token = Jose.ed25519(Jose.header(alg, "k1"), claims, pair.getPrivate());
            assertThat(reasonOf(service, token)).as(alg).isEqualTo(Reason.DISALLOWED_ALGORITHM);
        }
    }

    @Test
    void wrong_issuer_wrong_audience_and_wrong_type_are_refused() {
        assertThat(reasonOf(service, service(keys, "https://evil.example", AUD).issue(player, session, null).value()))
                .isEqualTo(Reason.WRONG_ISSUER);
        assertThat(reasonOf(service, service(keys, ISS, "another-api").issue(player, session, null).value()))
                .isEqualTo(Reason.WRONG_AUDIENCE);

        String idToken = Jose.ed25519("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
                Jose.claims(ISS, AUD, player, session, clock.instant()), pair.getPrivate());
        assertThat(reasonOf(service, idToken)).isEqualTo(Reason.WRONG_TYPE);

        String noSession = Jose.ed25519(Jose.header("EdDSA", "k1"),
                Jose.claims(ISS, AUD, player, session, clock.instant()).replace("\"sid\"", "\"xid\""), pair.getPrivate());
        assertThat(reasonOf(service, noSession)).isEqualTo(Reason.WRONG_TYPE);
    }

    @Test
    void a_token_with_an_unknown_key_id_is_refused() {
        TokenService stranger = service(TokenKeys.generate(), ISS, AUD);

        assertThat(reasonOf(service, stranger.issue(player, session, null).value())).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void a_token_signed_by_another_key_under_our_key_id_is_refused() {
        TokenService impostor = service(TokenKeys.builder().signingKey("k1", TokenKeys.generateKeyPair()).build(), ISS, AUD);

        assertThat(reasonOf(service, impostor.issue(player, session, null).value())).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void an_embedded_jwk_is_never_trusted() {
        KeyPair attacker = TokenKeys.generateKeyPair();
        byte[] enc = attacker.getPublic().getEncoded();
        String x = Jose.b64(Arrays.copyOfRange(enc, enc.length - 32, enc.length));
        String claims = Jose.claims(ISS, AUD, player, session, clock.instant());

        for (String kid : new String[]{"k1", TokenKeys.thumbprint(attacker.getPublic())}) {
            String header = "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"" + kid
                    + "\",\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + x + "\"}}";
            String token = Jose.ed25519(header, claims, attacker.getPrivate());
            assertThat(reasonOf(service, token)).as(kid).isIn(Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY);
        }
    }

    @Test
    void key_url_headers_are_ignored_not_fetched() {
        String header = "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\",\"kid\":\"k1\",\"jku\":\"http://127.0.0.1:1/jwks.json\","
                + "\"x5u\":\"http://127.0.0.1:1/cert.pem\"}";
        String ours = Jose.ed25519(header, Jose.claims(ISS, AUD, player, session, clock.instant()), pair.getPrivate());
        KeyPair attacker = TokenKeys.generateKeyPair();
        String theirs = Jose.ed25519(header, Jose.claims(ISS, AUD, player, session, clock.instant()), attacker.getPrivate());

        assertThat(service.verify(ours).playerId()).isEqualTo(player); // our key, the URLs simply not used
        assertThat(reasonOf(service, theirs)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void rotation_keeps_tokens_of_the_retired_key_valid_while_it_is_a_verification_key() {
        String oldToken = service.issue(player, session, null).value();
        KeyPair next = TokenKeys.generateKeyPair();
        TokenKeys rotated = TokenKeys.builder().signingKey("k2", next).verificationKey("k1", pair.getPublic()).build();
        TokenService afterRotation = service(rotated, ISS, AUD);
        String newToken = afterRotation.issue(player, session, null).value();

        assertThat(afterRotation.verify(oldToken).keyId()).isEqualTo("k1");
        assertThat(afterRotation.verify(newToken).keyId()).isEqualTo("k2");
        assertThat(rotated.keyIds()).containsExactly("k2", "k1");

        TokenService retired = service(TokenKeys.builder().signingKey("k2", next).build(), ISS, AUD);
        assertThat(retired.verify(newToken).playerId()).isEqualTo(player);
        assertThat(reasonOf(retired, oldToken)).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void garbage_is_refused_as_malformed() {
        for (String junk : new String[]{null, "", "   ", "abc", "a.b.c", "a.b.c.d.e", "x".repeat(5000),
                "eyJhbGciOiJFZERTQSJ9.%%%.***"}) {
            assertThat(reasonOf(service, junk)).as("%s", junk == null ? null : junk.substring(0, Math.min(20, junk.length())))
                    .isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void constructor_validates_its_settings() {
        assertThatThrownBy(() -> new TokenService(keys, " ", AUD, LIFETIME, SKEW, clock)).hasMessageContaining("issuer");
        assertThatThrownBy(() -> new TokenService(keys, ISS, AUD, Duration.ofSeconds(5), SKEW, clock))
                .hasMessageContaining("accessTokenLifetime");
        assertThatThrownBy(() -> new TokenService(keys, ISS, AUD, LIFETIME, Duration.ofHours(1), clock))
                .hasMessageContaining("clockSkew");
    }
}
