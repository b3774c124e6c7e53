package dev.dmengine.core.inmemory;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.ObjectStorageContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract on an injected clock, calling the host's handlers directly (see the HTTP variant for sockets). */
class LocalFolderObjectStorageTest extends ObjectStorageContract {

    private static final byte[] SECRET = "a test signing key of 32+ bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final URI BASE = URI.create("http://localhost:8080/files");

    @TempDir
    Path dir;

    @Override
    protected ObjectStorage newStorage(MutableClock clock) {
        return new LocalFolderObjectStorage(dir, BASE, "dm-assets", SECRET, clock);
    }

    @Override
    protected boolean servedOverHttp() {
        return false;
    }

    /** What the host does with a request: PUT to accept, GET to open. */
    @Override
    protected Reply send(String method, URI url, Map<String, String> headers, byte[] body) {
        String contentType = headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        return answer(() -> switch (method) {
            case "PUT" -> {
                local().accept(url, contentType, new ByteArrayInputStream(body));
                yield new byte[0];
            }
            case "GET" -> {
                try (InputStream in = local().open(url).body()) {
                    yield in.readAllBytes();
                }
            }
            default -> throw new AssertionError("the host serves PUT and GET only, not " + method);
        });
    }

    private LocalFolderObjectStorage local() {
        return (LocalFolderObjectStorage) storage;
    }

    private PresignedRequest presign(String key, String contentType, byte[] body) {
        return storage.presignPut(declare(key, contentType, body));
    }

    @Test
    void urls_point_at_the_hosts_objects_route_and_carry_what_was_signed() {
        byte[] body = bytes("png");
        PresignedRequest put = presign("maps/level-1.png", "image/png", body);

        assertThat(local().objectsPath()).isEqualTo("/files/objects/");
        assertThat(put.url().toString()).startsWith("http://localhost:8080/files/objects/maps/level-1.png?method=PUT&");
        assertThat(put.url().getQuery()).contains("expires=" + put.expiresAt().getEpochSecond())
                .contains("type=image/png").contains("length=3").contains("sha256=" + sha256(body)).contains("sig=");
        assertThat(put.headers()).containsExactly(Map.entry("Content-Type", "image/png"));
    }

    @Test
    void the_host_can_pass_the_path_and_query_alone() {
        byte[] body = bytes("relative");
        PresignedRequest put = presign("rel.txt", "text/plain", body);
        URI asReceived = URI.create(put.url().getRawPath() + "?" + put.url().getRawQuery());

        ObjectInfo info = local().accept(asReceived, "text/plain", new ByteArrayInputStream(body));

        assertThat(info.sha256()).isEqualTo(sha256(body));
        PresignedRequest get = storage.presignGet("rel.txt", TTL);
        assertThat(local().open(URI.create(get.url().getRawPath() + "?" + get.url().getRawQuery())).info().size())
                .isEqualTo(8);
    }

    @Test
    void changing_any_signed_parameter_breaks_the_signature() {
        byte[] body = bytes("four");
        PresignedRequest put = presign("small.bin", "application/octet-stream", body);
        String url = put.url().toString();
        long expires = put.expiresAt().getEpochSecond();

        for (String forged : new String[] {
                url.replace("length=4", "length=4000"),
                url.replace("type=application%2Foctet-stream", "type=text%2Fhtml"),
                url.replace("sha256=" + sha256(body), "sha256=" + sha256(bytes("five"))),
                url.replace("expires=" + expires, "expires=" + (expires + 3600)),
                url.replace("sig=", "sig=x")}) {
            assertThatThrownBy(() -> local().accept(URI.create(forged), "application/octet-stream",
                    new ByteArrayInputStream(body))).as(forged).isInstanceOf(PermissionDeniedException.class);
        }
        assertThat(storage.stat("small.bin")).isEmpty();
    }

