package dev.dmengine.s3;

import com.sun.net.httpserver.HttpServer;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import dev.dmengine.spi.objects.Verification;
import dev.dmengine.testkit.Await;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to S3, against a real S3 server (S3Proxy on the filesystem). */
@SuppressWarnings("try") // MinioClient.close() declares Exception; try-with-resources is still the way to close it
class S3ObjectStorageIT {

    @TempDir
    static Path dir;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static S3ProxyServer s3;
    private static String bucket;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir);
        bucket = newBucketName();
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            storage.ensureBucket();
        }
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    private static String newBucketName() {
        return "it-" + Ids.newId().toString().substring(0, 13);
    }

    private static String key(String name) {
        return "it/" + Ids.newId() + "/" + name;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static PutRequest declare(String key, String contentType, byte[] body) {
        return PutRequest.builder().key(key).contentType(contentType).contentLength(body.length)
                .sha256(HexFormat.of().formatHex(sha256(body))).build();
    }

    private record Reply(int status, String body) {
        String code() {
            int start = body.indexOf("<Code>");
            return start < 0 ? "" : body.substring(start + 6, body.indexOf("</Code>"));
        }
    }

    private static Reply send(String method, URI url, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new AssertionError("cannot reach " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Reply put(PresignedRequest put, Map<String, String> changed, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(put.headers());
        changed.forEach((name, value) -> {
            headers.remove(name);
            if (value != null) {
                headers.put(name, value);
            }
        });
        return send("PUT", put.url(), headers, body);
    }

    private static String query(URI url, String name) {
        for (String pair : url.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " is not in " + url);
    }

    // ------------------------------------------------------------------ what the signature binds

    @Test
    void an_upload_url_signs_host_content_type_length_and_checksum_and_names_the_headers_to_send() {
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            byte[] body = bytes("portrait bytes");

            PresignedRequest put = storage.presignPut(declare(key("p.png"), "image/png", body));

            assertThat(query(put.url(), "X-Amz-SignedHeaders")).isEqualTo("content-length;content-type;host;x-amz-checksum-sha256");
            assertThat(query(put.url(), "X-Amz-Algorithm")).isEqualTo("AWS4-HMAC-SHA256");
            assertThat(put.headers()).containsOnly(Map.entry("Content-Type", "image/png"),
                    Map.entry("x-amz-checksum-sha256", Base64.getEncoder().encodeToString(sha256(body))));
        }
    }

    @Test
    void s3proxy_refuses_every_tampered_upload_and_stores_nothing() {
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            String key = key("tampered.txt");
            byte[] body = bytes("the declared body");
            byte[] other = bytes("an uploaded body!");
            assertThat(other).hasSameSizeAs(body);
            PresignedRequest put = storage.presignPut(declare(key, "text/plain", body));

            assertThat(put(put, Map.of("Content-Type", "text/html"), body).code()).isEqualTo("SignatureDoesNotMatch");
            assertThat(put(put, Map.of(), bytes("the declared body, and more")).code()).isEqualTo("SignatureDoesNotMatch");
            assertThat(put(put, Map.of(), bytes("the declared")).code()).isEqualTo("SignatureDoesNotMatch");
            assertThat(put(put, Map.of(), other).code()).as("other bytes of the same length").isEqualTo("BadDigest");
            Map<String, String> dropChecksum = new LinkedHashMap<>();
            dropChecksum.put(S3ObjectStorage.CHECKSUM_HEADER, null);
            assertThat(put(put, dropChecksum, other).code()).as("without the checksum header")
                    .isEqualTo("SignatureDoesNotMatch");
            assertThat(put(put, Map.of(S3ObjectStorage.CHECKSUM_HEADER,
                    Base64.getEncoder().encodeToString(sha256(other))), other).code())
                    .as("with the checksum of the other bytes").isEqualTo("SignatureDoesNotMatch");
            URI otherKey = URI.create(put.url().toString().replace("tampered.txt", "elsewhere.txt"));
            assertThat(send("PUT", otherKey, put.headers(), body).code()).as("another key").isEqualTo("SignatureDoesNotMatch");
            assertThat(storage.stat(key)).isEmpty();

            assertThat(put(put, Map.of(), body).status()).isEqualTo(200);
            assertThat(storage.stat(key)).map(ObjectInfo::size).contains((long) body.length);
            assertThat(send("GET", put.url(), Map.of(), null).code()).as("GET with the upload URL")
                    .isEqualTo("SignatureDoesNotMatch");
        }
    }

    @Test
    void an_expired_url_is_access_denied() {
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            String key = key("expired.txt");
            byte[] body = bytes("late");
            PresignedRequest put = storage.presignPut(declare(key, "text/plain", body).withTtl(Duration.ofSeconds(1)));

            Await.pass(Duration.between(Instant.now(), put.expiresAt()).plusMillis(1500));

            Reply reply = put(put, Map.of(), body);
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.code()).isEqualTo("AccessDenied");
            assertThat(storage.stat(key)).isEmpty();
        }
    }

    @Test
    void a_url_signed_for_the_public_endpoint_works_there_and_nowhere_else() {
        try (S3ObjectStorage storage = s3.storage(bucket).publicEndpoint(s3.publicEndpoint()).build()) {
            String key = key("public.txt");
            byte[] body = bytes("through the gateway");
            PresignedRequest put = storage.presignPut(declare(key, "text/plain", body));
            assertThat(put.url().toString()).startsWith(s3.publicEndpoint() + "/" + bucket + "/" + key + "?");
            URI internal = URI.create(put.url().toString().replace(s3.publicEndpoint(), s3.endpoint()));

            Reply wrongHost = send("PUT", internal, put.headers(), body);
            Reply publicHost = send("PUT", put.url(), put.headers(), body);

            assertThat(wrongHost.code()).isEqualTo("SignatureDoesNotMatch");
            assertThat(publicHost.status()).isEqualTo(200);
            PresignedRequest get = storage.presignGet(key);
            assertThat(get.url().getHost()).isEqualTo("localhost");
            assertThat(send("GET", get.url(), Map.of(), null).body()).isEqualTo("through the gateway");
        }
    }

    @Test
    void without_a_public_endpoint_urls_are_signed_for_the_endpoint() {
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            assertThat(storage.presignGet(key("x.txt")).url().toString()).startsWith(s3.endpoint() + "/" + bucket + "/");
        }
    }

    @Test
    void path_style_and_region_are_applied_to_the_urls() {
        try (S3ObjectStorage garage = s3.storage(bucket).region("garage").build();
             S3ObjectStorage paris = s3.storage(bucket).region("eu-west-3").build();
             S3ObjectStorage virtual = s3.storage(bucket).endpoint("http://localhost:" + s3.port()).pathStyle(false)
                     .build()) {
            String key = key("styled.txt");

            URI pathStyle = garage.presignGet(key).url();
            assertThat(pathStyle.getHost()).isEqualTo("127.0.0.1");
            assertThat(pathStyle.getPath()).isEqualTo("/" + bucket + "/" + key);
            assertThat(query(pathStyle, "X-Amz-Credential")).endsWith("/garage/s3/aws4_request");
            assertThat(query(paris.presignGet(key).url(), "X-Amz-Credential")).endsWith("/eu-west-3/s3/aws4_request");
            URI virtualStyle = virtual.presignGet(key).url();
            assertThat(virtualStyle.getHost()).isEqualTo(bucket + ".localhost");
            assertThat(virtualStyle.getPath()).isEqualTo("/" + key);
        }
    }

    // ------------------------------------------------------------------ expiry

    @Test
    void urls_live_ten_minutes_for_uploads_and_five_for_downloads_unless_configured() {
        String key = key("ttl.txt");
        PutRequest declared = declare(key, "text/plain", bytes("x"));
        try (S3ObjectStorage defaults = s3.storage(bucket).build();
             S3ObjectStorage configured = s3.storage(bucket).putTtl(Duration.ofMinutes(2)).getTtl(Duration.ofSeconds(90))
                     .build()) {
            assertThat(query(defaults.presignPut(declared).url(), "X-Amz-Expires")).isEqualTo("600");
            assertThat(query(defaults.presignGet(key).url(), "X-Amz-Expires")).isEqualTo("300");
            assertThat(query(configured.presignPut(declared).url(), "X-Amz-Expires")).isEqualTo("120");
            assertThat(query(configured.presignGet(key).url(), "X-Amz-Expires")).isEqualTo("90");
            assertThat(query(configured.presignPut(declared.withTtl(Duration.ofMillis(30_500))).url(), "X-Amz-Expires"))
                    .as("rounded up, never shorter than asked").isEqualTo("31");
            assertThat(query(configured.presignGet(key, Duration.ofDays(7)).url(), "X-Amz-Expires")).isEqualTo("604800");
        }
    }

    @Test
    void expires_at_is_the_stores_reading_of_the_url() {
        try (S3ObjectStorage storage = s3.storage(bucket).build()) {
            PresignedRequest get = storage.presignGet(key("when.txt"), Duration.ofSeconds(45));

            Instant signedAt = LocalDateTime.parse(query(get.url(), "X-Amz-Date"),
                    DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")).toInstant(ZoneOffset.UTC);
            assertThat(get.expiresAt()).isEqualTo(signedAt.plusSeconds(45));
        }
    }

    // ------------------------------------------------------------------ bucket and errors

    @Test
    void ensure_bucket_creates_the_bucket_once() {
        try (S3ObjectStorage storage = s3.storage(newBucketName()).build()) {
            assertThat(storage.ensureBucket()).isEqualTo(new S3ObjectStorage.BucketSetup(true, S3ObjectStorage.Cors.NOT_REQUESTED));
            String key = key("first.txt");
            byte[] body = bytes("kept");
            assertThat(put(storage.presignPut(declare(key, "text/plain", body)), Map.of(), body).status()).isEqualTo(200);

            assertThat(storage.ensureBucket().created()).isFalse();
            assertThat(storage.ensureBucket().created()).isFalse();
            assertThat(storage.stat(key)).map(ObjectInfo::size).contains(4L);
        }
    }

    @Test
    void a_bucket_nobody_created_is_named_in_the_error() {
        String missing = newBucketName();
        try (S3ObjectStorage storage = s3.storage(missing).build()) {
            assertThatThrownBy(() -> storage.read(key("a.txt"), 10)).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("bucket '" + missing + "' does not exist").hasMessageContaining("ensureBucket");
        }
    }

    @Test
    void wrong_credentials_are_a_clear_error_that_never_shows_the_secret() {
        String secret = "a-wrong-secret-" + Ids.newId();
        List<S3ObjectStorage> storages = List.of(
                S3ObjectStorage.builder().endpoint(s3.endpoint()).credentials(S3ProxyServer.ACCESS_KEY, secret)
                        .bucket(bucket).build(),
                S3ObjectStorage.builder().endpoint(s3.endpoint()).credentials("nobody-" + Ids.newId(), secret)
                        .bucket(bucket).build());
        try {
            for (S3ObjectStorage storage : storages) {
                assertThatThrownBy(storage::ensureBucket).isInstanceOf(UnavailableException.class)
                        .hasMessageContaining("refused this server's credentials")
                        .hasMessageContaining("check the access key and secret key")
                        .hasMessageNotContaining(secret);
                assertThatThrownBy(() -> storage.stat(key("a.txt"))).isInstanceOf(UnavailableException.class)
                        .hasMessageContaining("refused this server's credentials").hasMessageNotContaining(secret);
                PresignedRequest get = storage.presignGet(key("a.txt"));
                assertThat(send("GET", get.url(), Map.of(), null).status()).isEqualTo(403);
            }
        } finally {
            storages.forEach(S3ObjectStorage::close);
        }
    }

    @Test
    void a_store_nobody_listens_on_is_unavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (S3ObjectStorage storage = S3ObjectStorage.builder().endpoint("http://127.0.0.1:" + closedPort)
                .credentials("a", "b").bucket(bucket).build()) {
            assertThatThrownBy(() -> storage.stat(key("a.txt"))).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("cannot reach the object store at http://127.0.0.1:" + closedPort);
            assertThatThrownBy(storage::ensureBucket).isInstanceOf(UnavailableException.class);
        }
    }

    // ------------------------------------------------------------------ CORS

    @Test
    void s3proxy_does_not_implement_bucket_cors_and_the_storage_says_so() {
        try (S3ObjectStorage storage = s3.storage(bucket).corsAllowedOrigins(List.of("http://localhost:8080")).build()) {
            assertThat(storage.ensureBucket()).isEqualTo(
                    new S3ObjectStorage.BucketSetup(false, S3ObjectStorage.Cors.NOT_SUPPORTED_BY_STORE));
        }
    }

    /**
     * The PutBucketCors request on the wire, captured by a local HTTP server that answers it the
     * way S3 does (no S3 server on this machine implements it: Garage does, S3Proxy does not).
     */
    @Test
    void the_cors_configuration_sent_to_the_store_has_one_rule_per_origin() throws IOException {
        List<String> requests = new CopyOnWriteArrayList<>();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", exchange -> {
            try (exchange) {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        fake.start();
        try (S3ObjectStorage storage = S3ObjectStorage.builder()
                .endpoint("http://127.0.0.1:" + fake.getAddress().getPort()).credentials("a", "b").bucket("assets")
                .corsAllowedOrigins(List.of("https://game.example.org", "http://localhost:8080")).build()) {

            assertThat(storage.ensureBucket()).isEqualTo(new S3ObjectStorage.BucketSetup(false, S3ObjectStorage.Cors.APPLIED));
        } finally {
            fake.stop(0);
        }

        assertThat(requests).containsExactly("HEAD /assets", "PUT /assets?cors=");
        String xml = bodies.get(1);
        List<String> rules = new ArrayList<>(List.of(xml.split("<CORSRule>")));
        rules.removeFirst();
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0)).contains("<AllowedOrigin>https://game.example.org</AllowedOrigin>")
                .doesNotContain("localhost");
        assertThat(rules.get(1)).contains("<AllowedOrigin>http://localhost:8080</AllowedOrigin>");
        assertThat(rules).allSatisfy(rule -> assertThat(rule)
                .contains("<AllowedMethod>GET</AllowedMethod>", "<AllowedMethod>PUT</AllowedMethod>",
                        "<AllowedMethod>HEAD</AllowedMethod>", "<AllowedHeader>content-type</AllowedHeader>",
                        "<AllowedHeader>x-amz-checksum-sha256</AllowedHeader>", "<ExposeHeader>ETag</ExposeHeader>"));
    }

    // ------------------------------------------------------------------ checksums and the host's client

    @Test
    void an_object_stored_without_a_checksum_is_verified_by_reading_it_back() throws Exception {
        String key = key("no-checksum.txt");
        byte[] body = bytes("put by another tool");
        try (MinioClient host = MinioClient.builder().endpoint(s3.endpoint()).region("garage")
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
             S3ObjectStorage storage = s3.storage(bucket).build()) {
            host.putObject(PutObjectArgs.builder().bucket(bucket).object(key).contentType("text/plain")
                    .stream(new ByteArrayInputStream(body), body.length, -1).build());

            assertThat(storage.stat(key).orElseThrow().sha256()).isNull();
            assertThat(storage.verify(declare(key, "text/plain", body))).isInstanceOfSatisfying(
                    Verification.Verified.class, v -> assertThat(v.provenByStore()).isFalse());
            assertThat(storage.verify(declare(key, "text/plain", bytes("put by another tooL"))))
                    .isInstanceOfSatisfying(Verification.Mismatch.class, m -> assertThat(m.field()).isEqualTo("sha256"));
        }
    }

    @Test
    void a_store_said_not_to_verify_checksums_is_never_trusted_with_them() {
        String key = key("distrusted.txt");
        byte[] body = bytes("hash me again");
        try (S3ObjectStorage storage = s3.storage(bucket).storeVerifiesChecksums(false).build()) {
            PutRequest declared = declare(key, "text/plain", body);
            assertThat(put(storage.presignPut(declared), Map.of(), body).status()).isEqualTo(200);

            assertThat(storage.capabilities().enforcesChecksum()).isFalse();
            assertThat(storage.stat(key).orElseThrow().sha256()).isEqualTo(declared.sha256());
            assertThat(storage.verify(declared)).isInstanceOfSatisfying(Verification.Verified.class,
                    v -> assertThat(v.provenByStore()).isFalse());
        }
    }

    @Test
    void the_hosts_own_minio_client_does_the_work_and_stays_open() throws Exception {
        try (MinioClient host = MinioClient.builder().endpoint(s3.endpoint()).region("garage")
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build()) {
            String key = key("host-client.txt");
            byte[] body = bytes("through the host's pool");
            try (S3ObjectStorage storage = S3ObjectStorage.builder().client(host).bucket(bucket).build()) {
                PutRequest declared = declare(key, "text/plain", body);
                assertThat(put(storage.presignPut(declared), Map.of(), body).status()).isEqualTo(200);
                assertThat(storage.verify(declared).isVerified()).isTrue();
            }

            assertThat(host.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())).isTrue();
        }
    }

    @Test
    void with_the_hosts_client_urls_can_still_be_signed_for_a_public_endpoint() throws Exception {
        try (MinioClient host = MinioClient.builder().endpoint(s3.endpoint()).region("garage")
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
             S3ObjectStorage storage = S3ObjectStorage.builder().client(host).bucket(bucket).region("garage")
                     .publicEndpoint(s3.publicEndpoint())
                     .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build()) {
            String key = key("host-public.txt");
            byte[] body = bytes("signed for localhost");
            PresignedRequest put = storage.presignPut(declare(key, "text/plain", body));

            assertThat(put.url().getHost()).isEqualTo("localhost");
            assertThat(put(put, Map.of(), body).status()).isEqualTo(200);
            assertThat(storage.stat(key)).isPresent();
        }
    }
}
