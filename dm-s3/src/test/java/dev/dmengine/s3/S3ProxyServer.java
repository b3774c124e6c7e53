package dev.dmengine.s3;

import dev.dmengine.testkit.Await;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * A real S3 API server for the tests: S3Proxy in this JVM, on a free port of 127.0.0.1, storing
 * objects as files under a directory, requiring AWS Signature V4 with test credentials.
 */
final class S3ProxyServer implements AutoCloseable {

    static final String ACCESS_KEY = "dm-test-access";
    static final String SECRET_KEY = "dm-test-secret-that-is-long-enough";

    private final S3Proxy proxy;

    private S3ProxyServer(S3Proxy proxy) {
        this.proxy = proxy;
    }

    static S3ProxyServer start(Path dir) {
        return start(dir, CrossOriginResourceSharing.disabled());
    }

    static S3ProxyServer start(Path dir, CrossOriginResourceSharing cors) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", properties))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                .corsRules(cors)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        Await.until("S3Proxy started", Duration.ofSeconds(60), () -> "STARTED".equals(proxy.getState()));
        return new S3ProxyServer(proxy);
    }

    int port() {
        return proxy.getPort();
    }

    /** How this server (the game server) reaches the store. */
    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** The same store under another host name, as a browser behind a gateway would reach it. */
    String publicEndpoint() {
        return "http://localhost:" + port();
    }

    /** A storage on this server with its credentials; Garage's default region, to show any region works. */
    S3ObjectStorage.Builder storage(String bucket) {
        return S3ObjectStorage.builder().endpoint(endpoint()).credentials(ACCESS_KEY, SECRET_KEY).bucket(bucket)
                .region("garage");
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop", e);
        }
    }
}
