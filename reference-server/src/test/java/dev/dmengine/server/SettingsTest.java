package dev.dmengine.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    static ServerSettings settings(Map<String, String> m) {
        return ServerSettings.from(Config.just(ConfigSources.create(m)));
    }

    @Test
    void nothing_configured_is_the_embedded_profile_on_localhost_8080() {
        ServerSettings s = ServerSettings.defaults();
        assertThat(s.embedded()).isTrue();
        assertThat(s.host()).isEqualTo("localhost");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.maxPayloadBytes()).isEqualTo(64 * 1024);
        assertThat(s.serviceToken()).isEmpty();
        assertThat(s.insecureCookies()).isTrue();
        assertThat(s.model().provider()).isEqualTo("offline");
        assertThat(s.embedder().provider()).isEqualTo("minilm");
    }

    @Test
    void a_model_or_embedder_provider_configured_by_half_stops_start_up_naming_the_key() {
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "openai", "dm.model.name", "llama3")))
                .hasMessageContaining("dm.model.base-url");
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "openai", "dm.model.base-url", "http://x/v1")))
                .hasMessageContaining("dm.model.name");
        assertThatThrownBy(() -> settings(Map.of("dm.model.name", "llama3"))).hasMessageContaining("dm.model.provider");
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "skynet"))).hasMessageContaining("dm.model.provider");
        assertThatThrownBy(() -> settings(Map.of("dm.embedder.provider", "openai", "dm.embedder.base-url", "http://x/v1",
                "dm.embedder.name", "nomic-embed-text"))).hasMessageContaining("dm.embedder.dimension");
        assertThatThrownBy(() -> settings(Map.of("dm.embedder.provider", "replicate", "dm.embedder.dimension", "1024")))
                .hasMessageContaining("dm.embedder.name");
    }

    @Test
    void the_model_adapters_timeouts_are_its_defaults_unless_set_and_only_mean_something_for_a_remote_model() {
        ServerSettings.Model defaults = settings(Map.of("dm.model.provider", "openai", "dm.model.base-url",
                "http://x/v1", "dm.model.name", "llama3")).model();
        assertThat(defaults.firstTokenTimeout()).isEmpty();
        assertThat(defaults.totalTimeout()).isEmpty();
        assertThat(defaults.circuitBreakerCoolDown()).isEmpty();

        ServerSettings.Model set = settings(Map.of("dm.model.provider", "replicate", "dm.model.name", "meta/llama",
                "dm.model.first-token-timeout", "2s", "dm.model.total-timeout", "PT3M",
                "dm.model.circuit-breaker-cool-down", "500ms")).model();
        assertThat(set.firstTokenTimeout()).contains(Duration.ofSeconds(2));
        assertThat(set.totalTimeout()).contains(Duration.ofMinutes(3));
        assertThat(set.circuitBreakerCoolDown()).contains(Duration.ofMillis(500));

        assertThatThrownBy(() -> settings(Map.of("dm.model.total-timeout", "30s")))
                .hasMessageContaining("dm.model.provider is offline");
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "openai", "dm.model.base-url", "http://x/v1",
                "dm.model.name", "llama3", "dm.model.first-token-timeout", "0s")))
                .hasMessageContaining("dm.model.first-token-timeout must be longer than zero");
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "openai", "dm.model.base-url", "http://x/v1",
                "dm.model.name", "llama3", "dm.model.total-timeout", "soon")))
                .hasMessageContaining("dm.model.total-timeout must be a duration");

        ServerSettings.Model idle = settings(Map.of("dm.model.provider", "openai", "dm.model.base-url", "http://x/v1",
                "dm.model.name", "llama3", "dm.model.idle-timeout", "15s")).model();
        assertThat(idle.idleTimeout()).contains(Duration.ofSeconds(15));
        assertThat(defaults.idleTimeout()).isEmpty();
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "replicate", "dm.model.name", "meta/llama",
                "dm.model.idle-timeout", "15s")))
                .hasMessageContaining("dm.model.idle-timeout is a setting of the openai adapter");
        assertThatThrownBy(() -> settings(Map.of("dm.model.idle-timeout", "15s")))
                .hasMessageContaining("dm.model.provider is offline");
    }

    @Test
    void replicate_webhooks_need_both_keys_and_the_replicate_provider_and_the_secret_is_never_shown() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        Map<String, String> replicate = Map.of("dm.model.provider", "replicate", "dm.model.name", "meta/llama");
        assertThat(settings(replicate).model().webhook()).isEmpty();

        ServerSettings.Model set = settings(with(replicate, "dm.model.webhook-url",
                "https://game.example.org/webhooks/replicate", "dm.model.webhook-secret", secret)).model();
        assertThat(set.webhook()).isPresent();
        assertThat(set.webhook().get().url()).hasToString("https://game.example.org/webhooks/replicate");
        assertThat(set.webhook().get().toString()).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        assertThatThrownBy(() -> settings(with(replicate, "dm.model.webhook-url",
                "https://game.example.org/webhooks/replicate")))
                .hasMessageContaining("dm.model.webhook-secret").hasMessageContaining("DM_MODEL_WEBHOOK_dash_SECRET");
        assertThatThrownBy(() -> settings(with(replicate, "dm.model.webhook-secret", secret)))
                .hasMessageContaining("dm.model.webhook-url").hasMessageNotContaining("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThatThrownBy(() -> settings(Map.of("dm.model.provider", "openai", "dm.model.base-url", "http://x/v1",
                "dm.model.name", "llama3", "dm.model.webhook-url", "https://game.example.org/webhooks/replicate",
                "dm.model.webhook-secret", secret)))
                .hasMessageContaining("dm.model.provider is openai").hasMessageContaining("replicate");
        assertThatThrownBy(() -> settings(Map.of("dm.model.webhook-secret", secret)))
                .hasMessageContaining("dm.model.provider is offline");
        assertThatThrownBy(() -> settings(with(replicate, "dm.model.webhook-url", "game.example.org/hook",
                "dm.model.webhook-secret", secret))).hasMessageContaining("dm.model.webhook-url must be an absolute");
        assertThatThrownBy(() -> settings(with(replicate, "dm.model.webhook-url", "ftp://game.example.org/hook",
                "dm.model.webhook-secret", secret))).hasMessageContaining("dm.model.webhook-url");
        assertThatThrownBy(() -> settings(with(replicate, "dm.model.webhook-url",
                "https://game.example.org/webhooks/replicate", "dm.model.webhook-secret", "MfKQ9r8GKYqrTwjUPD8IL")))
                .hasMessageContaining("dm.model.webhook-secret").hasMessageContaining("whsec_")
                .hasMessageNotContaining("MfKQ9r8GKYqrTwjUPD8IL");
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void a_postgres_url_without_user_stops_start_up_naming_the_key() {
        assertThatThrownBy(() -> settings(Map.of("dm.postgres.url", "jdbc:postgresql://localhost:5432/dm")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dm.postgres.user");
        assertThatThrownBy(() -> settings(Map.of("dm.postgres.user", "dm")))
                .hasMessageContaining("dm.postgres.url");
        assertThatThrownBy(() -> settings(Map.of("dm.postgres.url", "postgres://x", "dm.postgres.user", "dm")))
                .hasMessageContaining("dm.postgres.url");
    }

    @Test
    void redis_configured_by_half_or_wrongly_stops_start_up_naming_the_key_and_its_password_is_never_shown() {
        assertThat(settings(Map.of()).redis()).isEmpty();
        assertThatThrownBy(() -> settings(Map.of("dm.redis.key-prefix", "game:")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dm.redis.url");
        assertThatThrownBy(() -> settings(Map.of("dm.redis.password", "hunter2-secret")))
                .hasMessageContaining("dm.redis.url").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> settings(Map.of("dm.redis.url", "http://user:hunter2@redis:6379")))
                .hasMessageContaining("dm.redis.url").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> settings(Map.of("dm.redis.url", "redis://redis:6379", "dm.redis.key-prefix",
                "has space"))).hasMessageContaining("dm.redis.key-prefix");

        ServerSettings s = settings(Map.of("dm.redis.url", "rediss://dm:hunter2@redis.internal:6380/2",
                "dm.redis.key-prefix", "game-1:"));
        ServerSettings.Redis r = s.redis().orElseThrow();
        assertThat(r.keyPrefix()).isEqualTo("game-1:");
        assertThat(r.poolSize()).isEqualTo(16);
        assertThat(r.toString()).contains("redis.internal:6380").doesNotContain("hunter2");
        assertThat(s.toString()).doesNotContain("hunter2");
        assertThat(s.jobLease()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.turnLockTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void an_unreachable_database_stops_start_up_naming_the_setting() {
        ServerSettings s = settings(Map.of("dm.postgres.url", "jdbc:postgresql://127.0.0.1:1/none",
                "dm.postgres.user", "nobody"));
        assertThatThrownBy(() -> new DmServer(s)).hasMessageContaining("dm.postgres.url")
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void a_signing_key_without_its_public_key_stops_start_up() {
        assertThatThrownBy(() -> settings(Map.of("dm.auth.signing-key", "abc")))
                .hasMessageContaining("dm.auth.public-key");
    }

    @Test
    void wrong_values_are_refused_with_their_key() {
        assertThatThrownBy(() -> settings(Map.of("dm.server.port", "eighty"))).hasMessageContaining("dm.server.port");
        assertThatThrownBy(() -> settings(Map.of("dm.server.heartbeat", "soon"))).hasMessageContaining("dm.server.heartbeat");
        assertThatThrownBy(() -> settings(Map.of("dm.server.trusted-proxies", "10.0.0.0/99")))
                .hasMessageContaining("dm.server.trusted-proxies");
        assertThatThrownBy(() -> settings(Map.of("dm.service.token", "short"))).hasMessageContaining("dm.service.token");
    }

    @Test
    void re_embedding_settings_have_defaults_and_bounds_named_by_their_key() {
        ServerSettings.EmbedderChoice e = settings(Map.of()).embedder();
        assertThat(e.refresh()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(e.reembed()).isEqualTo(new ServerSettings.Reembed(256, java.time.Duration.ZERO, true,
                java.time.Duration.ofMinutes(10)));
        ServerSettings.Reembed set = settings(Map.of("dm.reembed.batch-size", "64", "dm.reembed.pause", "50ms",
                "dm.reembed.resume-on-start", "false", "dm.reembed.settle", "30s")).embedder().reembed();
        assertThat(set).isEqualTo(new ServerSettings.Reembed(64, java.time.Duration.ofMillis(50), false,
                java.time.Duration.ofSeconds(30)));
        assertThatThrownBy(() -> settings(Map.of("dm.reembed.batch-size", "0"))).hasMessageContaining("dm.reembed.batch-size")
                .hasMessageContaining("10000");
        assertThatThrownBy(() -> settings(Map.of("dm.reembed.pause", "2m"))).hasMessageContaining("dm.reembed.pause");
        assertThatThrownBy(() -> settings(Map.of("dm.reembed.resume-on-start", "maybe")))
                .hasMessageContaining("dm.reembed.resume-on-start");
        assertThatThrownBy(() -> settings(Map.of("dm.embedder.refresh", "10ms"))).hasMessageContaining("dm.embedder.refresh");
        assertThatThrownBy(() -> settings(Map.of("dm.embedder.provider", "hashing", "dm.embedder.dimension", "8")))
                .hasMessageContaining("dm.embedder.dimension").hasMessageContaining("16 to 4096");
        assertThat(settings(Map.of("dm.embedder.provider", "hashing", "dm.embedder.dimension", "128")).embedder()
                .dimension()).isEqualTo(128);
    }

    @Test
    void lists_come_as_yaml_lists_or_comma_separated_values() {
        ServerSettings yaml = ServerSettings.from(Config.just("dm:\n  server:\n    trusted-proxies:\n      - 10.0.0.0/8\n"
                + "      - 192.168.0.0/16\n", io.helidon.common.media.type.MediaTypes.APPLICATION_YAML));
        assertThat(yaml.trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.0.0/16"));
        ServerSettings env = settings(Map.of("dm.server.trusted-proxies", "10.0.0.0/8, 192.168.0.0/16"));
        assertThat(env.trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.0.0/16"));
    }

    @Test
    void durations_take_short_and_iso_forms() {
        assertThat(settings(Map.of("dm.server.heartbeat", "250ms")).heartbeat()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings(Map.of("dm.server.heartbeat", "PT20S")).heartbeat()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings(Map.of("dm.server.heartbeat", "2m")).heartbeat()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void a_wired_signing_key_pair_is_used_for_tokens() {
        var pair = dev.dmengine.auth.TokenKeys.generateKeyPair();
        ServerSettings s = settings(Map.of("dm.server.port", "0",
                "dm.auth.signing-key", dev.dmengine.auth.TokenKeys.toPem(pair.getPrivate()),
                "dm.auth.public-key", dev.dmengine.auth.TokenKeys.toPem(pair.getPublic())));
        DmServer server = new DmServer(s);
        server.auth().register(new dev.dmengine.auth.Registration("kid@example.org",
                "a perfectly long passphrase", "Kid"), "10.0.0.1");
        String token = server.auth().login("kid@example.org", "a perfectly long passphrase", "10.0.0.1")
                .tokens().accessToken();
        String header = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        assertThat(header).contains(dev.dmengine.auth.TokenKeys.thumbprint(pair.getPublic()));
        assertThat(s.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void forwarded_addresses_count_only_from_trusted_proxies() throws Exception {
        ClientIps ips = new ClientIps(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")));
        var proxy = new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 4000);
        var stranger = new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 4000);
        assertThat(ips.resolve(stranger, List.of("1.2.3.4"), Optional.of("5.6.7.8"))).isEqualTo("203.0.113.9");
        assertThat(ips.resolve(proxy, List.of("1.2.3.4"), Optional.empty())).isEqualTo("1.2.3.4");
        assertThat(ips.resolve(proxy, List.of("9.9.9.9, 1.2.3.4, 10.0.0.7"), Optional.empty())).isEqualTo("1.2.3.4");
        assertThat(ips.resolve(proxy, List.of("1.2.3.4"), Optional.of("5.6.7.8"))).isEqualTo("5.6.7.8");
        assertThat(ips.resolve(proxy, List.of("evil.example"), Optional.of("not-an-ip"))).isEqualTo("10.0.0.5");
        assertThat(ips.resolve(new InetSocketAddress(InetAddress.getByName("::1"), 1), List.of("2001:db8::1"),
                Optional.empty())).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void cidrs_match_by_prefix() throws Exception {
        assertThat(Cidr.parse("192.168.0.0/16").contains(InetAddress.getByName("192.168.44.1"))).isTrue();
        assertThat(Cidr.parse("192.168.0.0/16").contains(InetAddress.getByName("192.169.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:1::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.org")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void auth_tuning_has_its_defaults_and_refuses_wrong_values_naming_the_key() {
        ServerSettings.AuthSettings a = ServerSettings.defaults().auth();
        assertThat(a.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.refreshLeeway()).isEqualTo(Duration.ofSeconds(15));
        assertThat(a.deviceTokenDays()).isEqualTo(90);
        assertThat(a.hashingThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(a.hashingQueue()).isEqualTo(8 * a.hashingThreads());

        ServerSettings.AuthSettings set = settings(Map.of("dm.auth.clock-skew", "1m", "dm.auth.refresh-leeway", "0s",
                "dm.auth.device-token-days", "30", "dm.auth.hashing.threads", "3", "dm.auth.hashing.queue", "0")).auth();
        assertThat(set).isEqualTo(new ServerSettings.AuthSettings(Duration.ofMinutes(1), Duration.ZERO, 30, 3, 0));
        assertThat(settings(Map.of("dm.auth.hashing.threads", "2")).auth().hashingQueue()).isEqualTo(16);

        assertThatThrownBy(() -> settings(Map.of("dm.auth.clock-skew", "10m"))).hasMessageContaining("dm.auth.clock-skew");
        assertThatThrownBy(() -> settings(Map.of("dm.auth.refresh-leeway", "2m")))
                .hasMessageContaining("dm.auth.refresh-leeway");
        assertThatThrownBy(() -> settings(Map.of("dm.auth.device-token-days", "0")))
                .hasMessageContaining("dm.auth.device-token-days");
        assertThatThrownBy(() -> settings(Map.of("dm.auth.hashing.threads", "0")))
                .hasMessageContaining("dm.auth.hashing.threads");
        assertThatThrownBy(() -> settings(Map.of("dm.auth.hashing.queue", "lots")))
                .hasMessageContaining("dm.auth.hashing.queue");
    }

    @Test
    void connection_stream_and_timeout_limits_default_to_documented_values() {
        ServerSettings.Limits l = ServerSettings.defaults().limits();
        assertThat(l.maxConnections()).isEmpty(); // auto: from the open-file limit
        assertThat(l.maxStreams()).isEmpty();     // auto: three quarters of the connections
        assertThat(l.idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(l.headerTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(l.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.maxStreamsPerPlayer()).isEqualTo(8);
        assertThat(l.maxStreamsPerSession()).isEqualTo(4);
        ServerSettings.Limits set = settings(Map.of("dm.server.max-connections", "500", "dm.server.max-streams", "auto",
                "dm.server.idle-timeout", "2m", "dm.server.max-streams-per-session", "8")).limits();
        assertThat(set.maxConnections()).hasValue(500);
        assertThat(set.maxStreams()).isEmpty();
        assertThat(set.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void a_wrong_limit_or_timeout_stops_start_up_naming_the_key() {
        assertThatThrownBy(() -> settings(Map.of("dm.server.max-connections", "many")))
                .hasMessageContaining("dm.server.max-connections").hasMessageContaining("auto");
        assertThatThrownBy(() -> settings(Map.of("dm.server.max-connections", "3")))
                .hasMessageContaining("dm.server.max-connections must be 16 to");
        assertThatThrownBy(() -> settings(Map.of("dm.server.idle-timeout", "0s")))
                .hasMessageContaining("dm.server.idle-timeout must be at least 100ms");
        assertThatThrownBy(() -> settings(Map.of("dm.server.header-timeout", "soon")))
                .hasMessageContaining("dm.server.header-timeout");
        assertThatThrownBy(() -> settings(Map.of("dm.server.body-timeout", "-5s")))
                .hasMessageContaining("dm.server.body-timeout");
        assertThatThrownBy(() -> settings(Map.of("dm.server.max-streams-per-player", "0")))
                .hasMessageContaining("dm.server.max-streams-per-player");
        assertThatThrownBy(() -> settings(Map.of("dm.server.max-streams-per-session", "9")))
                .hasMessageContaining("dm.server.max-streams-per-session (9) must not exceed dm.server.max-streams-per-player (8)");
        assertThatThrownBy(() -> settings(Map.of("dm.server.max-connections", "100", "dm.server.max-streams", "100")))
                .hasMessageContaining("dm.server.max-streams (100) must be below dm.server.max-connections (100)");
    }

    @Test
    void the_connection_limit_is_chosen_from_the_open_file_limit_with_headroom() {
        ServerSettings.Limits auto = ServerSettings.defaults().limits();
        // 256 descriptors, 90 open, a pool of 10: 256 - 90 - 64 - 10 = 92, less the 503 overflow of 16
        ConnectionGuard.Plan small = ConnectionGuard.plan(auto, 10, Optional.of(new OpenFiles(256, 90)));
        assertThat(small.maxConnections()).isEqualTo(76);
        assertThat(small.acceptLimit()).isEqualTo(92);
        assertThat(small.maxStreams()).isEqualTo(57);
        assertThat(small.warnings()).isEmpty();
        ConnectionGuard.Plan large = ConnectionGuard.plan(auto, 0, Optional.of(new OpenFiles(1_048_576, 100)));
        assertThat(large.maxConnections()).isEqualTo(ConnectionGuard.AUTO_MAX_CONNECTIONS);
        assertThat(ConnectionGuard.plan(auto, 0, Optional.empty()).maxConnections())
                .isEqualTo(ConnectionGuard.AUTO_MAX_CONNECTIONS);
        ConnectionGuard.Plan tooMany = ConnectionGuard.plan(settings(Map.of("dm.server.max-connections", "5000")).limits(),
                0, Optional.of(new OpenFiles(256, 90)));
        assertThat(tooMany.maxConnections()).isEqualTo(5000);
        assertThat(tooMany.warnings()).singleElement().asString().contains("dm.server.max-connections")
                .contains("ulimit -n");
        ConnectionGuard.Plan starved = ConnectionGuard.plan(auto, 0, Optional.of(new OpenFiles(128, 90)));
        assertThat(starved.maxConnections()).isEqualTo(16);
        assertThat(starved.warnings()).singleElement().asString().contains("open-file limit 128")
                .contains("leaves too few descriptors");
    }
}
