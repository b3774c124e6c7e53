package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.SessionStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/** {@link SessionStore} on {@code game.sessions}. */
public final class PostgresSessionStore implements SessionStore {

    private static final String COLUMNS = "id, owner_id, character_id, title, seed, created_at, updated_at";

    private final Db db;
    private final String table;

    PostgresSessionStore(Db db) {
        this.db = db;
        this.table = db.game() + ".sessions";
    }

    @Override
    public GameSession create(GameSession s) {
        Checks.text("title", s.title(), 500);
        return db.call("create session", h -> h.createQuery("INSERT INTO " + table + " (" + COLUMNS + ") VALUES "
                        + "(:id, :owner, :character, :title, :seed, :created, :updated) RETURNING " + COLUMNS)
                .bind("id", s.id()).bind("owner", s.ownerId()).bind("character", s.characterId())
                .bind("title", s.title()).bind("seed", s.seed()).bind("created", Db.ts(s.createdAt()))
                .bind("updated", Db.ts(s.updatedAt())).map(PostgresSessionStore::map).one());
    }

    @Override
    public Optional<GameSession> get(UUID id) {
        return db.call("get session", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", id).map(PostgresSessionStore::map).findOne());
    }

    @Override
    public List<GameSession> listByOwner(UUID ownerId) {
        return db.call("list sessions", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE owner_id = :owner ORDER BY updated_at DESC, id DESC")
                .bind("owner", ownerId).map(PostgresSessionStore::map).list());
    }

    @Override
    public GameSession update(GameSession s) {
        Checks.text("title", s.title(), 500);
        return db.call("update session", h -> h.createQuery("UPDATE " + table + " SET owner_id = :owner, "
                        + "character_id = :character, title = :title, seed = :seed, updated_at = :updated "
                        + "WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", s.id()).bind("owner", s.ownerId()).bind("character", s.characterId())
                .bind("title", s.title()).bind("seed", s.seed()).bind("updated", Db.ts(s.updatedAt()))
                .map(PostgresSessionStore::map).findOne())
                .orElseThrow(() -> new NotFoundException("session", s.id()));
    }

    /** The one column, in place: a title renamed meanwhile stays. */
    @Override
    public GameSession touch(UUID id, Instant updatedAt) {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(updatedAt, "updatedAt must not be null");
        return db.call("touch session", h -> h.createQuery("UPDATE " + table + " SET updated_at = :updated "
                        + "WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", id).bind("updated", Db.ts(updatedAt)).map(PostgresSessionStore::map).findOne())
                .orElseThrow(() -> new NotFoundException("session", id));
    }

    @Override
    public boolean delete(UUID id) {
        return db.call("delete session", h -> h.createUpdate("DELETE FROM " + table + " WHERE id = :id")
                .bind("id", id).execute()) == 1;
    }

    private static GameSession map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new GameSession(Db.uuid(rs, "id"), Db.uuid(rs, "owner_id"), Db.uuid(rs, "character_id"),
                rs.getString("title"), rs.getLong("seed"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"));
    }
}
