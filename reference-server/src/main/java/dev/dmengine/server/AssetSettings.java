package dev.dmengine.server;

import io.helidon.config.Config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where players' files go ({@code dm.s3.*}, {@code dm.assets.*}), checked at start-up. With
 * {@code dm.s3.endpoint} the buckets live on that S3 store (Garage, MinIO, AWS S3, S3Proxy);
 * without it in local folders the server serves itself, with URLs it signs ({@code ./dm start}
 * needs no S3 server). Any other {@code dm.s3} key without the endpoint, or the endpoint without
 * both keys, stops start-up naming what is missing.
 *
 * @param s3              the S3 store, if configured
 * @param folder          {@code dm.assets.folder}: where the local folders live without S3; empty
 *                        for a temporary directory removed at stop
 * @param uploadTtl       {@code dm.assets.upload-ttl}: how long an upload URL is valid (10m)
 * @param downloadTtl     {@code dm.assets.download-ttl}: how long a download URL is valid (5m)
 * @param abandonAfter    {@code dm.assets.abandon-after}: an upload not completed in this long is
 *                        removed (1h); longer than the upload TTL
 * @param cleanupInterval {@code dm.assets.cleanup-interval}: how often the server looks for them (10m)
 */
public record AssetSettings(Optional<S3> s3, Optional<Path> folder, Duration uploadTtl, Duration downloadTtl,
                            Duration abandonAfter, Duration cleanupInterval) {

    /**
     * An S3-compatible store.
     *
     * @param endpoint        {@code dm.s3.endpoint}: how this server reaches the store, {@code http(s)://host[:port]}
     * @param publicEndpoint  {@code dm.s3.public-endpoint}: how browsers reach it (the URLs are
     *                        signed for this host); the endpoint unless set
     * @param region          {@code dm.s3.region}: on Garage its {@code s3_region} (us-east-1)
     * @param pathStyle       {@code dm.s3.path-style}: {@code https://host/bucket/key} (true)
     * @param bucketPrefix    {@code dm.s3.bucket-prefix}: put before each bucket's name
     *                        ({@code player-assets}, {@code exports}); empty unless set
     * @param verifiesChecksums {@code dm.s3.store-verifies-checksums}: the store refuses a body whose
     *                        {@code x-amz-checksum-sha256} differs (true: Garage 1.0+, MinIO, AWS, S3Proxy)
     * @param manageCors      {@code dm.s3.manage-cors}: set each bucket's CORS rules to the
     *                        server's allowed origins at start-up (true)
     */
    public record S3(String endpoint, Optional<String> publicEndpoint, String region, String accessKey,
                     String secretKey, boolean pathStyle, String bucketPrefix, boolean verifiesChecksums,
                     boolean manageCors) {

        /** The URL browsers use. */
        String browserEndpoint() {
            return publicEndpoint.orElse(endpoint);
        }

        @Override
        public String toString() { // never the secret key
            return "S3[endpoint=" + endpoint + ", publicEndpoint=" + browserEndpoint() + ", region=" + region
                    + ", pathStyle=" + pathStyle + ", bucketPrefix=" + bucketPrefix + "]";
        }
    }

    private static final List<String> S3_KEYS = List.of("public-endpoint", "region", "access-key", "secret-key",
            "path-style", "bucket-prefix", "store-verifies-checksums", "manage-cors");

    static AssetSettings from(Config dm) {
        Duration upload = within(dm, "assets.upload-ttl", Duration.ofMinutes(10));
        Duration download = within(dm, "assets.download-ttl", Duration.ofMinutes(5));
        Duration abandon = ServerSettings.duration(dm, "assets.abandon-after", Duration.ofHours(1));
        if (abandon.compareTo(upload) <= 0) {
            throw new IllegalArgumentException("dm.assets.abandon-after (" + abandon + ") must be longer than "
                    + "dm.assets.upload-ttl (" + upload + "): an upload still allowed would be removed");
        }
        Duration cleanup = ServerSettings.duration(dm, "assets.cleanup-interval", Duration.ofMinutes(10));
        if (cleanup.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("dm.assets.cleanup-interval must be at least 1s, was " + cleanup);
        }
        Optional<Path> folder = text(dm, "assets.folder").map(Path::of);
        return new AssetSettings(s3(dm), folder, upload, download, abandon, cleanup);
    }

    private static Optional<S3> s3(Config dm) {
        Optional<String> endpoint = text(dm, "s3.endpoint");
        if (endpoint.isEmpty()) {
            for (String k : S3_KEYS) {
                if (text(dm, "s3." + k).isPresent()) {
                    throw new IllegalArgumentException("dm.s3." + k + " is set but dm.s3.endpoint is missing (env "
                            + "DM_S3_ENDPOINT); set it, or remove the dm.s3 keys to keep files in local folders");
                }
            }
            return Optional.empty();
        }
        String accessKey = required(dm, "access-key", "DM_S3_ACCESS_dash_KEY");
        String secretKey = required(dm, "secret-key", "DM_S3_SECRET_dash_KEY");
        String prefix = text(dm, "s3.bucket-prefix").orElse("");
        if (!prefix.matches("[a-z0-9.-]{0,40}")) {
            throw new IllegalArgumentException("dm.s3.bucket-prefix must be up to 40 of a-z 0-9 . - (bucket names are "
                    + "the prefix, then player-assets or exports), was " + prefix);
        }
        return Optional.of(new S3(endpoint.get(), text(dm, "s3.public-endpoint"),
                text(dm, "s3.region").orElse("us-east-1"), accessKey, secretKey, bool(dm, "s3.path-style", true),
                prefix, bool(dm, "s3.store-verifies-checksums", true), bool(dm, "s3.manage-cors", true)));
    }

    private static String required(Config dm, String key, String env) {
        return text(dm, "s3." + key).orElseThrow(() -> new IllegalArgumentException("dm.s3.endpoint is set but dm.s3."
                + key + " is missing (env " + env + "); give the store's access key and secret key, or remove "
                + "dm.s3.endpoint to keep files in local folders"));
    }

    private static Duration within(Config dm, String key, Duration def) {
        Duration d = ServerSettings.duration(dm, key, def);
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("dm." + key + " must be 1s to 7 days (the limit of a signed URL), was "
                    + text(dm, key).orElse(""));
        }
        return d;
    }

    private static boolean bool(Config dm, String key, boolean def) {
        Optional<String> v = text(dm, key);
        if (v.isEmpty()) {
            return def;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("dm." + key + " must be true or false, was " + v.get());
        };
    }

    private static Optional<String> text(Config dm, String key) {
        return dm.get(key).asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Never the secret key. */
    @Override
    public String toString() {
        return "AssetSettings[" + s3.map(S3::toString).orElse("local folders") + ", uploadTtl=" + uploadTtl
                + ", downloadTtl=" + downloadTtl + "]";
    }
}
