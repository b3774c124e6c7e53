package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.retrieval.Document;
import dev.dmengine.spi.retrieval.DocumentStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/** {@link DocumentStore} on {@code game.documents}. */
public final class PostgresDocumentStore implements DocumentStore {

    private static final String COLUMNS = "id, player_id, session_id, content, updated_at";

    private final Db db;
    private final String table;

    PostgresDocumentStore(Db db) {
        this.db = db;
        this.table = db.game() + ".documents";
    }

    @Override
    public Document put(Document d) {
        Checks.text("text", d.text(), db.maxTextChars());
        return db.call("store document", h -> h.createQuery("INSERT INTO " + table + " (" + COLUMNS + ") VALUES "
                        + "(:id, :player, :session, :content, :updated) ON CONFLICT (id) DO UPDATE SET "
                        + "player_id = excluded.player_id, session_id = excluded.session_id, "
                        + "content = excluded.content, updated_at = excluded.updated_at RETURNING " + COLUMNS)
                .bind("id", d.id()).bind("player", d.playerId()).bind("session", d.sessionId())
                .bind("content", d.text()).bind("updated", Db.ts(d.updatedAt()))
                .map(PostgresDocumentStore::map).one());
    }

    @Override
    public Optional<Document> get(UUID id) {
        return db.call("get document", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", id).map(PostgresDocumentStore::map).findOne());
    }

    @Override
    public List<Document> getAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return db.call("get documents", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE id = ANY(:ids)")
                .bindArray("ids", UUID.class, List.copyOf(ids)).map(PostgresDocumentStore::map).list());
    }

    @Override
    public boolean delete(UUID id) {
        return db.call("delete document", h -> h.createUpdate("DELETE FROM " + table + " WHERE id = :id")
                .bind("id", id).execute()) == 1;
    }

    @Override
    public long countByPlayer(UUID playerId) {
        return db.call("count documents", h -> h.createQuery("SELECT count(*) FROM " + table
                        + " WHERE player_id = :player")
                .bind("player", playerId).mapTo(Long.class).one());
    }

    private static Document map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Document(Db.uuid(rs, "id"), Db.uuid(rs, "player_id"), Db.uuid(rs, "session_id"),
                rs.getString("content"), Db.instant(rs, "updated_at"));
    }
}
