package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link AssetStore} on {@code game.assets} (one live row per object: a partial unique index) and
 * {@code game.character_portraits}. Conditional changes are single statements whose
 * {@code WHERE} holds the condition, so two instances racing for one row cannot both win.
 */
public final class PostgresAssetStore implements AssetStore {

    private static final String COLUMNS =
            "id, owner_id, kind, bucket, object_key, content_type, size, sha256, status, created_at, updated_at";

    private final Db db;
    private final String table;
    private final String portraits;

    PostgresAssetStore(Db db) {
        this.db = db;
        this.table = db.game() + ".assets";
        this.portraits = db.game() + ".character_portraits";
    }

    @Override
    public Asset create(Asset a) {
        check(a);
        return db.call("create asset", h -> h.createQuery("INSERT INTO " + table + " (" + COLUMNS + ") VALUES "
                        + "(:id, :owner, :kind, :bucket, :key, :type, :size, :sha, :status, :created, :updated) "
                        + "RETURNING " + COLUMNS)
                .bind("id", a.id()).bind("owner", a.ownerId()).bind("kind", a.kind()).bind("bucket", a.bucket())
                .bind("key", a.key()).bind("type", a.contentType()).bind("size", a.size()).bind("sha", a.sha256())
                .bind("status", a.status().name()).bind("created", Db.ts(a.createdAt()))
                .bind("updated", Db.ts(a.updatedAt()))
                .map(PostgresAssetStore::map).one());
    }

