package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import dev.dmengine.spi.objects.Verification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link ObjectStorage} must do, proven with its real pre-signed URLs.
 *
 * <p>Extend it and build the storage on the given clock. By default the suite uses the URLs
 * the way a browser does, over HTTP with {@link HttpClient}: an adapter of a real store (S3)
 * needs nothing more. A fixture whose URLs nobody serves (a local store tested without its
 * host) answers {@code false} to {@link #servedOverHttp()} and overrides {@link #send} to call
 * the host's handler directly; {@link #answer} maps its exceptions to the statuses a host sends.
 *
 * <p>Each bad upload (another content type, a body longer or shorter than declared, other bytes
 * than the declared SHA-256) must be refused by the store when its
 * {@link ObjectStorage#capabilities()} say it enforces that, and must otherwise be caught by
 * {@link ObjectStorage#verify}: in no case does {@code verify} call unverified bytes verified.
 *
 * <p>An adapter whose URLs expire by a server's clock answers {@code false} to
 * {@link #supportsInjectedClock()}; the suite then waits out short real TTLs.
 */
public abstract class ObjectStorageContract {

    protected static final Duration TTL = Duration.ofMinutes(5);
    /** Headers a browser or {@link HttpClient} sets itself and will not take from a script. */
    private static final Set<String> SET_BY_THE_CLIENT =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    protected MutableClock clock;
    protected ObjectStorage storage;

    protected abstract ObjectStorage newStorage(MutableClock clock);

    /** What the store (or the host of a local store) answered. */
    protected record Reply(int status, byte[] body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String text = text();
            return status + " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /** Whether the storage's URLs are served over HTTP while the suite runs. */
    protected boolean servedOverHttp() {
        return true;
    }

    protected boolean supportsInjectedClock() {
        return true;
    }

    /**
     * Whether both {@code a} and {@code a/b} can be stored, as on S3 and Garage, whose keys are
     * flat. A store that keeps keys as file paths (MinIO, S3Proxy's filesystem backend) refuses the
     * second; it must then leave the first intact.
     */
    protected boolean storesKeysThatArePrefixesOfOtherKeys() {
        return true;
    }

    /**
     * Sends one request as a client would, with exactly these headers, and returns the reply.
     * Over HTTP unless {@link #servedOverHttp()} is {@code false}, in which case the fixture
     * overrides this.
     */
    protected Reply send(String method, URI url, Map<String, String> headers, byte[] body) {
        if (!servedOverHttp()) {
            throw new AssertionError("a fixture whose URLs are not served over HTTP overrides send(..)");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + url.getHost() + ":" + url.getPort(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Runs a host's handler and answers as the host would: its bytes with 200, or the status its
     * exception maps to (403 permission denied, 400 invalid input, 404 not found, 503 unavailable).
     */
    protected static Reply answer(Callable<byte[]> handler) {
        try {
            return new Reply(200, handler.call());
        } catch (PermissionDeniedException e) {
            return new Reply(403, bytes(e.getMessage()));
        } catch (InvalidInputException e) {
            return new Reply(400, bytes(e.getMessage()));
        } catch (NotFoundException e) {
            return new Reply(404, bytes(e.getMessage()));
        } catch (UnavailableException e) {
            return new Reply(503, bytes(e.getMessage()));
        } catch (Exception e) {
            throw new AssertionError("the handler failed unexpectedly", e);
        }
    }

    @BeforeEach
    void freshStorage() {
        clock = new MutableClock();
        storage = newStorage(clock);
    }

    // ------------------------------------------------------------------ helpers

    /** A key no other test has used. */
    protected static String key(String name) {
        return "contract/" + Ids.newId() + "/" + name;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The declaration a client makes for this body. */
    protected static PutRequest declare(String key, String contentType, byte[] body) {
        return PutRequest.builder().key(key).contentType(contentType).contentLength(body.length)
                .sha256(sha256(body)).ttl(TTL).build();
    }

    protected Reply put(PresignedRequest put, byte[] body) {
        return put(put, Map.of(), body);
    }

    /** The pre-signed PUT with some of its headers replaced (a {@code null} value drops one). */
    protected Reply put(PresignedRequest put, Map<String, String> changedHeaders, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(put.headers());
        changedHeaders.forEach((name, value) -> {
            headers.keySet().removeIf(h -> h.equalsIgnoreCase(name));
            if (value != null) {
                headers.put(name, value);
            }
        });
        return send(put.method(), put.url(), headers, body);
    }

    protected void upload(PresignedRequest put, byte[] body) {
        Reply reply = put(put, body);
        assertThat(reply.ok()).as("upload answered %s", reply).isTrue();
    }

    /** Declares, signs and uploads the body; returns the declaration. */
    protected PutRequest store(String key, String contentType, byte[] body) {
        PutRequest declared = declare(key, contentType, body);
        upload(storage.presignPut(declared), body);
        return declared;
    }

    protected Reply get(PresignedRequest get) {
        return send(get.method(), get.url(), get.headers(), null);
    }

    protected byte[] download(PresignedRequest get) {
        Reply reply = get(get);
        assertThat(reply.status()).as("download answered %s", reply).isEqualTo(200);
        return reply.body();
    }

    protected Instant now() {
        return supportsInjectedClock() ? clock.instant() : Instant.now();
    }

    /** Lets the request's URL expire. */
    protected void outlive(PresignedRequest request) {
        if (supportsInjectedClock()) {
            clock.set(request.expiresAt().plusSeconds(1));
        } else {
            Await.pass(Duration.between(Instant.now(), request.expiresAt()).plusMillis(1500));
        }
    }

    /** A TTL that runs out soon; a real one long enough to use the URL once first on a busy machine. */
    protected Duration shortTtl() {
        return supportsInjectedClock() ? Duration.ofSeconds(60) : Duration.ofSeconds(3);
    }

    private static Optional<String> header(Map<String, String> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst();
    }

    /**
     * After a bad upload: refused by the store when it enforces what was broken, otherwise
     * stored but reported by {@code verify} as a mismatch of that field. Never verified.
     */
    private void assertRefusedOrCaught(boolean enforced, Reply reply, PutRequest declared, String field) {
        Verification verification = storage.verify(declared);
        assertThat(verification.isVerified()).as("verify after a bad upload").isFalse();
        if (enforced) {
            assertThat(reply.status()).as("the store enforces %s; it answered %s", field, reply).isBetween(400, 499);
            assertThat(storage.stat(declared.key())).as("a refused upload stores nothing").isEmpty();
            assertThat(verification).isInstanceOf(Verification.Missing.class);
        } else if (reply.ok()) {
            assertThat(verification).isInstanceOfSatisfying(Verification.Mismatch.class,
                    m -> assertThat(m.field()).isEqualTo(field));
            assertThat(verification.reason()).isNotBlank();
        }
    }

    // ------------------------------------------------------------------ the flow

    @Test
    void bucket_is_named() {
        assertThat(storage.bucket()).isNotBlank();
    }

    @Test
    void an_upload_through_the_presigned_url_is_stored_and_downloadable() {
        String key = key("portrait.png");
        byte[] body = bytes("\u0089PNG fake image bytes");

        PutRequest declared = store(key, "image/png", body);

        ObjectInfo info = storage.stat(key).orElseThrow();
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.size()).isEqualTo(body.length);
        assertThat(info.contentType()).isEqualTo("image/png");
        info.reportedSha256().ifPresent(sha -> assertThat(sha).isEqualTo(declared.sha256()));
        assertThat(download(storage.presignGet(key, TTL))).isEqualTo(body);
    }

    @Test
    void a_store_that_enforces_checksums_reports_them() {
        String key = key("checked.txt");
        PutRequest declared = store(key, "text/plain", bytes("checked on arrival"));

        Optional<String> reported = storage.stat(key).orElseThrow().reportedSha256();

        if (storage.capabilities().enforcesChecksum()) {
            assertThat(reported).contains(declared.sha256());
        } else {
            reported.ifPresent(sha -> assertThat(sha).isEqualTo(declared.sha256()));
        }
    }

    @Test
    void presigned_requests_name_their_method_url_headers_and_expiry() {
        String key = key("sheet.pdf");
        Instant before = now().minusSeconds(1);

        PresignedRequest put = storage.presignPut(declare(key, "application/pdf", bytes("%PDF-1.7")));
        PresignedRequest get = storage.presignGet(key, TTL);

        assertThat(put.method()).isEqualTo("PUT");
        assertThat(get.method()).isEqualTo("GET");
        assertThat(List.of(put.url(), get.url())).allSatisfy(url -> {
            assertThat(url.isAbsolute()).isTrue();
            assertThat(url.getScheme()).isIn("http", "https");
        });
        assertThat(put.expiresAt()).isAfter(before).isBeforeOrEqualTo(now().plus(TTL).plusSeconds(1));
        assertThat(get.expiresAt()).isAfter(before).isBeforeOrEqualTo(now().plus(TTL).plusSeconds(1));
        assertThat(header(put.headers(), "Content-Type")).contains("application/pdf");
        assertThat(List.of(put.headers(), get.headers())).allSatisfy(headers ->
                assertThat(headers.keySet()).noneMatch(h -> SET_BY_THE_CLIENT.contains(h.toLowerCase(Locale.ROOT))));
    }

    @Test
    void urls_without_a_ttl_get_the_storage_default_within_seven_days() {
        String key = key("default-ttl.txt");
        Instant before = now().minusSeconds(1);
        PutRequest noTtl = declare(key, "text/plain", bytes("x")).withTtl(null);

        PresignedRequest put = storage.presignPut(noTtl);
        PresignedRequest get = storage.presignGet(key);

        assertThat(List.of(put.expiresAt(), get.expiresAt())).allSatisfy(at -> assertThat(at).isAfter(before)
                .isBeforeOrEqualTo(now().plus(PresignedRequest.MAX_TTL).plusSeconds(1)));
        upload(put, bytes("x"));
        assertThat(download(get)).isEqualTo(bytes("x"));
    }

    @Test
    void missing_object_has_no_stat() {
        assertThat(storage.stat(key("nothing-here"))).isEmpty();
    }

    @Test
    void a_download_of_a_missing_object_is_refused() {
        Reply reply = get(storage.presignGet(key("never-uploaded.txt"), TTL));

        assertThat(reply.status()).as("answered %s", reply).isIn(403, 404);
    }

    @Test
    void second_upload_replaces_the_object() {
        String key = key("map.txt");
        store(key, "text/plain", bytes("first version"));
        store(key, "text/plain", bytes("v2"));

        assertThat(storage.stat(key)).map(ObjectInfo::size).contains(2L);
        assertThat(download(storage.presignGet(key, TTL))).isEqualTo(bytes("v2"));
    }

    @Test
    void objects_with_nested_and_prefix_keys_coexist_or_the_second_is_refused_without_harm() {
        String base = key("a");
        store(base, "text/plain", bytes("file"));

        Reply nested = put(storage.presignPut(declare(base + "/b", "text/plain", bytes("nested"))), bytes("nested"));

        assertThat(download(storage.presignGet(base, TTL))).isEqualTo(bytes("file"));
        if (storesKeysThatArePrefixesOfOtherKeys()) {
            assertThat(nested.ok()).as("upload answered %s", nested).isTrue();
        }
        if (nested.ok()) {
            assertThat(download(storage.presignGet(base + "/b", TTL))).isEqualTo(bytes("nested"));
        } else {
            assertThat(storage.stat(base + "/b")).isEmpty();
        }
    }

    @Test
    void delete_is_true_once_and_removes_the_object() {
        String key = key("gone.txt");
        store(key, "text/plain", bytes("bye"));

        assertThat(storage.delete(key)).isTrue();
        assertThat(storage.delete(key)).isFalse();
        assertThat(storage.stat(key)).isEmpty();
        assertThat(get(storage.presignGet(key, TTL)).ok()).isFalse();
    }

    // ------------------------------------------------------------------ input rules

    @Test
    void invalid_keys_are_rejected_everywhere() {
        String tooLong = "k".repeat(513);
        List<String> invalid = List.of("", "../etc/passwd", "a/../b", "a..b", "with space", "quest?ion", "hash#tag",
                "back\\slash", "caf\u00e9", "percent%2F", "new\nline", tooLong);

        for (String key : invalid) {
            assertThatThrownBy(() -> declare(key, "text/plain", bytes("x"))).as("put %s", key)
                    .isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.errors()).extracting(InvalidInputException.FieldError::field)
                                    .containsExactly("key"));
            assertThatThrownBy(() -> storage.presignGet(key, TTL)).as("get %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.stat(key)).as("stat %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.read(key, 10)).as("read %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.delete(key)).as("delete %s", key)
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void keys_of_every_allowed_character_up_to_512_are_accepted() {
        StringBuilder key = new StringBuilder(key("Az09._-"));
        // segments of at most 100 characters, as a store that keeps keys as file paths needs
        while (key.length() < 512) {
            key.append(key.length() % 101 == 100 ? '/' : 'x');
        }
        key.setCharAt(511, 'z');
        assertThat(key).hasSize(512);

        store(key.toString(), "text/plain", bytes("ok"));

        assertThat(storage.stat(key.toString())).map(ObjectInfo::size).contains(2L);
    }

    @Test
    void a_declaration_out_of_bounds_names_every_wrong_field() {
        assertThatThrownBy(() -> PutRequest.builder().key(key("a.txt")).contentType("text/plain\r\nX-Evil: 1")
                .contentLength(0).sha256("not-a-digest").ttl(Duration.ofDays(8)).build())
                .isInstanceOfSatisfying(InvalidInputException.class, e ->
                        assertThat(e.errors()).extracting(InvalidInputException.FieldError::field)
                                .containsExactly("contentType", "contentLength", "sha256", "ttl"));
        assertThatThrownBy(() -> storage.presignGet(key("a.txt"), Duration.ofDays(8)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> storage.presignGet(key("a.txt"), Duration.ZERO))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("ttl");
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void expired_upload_url_is_refused() {
        String key = key("late.txt");
        byte[] body = bytes("too late");
        PutRequest declared = declare(key, "text/plain", body).withTtl(shortTtl());
        PresignedRequest put = storage.presignPut(declared);

        outlive(put);

        Reply reply = put(put, body);
        assertThat(reply.status()).as("answered %s", reply).isBetween(400, 499);
        assertThat(storage.stat(key)).isEmpty();
        assertThat(storage.verify(declared)).isInstanceOf(Verification.Missing.class);
    }

    @Test
    void expired_download_url_is_refused() {
        String key = key("late-read.txt");
        store(key, "text/plain", bytes("secret"));
        PresignedRequest get = storage.presignGet(key, shortTtl());
        assertThat(download(get)).isEqualTo(bytes("secret"));

        outlive(get);

        Reply reply = get(get);
        assertThat(reply.status()).as("answered %s", reply).isBetween(400, 499);
        assertThat(reply.body()).isNotEqualTo(bytes("secret"));
    }

    @Test
    void an_upload_with_another_content_type_is_refused_or_caught_by_verify() {
        String key = key("page.txt");
        byte[] body = bytes("<script>alert(1)</script>");
        PutRequest declared = declare(key, "text/plain", body);

        Reply reply = put(storage.presignPut(declared), Map.of("Content-Type", "text/html"), body);

        assertRefusedOrCaught(storage.capabilities().enforcesContentType(), reply, declared, "contentType");
    }

    @Test
    void a_body_longer_than_declared_is_refused_or_caught_by_verify() {
        String key = key("longer.bin");
        byte[] declaredBody = bytes("exactly sixteen!");
        PutRequest declared = declare(key, "application/octet-stream", declaredBody);

        Reply reply = put(storage.presignPut(declared), bytes("exactly sixteen! and then some more"));

        assertRefusedOrCaught(storage.capabilities().enforcesLength(), reply, declared, "contentLength");
    }

    @Test
    void a_body_shorter_than_declared_is_refused_or_caught_by_verify() {
        String key = key("shorter.bin");
        byte[] declaredBody = bytes("exactly sixteen!");
        PutRequest declared = declare(key, "application/octet-stream", declaredBody);

        Reply reply = put(storage.presignPut(declared), bytes("sixteen"));

        assertRefusedOrCaught(storage.capabilities().enforcesLength(), reply, declared, "contentLength");
    }

    @Test
    void a_body_other_than_the_declared_sha256_is_refused_or_caught_by_verify() {
        String key = key("swapped.bin");
        PutRequest declared = declare(key, "application/octet-stream", bytes("the declared bytes"));

        Reply reply = put(storage.presignPut(declared), bytes("the replaced bytes"));

        assertRefusedOrCaught(storage.capabilities().enforcesChecksum(), reply, declared, "sha256");
    }

    @Test
    void a_download_url_altered_to_name_another_key_is_refused() {
        String secret = key("secret.txt");
        String mine = secret.replace("secret.txt", "mine.txt");
        store(secret, "text/plain", bytes("secret"));
        store(mine, "text/plain", bytes("mine"));
        PresignedRequest get = storage.presignGet(mine, TTL);
        assertThat(get.url().toString()).contains("mine.txt");

        PresignedRequest forged = new PresignedRequest("GET",
                URI.create(get.url().toString().replace("mine.txt", "secret.txt")), get.headers(), get.expiresAt());

        assertThat(download(get)).isEqualTo(bytes("mine"));
        Reply reply = get(forged);
        assertThat(reply.status()).as("answered %s", reply).isBetween(400, 499);
        assertThat(reply.body()).isNotEqualTo(bytes("secret"));
    }

    @Test
    void an_upload_url_altered_to_name_another_key_is_refused() {
        String mine = key("mine.txt");
        String theirs = mine.replace("mine.txt", "theirs.txt");
        byte[] body = bytes("mine");
        PresignedRequest put = storage.presignPut(declare(mine, "text/plain", body));

        PresignedRequest forged = new PresignedRequest("PUT",
                URI.create(put.url().toString().replace("mine.txt", "theirs.txt")), put.headers(), put.expiresAt());

        Reply reply = put(forged, body);
        assertThat(reply.status()).as("answered %s", reply).isBetween(400, 499);
        assertThat(storage.stat(theirs)).isEmpty();
    }

    @Test
    void an_upload_url_does_not_download_and_a_download_url_does_not_upload() {
        String key = key("both-ways.txt");
        byte[] body = bytes("one way only");
        PresignedRequest put = storage.presignPut(declare(key, "text/plain", body));
        PresignedRequest get = storage.presignGet(key, TTL);

        Reply uploadThroughGetUrl = send("PUT", get.url(), put.headers(), body);
        assertThat(uploadThroughGetUrl.status()).as("PUT to a GET URL answered %s", uploadThroughGetUrl)
                .isBetween(400, 499);
        assertThat(storage.stat(key)).isEmpty();

        upload(put, body);
        Reply downloadThroughPutUrl = send("GET", put.url(), Map.of(), null);
        assertThat(downloadThroughPutUrl.status()).as("GET of a PUT URL answered %s", downloadThroughPutUrl)
                .isBetween(400, 499);
    }

    // ------------------------------------------------------------------ verification

    @Test
    void verify_confirms_a_faithful_upload() {
        String key = key("faithful.txt");
        PutRequest declared = store(key, "text/plain", bytes("just as declared"));

        Verification verification = storage.verify(declared);

        assertThat(verification).isInstanceOfSatisfying(Verification.Verified.class, v -> {
            assertThat(v.object().size()).isEqualTo(declared.contentLength());
            assertThat(v.provenByStore()).isEqualTo(storage.capabilities().enforcesChecksum()
                    && v.object().sha256() != null);
        });
        assertThat(verification.reason()).isEmpty();
    }

    @Test
    void verify_of_a_missing_object_says_nothing_was_uploaded() {
        PutRequest declared = declare(key("never.txt"), "text/plain", bytes("never sent"));

        Verification verification = storage.verify(declared);

        assertThat(verification).isEqualTo(new Verification.Missing(declared.key()));
        assertThat(verification.reason()).isEqualTo("nothing was uploaded");
    }

    @Test
    void verify_by_reading_the_bytes_back_confirms_and_catches_mismatches() {
        String key = key("reread.txt");
        byte[] body = bytes("read me back");
        PutRequest declared = store(key, "text/plain", body);
        ObjectStorage unproven = new WithoutCapabilities(storage);

        assertThat(unproven.verify(declared)).isInstanceOfSatisfying(Verification.Verified.class,
                v -> assertThat(v.provenByStore()).isFalse());
        assertThat(unproven.verify(declare(key, "text/plain", bytes("read me bacK"))))
                .isInstanceOfSatisfying(Verification.Mismatch.class, m -> assertThat(m.field()).isEqualTo("sha256"));
        assertThat(unproven.verify(declare(key, "text/markdown", body)))
                .isInstanceOfSatisfying(Verification.Mismatch.class,
                        m -> assertThat(m.field()).isEqualTo("contentType"));
        assertThat(unproven.verify(declare(key, "text/plain", bytes("read me back!"))))
                .isInstanceOfSatisfying(Verification.Mismatch.class,
                        m -> assertThat(m.field()).isEqualTo("contentLength"));
    }

    @Test
    void verify_against_the_store_checksum_catches_another_declared_sha256() {
        String key = key("declared-twice.txt");
        byte[] body = bytes("stored bytes");
        store(key, "text/plain", body);

        Verification verification = storage.verify(declare(key, "text/plain", bytes("stored bytez")));

        assertThat(verification).isInstanceOfSatisfying(Verification.Mismatch.class,
                m -> assertThat(m.field()).isEqualTo("sha256"));
    }

    @Test
    void read_returns_the_bytes_and_refuses_an_object_larger_than_allowed() throws IOException {
        String key = key("bounded.txt");
        byte[] body = bytes("twenty bytes exactly");
        store(key, "text/plain", body);

        try (InputStream in = storage.read(key, body.length)) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
        assertThatThrownBy(() -> storage.read(key, body.length - 1).close())
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> storage.read(key("absent.txt"), 100).close())
                .isInstanceOf(NotFoundException.class);
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrent_uploads_of_distinct_keys_are_all_stored_intact() {
        String prefix = key("many");
        List<Integer> threads = Concurrently.run(6, t -> {
            for (int i = 0; i < 10; i++) {
                byte[] body = bytes("thread " + t + " object " + i + " " + "x".repeat(t * 100 + i));
                store(prefix + "/" + t + "/" + i, "text/plain", body);
            }
            return t;
        });

        for (int t : threads) {
            for (int i = 0; i < 10; i++) {
                byte[] expected = bytes("thread " + t + " object " + i + " " + "x".repeat(t * 100 + i));
                assertThat(download(storage.presignGet(prefix + "/" + t + "/" + i, TTL))).isEqualTo(expected);
            }
        }
    }

    @Test
    void concurrent_uploads_of_one_key_leave_one_whole_body() {
        String key = key("contended.txt");
        List<byte[]> bodies = Concurrently.run(6, t -> {
            byte[] body = bytes(String.valueOf((char) ('a' + t)).repeat(1000 + t));
            store(key, "text/plain", body);
            return body;
        });

        byte[] stored = download(storage.presignGet(key, TTL));
        assertThat(bodies).anySatisfy(b -> assertThat(stored).isEqualTo(b));
        assertThat(storage.stat(key)).map(ObjectInfo::size).contains((long) stored.length);
    }

    /** The same storage, claiming nothing: its {@code verify} must read the bytes back. */
    private record WithoutCapabilities(ObjectStorage delegate) implements ObjectStorage {
        @Override
        public String bucket() {
            return delegate.bucket();
        }

        @Override
        public PresignedRequest presignPut(PutRequest request) {
            return delegate.presignPut(request);
        }

        @Override
        public PresignedRequest presignGet(String key, Duration ttl) {
            return delegate.presignGet(key, ttl);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public InputStream read(String key, long maxBytes) {
            return delegate.read(key, maxBytes);
        }

        @Override
        public boolean delete(String key) {
            return delegate.delete(key);
        }
    }
}