    @Test
    void a_url_signed_with_another_key_is_refused() {
        LocalFolderObjectStorage other = new LocalFolderObjectStorage(dir, BASE, "dm-assets",
                "another signing key, also 32+ bytes".getBytes(StandardCharsets.UTF_8), clock);
        PresignedRequest put = other.presignPut(declare("a.txt", "text/plain", bytes("x")));

        assertThatThrownBy(() -> local().accept(put.url(), "text/plain", new ByteArrayInputStream(bytes("x"))))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void refusals_name_what_differs_from_the_signed_upload() {
        byte[] body = bytes("exactly ten");
        PresignedRequest put = presign("named.txt", "text/plain", body);

        assertThatThrownBy(() -> local().accept(put.url(), "text/html", new ByteArrayInputStream(body)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("contentType: must be text/plain");
        assertThatThrownBy(() -> local().accept(put.url(), "text/plain", new ByteArrayInputStream(bytes("exactly ten!"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("longer than the 11 bytes");
        assertThatThrownBy(() -> local().accept(put.url(), "text/plain", new ByteArrayInputStream(bytes("exactly"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("is 7 bytes; this upload was signed for exactly 11");
        assertThatThrownBy(() -> local().accept(put.url(), "text/plain", new ByteArrayInputStream(bytes("exactly 10!"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("SHA-256");
    }

    @Test
    void refused_uploads_leave_no_files_behind() throws IOException {
        PresignedRequest put = presign("big.bin", "application/octet-stream", new byte[10]);

        assertThat(put(put, new byte[11]).status()).isEqualTo(400);
        assertThat(put(put, new byte[9]).status()).isEqualTo(400);
        assertThat(put(put, bytes("0123456789")).status()).isEqualTo(400);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void a_body_that_never_ends_is_read_no_further_than_one_byte_past_the_declared_length() {
        PresignedRequest put = presign("endless.bin", "application/octet-stream", new byte[10]);
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served.addAndGet(len);
                return len;
            }
        };

        assertThatThrownBy(() -> local().accept(put.url(), "application/octet-stream", endless))
                .isInstanceOf(InvalidInputException.class);
        assertThat(served).hasValue(11);
    }

    @Test
    void download_of_a_missing_object_is_not_found() {
        PresignedRequest get = storage.presignGet("never-uploaded.txt", TTL);

        assertThatThrownBy(() -> local().open(get.url())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void urls_of_another_path_or_without_a_query_are_not_this_storages() {
        assertThatThrownBy(() -> local().open(URI.create("http://localhost:8080/elsewhere/a.txt?method=GET")))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> local().open(URI.create("http://localhost:8080/files/objects/a.txt")))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> local().open(URI.create("http://localhost:8080/files/objects/a..b?method=GET&expires=1&sig=x")))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void objects_survive_a_new_instance_on_the_same_folder() {
        PutRequest declared = store("keep/me.txt", "text/plain", bytes("still here"));

        LocalFolderObjectStorage reopened = new LocalFolderObjectStorage(dir, BASE, "dm-assets", SECRET, clock);

        ObjectInfo info = reopened.stat("keep/me.txt").orElseThrow();
        assertThat(info.size()).isEqualTo(10);
        assertThat(info.contentType()).isEqualTo("text/plain");
        assertThat(info.sha256()).isEqualTo(declared.sha256());
        assertThat(info.lastModified()).isEqualTo(clock.instant());
        assertThat(reopened.verify(declared).isVerified()).isTrue();
    }

    @Test
    void metadata_written_before_the_sha256_property_still_reports_the_checksum() throws IOException {
        PutRequest declared = store("old/file.txt", "text/plain", bytes("from an older version"));
        Path meta;
        try (Stream<Path> files = Files.list(dir)) {
            meta = files.filter(p -> p.toString().endsWith(".properties")).findFirst().orElseThrow();
        }
        Files.writeString(meta, Files.readString(meta).replaceAll("(?m)^sha256=.*$", ""));

        assertThat(storage.stat("old/file.txt").orElseThrow().sha256()).isEqualTo(declared.sha256());
    }

    @Test
    void file_names_never_come_from_the_key() throws IOException {
        store("players/ann/portrait.png", "image/png", bytes("png"));

        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
                    .hasSize(2)
                    .allSatisfy(name -> assertThat(name).matches("[0-9a-f]{64}\\.(bin|properties)"));
        }
    }

    @Test
    void settings_are_checked_when_built() {
        assertThatThrownBy(() -> new LocalFolderObjectStorage(dir, BASE, "b", new byte[8], clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signingKey");
        for (String base : new String[] {"relative", "files/x", "http://localhost/files?a=b", "/files#top",
                "mailto:dm@example.org"}) {
            assertThatThrownBy(() -> new LocalFolderObjectStorage(dir, URI.create(base), "b", SECRET, clock))
                    .as(base).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        }
    }

    @Test
    void a_base_that_is_a_path_gives_urls_relative_to_the_host_the_client_called() {
        LocalFolderObjectStorage relative = new LocalFolderObjectStorage(dir, URI.create("/files/player-assets"),
                "player-assets", SECRET, clock);
        byte[] body = bytes("portrait bytes");
        PutRequest declared = declare("ann/portrait/x.png", "image/png", body);

        PresignedRequest put = relative.presignPut(declared);
        PresignedRequest get = relative.presignGet("ann/portrait/x.png");

        assertThat(relative.objectsPath()).isEqualTo("/files/player-assets/objects/");
        assertThat(put.url().isAbsolute()).isFalse();
        assertThat(put.url().getRawPath()).isEqualTo("/files/player-assets/objects/ann/portrait/x.png");
        // the host hands the URL over as it received it: a path and a query
        relative.accept(put.url(), "image/png", new ByteArrayInputStream(body));
        assertThat(relative.verify(declared).isVerified()).isTrue();
        assertThat(get.url().toString()).startsWith("/files/player-assets/objects/ann/portrait/x.png?method=GET");
        try (InputStream in = relative.open(get.url()).body()) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
