package dev.dmengine.edgetests;

import dev.dmengine.auth.TokenKeys;
import dev.dmengine.postgres.PostgresAdapters;

import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Two reference-server processes configured as two instances of one deployment (the settings
 * that must be the same everywhere: one PostgreSQL database, the access-token key pair, the
 * edge as the only trusted proxy, the edge's origin), and Caddy in front of both. A private
 * schema prefix per use, dropped at {@link #close()}. {@code extra} adds settings (Redis, once the
 * server reads {@code dm.redis.url}).
 */
final class TwoInstances implements AutoCloseable {

    static final String PG_URL = setting("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = setting("DM_TEST_PG_USER", "postgres");
    static final String PG_PASSWORD = setting("DM_TEST_PG_PASSWORD", "");
    static final String REDIS_URL = setting("DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    final String prefix = "edge" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
    final ScriptedModel model;
    final ServerProcess a;
    final ServerProcess b;
    final CaddyProcess caddy;

    TwoInstances(String reply, Map<String, String> extra) {
        model = new ScriptedModel(reply, java.time.Duration.ZERO);
        int httpsPort = FreePorts.any();
        KeyPair keys = TokenKeys.generateKeyPair();
        Map<String, String> shared = new LinkedHashMap<>(model.serverConfig());
        shared.put("dm.postgres.url", PG_URL);
        shared.put("dm.postgres.user", PG_USER);
        shared.put("dm.postgres.password", PG_PASSWORD);
        shared.put("dm.postgres.schema-prefix", prefix);
        shared.put("dm.postgres.max-pool-size", "4");
        shared.put("dm.auth.signing-key", TokenKeys.toPem(keys.getPrivate()));
        shared.put("dm.auth.public-key", TokenKeys.toPem(keys.getPublic()));
        shared.put("dm.server.trusted-proxies", "127.0.0.1/32");
        shared.put("dm.server.allowed-origins", "https://localhost:" + httpsPort);
        shared.put("dm.auth.insecure-localhost-cookies", "false");
        shared.put("dm.server.heartbeat", "2s");
        shared.putAll(extra);
        ServerProcess first = null;
        ServerProcess second = null;
        try {
            first = ServerProcess.builder().config(shared).start(); // runs the migrations
            second = ServerProcess.builder().config(shared).start();
            caddy = CaddyProcess.builder().httpsPort(httpsPort).upstreams(first.address(), second.address()).start();
        } catch (RuntimeException e) {
            closeQuietly(second);
            closeQuietly(first);
            model.close();
            dropSchemas();
            throw e;
        }
        a = first;
        b = second;
    }

    static String setting(String env, String fallback) {
        String v = System.getenv(env);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // already failing
            }
        }
    }

    /** Open event streams of one instance, from its own /metrics (asked directly, not through the edge). */
    static long openStreams(ServerProcess server) {
        String metrics = GameClient.direct(server).get("/metrics", null).text();
        return metrics.lines().filter(l -> l.startsWith("dm_sse_streams ")).mapToLong(l -> (long) Double.parseDouble(
                l.substring("dm_sse_streams ".length()).strip())).findFirst().orElse(0);
    }

    private void dropSchemas() {
        try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(PG_URL).user(PG_USER).password(PG_PASSWORD)
                .schemaPrefix(prefix).migrate(false).maxPoolSize(1).build()) {
            pg.dropSchemas();
        }
    }

    @Override
    public void close() {
        try {
            caddy.close();
        } finally {
            try {
                a.close();
                b.close();
            } finally {
                model.close();
                dropSchemas();
            }
        }
    }
}
