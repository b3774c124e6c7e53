package dev.dmengine.server;

import dev.dmengine.postgres.PostgresAdapters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole game flow of {@link GameFlowTest} on the Postgres profile: the server is
 * configured with {@code dm.postgres.*} only, on schemas of its own ({@code it<random>_auth},
 * {@code it<random>_game}) that are dropped afterwards. PostgreSQL from {@code DM_TEST_PG_URL}
 * (default {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code DM_TEST_PG_USER}
 * ({@code postgres}), {@code DM_TEST_PG_PASSWORD} (empty).
 */
class PostgresGameFlowIT extends GameFlowTest {

    static final String URL = setting("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = setting("DM_TEST_PG_USER", "postgres");
    static final String PASSWORD = setting("DM_TEST_PG_PASSWORD", "");
    static String prefix;

    static String setting(String env, String fallback) {
        String v = System.getenv(env);
        return v == null || v.isBlank() ? fallback : v;
    }

    @BeforeAll
    static void start() {
        prefix = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
        server = new TestServer(Map.of("dm.postgres.url", URL, "dm.postgres.user", USER, "dm.postgres.password", PASSWORD,
                "dm.postgres.schema-prefix", prefix, "dm.postgres.max-pool-size", "4",
                "dm.embedder.provider", "minilm"));
    }

    @AfterAll
    static void stop() {
        try {
            server.close();
        } finally {
            try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(URL).user(USER).password(PASSWORD)
                    .schemaPrefix(prefix).migrate(false).maxPoolSize(1).build()) {
                pg.dropSchemas();
            }
        }
    }

    @Test
    void runs_on_the_postgres_profile_and_reports_it_ready() {
        TestServer.Response ready = server.get("/health/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("profile").asText()).isEqualTo("postgres");
        assertThat(ready.json().get("checks").findValuesAsText("name")).contains("postgres");
    }
}
