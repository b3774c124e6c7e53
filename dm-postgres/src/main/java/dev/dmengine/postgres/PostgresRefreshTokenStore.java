package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.RefreshFamily;
import dev.dmengine.spi.identity.RefreshToken;
import dev.dmengine.spi.identity.RefreshTokenStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/** {@link RefreshTokenStore} on {@code auth.refresh_families} and {@code auth.refresh_tokens} (hashes only). */
public final class PostgresRefreshTokenStore implements RefreshTokenStore {

    private static final String FAMILY_COLUMNS = "id, player_id, created_at, expires_at, revoked_at";
    private static final String TOKEN_COLUMNS = "token_hash, family_id, player_id, issued_at, used_at, successor_hash, "
            + "sealed_successor";
    private static final int MAX_HASH = 200;
    private static final int MAX_SEALED = 512;

    private final Db db;
    private final String families;
    private final String tokens;

    PostgresRefreshTokenStore(Db db) {
        this.db = db;
        this.families = db.auth() + ".refresh_families";
        this.tokens = db.auth() + ".refresh_tokens";
    }

    @Override
    public RefreshFamily createFamily(RefreshFamily f) {
        return db.call("create refresh family", h -> h.createQuery("INSERT INTO " + families
                        + " (" + FAMILY_COLUMNS + ") VALUES (:id, :player, :created, :expires, :revoked) RETURNING "
                        + FAMILY_COLUMNS)
                .bind("id", f.id()).bind("player", f.playerId()).bind("created", Db.ts(f.createdAt()))
                .bind("expires", Db.ts(f.expiresAt())).bind("revoked", Db.ts(f.revokedAt()))
                .map(PostgresRefreshTokenStore::family).one());
    }

    @Override
    public Optional<RefreshFamily> getFamily(UUID familyId) {
        return db.call("get refresh family", h -> h.createQuery("SELECT " + FAMILY_COLUMNS + " FROM " + families
                        + " WHERE id = :id")
                .bind("id", familyId).map(PostgresRefreshTokenStore::family).findOne());
    }

    @Override
    public RefreshToken addToken(RefreshToken t) {
        Checks.text("tokenHash", t.tokenHash(), MAX_HASH);
        Checks.text("successorHash", t.successorHash(), MAX_HASH);
        Checks.text("sealedSuccessor", t.sealedSuccessor(), MAX_SEALED);
        return db.call("add refresh token", h -> h.createQuery("INSERT INTO " + tokens + " (" + TOKEN_COLUMNS + ") "
                        + "SELECT :hash, f.id, :player, :issued, :used, :successor, :sealed FROM " + families
                        + " f WHERE f.id = :family RETURNING " + TOKEN_COLUMNS)
                .bind("hash", t.tokenHash()).bind("family", t.familyId()).bind("player", t.playerId())
                .bind("issued", Db.ts(t.issuedAt())).bind("used", Db.ts(t.usedAt()))
                .bind("successor", t.successorHash()).bind("sealed", t.sealedSuccessor())
                .map(PostgresRefreshTokenStore::token).findOne())
                .orElseThrow(() -> new NotFoundException("refresh family", t.familyId()));
    }

    @Override
    public Optional<RefreshToken> findToken(String tokenHash) {
        Checks.text("tokenHash", tokenHash, MAX_HASH);
        return db.call("find refresh token", h -> h.createQuery("SELECT " + TOKEN_COLUMNS + " FROM " + tokens
                        + " WHERE token_hash = :hash")
                .bind("hash", tokenHash).map(PostgresRefreshTokenStore::token).findOne());
    }

    @Override
    public boolean markUsed(String tokenHash, Instant at) {
        Checks.text("tokenHash", tokenHash, MAX_HASH);
        return db.call("mark refresh token used", h -> h.createUpdate("UPDATE " + tokens
                        + " SET used_at = :at WHERE token_hash = :hash AND used_at IS NULL")
                .bind("hash", tokenHash).bind("at", Db.ts(at)).execute()) == 1;
    }

    /**
     * One statement: the update marks the used token (only if still unused, of the successor's
     * family and player) and feeds the insert of the successor, so both happen or neither. A
     * concurrent rotation of the same token waits for this one's row lock and then finds it
     * used: it updates nothing and inserts nothing.
     */
    @Override
    public boolean rotate(String usedHash, RefreshToken successor, String sealedSuccessor) {
        Checks.text("usedHash", usedHash, MAX_HASH);
        Checks.text("tokenHash", successor.tokenHash(), MAX_HASH);
        Checks.text("sealedSuccessor", sealedSuccessor, MAX_SEALED);
        if (successor.usedAt() != null) {
            throw new InvalidInputException("successor", "must be unused");
        }
        return db.call("rotate refresh token", h -> h.createQuery("WITH used AS (UPDATE " + tokens
                        + " SET used_at = :issued, successor_hash = :successor, sealed_successor = :sealed"
                        + " WHERE token_hash = :hash AND used_at IS NULL AND family_id = :family AND player_id = :player"
                        + " RETURNING family_id) "
                        + "INSERT INTO " + tokens + " (token_hash, family_id, player_id, issued_at, used_at) "
                        + "SELECT :successor, family_id, :player, :issued, NULL FROM used RETURNING token_hash")
                .bind("hash", usedHash).bind("successor", successor.tokenHash()).bind("sealed", sealedSuccessor)
                .bind("family", successor.familyId()).bind("player", successor.playerId())
                .bind("issued", Db.ts(successor.issuedAt()))
                .mapTo(String.class).findOne()).isPresent();
    }

    @Override
    public boolean revokeFamily(UUID familyId, Instant at) {
        return db.call("revoke refresh family", h -> h.createUpdate("UPDATE " + families
                        + " SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
                .bind("id", familyId).bind("at", Db.ts(at)).execute()) == 1;
    }

    @Override
    public int revokeAll(UUID playerId, Instant at) {
        return db.call("revoke refresh families", h -> h.createUpdate("UPDATE " + families
                        + " SET revoked_at = :at WHERE player_id = :player AND revoked_at IS NULL AND expires_at > :at")
                .bind("player", playerId).bind("at", Db.ts(at)).execute());
    }

    @Override
    public List<RefreshFamily> families(UUID playerId) {
        return db.call("list refresh families", h -> h.createQuery("SELECT " + FAMILY_COLUMNS + " FROM " + families
                        + " WHERE player_id = :player ORDER BY created_at DESC, id DESC")
                .bind("player", playerId).map(PostgresRefreshTokenStore::family).list());
    }

    private static RefreshFamily family(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RefreshFamily(Db.uuid(rs, "id"), Db.uuid(rs, "player_id"), Db.instant(rs, "created_at"),
                Db.instant(rs, "expires_at"), Db.instant(rs, "revoked_at"));
    }

    private static RefreshToken token(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RefreshToken(rs.getString("token_hash"), Db.uuid(rs, "family_id"), Db.uuid(rs, "player_id"),
                Db.instant(rs, "issued_at"), Db.instant(rs, "used_at"), rs.getString("successor_hash"),
                rs.getString("sealed_successor"));
    }
}
