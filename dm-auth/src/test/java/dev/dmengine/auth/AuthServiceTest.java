package dev.dmengine.auth;

import dev.dmengine.core.DmEngine;
import dev.dmengine.auth.AuditEvent.Type;
import dev.dmengine.auth.InvalidTokenException.Reason;
import dev.dmengine.core.game.PlayerService;
import dev.dmengine.core.inmemory.InMemoryPlayerStore;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.core.inmemory.InMemoryRefreshTokenStore;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.RateLimitedException;
import dev.dmengine.spi.UnauthenticatedException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.testkit.Concurrently;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthServiceTest {

    /** Shared: each hasher makes a dummy hash, and every hash costs tens of milliseconds. */
    private static final PasswordHasher HASHER = new PasswordHasher();
    private static final String EMAIL = "alice@example.org";
    private static final String PASSWORD = "Mallory-Keeps-Dragons-7";
    private static final String IP = "203.0.113.7";
    private static final RateLimit UNLIMITED = RateLimit.of(10_000, Duration.ofSeconds(1));

    private final MutableClock clock = new MutableClock();
    private final InMemoryPlayerStore players = new InMemoryPlayerStore();
    private final InMemoryRefreshTokenStore refreshTokens = new InMemoryRefreshTokenStore();
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private AuthService auth = service(AuthConfig.defaults());

    private AuthService service(AuthConfig config) {
        return AuthService.builder()
                .playerStore(players)
                .refreshTokenStore(refreshTokens)
                .rateLimiter(new InMemoryRateLimiter(clock))
                .clock(clock)
                .config(config)
                .passwordHasher(HASHER)
                .auditLog(events::add)
                .tokenKeys(KEYS)
                .build();
    }

    private static final TokenKeys KEYS = TokenKeys.generate();

    private static AuthConfig.Limits limits(RateLimit loginPerIp, RateLimit loginPerAccount, RateLimit registerPerIp,
                                            RateLimit refreshPerIp) {
        return new AuthConfig.Limits(loginPerIp, loginPerAccount, registerPerIp, UNLIMITED, refreshPerIp, UNLIMITED);
    }

    private static AuthConfig unlimited() {
        return AuthConfig.builder().limits(limits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED)).build();
    }

    private void registerAlice() {
        auth.register(new Registration(EMAIL, PASSWORD, "Alice"), IP);
    }

    private AuthResult loginAlice() {
        return auth.login(EMAIL, PASSWORD, IP);
    }

    private static Reason tokenRefusal(Runnable call) {
        try {
            call.run();
        } catch (InvalidTokenException e) {
            return e.reason();
        }
        throw new AssertionError("the token was accepted");
    }

    private List<Type> eventTypes() {
        return events.stream().map(AuditEvent::type).toList();
    }

    // ------------------------------------------------------------------ the whole flow

    @Test
    void register_login_authenticate_refresh_logout() {
        registerAlice();
        AuthResult login = loginAlice();

        Player me = auth.me(login.tokens().accessToken());
        assertThat(me.email()).isEqualTo(EMAIL);
        assertThat(me.displayName()).isEqualTo("Alice");
        assertThat(login.player().id()).isEqualTo(me.id());
        assertThat(login.tokens().accessTokenExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        assertThat(login.tokens().refreshTokenExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(14)));

        clock.advance(Duration.ofMinutes(10));
        AuthResult refreshed = auth.refresh(login.tokens().refreshToken(), IP);
        assertThat(refreshed.sessionId()).isEqualTo(login.sessionId());
        assertThat(refreshed.tokens().refreshToken()).isNotEqualTo(login.tokens().refreshToken());
        assertThat(auth.authenticate(refreshed.tokens().accessToken()).id()).isEqualTo(me.id());
        assertThat(auth.authenticate(login.tokens().accessToken()).id()).isEqualTo(me.id()); // still within its life

        assertThat(auth.logout(refreshed.tokens().refreshToken(), IP)).isTrue();

        assertThat(tokenRefusal(() -> auth.authenticate(refreshed.tokens().accessToken()))).isEqualTo(Reason.REVOKED);
        assertThat(tokenRefusal(() -> auth.authenticate(login.tokens().accessToken()))).isEqualTo(Reason.REVOKED);
        assertThat(tokenRefusal(() -> auth.refresh(refreshed.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);
        assertThat(eventTypes()).containsExactly(Type.REGISTERED, Type.LOGIN_SUCCEEDED, Type.LOGGED_OUT);
    }

    @Test
    void a_host_wires_the_service_from_the_engines_ports() {
        DmEngine engine = DmEngine.builder().clock(clock).build();
        DmEngine.Ports ports = engine.ports();
        AuthService wired = AuthService.builder()
                .playerStore(ports.playerStore()).refreshTokenStore(ports.refreshTokenStore())
                .rateLimiter(ports.rateLimiter()).transactor(ports.transactor()).clock(ports.clock())
                .passwordHasher(HASHER).tokenKeys(KEYS).auditLog(events::add).build();

        wired.register(new Registration("  Bob@Example.ORG ", PASSWORD, "Bob"), IP);
        AuthResult bob = wired.login("bob@example.org", PASSWORD, IP);

        assertThat(wired.me(bob.tokens().accessToken()).email()).isEqualTo("bob@example.org");
        assertThat(engine.players().get(bob.player().id()).displayName()).isEqualTo("Bob");
    }

    @Test
    void emails_are_normalised_for_register_and_login() {
        auth.register(new Registration("  Alice@Example.ORG ", PASSWORD, "Alice"), IP);

        assertThat(auth.login("ALICE@example.org", PASSWORD, IP).player().email()).isEqualTo(EMAIL);
    }

    @Test
    void malformed_input_is_refused_by_field() {
        assertThatThrownBy(() -> auth.register(new Registration("not-an-email", PASSWORD, "Alice"), IP))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("email");
        assertThatThrownBy(() -> auth.register(new Registration(EMAIL, PASSWORD, " "), IP))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("displayName");
        assertThatThrownBy(() -> auth.register(new Registration(EMAIL, "password1", "Alice"), IP))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("password:");
        assertThatThrownBy(() -> auth.login(EMAIL, "", IP)).isInstanceOf(InvalidInputException.class);
        assertThat(players.findByEmail(EMAIL)).isEmpty();
    }

    // ------------------------------------------------------------------ passwords that are not text (issue 12, finding 4)

    @Test
    void a_password_with_a_lone_surrogate_is_refused_at_registration_naming_the_field() {
        InvalidInputException e = catchType(InvalidInputException.class,
                () -> auth.register(new Registration(EMAIL, "amber lantern \uD83D over the moor", "Alice"), IP));

        assertThat(e.errors()).extracting(InvalidInputException.FieldError::field).containsExactly("password");
        assertThat(players.findByEmail(EMAIL)).isEmpty();
    }

    @Test
    void a_lone_surrogate_at_login_is_refused_not_taken_for_the_question_mark_it_would_encode_to() {
        String stored = "amber lantern ? over the moor";
        auth.register(new Registration(EMAIL, stored, "Alice"), IP);

        for (String lone : List.of("amber lantern \uD800 over the moor", "amber lantern \uDC00 over the moor")) {
            InvalidInputException e = catchType(InvalidInputException.class, () -> auth.login(EMAIL, lone, IP));
            assertThat(e.errors()).extracting(InvalidInputException.FieldError::field).containsExactly("password");
        }
        assertThat(auth.login(EMAIL, stored, IP).player().email()).isEqualTo(EMAIL);
        assertThat(auth.login(EMAIL.toUpperCase(), stored, IP).player().email()).isEqualTo(EMAIL);
    }

    @Test
    void a_paired_surrogate_is_an_ordinary_character() {
        String withEmoji = "amber lantern \uD83D\uDD25 over the moor";
        auth.register(new Registration(EMAIL, withEmoji, "Alice"), IP);

        assertThat(auth.login(EMAIL, withEmoji, IP).player().email()).isEqualTo(EMAIL);
        assertThatThrownBy(() -> auth.login(EMAIL, "amber lantern ? over the moor", IP))
                .isInstanceOf(InvalidCredentialsException.class);
    }

    @Test
    void a_long_passphrase_is_used_whole_a_difference_at_character_100_fails() {
        String phrase = "the quiet lighthouse keeper collects brass compasses and counts them every night before the "
                + "storm arrives, seventeen of them";
        String almost = phrase.substring(0, 99) + (phrase.charAt(99) == 'Z' ? 'Y' : 'Z') + phrase.substring(100);
        assertThat(phrase.length()).isGreaterThan(100);

        auth.register(new Registration(EMAIL, phrase, "Alice"), IP);

        assertThat(auth.login(EMAIL, phrase, IP).player().email()).isEqualTo(EMAIL);
        assertThatThrownBy(() -> auth.login(EMAIL, almost, IP)).isInstanceOf(InvalidCredentialsException.class);
    }

    @Test
    void rotating_the_signing_key_logs_nobody_out() {
        registerAlice();
        AuthResult beforeRotation = loginAlice();
        TokenKeys rotated = TokenKeys.builder()
                .signingKey("next", TokenKeys.generateKeyPair())
                .verificationKey(KEYS.signingKeyId(), KEYS.verificationKey(KEYS.signingKeyId()).orElseThrow())
                .build();
        AuthService afterRotation = AuthService.builder().playerStore(players).refreshTokenStore(refreshTokens)
                .rateLimiter(new InMemoryRateLimiter(clock)).clock(clock).passwordHasher(HASHER).tokenKeys(rotated)
                .auditLog(events::add).build();

        assertThat(afterRotation.authenticate(beforeRotation.tokens().accessToken()).email()).isEqualTo(EMAIL);
        AuthResult refreshed = afterRotation.refresh(beforeRotation.tokens().refreshToken(), IP);
        assertThat(afterRotation.tokenService().verify(refreshed.tokens().accessToken()).keyId()).isEqualTo("next");
        assertThat(tokenRefusal(() -> auth.authenticate(refreshed.tokens().accessToken()))).isEqualTo(Reason.UNKNOWN_KEY);
    }

    // ------------------------------------------------------------------ enumeration

    @Test
    void registering_a_taken_email_answers_alike_and_changes_nothing() {
        registerAlice();
        Player original = players.findByEmail(EMAIL).orElseThrow();

        auth.register(new Registration(EMAIL.toUpperCase(), "An0ther-Quite-Different-Phrase", "Mallory"), "198.51.100.9");

        Player after = players.findByEmail(EMAIL).orElseThrow();
        assertThat(after.passwordHash()).isEqualTo(original.passwordHash());
        assertThat(after.displayName()).isEqualTo("Alice");
        assertThat(loginAlice().player().id()).isEqualTo(original.id());
        assertThatThrownBy(() -> auth.login(EMAIL, "An0ther-Quite-Different-Phrase", IP))
                .isInstanceOf(InvalidCredentialsException.class);
        assertThat(eventTypes()).startsWith(Type.REGISTERED, Type.REGISTER_EXISTING_EMAIL);
    }

    @Test
    void a_weak_password_is_refused_the_same_way_for_taken_and_free_emails() {
        registerAlice();

        Throwable taken = catchThrowable(() -> auth.register(new Registration(EMAIL, "password1", "X"), IP));
        Throwable free = catchThrowable(() -> auth.register(new Registration("zed@example.org", "password1", "X"), IP));

        assertThat(taken).isInstanceOf(InvalidInputException.class);
        assertThat(free).isInstanceOf(InvalidInputException.class).hasMessage(taken.getMessage());
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void unknown_email_and_wrong_password_fail_alike() {
        registerAlice();

        Throwable unknown = catchThrowable(() -> auth.login("nobody@example.org", PASSWORD, IP));
        Throwable wrong = catchThrowable(() -> auth.login(EMAIL, PASSWORD + "x", IP));

        assertThat(unknown).isExactlyInstanceOf(InvalidCredentialsException.class).isInstanceOf(UnauthenticatedException.class);
        assertThat(wrong).isExactlyInstanceOf(InvalidCredentialsException.class);
        assertThat(unknown.getMessage()).isEqualTo(wrong.getMessage()).isEqualTo("the email or password is wrong");
    }

    @Test
    void unknown_email_and_wrong_password_take_about_the_same_time() {
        auth = service(unlimited());
        registerAlice();
        int rounds = 31;
        for (int i = 0; i < 3; i++) { // warm up both paths
            catchThrowable(() -> auth.login("nobody@example.org", PASSWORD, IP));
            catchThrowable(() -> auth.login(EMAIL, "wrong password!", IP));
        }
        long[] unknown = new long[rounds];
        long[] wrong = new long[rounds];
        for (int i = 0; i < rounds; i++) { // interleaved, so drift in machine load hits both alike
            int n = i;
            long t0 = System.nanoTime();
            catchThrowable(() -> auth.login("nobody" + n + "@example.org", PASSWORD, IP));
            long t1 = System.nanoTime();
            catchThrowable(() -> auth.login(EMAIL, "wrong password " + n, IP));
            long t2 = System.nanoTime();
            unknown[i] = t1 - t0;
            wrong[i] = t2 - t1;
        }
        double medianUnknown = median(unknown);
        double medianWrong = median(wrong);

        // A behaviour check, not a speed target: without the dummy hash an unknown email
        // would answer in microseconds, thousands of times faster than a wrong password.
        assertThat(medianUnknown / medianWrong).as("median unknown %s ns vs wrong %s ns", medianUnknown, medianWrong)
                .isBetween(0.5, 2.0);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    @Test
    void an_account_without_a_password_cannot_log_in() {
        Player passwordless = new PlayerService(players, clock).create(EMAIL, "Alice");

        assertThatThrownBy(() -> auth.login(EMAIL, PASSWORD, IP)).isInstanceOf(InvalidCredentialsException.class);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(Type.LOGIN_FAILED);
            assertThat(e.playerId()).isEqualTo(passwordless.id());
        });
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void an_access_token_expires_and_a_refresh_gives_a_fresh_one() {
        registerAlice();
        AuthResult login = loginAlice();

        clock.advance(Duration.ofMinutes(15).plusSeconds(31)); // lifetime + default 30 s skew

        assertThat(tokenRefusal(() -> auth.authenticate(login.tokens().accessToken()))).isEqualTo(Reason.EXPIRED);
        AuthResult refreshed = auth.refresh(login.tokens().refreshToken(), IP);
        assertThat(auth.authenticate(refreshed.tokens().accessToken()).email()).isEqualTo(EMAIL);
    }

    @Test
    void an_unused_refresh_token_dies_after_the_idle_lifetime() {
        registerAlice();
        AuthResult login = loginAlice();

        clock.advance(Duration.ofDays(14));

        assertThat(tokenRefusal(() -> auth.refresh(login.tokens().refreshToken(), IP))).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void a_session_ends_at_its_absolute_lifetime_however_often_refreshed() {
        registerAlice();
        String refresh = loginAlice().tokens().refreshToken();

        for (int i = 0; i < 2; i++) {
            clock.advance(Duration.ofDays(10));
            AuthResult r = auth.refresh(refresh, IP);
            refresh = r.tokens().refreshToken();
            assertThat(r.tokens().refreshTokenExpiresAt()).isBeforeOrEqualTo(MutableClock.DEFAULT_START.plus(Duration.ofDays(30)));
        }
        clock.advance(Duration.ofDays(10)); // day 30
        String last = refresh;

        assertThat(tokenRefusal(() -> auth.refresh(last, IP))).isEqualTo(Reason.EXPIRED);
    }

    // ------------------------------------------------------------------ reuse detection

    @Test
    void presenting_a_used_refresh_token_revokes_the_whole_family() {
        registerAlice();
        AuthResult login = loginAlice();
        AuthResult first = auth.refresh(login.tokens().refreshToken(), IP);
        clock.advance(auth.config().refreshLeeway().plusSeconds(1));

        InvalidTokenException reuse = catchType(InvalidTokenException.class,
                () -> auth.refresh(login.tokens().refreshToken(), "198.51.100.66"));

        assertThat(reuse.reason()).isEqualTo(Reason.REUSED);
        assertThat(tokenRefusal(() -> auth.refresh(first.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);
        assertThat(tokenRefusal(() -> auth.authenticate(first.tokens().accessToken()))).isEqualTo(Reason.REVOKED);
        assertThat(refreshTokens.getFamily(login.sessionId()).orElseThrow().revokedAt()).isEqualTo(clock.instant());
        assertThat(events).filteredOn(e -> e.type() == Type.REFRESH_REUSE_DETECTED).singleElement().satisfies(e -> {
            assertThat(e.playerId()).isEqualTo(login.player().id());
            assertThat(e.clientIp()).isEqualTo("198.51.100.66");
        });
    }

    @Test
    void a_reuse_in_one_session_leaves_the_players_other_sessions_alone() {
        registerAlice();
        AuthResult phone = loginAlice();
        AuthResult laptop = loginAlice();
        auth.refresh(phone.tokens().refreshToken(), IP);
        clock.advance(auth.config().refreshLeeway().plusSeconds(1));

        tokenRefusal(() -> auth.refresh(phone.tokens().refreshToken(), IP));

        assertThat(auth.authenticate(laptop.tokens().accessToken()).email()).isEqualTo(EMAIL);
        assertThat(auth.refresh(laptop.tokens().refreshToken(), IP).sessionId()).isEqualTo(laptop.sessionId());
    }

    // ------------------------------------------------------------------ the refresh leeway (issue 12, finding 9)

    @Test
    void thirty_concurrent_refreshes_with_one_token_all_get_the_same_successor_and_the_session_lives() {
        auth = service(unlimited());
        registerAlice();
        AuthResult login = loginAlice();

        List<Object> outcomes = Concurrently.run(30, t -> {
            try {
                return auth.refresh(login.tokens().refreshToken(), IP);
            } catch (InvalidTokenException e) {
                return e.reason();
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(AuthResult.class));
        Set<String> successors = outcomes.stream().map(o -> ((AuthResult) o).tokens().refreshToken())
                .collect(Collectors.toSet());
        assertThat(successors).hasSize(1).doesNotContain(login.tokens().refreshToken());
        assertThat(refreshTokens.getFamily(login.sessionId()).orElseThrow().revokedAt()).isNull();
        for (Object o : outcomes) {
            assertThat(auth.authenticate(((AuthResult) o).tokens().accessToken()).email()).isEqualTo(EMAIL);
        }
        AuthResult next = auth.refresh(successors.iterator().next(), IP);
        assertThat(next.sessionId()).isEqualTo(login.sessionId());
        assertThat(eventTypes()).doesNotContain(Type.REFRESH_REUSE_DETECTED);
    }

    @Test
    void within_the_leeway_the_immediate_predecessor_gets_the_same_successor_again() {
        registerAlice();
        AuthResult login = loginAlice();
        AuthResult first = auth.refresh(login.tokens().refreshToken(), IP);

        clock.advance(auth.config().refreshLeeway().minusSeconds(1));
        AuthResult second = auth.refresh(login.tokens().refreshToken(), IP);

        assertThat(second.tokens().refreshToken()).isEqualTo(first.tokens().refreshToken());
        assertThat(second.tokens().refreshTokenExpiresAt()).isEqualTo(first.tokens().refreshTokenExpiresAt());
        assertThat(auth.authenticate(second.tokens().accessToken()).email()).isEqualTo(EMAIL);
        assertThat(auth.refresh(first.tokens().refreshToken(), IP).sessionId()).isEqualTo(login.sessionId());
    }

    @Test
    void a_reuse_after_the_leeway_still_revokes_the_family() {
        registerAlice();
        AuthResult login = loginAlice();
        AuthResult first = auth.refresh(login.tokens().refreshToken(), IP);

        clock.advance(auth.config().refreshLeeway());

        assertThat(tokenRefusal(() -> auth.refresh(login.tokens().refreshToken(), IP))).isEqualTo(Reason.REUSED);
        assertThat(tokenRefusal(() -> auth.refresh(first.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);
        assertThat(refreshTokens.getFamily(login.sessionId()).orElseThrow().revokedAt()).isNotNull();
    }

    @Test
    void within_the_leeway_a_token_older_than_the_immediate_predecessor_revokes_the_family() {
        registerAlice();
        AuthResult login = loginAlice();
        AuthResult first = auth.refresh(login.tokens().refreshToken(), IP);
        AuthResult second = auth.refresh(first.tokens().refreshToken(), IP);

        assertThat(tokenRefusal(() -> auth.refresh(login.tokens().refreshToken(), IP))).isEqualTo(Reason.REUSED);
        assertThat(tokenRefusal(() -> auth.refresh(second.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);
    }

    @Test
    void malformed_and_unknown_refresh_tokens_are_refused() {
        assertThat(tokenRefusal(() -> auth.refresh("garbage", IP))).isEqualTo(Reason.MALFORMED);
        assertThat(tokenRefusal(() -> auth.refresh(null, IP))).isEqualTo(Reason.MALFORMED);
        assertThat(tokenRefusal(() -> auth.refresh(RefreshSecrets.newSecret(), IP))).isEqualTo(Reason.UNKNOWN);
    }

    @Test
    void refresh_tokens_are_256_random_bits_stored_only_as_sha256() {
        registerAlice();
        AuthResult login = loginAlice();
        String token = login.tokens().refreshToken();

        assertThat(token).matches("dmr_[A-Za-z0-9_-]{43}");
        assertThat(refreshTokens.findToken(token)).isEmpty();
        assertThat(refreshTokens.findToken(RefreshSecrets.sha256(token))).hasValueSatisfying(t -> {
            assertThat(t.familyId()).isEqualTo(login.sessionId());
            assertThat(t.tokenHash()).hasSize(64).doesNotContain(token.substring(4));
        });
    }

    // ------------------------------------------------------------------ logout

    @Test
    void logout_is_idempotent_and_ignores_junk() {
        registerAlice();
        AuthResult login = loginAlice();

        assertThat(auth.logout(login.tokens().refreshToken(), IP)).isTrue();
        assertThat(auth.logout(login.tokens().refreshToken(), IP)).isFalse();
        assertThat(auth.logout("junk", IP)).isFalse();
        assertThat(auth.logout(null, IP)).isFalse();
        assertThat(eventTypes()).filteredOn(t -> t == Type.LOGGED_OUT).hasSize(1);
    }

    @Test
    void logout_by_access_token_ends_that_session_only() {
        registerAlice();
        AuthResult phone = loginAlice();
        AuthResult laptop = loginAlice();

        assertThat(auth.logoutSession(phone.tokens().accessToken(), IP)).isTrue();

        assertThat(tokenRefusal(() -> auth.authenticate(phone.tokens().accessToken()))).isEqualTo(Reason.REVOKED);
        assertThat(auth.authenticate(laptop.tokens().accessToken()).email()).isEqualTo(EMAIL);
    }

    @Test
    void logout_everywhere_kills_every_session_and_outstanding_access_token() {
        registerAlice();
        AuthResult phone = loginAlice();
        clock.advance(Duration.ofMillis(400));
        AuthResult laptop = loginAlice();

        assertThat(auth.logoutEverywhere(phone.player().id(), IP)).isEqualTo(2);

        for (AuthResult r : List.of(phone, laptop)) {
            assertThat(tokenRefusal(() -> auth.authenticate(r.tokens().accessToken()))).isEqualTo(Reason.REVOKED);
            assertThat(tokenRefusal(() -> auth.refresh(r.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);
        }
        Player player = players.get(phone.player().id()).orElseThrow();
        assertThat(player.tokensNotBefore()).isAfter(clock.instant());
        assertThat(events).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(Type.LOGGED_OUT_EVERYWHERE);
            assertThat(e.playerId()).isEqualTo(player.id());
            assertThat(e.clientIp()).isEqualTo(IP);
        });

        // a login in the same second works at once
        AuthResult again = loginAlice();
        assertThat(auth.authenticate(again.tokens().accessToken()).id()).isEqualTo(player.id());
    }

    @Test
    void the_not_before_time_alone_refuses_older_access_tokens() {
        registerAlice();
        AuthResult before = loginAlice();
        auth.logoutEverywhere(before.player().id(), IP);
        AuthResult after = loginAlice(); // an active session
        // a token for the active session, but issued before the not-before time
        String stale = auth.tokenService().issue(after.player().id(), after.sessionId(), null).value();

        assertThat(tokenRefusal(() -> auth.authenticate(stale))).isEqualTo(Reason.REVOKED);
        assertThat(auth.authenticate(after.tokens().accessToken()).id()).isEqualTo(after.player().id());
    }

    @Test
    void logout_everywhere_for_an_unknown_player_is_not_found() {
        assertThatThrownBy(() -> auth.logoutEverywhere(Ids.newId(), IP)).isInstanceOf(NotFoundException.class);
    }

    // ------------------------------------------------------------------ disabled accounts

    @Test
    void a_disabled_account_is_refused_everywhere_and_told_so_only_with_the_right_password() {
        registerAlice();
        AuthResult login = loginAlice();

        auth.setDisabled(login.player().id(), true, "192.0.2.1");

        assertThatThrownBy(() -> auth.authenticate(login.tokens().accessToken()))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("disabled");
        assertThatThrownBy(() -> loginAlice()).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> auth.login(EMAIL, "not the password at all", IP))
                .isInstanceOf(InvalidCredentialsException.class);
        assertThat(tokenRefusal(() -> auth.refresh(login.tokens().refreshToken(), IP))).isEqualTo(Reason.REVOKED);

        auth.setDisabled(login.player().id(), false, "192.0.2.1");
        AuthResult again = loginAlice();
        assertThat(auth.authenticate(again.tokens().accessToken()).disabled()).isFalse();
        assertThat(eventTypes()).contains(Type.ACCOUNT_DISABLED, Type.ACCOUNT_ENABLED);
    }

    // ------------------------------------------------------------------ rate limits

    @Test
    void per_account_login_limit_bites_then_recovers_and_a_success_resets_it() {
        auth = service(AuthConfig.builder()
                .limits(limits(UNLIMITED, RateLimit.of(3, Duration.ofMinutes(3)), UNLIMITED, UNLIMITED)).build());
        registerAlice();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> auth.login(EMAIL, "wrong password!", "198.51.100." + 1))
                    .isInstanceOf(InvalidCredentialsException.class);
        }

        RateLimitedException limited = catchType(RateLimitedException.class, () -> auth.login(EMAIL, PASSWORD, "192.0.2.55"));
        // even the right password from another address waits: the limit is per account
        assertThat(limited.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> auth.login("ALICE@example.org", PASSWORD, IP)).isInstanceOf(RateLimitedException.class);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(Type.RATE_LIMITED);
            assertThat(e.detail()).isEqualTo("login:account");
        });

        clock.advance(limited.retryAfter());
        assertThat(loginAlice().player().email()).isEqualTo(EMAIL);

        for (int i = 0; i < 3; i++) { // the success reset the count: a full burst again
            assertThatThrownBy(() -> auth.login(EMAIL, "wrong password!", IP)).isInstanceOf(InvalidCredentialsException.class);
        }
        assertThatThrownBy(() -> auth.login(EMAIL, "wrong password!", IP)).isInstanceOf(RateLimitedException.class);
    }

    // ------------------------------------------------------------------ device tokens (issue 12, finding 7)

    /** Three attempts at once per account for untrusted clients and per device, then one a minute. */
    private AuthService withDeviceLimits() {
        RateLimit three = new RateLimit(1, Duration.ofMinutes(1), 3);
        return service(AuthConfig.builder().limits(new AuthConfig.Limits(UNLIMITED, three, UNLIMITED, UNLIMITED,
                UNLIMITED, UNLIMITED, three)).build());
    }

    private void failUntilLimited(String deviceToken) {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, "wrong password!", "198.51.100.9")
                    .withDeviceToken(deviceToken))).isInstanceOf(InvalidCredentialsException.class);
        }
        assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, "wrong password!", "198.51.100.9")
                .withDeviceToken(deviceToken))).isInstanceOf(RateLimitedException.class);
    }

    @Test
    void a_login_hands_out_a_device_token_for_that_account_and_a_refresh_does_not() {
        registerAlice();
        AuthResult login = loginAlice();

        DeviceToken device = login.deviceToken().orElseThrow();
        assertThat(device.value()).startsWith("dmd_").hasSizeLessThan(200).doesNotContain("alice");
        assertThat(device.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(90)));
        assertThat(device.cookieTag()).isEqualTo(auth.deviceCookieTag(" ALICE@example.org ").orElseThrow())
                .isNotEqualTo(auth.deviceCookieTag("bob@example.org").orElseThrow());
        assertThat(device.toString()).doesNotContain(device.value());
        assertThat(auth.login(EMAIL, PASSWORD, IP).deviceToken().orElseThrow().value()).isNotEqualTo(device.value());
        assertThat(auth.refresh(login.tokens().refreshToken(), IP).deviceToken()).isEmpty();
        assertThat(auth.deviceCookieTag("not an email")).isEmpty();
    }

    @Test
    void an_attacker_without_a_device_token_exhausts_the_untrusted_budget_the_owners_device_still_logs_in() {
        auth = withDeviceLimits();
        registerAlice();
        String laptop = loginAlice().deviceToken().orElseThrow().value();

        failUntilLimited(null);

        // untrusted clients are locked out, the right password included
        assertThatThrownBy(() -> loginAlice()).isInstanceOf(RateLimitedException.class);
        AuthResult owner = auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(laptop));
        assertThat(owner.player().email()).isEqualTo(EMAIL);
        assertThat(auth.authenticate(owner.tokens().accessToken()).email()).isEqualTo(EMAIL);
        // the owner's success from the device does not refill the attacker's budget
        assertThatThrownBy(() -> loginAlice()).isInstanceOf(RateLimitedException.class);
        assertThat(events).filteredOn(e -> e.type() == Type.RATE_LIMITED).extracting(AuditEvent::detail)
                .contains("login:account");
    }

    @Test
    void a_device_that_fails_too_often_is_locked_on_its_own() {
        auth = withDeviceLimits();
        registerAlice();
        String laptop = loginAlice().deviceToken().orElseThrow().value();
        String phone = loginAlice().deviceToken().orElseThrow().value();

        failUntilLimited(laptop);

        assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(laptop)))
                .isInstanceOf(RateLimitedException.class);
        assertThat(auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(phone)).player().email())
                .isEqualTo(EMAIL);
        assertThat(loginAlice().player().email()).isEqualTo(EMAIL); // untrusted clients have their own budget
        assertThat(events).filteredOn(e -> e.type() == Type.RATE_LIMITED).extracting(AuditEvent::detail)
                .containsOnly("login:device");
    }

    @Test
    void a_foreign_tampered_or_expired_device_token_counts_as_none() {
        auth = withDeviceLimits();
        registerAlice();
        auth.register(new Registration("bob@example.org", "Bob-Keeps-Owls-Forever", "Bob"), IP);
        String bobs = auth.login("bob@example.org", "Bob-Keeps-Owls-Forever", IP).deviceToken().orElseThrow().value();
        String alices = loginAlice().deviceToken().orElseThrow().value();
        String tampered = alices.substring(0, 10) + (alices.charAt(10) == 'A' ? 'B' : 'A') + alices.substring(11);

        failUntilLimited(null);

        for (String token : List.of(bobs, tampered, "dmd_garbage.x", "")) {
            assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(token)))
                    .as(token).isInstanceOf(RateLimitedException.class);
        }
        clock.advance(Duration.ofDays(90)); // the untrusted budget has long recovered, Alice's token expired
        failUntilLimited(null);
        assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(alices)))
                .isInstanceOf(RateLimitedException.class);
    }

    @Test
    void a_device_token_is_trusted_only_in_its_own_spelling() {
        auth = withDeviceLimits();
        registerAlice();
        String alices = loginAlice().deviceToken().orElseThrow().value();
        String mac = alices.substring(alices.indexOf('.') + 1);
        assertThat(mac).hasSize(43); // 32 bytes: the last character carries 4 bits and 2 the decoder ignores
        char last = mac.charAt(42);
        String b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        // the same 4 data bits with other trailing bits: decodes to the same MAC, still a forgery
        List<String> respelled = IntStream.range(1, 4)
                .mapToObj(low -> alices.substring(0, alices.length() - 1) + b64.charAt((b64.indexOf(last) & ~3) | ((b64.indexOf(last) + low) & 3)))
                .toList();
        assertThat(respelled).hasSize(3).doesNotContain(alices)
                .allSatisfy(t -> assertThat(Base64.getUrlDecoder().decode(t.substring(t.indexOf('.') + 1)))
                        .isEqualTo(Base64.getUrlDecoder().decode(mac)));

        failUntilLimited(null);

        for (String token : respelled) {
            assertThatThrownBy(() -> auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(token)))
                    .as(token).isInstanceOf(RateLimitedException.class);
        }
        assertThat(auth.login(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken(alices)).player().email())
                .isEqualTo(EMAIL);
    }

    @Test
    void login_attempts_hide_their_secrets_when_printed() {
        assertThat(LoginAttempt.of(EMAIL, PASSWORD, IP).withDeviceToken("dmd_secret").toString())
                .doesNotContain(PASSWORD, "dmd_secret", EMAIL);
    }

    @Test
    void per_ip_login_limit_spans_accounts() {
        auth = service(AuthConfig.builder()
                .limits(limits(RateLimit.of(2, Duration.ofMinutes(1)), UNLIMITED, UNLIMITED, UNLIMITED)).build());

        assertThatThrownBy(() -> auth.login("a@example.org", PASSWORD, IP)).isInstanceOf(InvalidCredentialsException.class);
        assertThatThrownBy(() -> auth.login("b@example.org", PASSWORD, IP)).isInstanceOf(InvalidCredentialsException.class);
        RateLimitedException limited = catchType(RateLimitedException.class, () -> auth.login("c@example.org", PASSWORD, IP));
        assertThatThrownBy(() -> auth.login("c@example.org", PASSWORD, "192.0.2.1"))
                .isInstanceOf(InvalidCredentialsException.class); // another address is not affected

        clock.advance(limited.retryAfter());
        assertThatThrownBy(() -> auth.login("c@example.org", PASSWORD, IP)).isInstanceOf(InvalidCredentialsException.class);
    }

    @Test
    void register_and_refresh_are_limited_per_ip() {
        auth = service(AuthConfig.builder().limits(limits(UNLIMITED, UNLIMITED, RateLimit.of(1, Duration.ofMinutes(10)),
                RateLimit.of(1, Duration.ofMinutes(1)))).build());
        registerAlice();

        RateLimitedException register = catchType(RateLimitedException.class,
                () -> auth.register(new Registration("bob@example.org", PASSWORD, "Bob"), IP));
        assertThat(register.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10));

        AuthResult login = loginAlice();
        AuthResult refreshed = auth.refresh(login.tokens().refreshToken(), IP);
        assertThatThrownBy(() -> auth.refresh(refreshed.tokens().refreshToken(), IP)).isInstanceOf(RateLimitedException.class);
        clock.advance(Duration.ofMinutes(1));
        assertThat(auth.refresh(refreshed.tokens().refreshToken(), IP).sessionId()).isEqualTo(login.sessionId());
    }

    @Test
    void register_is_limited_per_email() {
        auth = service(AuthConfig.builder().limits(new AuthConfig.Limits(UNLIMITED, UNLIMITED, UNLIMITED,
                RateLimit.of(1, Duration.ofHours(1)), UNLIMITED, UNLIMITED)).build());
        registerAlice();

        assertThatThrownBy(() -> auth.register(new Registration(EMAIL, PASSWORD, "Alice"), "192.0.2.99"))
                .isInstanceOf(RateLimitedException.class);
    }

    private static <T extends Throwable> T catchType(Class<T> type, Runnable r) {
        Throwable t = catchThrowable(r);
        assertThat(t).isInstanceOf(type);
        return type.cast(t);
    }

    // ------------------------------------------------------------------ hash upgrades

    @Test
    void a_weak_stored_hash_is_upgraded_on_login() {
        Instant now = clock.instant();
        Player legacy = players.create(new Player(Ids.newId(), EMAIL, "Alice", PasswordHasherTest.WEAK_HASH, false,
                null, now, now));

        AuthResult login = auth.login(EMAIL, PasswordHasherTest.WEAK_HASH_PASSWORD, IP);

        String upgraded = players.get(legacy.id()).orElseThrow().passwordHash();
        assertThat(upgraded).isNotEqualTo(PasswordHasherTest.WEAK_HASH).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(HASHER.verify(PasswordHasherTest.WEAK_HASH_PASSWORD, upgraded)).isTrue();
        assertThat(login.player().passwordHash()).isEqualTo(upgraded);
        assertThat(eventTypes()).contains(Type.PASSWORD_REHASHED);
        assertThat(auth.login(EMAIL, PasswordHasherTest.WEAK_HASH_PASSWORD, IP).player().passwordHash()).isEqualTo(upgraded);
    }

    @Test
    void raising_the_configured_parameters_upgrades_current_hashes_on_next_login() {
        registerAlice();
        AuthService stronger = AuthService.builder().playerStore(players).refreshTokenStore(refreshTokens)
                .rateLimiter(new InMemoryRateLimiter(clock)).clock(clock).tokenKeys(KEYS).auditLog(events::add)
                .config(AuthConfig.builder().passwordHashing(new PasswordHasher.Params(19 * 1024, 3, 1)).build())
                .build();

        stronger.login(EMAIL, PASSWORD, IP);

        assertThat(players.findByEmail(EMAIL).orElseThrow().passwordHash()).startsWith("$argon2id$v=19$m=19456,t=3,p=1$");
        assertThat(loginAlice().player().email()).isEqualTo(EMAIL); // the old service still verifies it
    }

    // ------------------------------------------------------------------ audit

    @Test
    void audit_events_never_carry_a_password_email_or_token() {
        registerAlice();
        catchThrowable(() -> auth.login(EMAIL, "Wrong-But-Secret-Phrase-42", IP));
        catchThrowable(() -> auth.login("ghost@example.org", "Another-Secret-Phrase-43", IP));
        AuthResult login = loginAlice();
        AuthResult refreshed = auth.refresh(login.tokens().refreshToken(), IP);
        clock.advance(auth.config().refreshLeeway().plusSeconds(1));
        catchThrowable(() -> auth.refresh(login.tokens().refreshToken(), IP)); // reuse
        AuthResult second = loginAlice();
        auth.logout(second.tokens().refreshToken(), IP);
        auth.logoutEverywhere(login.player().id(), IP);

        assertThat(eventTypes()).contains(Type.REGISTERED, Type.LOGIN_FAILED, Type.LOGIN_SUCCEEDED,
                Type.REFRESH_REUSE_DETECTED, Type.LOGGED_OUT, Type.LOGGED_OUT_EVERYWHERE);
        List<String> secrets = List.of(PASSWORD, "Wrong-But-Secret-Phrase-42", "Another-Secret-Phrase-43", EMAIL,
                "ghost@example.org", "ghost", login.tokens().accessToken(), login.tokens().refreshToken(),
                refreshed.tokens().accessToken(), refreshed.tokens().refreshToken(), second.tokens().refreshToken(),
                RefreshSecrets.sha256(login.tokens().refreshToken()), login.tokens().accessToken().split("\\.")[2]);
        for (AuditEvent e : events) {
            String text = e.toString() + " " + e.detail();
            for (String secret : secrets) {
                assertThat(text).as("event %s", e.type()).doesNotContain(secret);
            }
            assertThat(e.clientIp()).isEqualTo(IP);
        }
        assertThat(events).filteredOn(e -> e.type() == Type.LOGIN_FAILED).extracting(AuditEvent::playerId)
                .containsExactly(login.player().id(), null);
    }

    @Test
    void results_and_requests_hide_their_secrets_when_printed() {
        registerAlice();
        AuthResult login = loginAlice();

        assertThat(login.toString()).doesNotContain(login.tokens().accessToken(), login.tokens().refreshToken(),
                login.player().passwordHash());
        assertThat(new Registration(EMAIL, PASSWORD, "Alice").toString()).doesNotContain(PASSWORD);
    }

    @Test
    void client_ips_are_sanitised_for_keys_and_logs() {
        assertThatThrownBy(() -> auth.login("x@example.org", PASSWORD, "1.2.3.4\nevent=LOGIN_SUCCEEDED"))
                .isInstanceOf(InvalidCredentialsException.class);
        catchThrowable(() -> auth.login("x@example.org", PASSWORD, null));

        assertThat(events).extracting(AuditEvent::clientIp).containsExactly("1.2.3.4_event_LOGIN_SUCCEEDED", "unknown");
    }

    @Test
    void the_builder_names_what_is_missing() {
        assertThatThrownBy(() -> AuthService.builder().build()).hasMessageContaining("playerStore");
        assertThatThrownBy(() -> AuthService.builder().playerStore(players).build())
                .hasMessageContaining("refreshTokenStore");
    }
}
