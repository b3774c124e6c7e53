package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/** {@link AssetStore} on {@code game.assets}. */
public final class PostgresAssetStore implements AssetStore {

    private static final String COLUMNS =
            "id, owner_id, kind, bucket, object_key, content_type, size, sha256, status, created_at, updated_at";

    private final Db db;
    private final String table;

    PostgresAssetStore(Db db) {
        this.db = db;
        this.table = db.game() + ".assets";
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
