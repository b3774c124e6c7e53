/**
 * Player authentication without a web framework: password accounts (ASVS 5.0 password rules,
 * Argon2id), Ed25519-signed access tokens and rotating refresh tokens with reuse detection,
 * device tokens, rate limits through the {@link dev.dmengine.spi.infra.RateLimiter} port and an
 * audit trail. It stands on the ports of {@code dm-spi} only, not on the engine.
 *
 * <p>{@link dev.dmengine.auth.AuthService} is the entry point; wire it from the ports the host
 * already has (for a host that runs the engine too: the engine's) and persistent keys:
 *
 * <pre>{@code
 * AuthService auth = AuthService.builder()
 *         .playerStore(players)                        // required
 *         .refreshTokenStore(refreshTokens)            // required
 *         .rateLimiter(limiter)                        // required
 *         .transactor(transactor)                      // optional: groups a login's writes
 *         .clock(clock)                                // optional: system UTC
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
 * <p>What is left to the HTTP host: carrying the tokens (the reference server's
 * {@code AuthCookies} and {@code CsrfGuard}), finding the real client address (it passes
 * {@code clientIp} in; this package only sanitises it for rate-limit keys and audit lines), and
 * mapping refusals, every one an exception of the {@link dev.dmengine.spi.DmException} hierarchy:
 * 401 {@link dev.dmengine.spi.UnauthenticatedException}, 403, 429 with
 * {@link dev.dmengine.spi.RateLimitedException#retryAfter()}, 400, 503 with
 * {@link dev.dmengine.spi.UnavailableException#retryAfter()} when password hashing is saturated.
 */
package dev.dmengine.auth;
