package dev.dmengine.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code dm.s3.*} and {@code dm.assets.*}: defaults, and every half or wrong setting named at start-up. */
class AssetSettingsTest {

    static AssetSettings settings(Map<String, String> m) {
        return ServerSettings.from(Config.just(ConfigSources.create(m))).assets();
    }

    static Map<String, String> s3(String... more) {
        Map<String, String> m = new HashMap<>(Map.of("dm.s3.endpoint", "http://127.0.0.1:3900",
                "dm.s3.access-key", "GK0123", "dm.s3.secret-key", "a-secret-that-must-not-leak"));
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void nothing_configured_keeps_files_in_local_folders_with_the_default_times() {
        AssetSettings a = ServerSettings.defaults().assets();

        assertThat(a.s3()).isEmpty();
        assertThat(a.folder()).isEmpty();
        assertThat(a.uploadTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(a.downloadTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(a.abandonAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(a.cleanupInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings(Map.of("dm.assets.folder", "/var/lib/dm/files")).folder()).contains(Path.of("/var/lib/dm/files"));
    }

    @Test
    void an_s3_store_is_read_with_garage_friendly_defaults() {
        AssetSettings.S3 s = settings(s3()).s3().orElseThrow();

        assertThat(s.endpoint()).isEqualTo("http://127.0.0.1:3900");
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.browserEndpoint()).isEqualTo("http://127.0.0.1:3900");
        assertThat(s.bucketPrefix()).isEmpty();
        assertThat(s.verifiesChecksums()).isTrue();
        assertThat(s.manageCors()).isTrue();

        AssetSettings.S3 garage = settings(s3("dm.s3.region", "garage", "dm.s3.public-endpoint",
                "https://files.example.org", "dm.s3.bucket-prefix", "dm-", "dm.s3.path-style", "true",
                "dm.s3.store-verifies-checksums", "false", "dm.s3.manage-cors", "false")).s3().orElseThrow();
        assertThat(garage.region()).isEqualTo("garage");
        assertThat(garage.browserEndpoint()).isEqualTo("https://files.example.org");
        assertThat(garage.bucketPrefix()).isEqualTo("dm-");
        assertThat(garage.verifiesChecksums()).isFalse();
        assertThat(garage.manageCors()).isFalse();
    }

    @Test
    void half_configured_s3_stops_start_up_naming_the_missing_key() {
        for (String key : new String[] {"dm.s3.access-key", "dm.s3.secret-key", "dm.s3.region", "dm.s3.public-endpoint",
                "dm.s3.path-style", "dm.s3.bucket-prefix", "dm.s3.manage-cors", "dm.s3.store-verifies-checksums"}) {
            assertThatThrownBy(() -> settings(Map.of(key, "true"))).as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key + " is set but dm.s3.endpoint is missing (env DM_S3_ENDPOINT)");
        }
        Map<String, String> noAccess = s3();
        noAccess.remove("dm.s3.access-key");
        assertThatThrownBy(() -> settings(noAccess)).hasMessageContaining("dm.s3.access-key is missing")
                .hasMessageContaining("DM_S3_ACCESS_dash_KEY");
        Map<String, String> noSecret = s3();
        noSecret.remove("dm.s3.secret-key");
        assertThatThrownBy(() -> settings(noSecret)).hasMessageContaining("dm.s3.secret-key is missing")
                .hasMessageContaining("DM_S3_SECRET_dash_KEY");
    }

    @Test
    void wrong_values_are_named() {
        assertThatThrownBy(() -> settings(s3("dm.s3.path-style", "maybe"))).hasMessageContaining("dm.s3.path-style");
        assertThatThrownBy(() -> settings(s3("dm.s3.bucket-prefix", "Upper_Case/")))
                .hasMessageContaining("dm.s3.bucket-prefix");
        assertThatThrownBy(() -> settings(Map.of("dm.assets.upload-ttl", "8d")))
                .hasMessageContaining("dm.assets.upload-ttl");
        assertThatThrownBy(() -> settings(Map.of("dm.assets.upload-ttl", "P8D")))
                .hasMessageContaining("dm.assets.upload-ttl must be 1s to 7 days");
        assertThatThrownBy(() -> settings(Map.of("dm.assets.upload-ttl", "30m", "dm.assets.abandon-after", "20m")))
                .hasMessageContaining("dm.assets.abandon-after").hasMessageContaining("dm.assets.upload-ttl");
        assertThatThrownBy(() -> settings(Map.of("dm.assets.cleanup-interval", "10ms")))
                .hasMessageContaining("dm.assets.cleanup-interval");
    }

    @Test
    void the_secret_key_is_never_printed() {
        ServerSettings all = ServerSettings.from(Config.just(ConfigSources.create(s3())));

        assertThat(all.assets().toString()).doesNotContain("a-secret-that-must-not-leak").contains("127.0.0.1:3900");
        assertThat(all.assets().s3().orElseThrow().toString()).doesNotContain("a-secret-that-must-not-leak");
        assertThat(all.toString()).doesNotContain("a-secret-that-must-not-leak");
    }

    @Test
    void a_server_whose_s3_endpoint_is_wrong_or_unreachable_does_not_start_and_says_which_key() throws Exception {
        assertThatThrownBy(() -> new TestServer(s3("dm.s3.endpoint", "ftp://files.example.org")))
                .hasMessageStartingWith("dm.s3.endpoint").hasMessageNotContaining("a-secret-that-must-not-leak");
        assertThatThrownBy(() -> new TestServer(s3("dm.s3.public-endpoint", "https://files.example.org/s3")))
                .hasMessageStartingWith("dm.s3.public-endpoint");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThatThrownBy(() -> new TestServer(s3("dm.s3.endpoint", "http://127.0.0.1:" + closed)))
                .hasMessageStartingWith("dm.s3.endpoint: cannot reach the object store at http://127.0.0.1:" + closed)
                .hasMessageNotContaining("a-secret-that-must-not-leak");
    }
}
