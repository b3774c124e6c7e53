package dev.dmengine.testkit;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every {@link ObjectStorage} must do. Extend it, build the storage on the given clock,
 * and implement {@link #upload} and {@link #download} the way a browser would use the
 * pre-signed request (an HTTP call for a real store; a direct call to the host's handler for
 * a local one). An adapter whose URLs expire by a server's clock overrides
 * {@link #supportsInjectedClock()}; the suite then waits out short real TTLs.
 */
public abstract class ObjectStorageContract {

    protected static final long MAX = 1024 * 1024;
    protected static final Duration TTL = Duration.ofMinutes(5);

    protected MutableClock clock;
    protected ObjectStorage storage;

    protected abstract ObjectStorage newStorage(MutableClock clock);

    /** Performs the pre-signed PUT with the body; throws if the store refuses it. */
    protected abstract void upload(PresignedRequest put, byte[] body, String contentType);

    /** Performs the pre-signed GET and returns the body; throws if the store refuses it. */
    protected abstract byte[] download(PresignedRequest get);

    protected boolean supportsInjectedClock() {
        return true;
    }

    /** Whether an upload larger than the {@code maxBytes} given to presignPut is refused. */
    protected boolean enforcesMaxBytes() {
        return true;
    }

    @BeforeEach
    void freshStorage() {
        clock = new MutableClock();
        storage = newStorage(clock);
    }

    /** A key no other test has used. */
    protected static String key(String name) {
        return "contract/" + Ids.newId() + "/" + name;
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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bucket_is_named() {
        assertThat(storage.bucket()).isNotBlank();
    }

    @Test
    void presigned_put_then_upload_then_stat_and_get() {
        String key = key("portrait.png");
        byte[] body = bytes("\u0089PNG fake image bytes");
        PresignedRequest put = storage.presignPut(key, "image/png", MAX, TTL);

        upload(put, body, "image/png");

        ObjectInfo info = storage.stat(key).orElseThrow();
        assertThat(info.key()).isEqualTo(key);
        assertThat(info.size()).isEqualTo(body.length);
        assertThat(info.contentType()).isEqualTo("image/png");
        assertThat(download(storage.presignGet(key, TTL))).isEqualTo(body);
    }

    @Test
    void presigned_requests_name_their_method_and_expiry() {
        String key = key("sheet.pdf");
        Instant before = now();

        PresignedRequest put = storage.presignPut(key, "application/pdf", MAX, TTL);
        PresignedRequest get = storage.presignGet(key, TTL);

        assertThat(put.method()).isEqualTo("PUT");
        assertThat(get.method()).isEqualTo("GET");
        assertThat(put.url().isAbsolute()).isTrue();
        assertThat(put.expiresAt()).isAfter(before).isBeforeOrEqualTo(now().plus(TTL).plusSeconds(1));
        assertThat(get.expiresAt()).isAfter(before).isBeforeOrEqualTo(now().plus(TTL).plusSeconds(1));
        assertThat(put.headers()).containsEntry("Content-Type", "application/pdf");
    }

    @Test
    void missing_object_has_no_stat() {
        assertThat(storage.stat(key("nothing-here"))).isEmpty();
    }

    @Test
    void second_upload_replaces_the_object() {
        String key = key("map.txt");
        upload(storage.presignPut(key, "text/plain", MAX, TTL), bytes("first version"), "text/plain");
        upload(storage.presignPut(key, "text/plain", MAX, TTL), bytes("v2"), "text/plain");

        assertThat(storage.stat(key)).map(ObjectInfo::size).contains(2L);
        assertThat(download(storage.presignGet(key, TTL))).isEqualTo(bytes("v2"));
    }

    @Test
    void objects_with_nested_and_prefix_keys_coexist() {
        String base = key("a");
        upload(storage.presignPut(base, "text/plain", MAX, TTL), bytes("file"), "text/plain");
        upload(storage.presignPut(base + "/b", "text/plain", MAX, TTL), bytes("nested"), "text/plain");

        assertThat(download(storage.presignGet(base, TTL))).isEqualTo(bytes("file"));
        assertThat(download(storage.presignGet(base + "/b", TTL))).isEqualTo(bytes("nested"));
    }

    @Test
    void delete_is_true_once_and_removes_the_object() {
        String key = key("gone.txt");
        upload(storage.presignPut(key, "text/plain", MAX, TTL), bytes("bye"), "text/plain");

        assertThat(storage.delete(key)).isTrue();
        assertThat(storage.delete(key)).isFalse();
        assertThat(storage.stat(key)).isEmpty();
        PresignedRequest get = storage.presignGet(key, TTL);
        assertThatThrownBy(() -> download(get)).isNotNull();
    }

    @Test
    void invalid_keys_are_rejected_everywhere() {
        String tooLong = "k".repeat(513);
        List<String> invalid = List.of("", "../etc/passwd", "a/../b", "a..b", "with space", "quest?ion", "hash#tag",
                "back\\slash", "caf\u00e9", "percent%2F", "new\nline", tooLong);

        for (String key : invalid) {
            assertThatThrownBy(() -> storage.presignPut(key, "text/plain", MAX, TTL)).as("put %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.presignGet(key, TTL)).as("get %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.stat(key)).as("stat %s", key)
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> storage.delete(key)).as("delete %s", key)
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void keys_of_every_allowed_character_up_to_512_are_accepted() {
        String prefix = key("");
        String key = prefix + "Az09/._-" + "x".repeat(512 - prefix.length() - 8);
        assertThat(key).hasSize(512);

        upload(storage.presignPut(key, "text/plain", MAX, TTL), bytes("ok"), "text/plain");

        assertThat(storage.stat(key)).map(ObjectInfo::size).contains(2L);
    }

    @Test
    void expired_upload_url_is_rejected() {
        String key = key("late.txt");
        PresignedRequest put = storage.presignPut(key, "text/plain", MAX, shortTtl());

        outlive(put);

        assertThatThrownBy(() -> upload(put, bytes("too late"), "text/plain")).isNotNull();
        assertThat(storage.stat(key)).isEmpty();
    }

    @Test
    void expired_download_url_is_rejected() {
        String key = key("late-read.txt");
        upload(storage.presignPut(key, "text/plain", MAX, TTL), bytes("secret"), "text/plain");
        PresignedRequest get = storage.presignGet(key, shortTtl());
        assertThat(download(get)).isEqualTo(bytes("secret"));

        outlive(get);

        assertThatThrownBy(() -> download(get)).isNotNull();
    }

    @Test
    void upload_larger_than_max_bytes_is_rejected() {
        assumeTrue(enforcesMaxBytes(), "the adapter cannot bind maxBytes into its URLs");
        String key = key("big.bin");
        PresignedRequest put = storage.presignPut(key, "application/octet-stream", 16, TTL);

        assertThatThrownBy(() -> upload(put, new byte[17], "application/octet-stream")).isNotNull();
        assertThat(storage.stat(key)).isEmpty();

        upload(storage.presignPut(key, "application/octet-stream", 16, TTL), new byte[16], "application/octet-stream");
        assertThat(storage.stat(key)).map(ObjectInfo::size).contains(16L);
    }

    @Test
    void concurrent_uploads_of_distinct_keys_are_all_stored_intact() {
        String prefix = key("many");
        List<Integer> sizes = Concurrently.run(6, t -> {
            for (int i = 0; i < 10; i++) {
                byte[] body = bytes("thread " + t + " object " + i + " " + "x".repeat(t * 100 + i));
                upload(storage.presignPut(prefix + "/" + t + "/" + i, "text/plain", MAX, TTL), body, "text/plain");
            }
            return t;
        });

        for (int t : sizes) {
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
            upload(storage.presignPut(key, "text/plain", MAX, TTL), body, "text/plain");
            return body;
        });

        byte[] stored = download(storage.presignGet(key, TTL));
        assertThat(bodies).anySatisfy(b -> assertThat(stored).isEqualTo(b));
        assertThat(storage.stat(key)).map(ObjectInfo::size).contains((long) stored.length);
    }

    @Test
    void a_download_url_altered_to_name_another_key_is_refused() {
        String secret = key("secret.txt");
        String mine = secret.replace("secret.txt", "mine.txt");
        upload(storage.presignPut(secret, "text/plain", MAX, TTL), bytes("secret"), "text/plain");
        upload(storage.presignPut(mine, "text/plain", MAX, TTL), bytes("mine"), "text/plain");
        PresignedRequest get = storage.presignGet(mine, TTL);
        assertThat(get.url().toString()).contains("mine.txt");

        PresignedRequest forged = new PresignedRequest("GET",
                URI.create(get.url().toString().replace("mine.txt", "secret.txt")), get.headers(), get.expiresAt());

        assertThat(download(get)).isEqualTo(bytes("mine"));
        assertThatThrownBy(() -> download(forged)).isNotNull();
    }
}
