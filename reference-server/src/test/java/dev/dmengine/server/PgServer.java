package dev.dmengine.server;

import dev.dmengine.postgres.PostgresAdapters;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A real server on the PostgreSQL profile, on schemas of its own ({@code it<random>_auth},
 * {@code it<random>_game}) that {@link #close()} drops. Connection settings as in
 * {@link PostgresGameFlowIT}.
 */
final class PgServer implements AutoCloseable {

    final String prefix = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)
            .toLowerCase(Locale.ROOT) + "_";
    final TestServer server;

    PgServer(Map<String, String> overrides) {
        Map<String, String> cfg = new HashMap<>(Map.of("dm.postgres.url", PostgresGameFlowIT.URL,
                "dm.postgres.user", PostgresGameFlowIT.USER, "dm.postgres.password", PostgresGameFlowIT.PASSWORD,
                "dm.postgres.schema-prefix", prefix, "dm.postgres.max-pool-size", "4"));
        cfg.putAll(overrides);
        server = new TestServer(cfg);
    }

    /** The game schema's name, for queries. */
    String game() {
        return prefix + "game";
    }

    /** The single number a query answers. */
    long count(String sql) {
        try (Connection c = DriverManager.getConnection(PostgresGameFlowIT.URL, PostgresGameFlowIT.USER,
                PostgresGameFlowIT.PASSWORD);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(PostgresGameFlowIT.URL)
                    .user(PostgresGameFlowIT.USER).password(PostgresGameFlowIT.PASSWORD).schemaPrefix(prefix)
                    .migrate(false).maxPoolSize(1).build()) {
                pg.dropSchemas();
            }
        }
    }
}
