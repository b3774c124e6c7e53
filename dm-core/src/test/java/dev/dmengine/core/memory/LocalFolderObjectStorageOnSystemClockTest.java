package dev.dmengine.core.memory;

import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.ObjectStorageContract;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/** Runs the contract the way an object store with its own clock (S3) does: real time, short TTLs. */
class LocalFolderObjectStorageOnSystemClockTest extends ObjectStorageContract {

    @TempDir
    Path dir;

    private LocalFolderObjectStorage local;

    @Override
    protected ObjectStorage newStorage(MutableClock ignored) {
        local = new LocalFolderObjectStorage(dir, URI.create("http://127.0.0.1:8080"), "dm-assets",
                "a test signing key of 32+ bytes!!".getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
        return local;
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }

    @Override
    protected void upload(PresignedRequest put, byte[] body, String contentType) {
        local.accept(put, new ByteArrayInputStream(body), contentType);
    }

    @Override
    protected byte[] download(PresignedRequest get) {
        try (InputStream in = local.open(get.url()).body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
