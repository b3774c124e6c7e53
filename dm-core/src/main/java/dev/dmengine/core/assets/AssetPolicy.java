package dev.dmengine.core.assets;

import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What players may upload: for each purpose, the bucket it goes to, the content types allowed
 * (compared exactly, so a type is stored and served as declared) and the largest size; how long
 * upload and download URLs live; when an upload never completed is abandoned; and how many
 * assets one player may keep.
 *
 * <p>{@link #defaults()}: a {@code portrait} is a PNG, JPEG, WebP or GIF image of at most 5 MiB in
 * {@code player-assets}; an {@code export} is a Markdown or JSON transcript of at most 10 MiB in
 * {@code exports}. No type that a browser would run (HTML, SVG, JavaScript) is allowed: in the
 * embedded profile the objects are served from the game's own origin.
 *
 * @param uploadTtl          how long an upload URL is valid
 * @param downloadTtl        how long a download URL is valid
 * @param abandonAfter       a PENDING asset not renewed for this long is deleted by the clean-up;
 *                           longer than {@code uploadTtl}, so no upload still allowed is cut short
 * @param maxAssetsPerPlayer assets (of any status but deleted) one player may keep
 */
public record AssetPolicy(Map<String, Purpose> purposes, Duration uploadTtl, Duration downloadTtl,
                          Duration abandonAfter, int maxAssetsPerPlayer) {

    /** The bucket of players' own files (portraits). */
    public static final String PLAYER_ASSETS = "player-assets";
    /** The bucket of session exports. */
    public static final String EXPORTS = "exports";
    public static final String PORTRAIT = "portrait";
    public static final String EXPORT = "export";

    /**
     * One kind of upload.
     *
     * @param contentTypes the allowed {@code Content-Type} values, exactly as they must be declared
     * @param maxBytes     the largest upload, in bytes
     */
    public record Purpose(String name, String bucket, List<String> contentTypes, long maxBytes) {
        public Purpose {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(bucket, "bucket");
            contentTypes = List.copyOf(contentTypes);
            if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
                throw new IllegalArgumentException("purpose name must be 1 to 32 of a-z 0-9 - starting with a letter,"
                        + " was " + name);
            }
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,62}")) {
                throw new IllegalArgumentException("bucket of purpose " + name + " must be an S3 bucket name, was "
                        + bucket);
            }
            if (contentTypes.isEmpty()) {
                throw new IllegalArgumentException("purpose " + name + " must allow at least one content type");
            }
            contentTypes.forEach(PutRequest::checkContentType);
            if (maxBytes < 1 || maxBytes > PutRequest.MAX_CONTENT_LENGTH) {
                throw new IllegalArgumentException("maxBytes of purpose " + name + " must be 1 to "
                        + PutRequest.MAX_CONTENT_LENGTH + ", was " + maxBytes);
            }
        }
    }

    public AssetPolicy {
        purposes = Map.copyOf(purposes);
        if (purposes.isEmpty()) {
            throw new IllegalArgumentException("an asset policy needs at least one purpose");
        }
        purposes.forEach((k, v) -> {
            if (!k.equals(v.name())) {
                throw new IllegalArgumentException("purpose " + v.name() + " is filed under " + k);
            }
        });
        PresignedRequest.checkTtl(uploadTtl);
        PresignedRequest.checkTtl(downloadTtl);
        Objects.requireNonNull(abandonAfter, "abandonAfter");
        if (abandonAfter.compareTo(uploadTtl) <= 0) {
            throw new IllegalArgumentException("abandonAfter (" + abandonAfter + ") must be longer than uploadTtl ("
                    + uploadTtl + ")");
        }
        if (maxAssetsPerPlayer < 1) {
            throw new IllegalArgumentException("maxAssetsPerPlayer must be at least 1, was " + maxAssetsPerPlayer);
        }
    }

    /** Portraits and exports, URLs of 10 and 5 minutes, abandoned after an hour, 500 assets a player. */
    public static AssetPolicy defaults() {
        Map<String, Purpose> p = new LinkedHashMap<>();
        p.put(PORTRAIT, new Purpose(PORTRAIT, PLAYER_ASSETS, List.of("image/png", "image/jpeg", "image/webp",
                "image/gif"), 5L * 1024 * 1024));
        p.put(EXPORT, new Purpose(EXPORT, EXPORTS, List.of("text/markdown; charset=utf-8", "text/markdown",
                "application/json"), 10L * 1024 * 1024));
        return new AssetPolicy(p, Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofHours(1), 500);
    }

    /** The buckets the purposes name, in a stable order. */
    public Set<String> buckets() {
        Set<String> out = new LinkedHashSet<>();
        purposes.values().stream().map(Purpose::bucket).sorted().forEach(out::add);
        return out;
    }

    /** The largest upload of any purpose: what a host serving uploads itself must accept. */
    public long maxUploadBytes() {
        return purposes.values().stream().mapToLong(Purpose::maxBytes).max().orElseThrow();
    }

    /** This policy with other URL lifetimes and clean-up delay. */
    public AssetPolicy withTimes(Duration upload, Duration download, Duration abandon) {
        return new AssetPolicy(purposes, upload, download, abandon, maxAssetsPerPlayer);
    }
}
