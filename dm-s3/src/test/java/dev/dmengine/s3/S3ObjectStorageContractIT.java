package dev.dmengine.s3;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.ObjectStorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The contract against a real S3 server (S3Proxy on the filesystem), through the real pre-signed
 * URLs over HTTP. The storage talks to the store at 127.0.0.1 and signs for {@code localhost}, so
 * every URL the suite uses goes through the public endpoint.
 */
class S3ObjectStorageContractIT extends ObjectStorageContract {

    @TempDir
    static Path dir;

    private static S3ProxyServer s3;
    private static S3ObjectStorage shared;
    private S3ObjectStorage current;

    @BeforeAll
    static void startS3() {
        s3 = S3ProxyServer.start(dir);
        shared = s3.storage("contract-" + Ids.newId().toString().substring(0, 8))
                .publicEndpoint(s3.publicEndpoint()).build();
        shared.ensureBucket();
    }

    @AfterAll
    static void stopS3() {
        shared.close();
        s3.close();
    }

    @Override
    protected ObjectStorage newStorage(MutableClock ignored) {
        current = s3.storage(shared.bucket()).publicEndpoint(s3.publicEndpoint()).build();
        return current;
    }

    @AfterEach
    void closeStorage() {
        current.close();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }

    /** S3Proxy's filesystem backend keeps keys as paths: {@code a} cannot be a file and a directory. */
    @Override
    protected boolean storesKeysThatArePrefixesOfOtherKeys() {
        return false;
    }
}
