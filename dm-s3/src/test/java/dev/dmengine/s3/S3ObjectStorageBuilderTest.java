package dev.dmengine.s3;

import io.minio.MinioClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings are checked when built, and each error starts with the name of the wrong setting. */
@SuppressWarnings("try") // MinioClient.close() declares Exception; try-with-resources is still the way to close it
class S3ObjectStorageBuilderTest {

    private static final String SECRET = "the-secret-that-must-never-be-printed";

    private static S3ObjectStorage.Builder valid() {
        return S3ObjectStorage.builder().endpoint("http://127.0.0.1:3900").credentials("access", SECRET)
                .bucket("player-assets");
    }

    private static void assertWrong(UnaryOperator<S3ObjectStorage.Builder> change, String setting) {
        assertThatThrownBy(() -> change.apply(valid()).build()).as(setting)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setting + ": ")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void a_valid_configuration_builds_and_names_its_bucket() {
        try (S3ObjectStorage storage = valid().publicEndpoint("https://files.example.org/").region("garage")
                .corsAllowedOrigins(List.of("https://game.example.org", "http://localhost:8080")).build()) {
            assertThat(storage.bucket()).isEqualTo("player-assets");
            assertThat(storage.capabilities().enforcesChecksum()).isTrue();
            assertThat(storage.presignGet("a.txt").url().toString()).startsWith("https://files.example.org/player-assets/a.txt?");
        }
    }

    @Test
    void the_endpoints_must_be_http_urls_without_a_path() {
        assertWrong(b -> b.endpoint(null), "endpoint");
        assertWrong(b -> b.endpoint(" "), "endpoint");
        assertWrong(b -> b.endpoint("127.0.0.1:3900"), "endpoint");
        assertWrong(b -> b.endpoint("ftp://127.0.0.1:3900"), "endpoint");
        assertWrong(b -> b.endpoint("http://127.0.0.1:3900/s3"), "endpoint");
        assertWrong(b -> b.endpoint("http://127.0.0.1:3900?x=1"), "endpoint");
        assertWrong(b -> b.endpoint("http://user:pw@127.0.0.1:3900"), "endpoint");
        assertWrong(b -> b.publicEndpoint("https://example.org/files"), "publicEndpoint");
        assertWrong(b -> b.publicEndpoint("not a url"), "publicEndpoint");
    }

    @Test
    void credentials_are_required_and_never_echoed() {
        assertWrong(b -> b.credentials(null, SECRET), "accessKey");
        assertWrong(b -> b.credentials("access", ""), "secretKey");
    }

    @Test
    void the_bucket_must_be_a_valid_s3_bucket_name() {
        for (String bad : new String[] {null, "ab", "Player-Assets", "-assets", "assets-", "as..sets", "192.168.1.10",
                "under_score", "a".repeat(64)}) {
            assertWrong(b -> b.bucket(bad), "bucket");
        }
    }

    @Test
    void region_ttls_timeouts_and_origins_are_checked() {
        assertWrong(b -> b.region(""), "region");
        assertWrong(b -> b.region("eu west"), "region");
        assertWrong(b -> b.putTtl(Duration.ofDays(8)), "putTtl");
        assertWrong(b -> b.putTtl(Duration.ZERO), "putTtl");
        assertWrong(b -> b.getTtl(null), "getTtl");
        assertWrong(b -> b.connectTimeout(Duration.ofSeconds(-1)), "connectTimeout");
        assertWrong(b -> b.readTimeout(Duration.ZERO), "readTimeout");
        assertWrong(b -> b.corsAllowedOrigins(List.of("https://game.example.org/play")), "corsAllowedOrigins");
        assertWrong(b -> b.corsAllowedOrigins(List.of("game.example.org")), "corsAllowedOrigins");
        assertWrong(b -> b.corsAllowedOrigins(null), "corsAllowedOrigins");
    }

    @Test
    void a_host_client_excludes_an_endpoint_and_signing_for_another_host_needs_credentials() throws Exception {
        try (MinioClient host = MinioClient.builder().endpoint("http://127.0.0.1:3900").region("garage")
                .credentials("access", SECRET).build()) {
            assertThatThrownBy(() -> S3ObjectStorage.builder().client(host).endpoint("http://127.0.0.1:3900")
                    .bucket("player-assets").build()).hasMessageStartingWith("endpoint: ");
            assertThatThrownBy(() -> S3ObjectStorage.builder().client(host).publicEndpoint("https://files.example.org")
                    .bucket("player-assets").build()).hasMessageStartingWith("publicEndpoint: ");
            assertThatThrownBy(() -> valid().presigner(host).build()).hasMessageStartingWith("presigner: ");
            try (S3ObjectStorage storage = S3ObjectStorage.builder().client(host).presigner(host)
                    .bucket("player-assets").build()) {
                assertThat(storage.presignGet("a.txt").url().getPort()).isEqualTo(3900);
            }
        }
    }

    @Test
    void only_a_whole_object_sha256_is_taken_from_the_store() {
        String sha = "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=";
        assertThat(S3ObjectStorage.wholeObjectSha256(sha, null))
                .isEqualTo("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
        assertThat(S3ObjectStorage.wholeObjectSha256(sha, "FULL_OBJECT")).isNotNull();
        assertThat(S3ObjectStorage.wholeObjectSha256(sha, "COMPOSITE")).isNull();
        assertThat(S3ObjectStorage.wholeObjectSha256("not base64!", null)).isNull();
        assertThat(S3ObjectStorage.wholeObjectSha256("AAAA", null)).isNull();
        assertThat(S3ObjectStorage.wholeObjectSha256(null, null)).isNull();
    }
}
