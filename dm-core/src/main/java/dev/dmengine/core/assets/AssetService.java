package dev.dmengine.core.assets;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import dev.dmengine.spi.objects.Verification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Players' files (seed flow B): the engine decides where a file goes and checks it arrived as
 * declared, while the bytes travel between the player's browser and the object store only.
 *
 * <ol>
 *   <li>{@link #presign}: the declaration is checked against the {@link AssetPolicy} (bucket of
 *       the purpose, allowed content type, size limit, SHA-256); the key is
 *       {@code <playerId>/<purpose>/<sha256>}, never the client's; the asset is recorded PENDING
 *       and an upload URL is signed that binds content type, length and checksum.</li>
 *   <li>The client PUTs the bytes to the store.</li>
 *   <li>{@link #complete}: the stored object is verified ({@link ObjectStorage#verify}: size,
 *       content type, SHA-256) and only then is the asset READY. An object that differs is
 *       deleted and the answer names the field that differs; nothing uploaded yet is a conflict
 *       the client can fix by uploading. A second complete of a READY asset is a conflict too:
 *       it never re-reads or re-marks anything.</li>
 *   <li>{@link #get} gives a READY asset with a short-lived download URL; {@link #delete} removes
 *       the object and the asset.</li>
 * </ol>
 *
 * <p>Every call names its player, and another player's asset is {@link NotFoundException},
 * exactly like one that does not exist. Keys are content-addressed, so one object is one asset:
 * declaring the same bytes again for the same purpose renews the PENDING asset (a new URL) or
 * answers the READY one with nothing to upload. Uploads never completed are removed by
 * {@link #cleanUpAbandoned()}, which the host runs on a schedule.
 *
 * <p>The guarantee that no asset is READY with bytes nobody checked rests on
 * {@link ObjectStorage#verify}; that the bytes cannot change afterwards, on the store refusing
 * an upload whose checksum is not the signed one ({@link ObjectStorage.Capabilities#enforcesChecksum()},
 * true of the local folder and of S3 stores that check {@code x-amz-checksum-sha256}): an upload
 * URL stays valid until it expires, even after {@link #complete}.
 */
public final class AssetService {

    private static final Logger LOG = LoggerFactory.getLogger(AssetService.class);
    private static final int CLEAN_UP_BATCH = 100;
    private static final int CLEAN_UP_MAX_BATCHES = 100;

    private final AssetStore assets;
    private final CharacterStore characters;
    private final Map<String, ObjectStorage> storages;
    private final AssetPolicy policy;
    private final Clock clock;

    /**
     * @param storages the object storage of each bucket, by the bucket name the policy uses; a
     *                 bucket without one answers {@link UnavailableException}
     */
    public AssetService(AssetStore assets, CharacterStore characters, Map<String, ObjectStorage> storages,
                        AssetPolicy policy, Clock clock) {
        this.assets = Objects.requireNonNull(assets, "assets");
        this.characters = Objects.requireNonNull(characters, "characters");
        this.storages = Map.copyOf(storages);
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String bucket : this.storages.keySet()) {
            if (!policy.buckets().contains(bucket)) {
                throw new IllegalArgumentException("object storage given for bucket " + bucket
                        + ", which no purpose of the policy uses (" + policy.buckets() + ")");
            }
        }
    }

    public AssetPolicy policy() {
        return policy;
    }

    /** The object storage of each configured bucket, for hosts that serve or check them. */
    public Map<String, ObjectStorage> storages() {
        return storages;
    }

    // ---------------------------------------------------------------- flow B

    /**
     * Checks the declaration, records the asset PENDING (or renews or finds the player's asset of
     * the same bytes) and signs the upload.
     *
     * @throws InvalidInputException one error per field the policy refuses
     * @throws ConflictException     the player keeps as many assets as the policy allows, or the
     *                               same bytes are READY under another content type
     */
    public Upload presign(UUID ownerId, NewUpload request) {
        Objects.requireNonNull(ownerId, "ownerId");
        Declared d = check(request);
        ObjectStorage storage = storage(d.purpose.bucket());
        String key = ownerId + "/" + d.purpose.name() + "/" + d.sha256;
        Optional<Asset> existing = assets.findLive(ownerId, d.purpose.bucket(), key);
        if (existing.isPresent()) {
            return reuse(existing.get(), d, storage);
        }
        requireRoom(ownerId);
        Instant now = clock.instant();
        Asset fresh = new Asset(Ids.newId(), ownerId, d.purpose.name(), d.purpose.bucket(), key, d.contentType,
                d.size, d.sha256, AssetStatus.PENDING, now, now);
        PresignedRequest put = storage.presignPut(declaration(fresh).withTtl(policy.uploadTtl()));
        try {
            assets.create(fresh);
        } catch (ConflictException raced) { // the same bytes declared twice at once: one asset
            Asset other = assets.findLive(ownerId, d.purpose.bucket(), key).orElseThrow(() -> raced);
            return reuse(other, d, storage);
        }
        return new Upload(fresh, Optional.of(put), true);
    }

    /** The player's asset of the same object: a READY one as it is, a PENDING one renewed with a new URL. */
    private Upload reuse(Asset existing, Declared d, ObjectStorage storage) {
        if (existing.status() == AssetStatus.READY) {
            if (!existing.contentType().equals(d.contentType)) {
                throw new ConflictException("these bytes are already stored as " + existing.contentType()
                        + " (asset " + existing.id() + "); declare that type, or delete that asset first");
            }
            return new Upload(existing, Optional.empty(), false);
        }
        Asset renewed = new Asset(existing.id(), existing.ownerId(), existing.kind(), existing.bucket(),
                existing.key(), d.contentType, d.size, d.sha256, AssetStatus.PENDING, existing.createdAt(),
                clock.instant());
        PresignedRequest put = storage.presignPut(declaration(renewed).withTtl(policy.uploadTtl()));
        try {
            assets.update(renewed, AssetStatus.PENDING);
        } catch (ConflictException completedMeanwhile) {
            return reuse(owned(existing.ownerId(), existing.id()), d, storage);
        }
        return new Upload(renewed, Optional.of(put), false);
    }

    /**
     * Verifies the uploaded object against the declaration and marks the asset READY.
     *
     * @throws NotFoundException     no such asset of this player (or it was cleaned up)
     * @throws ConflictException     the asset is READY already (a replayed complete), or nothing
     *                               was uploaded yet
     * @throws InvalidInputException the object differs from the declaration (field {@code size},
     *                               {@code contentType} or {@code sha256}); it was deleted
     */
    public Asset complete(UUID ownerId, UUID assetId) {
        Asset a = owned(ownerId, assetId);
        if (a.status() == AssetStatus.READY) {
            throw new ConflictException("asset " + a.id() + " is already complete: a replayed complete changes "
                    + "nothing (GET /api/assets/" + a.id() + " for its download URL)");
        }
        ObjectStorage storage = storage(a.bucket());
        Verification v = storage.verify(declaration(a));
        return switch (v) {
            case Verification.Verified ok -> markReady(a, ok);
            case Verification.Missing missing -> throw new ConflictException("nothing was uploaded for asset "
                    + a.id() + " yet: PUT the file to its upload URL first, or ask for a new URL if it expired");
            case Verification.Mismatch m -> {
                storage.delete(a.key());
                LOG.info("asset {} of player {}: the upload differed from its declaration ({}); deleted it",
                        a.id(), ownerId, m.field());
                throw new InvalidInputException(apiField(m.field()), m.reason()
                        + "; the upload was deleted: upload the declared file again");
            }
        };
    }

    private Asset markReady(Asset a, Verification.Verified ok) {
        Asset ready = new Asset(a.id(), a.ownerId(), a.kind(), a.bucket(), a.key(), a.contentType(),
                ok.object().size(), a.sha256(), AssetStatus.READY, a.createdAt(), clock.instant());
        try {
            return assets.update(ready, AssetStatus.PENDING);
        } catch (ConflictException e) {
            throw new ConflictException("asset " + a.id() + " was completed by another request meanwhile", e);
        }
    }

    private static String apiField(String verificationField) {
        return verificationField.equals("contentLength") ? "size" : verificationField;
    }

    /** The player's asset, with a download URL when it is READY. */
    public Download get(UUID ownerId, UUID assetId) {
        Asset a = owned(ownerId, assetId);
        return new Download(a, a.status() == AssetStatus.READY ? Optional.of(downloadUrl(a)) : Optional.empty());
    }

    /** The player's assets (not deleted), oldest first. */
    public List<Asset> list(UUID ownerId) {
        return assets.listByOwner(Objects.requireNonNull(ownerId, "ownerId"));
    }

    /**
     * Deletes the object, then the asset (and any portrait it was). In that order a failure
     * leaves at worst an asset whose object is gone, which a retried delete finishes; never bytes
     * without their row's checks.
     */
    public void delete(UUID ownerId, UUID assetId) {
        Asset a = owned(ownerId, assetId);
        storage(a.bucket()).delete(a.key());
        assets.delete(a.id());
    }

    /**
     * Deletes the assets still PENDING {@link AssetPolicy#abandonAfter()} after they were last
     * declared, and any object uploaded for them; run it on a schedule (several instances may
     * run it at once: each asset is removed by one). An asset completed or renewed meanwhile is
     * kept.
     *
     * @return how many assets were removed
     */
    public int cleanUpAbandoned() {
        Instant before = clock.instant().minus(policy.abandonAfter());
        int removed = 0;
        for (int round = 0; round < CLEAN_UP_MAX_BATCHES; round++) {
            List<Asset> batch = assets.listPending(before, CLEAN_UP_BATCH);
            for (Asset a : batch) {
                if (assets.deletePending(a.id(), before)) {
                    removed++;
                    deleteObjectQuietly(a);
                }
            }
            if (batch.size() < CLEAN_UP_BATCH) {
                break;
            }
        }
        if (removed > 0) {
            LOG.info("removed {} uploads abandoned for more than {}", removed, policy.abandonAfter());
        }
        return removed;
    }

    private void deleteObjectQuietly(Asset a) {
        ObjectStorage storage = storages.get(a.bucket());
        if (storage == null) {
            return;
        }
        try {
            storage.delete(a.key());
        } catch (RuntimeException e) { // the row is gone; a new upload of the same bytes overwrites the object
            LOG.warn("abandoned upload {}: could not delete object {} from bucket {}: {}", a.id(), a.key(),
                    a.bucket(), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- portraits

    /**
     * Makes the player's READY portrait asset the character's portrait.
     *
     * @throws NotFoundException     the character or the asset is not the player's
     * @throws InvalidInputException the asset is not a portrait (field {@code assetId})
     * @throws ConflictException     the asset is not uploaded and completed yet
     */
    public Portrait setPortrait(UUID ownerId, UUID characterId, UUID assetId) {
        ownedCharacter(ownerId, characterId);
        Asset a = owned(ownerId, assetId);
        if (!AssetPolicy.PORTRAIT.equals(a.kind())) {
            throw new InvalidInputException("assetId", "must be an asset of purpose " + AssetPolicy.PORTRAIT
                    + ", not " + a.kind());
        }
        if (a.status() != AssetStatus.READY) {
            throw new ConflictException("asset " + a.id() + " is " + a.status() + ": complete its upload first");
        }
        assets.setPortrait(ownerId, characterId, a.id());
        return new Portrait(characterId, a, downloadUrl(a));
    }

    /** The character's portrait, if it has one. */
    public Optional<Portrait> portrait(UUID ownerId, UUID characterId) {
        ownedCharacter(ownerId, characterId);
        UUID assetId = assets.portraits(ownerId).get(characterId);
        return assetId == null ? Optional.empty() : shown(ownerId, characterId, assetId);
    }

    /**
     * The portraits of all the player's characters. A portrait of a character that no longer
     * exists is forgotten here (characters and assets are separate stores, with no cascade).
     */
    public List<Portrait> portraits(UUID ownerId) {
        Set<UUID> mine = characters.listByOwner(Objects.requireNonNull(ownerId, "ownerId")).stream()
                .map(GameCharacter::id).collect(Collectors.toSet());
        List<Portrait> out = new ArrayList<>();
        Map<UUID, UUID> links = new LinkedHashMap<>(assets.portraits(ownerId));
        links.forEach((characterId, assetId) -> {
            if (!mine.contains(characterId)) {
                assets.clearPortrait(ownerId, characterId);
            } else {
                shown(ownerId, characterId, assetId).ifPresent(out::add);
            }
        });
        return out;
    }

    /** Removes the character's portrait; the asset stays. */
    public void clearPortrait(UUID ownerId, UUID characterId) {
        ownedCharacter(ownerId, characterId);
        assets.clearPortrait(ownerId, characterId);
    }

    private Optional<Portrait> shown(UUID ownerId, UUID characterId, UUID assetId) {
        return assets.get(assetId).filter(a -> a.ownerId().equals(ownerId) && a.status() == AssetStatus.READY)
                .map(a -> new Portrait(characterId, a, downloadUrl(a)));
    }

    private void ownedCharacter(UUID ownerId, UUID characterId) {
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(characterId, "characterId");
        characters.get(characterId).filter(c -> c.ownerId().equals(ownerId))
                .orElseThrow(() -> new NotFoundException("character", characterId));
    }

    // ---------------------------------------------------------------- helpers

    private PresignedRequest downloadUrl(Asset a) {
        return storage(a.bucket()).presignGet(a.key(), policy.downloadTtl());
    }

    private Asset owned(UUID ownerId, UUID assetId) {
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(assetId, "assetId");
        return assets.get(assetId).filter(a -> a.ownerId().equals(ownerId) && a.status() != AssetStatus.DELETED)
                .orElseThrow(() -> new NotFoundException("asset", assetId));
    }

    private ObjectStorage storage(String bucket) {
        ObjectStorage s = storages.get(bucket);
        if (s == null) {
            throw new UnavailableException("no object storage is configured for bucket " + bucket);
        }
        return s;
    }

    private void requireRoom(UUID ownerId) {
        if (assets.listByOwner(ownerId).size() >= policy.maxAssetsPerPlayer()) {
            throw new ConflictException("a player may keep at most " + policy.maxAssetsPerPlayer()
                    + " files; delete some first");
        }
    }

    private static PutRequest declaration(Asset a) {
        return PutRequest.builder().key(a.key()).contentType(a.contentType()).contentLength(a.size())
                .sha256(a.sha256()).build();
    }

    /** A declaration the policy accepts, normalised. */
    private record Declared(AssetPolicy.Purpose purpose, String contentType, long size, String sha256) {
    }

    private Declared check(NewUpload r) {
        Objects.requireNonNull(r, "request");
        List<FieldError> errors = new ArrayList<>();
        AssetPolicy.Purpose purpose = r.purpose() == null ? null : policy.purposes().get(r.purpose());
        Set<String> purposes = new TreeSet<>(policy.purposes().keySet());
        if (purpose == null) {
            errors.add(new FieldError("purpose", r.purpose() == null ? "is required"
                    : "must be one of " + String.join(", ", purposes)));
        }
        if (r.bucket() == null) {
            errors.add(new FieldError("bucket", "is required"));
        } else if (!policy.buckets().contains(r.bucket())) {
            errors.add(new FieldError("bucket", "must be one of " + String.join(", ", policy.buckets())));
        } else if (purpose != null && !purpose.bucket().equals(r.bucket())) {
            errors.add(new FieldError("bucket", "must be " + purpose.bucket() + " for a " + purpose.name()));
        }
        if (r.contentType() == null) {
            errors.add(new FieldError("contentType", "is required"));
        } else if (purpose != null && !purpose.contentTypes().contains(r.contentType())) {
            errors.add(new FieldError("contentType", "must be one of " + String.join(", ", purpose.contentTypes())
                    + " for a " + purpose.name()));
        }
        if (purpose != null && (r.size() < 1 || r.size() > purpose.maxBytes())) {
            errors.add(new FieldError("size", "must be 1 to " + purpose.maxBytes() + " bytes for a " + purpose.name()
                    + ", was " + r.size()));
        }
        String sha256 = r.sha256() == null ? null : r.sha256().toLowerCase(Locale.ROOT);
        if (!PutRequest.isSha256Hex(sha256)) {
            errors.add(new FieldError("sha256", r.sha256() == null ? "is required"
                    : "must be the SHA-256 of the file as 64 hex digits"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new Declared(purpose, r.contentType(), r.size(), sha256);
    }
}
