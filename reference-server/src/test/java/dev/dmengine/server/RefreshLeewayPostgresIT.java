package dev.dmengine.server;

import dev.dmengine.auth.AuthConfig;
import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.InvalidTokenException;
import dev.dmengine.auth.PasswordHasher;
import dev.dmengine.auth.Registration;
import dev.dmengine.auth.TokenKeys;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.testkit.Concurrently;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, finding 9 on PostgreSQL: the auth service on the Postgres player and refresh-token
 * stores (schemas of its own, dropped afterwards), 30 real threads refreshing with one token
 * at once — every one gets the same successor and the session lives; a reuse after the leeway
 * still ends it. (The in-memory store's twin is in {@code AuthServiceTest}.)
 */
class RefreshLeewayPostgresIT {

    private static final RateLimit UNLIMITED = RateLimit.of(10_000, Duration.ofSeconds(1));
    private static final String PASSWORD = "amber lantern over the moor";

    private static PostgresAdapters pg;
    private static String prefix;
    private static final MutableClock CLOCK = new MutableClock();
    private static AuthService auth;

    @BeforeAll
    static void start() {
        prefix = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
        pg = PostgresAdapters.builder().jdbcUrl(PostgresGameFlowIT.URL).user(PostgresGameFlowIT.USER)
                .password(PostgresGameFlowIT.PASSWORD).schemaPrefix(prefix).maxPoolSize(8).build();
        auth = AuthService.builder().playerStore(pg.players()).refreshTokenStore(pg.refreshTokens())
                .transactor(pg.transactor()).rateLimiter(new InMemoryRateLimiter(CLOCK)).clock(CLOCK)
                .tokenKeys(TokenKeys.generate()).passwordHasher(new PasswordHasher())
                .config(AuthConfig.builder().limits(new AuthConfig.Limits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED,
                        UNLIMITED, UNLIMITED)).build())
                .build();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            try {
                pg.dropSchemas();
            } finally {
                pg.close();
            }
        }
    }

    private static AuthResult newSession() {
        String email = "leeway-" + System.nanoTime() + "@example.org";
        auth.register(new Registration(email, PASSWORD, "Lee"), "203.0.113.9");
        return auth.login(email, PASSWORD, "203.0.113.9");
    }

    @Test
    void thirty_concurrent_refreshes_with_one_token_all_get_the_same_successor_and_the_session_lives() {
        AuthResult login = newSession();

        List<Object> outcomes = Concurrently.run(30, t -> {
            try {
                return auth.refresh(login.tokens().refreshToken(), "203.0.113.9");
            } catch (InvalidTokenException e) {
                return e.reason();
            }
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(AuthResult.class));
        Set<String> successors = outcomes.stream().map(o -> ((AuthResult) o).tokens().refreshToken())
                .collect(Collectors.toSet());
        assertThat(successors).hasSize(1);
        assertThat(pg.refreshTokens().getFamily(login.sessionId()).orElseThrow().revokedAt()).isNull();
        for (Object o : outcomes) {
            assertThat(auth.authenticate(((AuthResult) o).tokens().accessToken()).id()).isEqualTo(login.player().id());
        }
        assertThat(auth.refresh(successors.iterator().next(), "203.0.113.9").sessionId()).isEqualTo(login.sessionId());
    }

    @Test
    void a_reuse_after_the_leeway_still_revokes_the_family() {
        AuthResult login = newSession();
        auth.refresh(login.tokens().refreshToken(), "203.0.113.9");

        CLOCK.advance(auth.config().refreshLeeway());

        InvalidTokenException reuse = org.assertj.core.api.Assertions.catchThrowableOfType(InvalidTokenException.class,
                () -> auth.refresh(login.tokens().refreshToken(), "203.0.113.9"));
        assertThat(reuse.reason()).isEqualTo(InvalidTokenException.Reason.REUSED);
        assertThat(pg.refreshTokens().getFamily(login.sessionId()).orElseThrow().revokedAt()).isNotNull();
    }
}
