package dev.dmengine.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Where the integration tests find PostgreSQL (system property {@code dm.test.pg.url} or
 * environment {@code DM_TEST_PG_URL}, default {@code jdbc:postgresql://127.0.0.1:5432/test}),
 * and adapters on schemas of their own ({@code auth_<random>}, {@code game_<random>}) that
 * {@link Schemas#close()} drops.
 */
final class PgTest {

    static final String URL = setting("dm.test.pg.url", "DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = setting("dm.test.pg.user", "DM_TEST_PG_USER", "postgres");
    static final String PASSWORD = setting("dm.test.pg.password", "DM_TEST_PG_PASSWORD", "");

    private PgTest() {
    }

    static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    static String randomSuffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT);
    }

    static PostgresAdapters.Builder builder(String suffix) {
        return PostgresAdapters.builder().jdbcUrl(URL).user(USER).password(PASSWORD)
                .authSchema("auth_" + suffix).gameSchema("game_" + suffix).maxPoolSize(4);
    }

    /** Adapters on fresh random schemas, dropped again on close. */
    static final class Schemas implements AutoCloseable {
        final PostgresAdapters pg;

        Schemas() {
            this(builder(randomSuffix()));
        }

        /**
         * For a contract suite: a pool as large as the suites' eight racing threads, and no
         * background ANN indexer (its transactions would race the suite's TRUNCATE between
         * tests; queued vectors are searched exactly, and {@code PgVectorAnnIT} covers it).
         */
        static Schemas forContract() {
            return new Schemas(builder(randomSuffix()).maxPoolSize(8).annIndexer(false));
        }

        Schemas(PostgresAdapters.Builder builder) {
            this.pg = builder.build();
        }

        /**
         * Empties every table of both schemas (for a contract suite's "fresh store" between
         * tests), keeping the migration history and the registered embedding spaces, whose
         * vector tables are emptied instead.
         */
        void truncate() {
            try (Connection c = pg.dataSource().getConnection();
                 PreparedStatement tables = c.prepareStatement("SELECT quote_ident(schemaname) || '.' || "
                         + "quote_ident(tablename) FROM pg_tables WHERE schemaname IN (?, ?) "
                         + "AND tablename NOT IN ('flyway_schema_history', 'embedding_spaces')")) {
                tables.setString(1, pg.authSchema());
                tables.setString(2, pg.gameSchema());
                List<String> names = new ArrayList<>();
                try (ResultSet rs = tables.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                if (!names.isEmpty()) {
                    try (Statement truncate = c.createStatement()) {
                        truncate.execute("TRUNCATE " + String.join(", ", names));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not empty the test schemas", e);
            }
        }

        @Override
        public void close() {
            try {
                pg.dropSchemas();
            } finally {
                pg.close();
            }
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, USER, PASSWORD);
    }

    static float[] randomVector(Random random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }
}
