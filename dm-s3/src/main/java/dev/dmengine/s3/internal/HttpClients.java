package dev.dmengine.s3.internal;

import io.minio.http.HttpUtils;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The OkHttp clients under the minio clients a storage builds. A new OkHttpClient loads the JDK's
 * trust store and initialises TLS, which costs seconds on a slow machine; so the process builds
 * one base client (as minio-java would, honouring {@code SSL_CERT_FILE}) and each storage derives
 * its own from it, sharing that TLS set-up but with its own connection pool and threads, which
 * {@link #close} releases.
 */
public final class HttpClients {

    private static final Object LOCK = new Object();
    private static OkHttpClient base;

    private HttpClients() {
    }

    public static OkHttpClient newClient(Duration connectTimeout, Duration readTimeout) {
        return base().newBuilder()
                .connectionPool(new ConnectionPool())
                .dispatcher(new Dispatcher())
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .build();
    }

    public static void close(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static OkHttpClient base() {
        synchronized (LOCK) {
            if (base == null) {
                long fiveMinutes = TimeUnit.MINUTES.toMillis(5);
                base = HttpUtils.newDefaultHttpClient(fiveMinutes, fiveMinutes, fiveMinutes);
            }
            return base;
        }
    }
}
