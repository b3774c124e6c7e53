package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link PlayerStore} on {@code auth.players}. Emails are looked up as stored (callers
 * normalise them, as the port says); uniqueness is stricter and ignores case, so two accounts
 * never differ only in the case of their email even if a caller forgot to normalise.
 */
public final class PostgresPlayerStore implements PlayerStore {

    private static final String COLUMNS =
            "id, email, display_name, password_hash, disabled, tokens_not_before, created_at, updated_at";

    private final Db db;
    private final String table;

    PostgresPlayerStore(Db db) {
        this.db = db;
        this.table = db.auth() + ".players";
    }

    @Override
    public Player create(Player p) {
        check(p);
        return db.call("create player", h -> h.createQuery("INSERT INTO " + table + " (" + COLUMNS + ") "
                        + "VALUES (:id, :email, :name, :hash, :disabled, :nbf, :created, :updated) RETURNING " + COLUMNS)
                .bind("id", p.id()).bind("email", p.email()).bind("name", p.displayName())
                .bind("hash", p.passwordHash()).bind("disabled", p.disabled())
                .bind("nbf", Db.ts(p.tokensNotBefore())).bind("created", Db.ts(p.createdAt()))
                .bind("updated", Db.ts(p.updatedAt()))
                .map(PostgresPlayerStore::map).one());
    }

    @Override
    public Optional<Player> get(UUID id) {
        return db.call("get player", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", id).map(PostgresPlayerStore::map).findOne());
    }

    @Override
    public Optional<Player> findByEmail(String email) {
        Checks.text("email", email, 320);
        // compared as stored; the lower() term lets the unique index find the row
        return db.call("find player", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE lower(email) = lower(:email) AND email = :email")
                .bind("email", email).map(PostgresPlayerStore::map).findOne());
    }

    @Override
    public Player update(Player p) {
        check(p);
        return db.call("update player", h -> h.createQuery("UPDATE " + table + " SET email = :email, "
                        + "display_name = :name, password_hash = :hash, disabled = :disabled, tokens_not_before = :nbf, "
                        + "updated_at = :updated WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", p.id()).bind("email", p.email()).bind("name", p.displayName())
                .bind("hash", p.passwordHash()).bind("disabled", p.disabled())
                .bind("nbf", Db.ts(p.tokensNotBefore())).bind("updated", Db.ts(p.updatedAt()))
                .map(PostgresPlayerStore::map).findOne())
                .orElseThrow(() -> new NotFoundException("player", p.id()));
    }

    private static void check(Player p) {
        Checks.text("email", p.email(), 320);
        Checks.text("displayName", p.displayName(), 200);
        Checks.text("passwordHash", p.passwordHash(), 1000);
    }

    private static Player map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Player(Db.uuid(rs, "id"), rs.getString("email"), rs.getString("display_name"),
                rs.getString("password_hash"), rs.getBoolean("disabled"), Db.instant(rs, "tokens_not_before"),
                Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"));
    }
}