    @Override
    public Optional<Asset> get(UUID id) {
        return db.call("get asset", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", id).map(PostgresAssetStore::map).findOne());
    }

    @Override
    public List<Asset> listByOwner(UUID ownerId) {
        return db.call("list assets", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE owner_id = :owner AND status <> 'DELETED' ORDER BY created_at, id")
                .bind("owner", ownerId).map(PostgresAssetStore::map).list());
    }

    @Override
    public Asset update(Asset a) {
        check(a);
        return db.call("update asset", h -> h.createQuery("UPDATE " + table + " SET owner_id = :owner, kind = :kind, "
                        + "bucket = :bucket, object_key = :key, content_type = :type, size = :size, sha256 = :sha, "
                        + "status = :status, updated_at = :updated WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", a.id()).bind("owner", a.ownerId()).bind("kind", a.kind()).bind("bucket", a.bucket())
                .bind("key", a.key()).bind("type", a.contentType()).bind("size", a.size()).bind("sha", a.sha256())
                .bind("status", a.status().name()).bind("updated", Db.ts(a.updatedAt()))
                .map(PostgresAssetStore::map).findOne())
                .orElseThrow(() -> new NotFoundException("asset", a.id()));
    }

    @Override
    public Asset update(Asset a, AssetStatus expected) {
        check(a);
        Objects.requireNonNull(expected, "expected");
        return db.tx("update asset", h -> {
            Optional<Asset> updated = h.createQuery("UPDATE " + table + " SET owner_id = :owner, kind = :kind, "
                            + "bucket = :bucket, object_key = :key, content_type = :type, size = :size, sha256 = :sha, "
                            + "status = :status, updated_at = :updated WHERE id = :id AND status = :expected "
                            + "RETURNING " + COLUMNS)
                    .bind("id", a.id()).bind("owner", a.ownerId()).bind("kind", a.kind()).bind("bucket", a.bucket())
                    .bind("key", a.key()).bind("type", a.contentType()).bind("size", a.size()).bind("sha", a.sha256())
                    .bind("status", a.status().name()).bind("updated", Db.ts(a.updatedAt()))
                    .bind("expected", expected.name())
                    .map(PostgresAssetStore::map).findOne();
            if (updated.isPresent()) {
                return updated.get();
            }
            String current = h.createQuery("SELECT status FROM " + table + " WHERE id = :id").bind("id", a.id())
                    .mapTo(String.class).findOne()
                    .orElseThrow(() -> new NotFoundException("asset", a.id()));
            throw new ConflictException("asset " + a.id() + " is " + current + ", not " + expected);
        });
    }

    @Override
    public Optional<Asset> findLive(UUID ownerId, String bucket, String key) {
        return db.call("find asset by object", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE bucket = :bucket AND object_key = :key AND status <> 'DELETED' AND owner_id = :owner")
                .bind("bucket", bucket).bind("key", key).bind("owner", ownerId)
                .map(PostgresAssetStore::map).findOne());
    }

    @Override
    public List<Asset> listPending(Instant before, int limit) {
        Objects.requireNonNull(before, "before");
        if (limit < 1 || limit > 10_000) {
            throw new dev.dmengine.spi.InvalidInputException("limit", "must be 1 to 10000, was " + limit);
        }
        return db.call("list pending assets", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE status = 'PENDING' AND updated_at < :before ORDER BY updated_at, id LIMIT :limit")
                .bind("before", Db.ts(before)).bind("limit", limit).map(PostgresAssetStore::map).list());
    }

    @Override
    public boolean deletePending(UUID id, Instant before) {
        Objects.requireNonNull(before, "before");
        return db.call("delete pending asset", h -> h.createUpdate("DELETE FROM " + table
                        + " WHERE id = :id AND status = 'PENDING' AND updated_at < :before")
                .bind("id", id).bind("before", Db.ts(before)).execute()) == 1;
    }

    @Override
    public void setPortrait(UUID ownerId, UUID characterId, UUID assetId) {
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(characterId, "characterId");
        Objects.requireNonNull(assetId, "assetId");
        int n = db.call("set portrait", h -> h.createUpdate("INSERT INTO " + portraits
                        + " (character_id, owner_id, asset_id, updated_at) SELECT :character, :owner, a.id, now() FROM "
                        + table + " a WHERE a.id = :asset ON CONFLICT (character_id) DO UPDATE SET "
                        + "owner_id = EXCLUDED.owner_id, asset_id = EXCLUDED.asset_id, updated_at = EXCLUDED.updated_at")
                .bind("character", characterId).bind("owner", ownerId).bind("asset", assetId).execute());
        if (n == 0) {
            throw new NotFoundException("asset", assetId);
        }
    }

    @Override
    public Map<UUID, UUID> portraits(UUID ownerId) {
        Objects.requireNonNull(ownerId, "ownerId");
        return db.call("list portraits", h -> {
            Map<UUID, UUID> out = new LinkedHashMap<>();
            h.createQuery("SELECT character_id, asset_id FROM " + portraits + " WHERE owner_id = :owner")
                    .bind("owner", ownerId)
                    .map((rs, ctx) -> Map.entry(Db.uuid(rs, "character_id"), Db.uuid(rs, "asset_id")))
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
            return Map.copyOf(out);
        });
    }

    @Override
    public boolean clearPortrait(UUID ownerId, UUID characterId) {
        return db.call("clear portrait", h -> h.createUpdate("DELETE FROM " + portraits
                        + " WHERE character_id = :character AND owner_id = :owner")
                .bind("character", characterId).bind("owner", ownerId).execute()) == 1;
    }

    @Override
    public boolean delete(UUID id) {
        return db.call("delete asset", h -> h.createUpdate("DELETE FROM " + table + " WHERE id = :id")
                .bind("id", id).execute()) == 1;
    }

    private static void check(Asset a) {
        Checks.text("kind", a.kind(), 100);
        Checks.text("bucket", a.bucket(), 255);
        Checks.text("key", a.key(), 1024);
        Checks.text("contentType", a.contentType(), 255);
        Checks.text("sha256", a.sha256(), 128);
    }

    private static Asset map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Asset(Db.uuid(rs, "id"), Db.uuid(rs, "owner_id"), rs.getString("kind"), rs.getString("bucket"),
                rs.getString("object_key"), rs.getString("content_type"), rs.getLong("size"), rs.getString("sha256"),
                AssetStatus.valueOf(rs.getString("status")), Db.instant(rs, "created_at"),
                Db.instant(rs, "updated_at"));
    }
}
