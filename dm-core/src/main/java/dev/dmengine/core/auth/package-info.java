/**
 * Player authentication without a web framework: password accounts (ASVS 5.0 password rules,
 * Argon2id), Ed25519-signed access tokens and rotating refresh tokens with reuse detection,
 * rate limits through the {@link dev.dmengine.spi.infra.RateLimiter} port and an audit trail.
 *
 * <p>{@link dev.dmengine.core.auth.AuthService} is the entry point; wire it from an engine's
 * ports and persistent keys:
 *
 * <pre>{@code
 * AuthService auth = AuthService.builder()
 *         .ports(engine.ports())                       // player + refresh-token stores, limiter, transactor, clock
 *         .tokenKeys(TokenKeys.builder()
 *                 .signingKey("2026-11", privateKey, publicKey)
 *                 .verificationKey("2026-10", previousPublicKey)
 *                 .build())
 *         .config(AuthConfig.builder().issuer("https://dm.example").audience("dm-engine").build())
 *         .build();
 *
 * auth.register(new Registration(email, password, displayName), clientIp);   // same answer for taken emails
 * AuthResult login = auth.login(LoginAttempt.of(email, password, clientIp)
 *         .withDeviceToken(tokenFromTheLastLogin));                          // player + tokens + device token
 * Player player = auth.authenticate(accessToken);                            // each request, and /auth/me
 * AuthResult next = auth.refresh(refreshToken, clientIp);                    // rotates; reuse ends the session
 * auth.logout(refreshToken, clientIp);
 * }</pre>
 *
 * <p>For the HTTP host: {@link dev.dmengine.core.auth.AuthCookies} formats the
 * {@code Set-Cookie} values, {@link dev.dmengine.core.auth.CsrfGuard} decides on unsafe
 * cookie-authenticated requests, and every refusal is an exception of the
 * {@link dev.dmengine.spi.DmException} hierarchy (401 {@link dev.dmengine.spi.UnauthenticatedException},
 * 403, 429 with {@link dev.dmengine.spi.RateLimitedException#retryAfter()}, 400, 503 with
 * {@link dev.dmengine.spi.UnavailableException#retryAfter()} when password hashing is saturated).
 */
package dev.dmengine.core.auth;
