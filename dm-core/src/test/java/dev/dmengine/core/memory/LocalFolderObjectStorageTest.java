package dev.dmengine.core.memory;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.ObjectStorageContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalFolderObjectStorageTest extends ObjectStorageContract {

    private static final byte[] SECRET = "a test signing key of 32+ bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final URI BASE = URI.create("http://localhost:8080/files");

    @TempDir
    Path dir;

    @Override
    protected ObjectStorage newStorage(MutableClock clock) {
        return new LocalFolderObjectStorage(dir, BASE, "dm-assets", SECRET, clock);
    }

    private LocalFolderObjectStorage local() {
        return (LocalFolderObjectStorage) storage;
    }

    @Override
    protected void upload(PresignedRequest put, byte[] body, String contentType) {
        local().accept(put, new ByteArrayInputStream(body), contentType);
    }

    @Override
    protected byte[] download(PresignedRequest get) {
        try (InputStream in = local().open(get.url()).body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void urls_point_at_the_hosts_objects_route() {
        PresignedRequest put = storage.presignPut("maps/level-1.png", "image/png", 100, TTL);

        assertThat(put.url().toString()).startsWith("http://localhost:8080/files/objects/maps/level-1.png?method=PUT&");
        assertThat(put.url().getQuery()).contains("expires=" + put.expiresAt().getEpochSecond()).contains("max=100")
                .contains("sig=");
    }

    @Test
    void verify_accepts_genuine_parameters_and_rejects_tampered_ones() {
        PresignedRequest get = storage.presignGet("maps/level-1.png", TTL);
        long expires = get.expiresAt().getEpochSecond();
        String sig = get.url().getQuery().replaceAll(".*sig=", "");

        assertThat(local().verify("GET", "maps/level-1.png", expires, sig)).isTrue();
        assertThat(local().verify("PUT", "maps/level-1.png", expires, sig)).isFalse();
        assertThat(local().verify("GET", "maps/level-2.png", expires, sig)).isFalse();
        assertThat(local().verify("GET", "maps/level-1.png", expires + 3600, sig)).isFalse();
        assertThat(local().verify("GET", "maps/level-1.png", expires, sig.substring(1))).isFalse();
        assertThat(local().verify("GET", "maps/level-1.png", expires, (String) null)).isFalse();
    }

    @Test
    void a_url_signed_with_another_key_is_refused() {
        LocalFolderObjectStorage other = new LocalFolderObjectStorage(dir, BASE, "dm-assets",
                "another signing key, also 32+ bytes".getBytes(StandardCharsets.UTF_8), clock);
        PresignedRequest put = other.presignPut("a.txt", "text/plain", 100, TTL);

        assertThatThrownBy(() -> upload(put, bytes("x"), "text/plain")).isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void raising_the_size_limit_in_the_url_breaks_the_signature() {
        PresignedRequest put = storage.presignPut("small.bin", "application/octet-stream", 4, TTL);
        URI raised = URI.create(put.url().toString().replace("max=4", "max=4000"));

        assertThatThrownBy(() -> local().accept(raised, new ByteArrayInputStream(new byte[100]), "application/octet-stream"))
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(storage.stat("small.bin")).isEmpty();
    }

    @Test
    void a_get_url_cannot_upload_and_a_put_url_cannot_download() {
        String key = "both-ways.txt";
        PresignedRequest put = storage.presignPut(key, "text/plain", 100, TTL);
        PresignedRequest get = storage.presignGet(key, TTL);

        assertThatThrownBy(() -> local().accept(get.url(), new ByteArrayInputStream(bytes("x")), "text/plain"))
                .isInstanceOf(PermissionDeniedException.class);
        upload(put, bytes("x"), "text/plain");
        assertThatThrownBy(() -> local().open(put.url())).isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void too_large_upload_is_invalid_input_and_leaves_no_files_behind() throws IOException {
        PresignedRequest put = storage.presignPut("big.bin", "application/octet-stream", 10, TTL);

        assertThatThrownBy(() -> upload(put, new byte[11], "application/octet-stream"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("body");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void download_of_a_missing_object_is_not_found() {
        PresignedRequest get = storage.presignGet("never-uploaded.txt", TTL);

        assertThatThrownBy(() -> download(get)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void objects_survive_a_new_instance_on_the_same_folder() {
        upload(storage.presignPut("keep/me.txt", "text/plain", 100, TTL), bytes("still here"), "text/plain");

        LocalFolderObjectStorage reopened = new LocalFolderObjectStorage(dir, BASE, "dm-assets", SECRET, clock);

        ObjectInfo info = reopened.stat("keep/me.txt").orElseThrow();
        assertThat(info.size()).isEqualTo(10);
        assertThat(info.contentType()).isEqualTo("text/plain");
        assertThat(info.etag()).hasSize(64);
        assertThat(info.lastModified()).isEqualTo(clock.instant());
    }

    @Test
    void file_names_never_come_from_the_key() throws IOException {
        upload(storage.presignPut("players/ann/portrait.png", "image/png", 100, TTL), bytes("png"), "image/png");

        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
                    .hasSize(2)
                    .allSatisfy(name -> assertThat(name).matches("[0-9a-f]{64}\\.(bin|properties)"));
        }
    }

    @Test
    void bad_content_type_and_size_limit_are_invalid_input() {
        assertThatThrownBy(() -> storage.presignPut("a.txt", "text/plain\r\nX-Evil: 1", 10, TTL))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("contentType");
        assertThatThrownBy(() -> storage.presignPut("a.txt", "text/plain", 0, TTL))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("maxBytes");
    }

    @Test
    void settings_are_checked_when_built() {
        assertThatThrownBy(() -> new LocalFolderObjectStorage(dir, BASE, "b", new byte[8], clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signingKey");
        assertThatThrownBy(() -> new LocalFolderObjectStorage(dir, URI.create("/relative"), "b", SECRET, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> storage.presignGet("a.txt", Duration.ofDays(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }
}
