package dev.dmengine.s3;

import dev.dmengine.s3.internal.BoundedInputStream;
import dev.dmengine.s3.internal.HttpClients;
import dev.dmengine.s3.internal.S3Errors;
import dev.dmengine.s3.internal.Settings;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.objects.ObjectInfo;
import dev.dmengine.spi.objects.ObjectKeys;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.SetBucketCorsArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.http.Method;
import io.minio.messages.CORSConfiguration;
import okhttp3.OkHttpClient;

import java.io.InputStream;
import java.net.URI;
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
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ObjectStorage} on one bucket of any S3-compatible store (Garage, MinIO, AWS S3, S3Proxy),
 * through minio-java.
 *
 * <p>Uploads and downloads are pre-signed with AWS Signature Version 4 in the query string. An
 * upload URL signs {@code Content-Type}, {@code Content-Length} and {@code x-amz-checksum-sha256}
 * (the declared SHA-256, base64) besides {@code Host}: a client that sends another type or length
 * breaks the signature, and a store that checks flexible checksums (Garage since 1.0, S3Proxy,
 * AWS) refuses other bytes. URLs are signed for the {@linkplain Builder#publicEndpoint public
 * endpoint}, the host the browser talks to, which may differ from the endpoint this server uses:
 * the signature covers the {@code Host} header, so it must be the one the browser sends.
 *
 * <p>Build with {@link #builder()}; call {@link #ensureBucket()} at start-up; {@link #close()}
 * releases the clients it built (never a client the host passed in).
 */
public final class S3ObjectStorage implements ObjectStorage, AutoCloseable {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** Headers a browser sends on a CORS upload; Garage compares them case-sensitively, browsers send lowercase. */
    static final List<String> CORS_REQUEST_HEADERS = List.of("content-type", "x-amz-checksum-sha256");
    static final String CHECKSUM_HEADER = "x-amz-checksum-sha256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** What {@link #ensureBucket()} did about CORS. */
    public enum Cors {
        /** No origins were configured. */
        NOT_REQUESTED,
        /** The store took the bucket CORS configuration (PutBucketCors). */
        APPLIED,
        /**
         * The store does not implement PutBucketCors (S3Proxy keeps CORS in its own configuration,
         * {@code s3proxy.cors-allow-origins}); configure it there.
         */
        NOT_SUPPORTED_BY_STORE
    }

    /** What {@link #ensureBucket()} found and did. */
    public record BucketSetup(boolean created, Cors cors) {
    }

    private final MinioClient client;
    private final MinioClient presigner;
    private final OkHttpClient ownedHttp;
    private final String bucket;
    private final Duration putTtl;
    private final Duration getTtl;
    private final List<String> corsOrigins;
    private final Capabilities capabilities;
    private final S3Errors errors;

    private S3ObjectStorage(Builder b, MinioClient client, MinioClient presigner, OkHttpClient ownedHttp) {
        this.client = client;
        this.presigner = presigner;
        this.ownedHttp = ownedHttp;
        this.bucket = b.bucket;
        this.putTtl = b.putTtl;
        this.getTtl = b.getTtl;
        this.corsOrigins = List.copyOf(b.corsOrigins);
        this.capabilities = new Capabilities(true, true, b.storeVerifiesChecksums);
        this.errors = new S3Errors(b.endpoint == null ? "the host's MinioClient" : b.endpoint, bucket, b.region);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * Makes sure the bucket exists, creating it if missing (in the configured region), and applies
     * the configured CORS origins. Safe to call on every start and from several instances at once.
     */
    public BucketSetup ensureBucket() {
        boolean created = false;
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                created = true;
            }
        } catch (Exception e) {
            // another instance created it between our check and our create
            if (!"BucketAlreadyOwnedByYou".equals(S3Errors.code(e))) {
                throw errors.translate("check or create bucket " + bucket, null, e);
            }
        }
        return new BucketSetup(created, corsOrigins.isEmpty() ? Cors.NOT_REQUESTED : applyCors());
    }

    /** One rule per origin: Garage answers a rule's origins joined, which a browser accepts only if it is one. */
    private Cors applyCors() {
        List<CORSConfiguration.CORSRule> rules = new ArrayList<>();
        for (String origin : corsOrigins) {
            rules.add(new CORSConfiguration.CORSRule(CORS_REQUEST_HEADERS, List.of("GET", "PUT", "HEAD"),
                    List.of(origin), List.of("ETag"), "dm-engine-" + (rules.size() + 1), 3600));
        }
        try {
            client.setBucketCors(SetBucketCorsArgs.builder().bucket(bucket)
                    .config(new CORSConfiguration(rules)).build());
            return Cors.APPLIED;
        } catch (Exception e) {
            if ("NotImplemented".equals(S3Errors.code(e)) || "MethodNotAllowed".equals(S3Errors.code(e))) {
                return Cors.NOT_SUPPORTED_BY_STORE;
            }
            throw errors.translate("set the CORS configuration of bucket " + bucket, null, e);
        }
    }

    @Override
    public PresignedRequest presignPut(PutRequest request) {
        Objects.requireNonNull(request, "request");
        Map<String, String> toSend = new LinkedHashMap<>();
        toSend.put("Content-Type", request.contentType());
        toSend.put(CHECKSUM_HEADER, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(request.sha256())));
        Map<String, String> signed = new LinkedHashMap<>(toSend);
        signed.put("Content-Length", Long.toString(request.contentLength()));
        URI url = presign(Method.PUT, request.key(), request.requestedTtl().orElse(putTtl), signed);
        return new PresignedRequest("PUT", url, toSend, expiry(url));
    }

    @Override
    public PresignedRequest presignGet(String key, Duration ttl) {
        ObjectKeys.check(key);
        URI url = presign(Method.GET, key, PresignedRequest.checkTtl(ttl), Map.of());
        return new PresignedRequest("GET", url, Map.of(), expiry(url));
    }

    @Override
    public PresignedRequest presignGet(String key) {
        return presignGet(key, getTtl);
    }

    private URI presign(Method method, String key, Duration ttl, Map<String, String> signedHeaders) {
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000); // round up: never shorter than asked
        try {
            return URI.create(presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(method)
                    .bucket(bucket).object(key).expiry((int) seconds).extraHeaders(signedHeaders).build()));
        } catch (Exception e) {
            throw errors.translate("sign a " + method + " of " + key, key, e);
        }
    }

    /** When the URL stops working, by the store's reading of it: X-Amz-Date plus X-Amz-Expires. */
    private static Instant expiry(URI url) {
        String date = null;
        long seconds = -1;
        for (String pair : url.getRawQuery().split("&")) {
            if (pair.startsWith("X-Amz-Date=")) {
                date = pair.substring("X-Amz-Date=".length());
            } else if (pair.startsWith("X-Amz-Expires=")) {
                seconds = Long.parseLong(pair.substring("X-Amz-Expires=".length()));
            }
        }
        if (date == null || seconds < 0) {
            throw new IllegalStateException("minio-java signed a URL without X-Amz-Date or X-Amz-Expires");
        }
        return LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC).plusSeconds(seconds);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.check(key);
        StatObjectResponse r;
        try {
            r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key)
                    .extraHeaders(Map.of("x-amz-checksum-mode", "ENABLED")).build());
        } catch (Exception e) {
            if (S3Errors.isMissingObject(e)) {
                return Optional.empty();
            }
            throw errors.translate("stat object " + key, key, e);
        }
        String contentType = r.contentType() == null ? "application/octet-stream" : r.contentType();
        String etag = r.etag() == null ? null : r.etag().replace("\"", "");
        Instant modified = r.lastModified() == null ? Instant.EPOCH : r.lastModified().toInstant();
        return Optional.of(new ObjectInfo(key, r.size(), contentType, etag, modified,
                wholeObjectSha256(r.headers().get(CHECKSUM_HEADER), r.headers().get("x-amz-checksum-type"))));
    }

    /**
     * The object's SHA-256 in hex from its {@code x-amz-checksum-sha256}, unless the store reports a
     * composite checksum (a multipart upload's checksum of part checksums, not of the bytes).
     */
    static String wholeObjectSha256(String base64, String type) {
        if (base64 == null || (type != null && !type.equalsIgnoreCase("FULL_OBJECT"))) {
            return null;
        }
        try {
            byte[] digest = Base64.getDecoder().decode(base64.trim());
            return digest.length == 32 ? HexFormat.of().formatHex(digest) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public InputStream read(String key, long maxBytes) {
        ObjectKeys.check(key);
        GetObjectResponse r;
        try {
            r = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (Exception e) {
            throw errors.translate("read object " + key, key, e);
        }
        String length = r.headers().get("Content-Length");
        if (length != null && Long.parseLong(length.trim()) > maxBytes) {
            closeQuietly(r); // drops the connection rather than reading the body
            throw new InvalidInputException("size", "the object is " + length.trim() + " bytes, more than the "
                    + maxBytes + " allowed");
        }
        return new BoundedInputStream(r, maxBytes);
    }

    /** Deletes the object; {@code false} if there was none (S3 answers a DELETE the same either way, so it stats first). */
    @Override
    public boolean delete(String key) {
        if (stat(key).isEmpty()) {
            return false;
        }
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (Exception e) {
            throw errors.translate("delete object " + key, key, e);
        }
    }

    /** Releases the connections and threads of the clients this storage built; a client passed in by the host stays open. */
    @Override
    public void close() {
        if (ownedHttp != null) {
            HttpClients.close(ownedHttp);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do about a failed close of a connection pool or a dropped response
        }
    }

    /**
     * Settings of an {@link S3ObjectStorage}. Either {@link #endpoint} and {@link #credentials}
     * (the storage builds and owns its clients), or {@link #client} (the host's own
     * {@link MinioClient}, left open on close). {@link #build()} names the first wrong setting.
     */
    public static final class Builder {
        private String endpoint;
        private String publicEndpoint;
        private String region = DEFAULT_REGION;
        private String accessKey;
        private String secretKey;
        private String bucket;
        private boolean pathStyle = true;
        private Duration putTtl = ObjectStorage.DEFAULT_PUT_TTL;
        private Duration getTtl = ObjectStorage.DEFAULT_GET_TTL;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private List<String> corsOrigins = List.of();
        private boolean storeVerifiesChecksums = true;
        private MinioClient client;
        private MinioClient presigner;

        private Builder() {
        }

        /** The URL this server reaches the store at, e.g. {@code http://garage:3900}; no path. */
        public Builder endpoint(String value) {
            endpoint = value;
            return this;
        }

        /**
         * The URL browsers reach the store at, when it differs from {@link #endpoint} (behind a
         * gateway). Pre-signed URLs are signed for it; the gateway must pass {@code Host} and the
         * path through unchanged. Defaults to the endpoint.
         */
        public Builder publicEndpoint(String value) {
            publicEndpoint = value;
            return this;
        }

        /** The store's region, part of every signature; Garage's is its {@code s3_region}. Default {@code us-east-1}. */
        public Builder region(String value) {
            region = value;
            return this;
        }

        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        public Builder bucket(String value) {
            bucket = value;
            return this;
        }

        /**
         * {@code true} (default): {@code https://host/bucket/key}, which Garage and S3Proxy always
         * accept; {@code false}: {@code https://bucket.host/key}, which needs wildcard DNS (and on
         * Garage its {@code root_domain}).
         */
        public Builder pathStyle(boolean value) {
            pathStyle = value;
            return this;
        }

        /** How long an upload URL lives when the request names no TTL; default 10 minutes, at most 7 days. */
        public Builder putTtl(Duration value) {
            putTtl = value;
            return this;
        }

        /** How long a download URL from {@code presignGet(key)} lives; default 5 minutes, at most 7 days. */
        public Builder getTtl(Duration value) {
            getTtl = value;
            return this;
        }

        /** For the clients this storage builds: how long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** For the clients this storage builds: the longest silence while reading an answer (default 60 s). */
        public Builder readTimeout(Duration value) {
            readTimeout = value;
            return this;
        }

        /**
         * Origins (e.g. {@code https://game.example.org}) whose pages may PUT and GET through the
         * pre-signed URLs; {@link #ensureBucket()} sets them as the bucket's CORS configuration.
         * Empty (default): the bucket's CORS configuration is left alone.
         */
        public Builder corsAllowedOrigins(List<String> value) {
            corsOrigins = value == null ? null : List.copyOf(value);
            return this;
        }

        /**
         * Whether the store checks {@code x-amz-checksum-sha256} on upload (default {@code true}:
         * Garage 1.0 and later, S3Proxy, MinIO, AWS). Set {@code false} for a store that ignores it;
         * {@code verify} then reads the bytes back instead of trusting the stored checksum.
         */
        public Builder storeVerifiesChecksums(boolean value) {
            storeVerifiesChecksums = value;
            return this;
        }

        /**
         * The host's own client, for every call to the store; instead of {@link #endpoint} and
         * {@link #credentials}. {@link #pathStyle} and the timeouts are then the client's own.
         */
        public Builder client(MinioClient value) {
            client = value;
            return this;
        }

        /**
         * The host's own client for signing URLs, configured for the public endpoint; only with
         * {@link #client}. Without it, URLs are signed by the client, or for {@link #publicEndpoint}
         * with {@link #credentials} when both are given.
         */
        public Builder presigner(MinioClient value) {
            presigner = value;
            return this;
        }

        /** @throws IllegalArgumentException whose message starts with the name of the wrong setting */
        public S3ObjectStorage build() {
            Settings.bucket(bucket);
            Settings.region(region);
            Settings.ttl("putTtl", putTtl);
            Settings.ttl("getTtl", getTtl);
            Settings.positive("connectTimeout", connectTimeout);
            Settings.positive("readTimeout", readTimeout);
            if (corsOrigins == null) {
                throw Settings.wrong("corsAllowedOrigins", "must not be null (empty leaves CORS alone)");
            }
            corsOrigins.forEach(Settings::origin);
            return client == null ? buildOwnClients() : buildOnHostClient();
        }

        private S3ObjectStorage buildOwnClients() {
            if (presigner != null) {
                throw Settings.wrong("presigner", "goes with client(..); with endpoint(..) set publicEndpoint instead");
            }
            endpoint = Settings.endpoint("endpoint", endpoint);
            publicEndpoint = publicEndpoint == null ? endpoint : Settings.endpoint("publicEndpoint", publicEndpoint);
            Settings.required("accessKey", accessKey);
            Settings.required("secretKey", secretKey);
            OkHttpClient http = HttpClients.newClient(connectTimeout, readTimeout);
            MinioClient api = newClient(endpoint, http);
            MinioClient signer = publicEndpoint.equals(endpoint) ? api : newClient(publicEndpoint, http);
            return new S3ObjectStorage(this, api, signer, http);
        }

        private S3ObjectStorage buildOnHostClient() {
            if (endpoint != null) {
                throw Settings.wrong("endpoint", "must not be set with client(..): the client has its own");
            }
            if (presigner != null) {
                return new S3ObjectStorage(this, client, presigner, null);
            }
            if (publicEndpoint == null) {
                return new S3ObjectStorage(this, client, client, null);
            }
            publicEndpoint = Settings.endpoint("publicEndpoint", publicEndpoint);
            if (accessKey == null || secretKey == null) {
                throw Settings.wrong("publicEndpoint", "with client(..) needs credentials(..) to sign for it,"
                        + " or a presigner(..) client");
            }
            // the signer never sends a request: its client only has to exist
            OkHttpClient http = HttpClients.newClient(connectTimeout, readTimeout);
            return new S3ObjectStorage(this, client, newClient(publicEndpoint, http), http);
        }

        /** A client with a fixed region, so that neither signing nor any call asks the store for its location. */
        private MinioClient newClient(String url, OkHttpClient http) {
            MinioClient c = MinioClient.builder().endpoint(url).region(region).credentials(accessKey, secretKey)
                    .httpClient(http, false).build();
            if (pathStyle) {
                c.disableVirtualStyleEndpoint();
            } else {
                c.enableVirtualStyleEndpoint();
            }
            return c;
        }

    }
}
