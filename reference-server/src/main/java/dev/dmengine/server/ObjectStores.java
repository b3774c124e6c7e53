package dev.dmengine.server;

import dev.dmengine.core.assets.AssetPolicy;
import dev.dmengine.core.inmemory.LocalFolderObjectStorage;
import dev.dmengine.s3.S3ObjectStorage;
import dev.dmengine.spi.objects.ObjectStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The object storage of each bucket of the asset policy, built from {@link AssetSettings}: on
 * the S3 store when {@code dm.s3.endpoint} is set (buckets checked or created, CORS set for the
 * server's origins, at start-up), else in local folders this server serves itself under
 * {@code /files/<bucket>/objects/} with URLs it signs (relative to its own origin). Also what the
 * rest of the server needs to know about them: the readiness check, the origins the web GUI's
 * Content-Security-Policy must allow, and the largest upload the listener must take.
 */
final class ObjectStores implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStores.class);
    /** A key no asset has (keys begin with a player id): its stat is a cheap round trip to the store. */
    private static final String PROBE_KEY = "dm-health/probe";

    final Map<String, ObjectStorage> buckets;
    /** The local folders the server serves (empty with S3). */
    final List<LocalFolderObjectStorage> served;
    /** Origins besides the server's own that browsers upload to and download from. */
    final Set<String> browserOrigins;
    final Wiring.Check check;
    /** The largest request body the listener must take: an upload to a served folder. */
    final long maxServedUpload;
    private final List<AutoCloseable> closeables;
    private final Optional<Path> temporary;

    private ObjectStores(Map<String, ObjectStorage> buckets, List<LocalFolderObjectStorage> served,
                         Set<String> browserOrigins, Wiring.Check check, long maxServedUpload,
                         List<AutoCloseable> closeables, Optional<Path> temporary) {
        this.buckets = Map.copyOf(buckets);
        this.served = List.copyOf(served);
        this.browserOrigins = Set.copyOf(browserOrigins);
        this.check = check;
        this.maxServedUpload = maxServedUpload;
        this.closeables = closeables;
        this.temporary = temporary;
    }

    static ObjectStores create(AssetSettings settings, AssetPolicy policy, Set<String> corsOrigins, Clock clock) {
        return settings.s3().isPresent()
                ? s3(settings, settings.s3().get(), policy, corsOrigins)
                : localFolders(settings, policy, clock);
    }

    // ---------------------------------------------------------------- S3

    private static ObjectStores s3(AssetSettings settings, AssetSettings.S3 s, AssetPolicy policy,
                                   Set<String> corsOrigins) {
        Map<String, ObjectStorage> buckets = new LinkedHashMap<>();
        List<AutoCloseable> closeables = new ArrayList<>();
        Set<String> origins = new LinkedHashSet<>();
        try {
            for (String bucket : policy.buckets()) {
                S3ObjectStorage storage = s3Storage(settings, s, s.bucketPrefix() + bucket, corsOrigins);
                closeables.add(storage);
                S3ObjectStorage.BucketSetup setup = ensure(storage, s);
                LOG.info("bucket {} on {}: {}; CORS {}", storage.bucket(), s.endpoint(),
                        setup.created() ? "created" : "found", setup.cors() == S3ObjectStorage.Cors.NOT_SUPPORTED_BY_STORE
                                ? "not supported by this store (configure it on the store)" : setup.cors());
                buckets.put(bucket, storage);
                origins.add(origin(storage.presignGet(PROBE_KEY).url()));
            }
        } catch (RuntimeException e) {
            closeAll(closeables);
            throw e;
        }
        String name = "s3";
        return new ObjectStores(buckets, List.of(), origins, new Wiring.Check(name, () -> probe(buckets)), 0,
                closeables, Optional.empty());
    }

    private static S3ObjectStorage s3Storage(AssetSettings settings, AssetSettings.S3 s, String bucket,
                                             Set<String> corsOrigins) {
        try {
            S3ObjectStorage.Builder b = S3ObjectStorage.builder().endpoint(s.endpoint()).region(s.region())
                    .credentials(s.accessKey(), s.secretKey()).bucket(bucket).pathStyle(s.pathStyle())
                    .putTtl(settings.uploadTtl()).getTtl(settings.downloadTtl())
                    .storeVerifiesChecksums(s.verifiesChecksums())
                    .corsAllowedOrigins(s.manageCors() ? List.copyOf(corsOrigins) : List.of());
            s.publicEndpoint().ifPresent(b::publicEndpoint);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configKey(e.getMessage()) + " (S3 bucket " + bucket + "): "
                    + e.getMessage(), e);
        }
    }

    /** The configuration key behind a setting the S3 builder names at the start of its message. */
    private static String configKey(String message) {
        String setting = message == null ? "" : message.split(":", 2)[0];
        return switch (setting) {
            case "endpoint" -> "dm.s3.endpoint";
            case "publicEndpoint" -> "dm.s3.public-endpoint";
            case "region" -> "dm.s3.region";
            case "accessKey" -> "dm.s3.access-key";
            case "secretKey" -> "dm.s3.secret-key";
            case "bucket" -> "dm.s3.bucket-prefix";
            case "putTtl" -> "dm.assets.upload-ttl";
            case "getTtl" -> "dm.assets.download-ttl";
            case "corsAllowedOrigins" -> "dm.server.allowed-origins";
            default -> "dm.s3";
        };
    }

    private static S3ObjectStorage.BucketSetup ensure(S3ObjectStorage storage, AssetSettings.S3 s) {
        try {
            return storage.ensureBucket();
        } catch (RuntimeException e) {
            // the adapter's message names the endpoint, the bucket and the store's error code, never the secret
            throw new IllegalStateException("dm.s3.endpoint: " + e.getMessage(), e);
        }
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    // ---------------------------------------------------------------- local folders

    private static ObjectStores localFolders(AssetSettings settings, AssetPolicy policy, Clock clock) {
        Optional<Path> temporary = Optional.empty();
        Path root;
        try {
            if (settings.folder().isPresent()) {
                root = Files.createDirectories(settings.folder().get());
            } else {
                root = Files.createTempDirectory("dm-assets-");
                temporary = Optional.of(root);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("dm.assets.folder: cannot create " + settings.folder().orElse(null)
                    + ": " + e.getMessage(), e);
        }
        byte[] key = new byte[32]; // URLs signed by this process only: the folders are this instance's
        new SecureRandom().nextBytes(key);
        Map<String, ObjectStorage> buckets = new LinkedHashMap<>();
        List<LocalFolderObjectStorage> served = new ArrayList<>();
        for (String bucket : policy.buckets()) {
            LocalFolderObjectStorage folder = new LocalFolderObjectStorage(root.resolve(bucket),
                    URI.create("/files/" + bucket), bucket, key, clock);
            buckets.put(bucket, folder);
            served.add(folder);
        }
        LOG.info("players' files are kept in {} ({}) and served by this server; set dm.s3.endpoint for an S3 store",
                root, temporary.isPresent() ? "a temporary folder removed at stop" : "dm.assets.folder");
        return new ObjectStores(buckets, served, Set.of(), new Wiring.Check("local-objects", () -> probe(buckets)),
                policy.maxUploadBytes(), List.of(), temporary);
    }

    // ---------------------------------------------------------------- shared

    /** {@code null} when every bucket answers, else what the first failing one says. */
    private static String probe(Map<String, ObjectStorage> buckets) {
        for (ObjectStorage storage : buckets.values()) {
            try {
                storage.stat(PROBE_KEY);
            } catch (RuntimeException e) {
                return "bucket " + storage.bucket() + ": " + e.getMessage();
            }
        }
        return null;
    }

    @Override
    public void close() {
        closeAll(closeables);
        temporary.ifPresent(ObjectStores::deleteTree);
    }

    private static void closeAll(List<AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("could not close {}: {}", c, e.toString());
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove the temporary object folder {}: {}", root, e.toString());
        }
    }
}
