package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link TurnStore} on {@code game.turns}: sequence numbers and idempotency keys are unique
 * per session (constraints, so two racing creates cannot both win). Game state and mechanics
 * are {@code json}, whose syntax PostgreSQL checks and whose text it keeps as written: what
 * is returned is what was stored, byte for byte.
 */
public final class PostgresTurnStore implements TurnStore {

    private static final String COLUMNS = "id, session_id, seq, idempotency_key, status, player_message_id, "
            + "dm_message_id, state_before::text AS state_before, state_after::text AS state_after, "
            + "mechanics::text AS mechanics, failure_reason, created_at, updated_at";

    private final Db db;
    private final String table;

    PostgresTurnStore(Db db) {
        this.db = db;
        this.table = db.game() + ".turns";
    }

    @Override
    public TurnRecord create(TurnRecord t) {
        check(t);
        return db.call("create turn", h -> h.createQuery("INSERT INTO " + table + " (id, session_id, seq, "
                        + "idempotency_key, status, player_message_id, dm_message_id, state_before, state_after, "
                        + "mechanics, failure_reason, created_at, updated_at) VALUES (:id, :session, :seq, :key, "
                        + ":status, :player, :dm, CAST(:before AS json), CAST(:after AS json), "
                        + "CAST(:mechanics AS json), :failure, :created, :updated) RETURNING " + COLUMNS)
                .bind("id", t.id()).bind("session", t.sessionId()).bind("seq", t.seq())
                .bind("key", t.idempotencyKey()).bind("status", t.status().name())
                .bind("player", t.playerMessageId()).bind("dm", t.dmMessageId())
                .bind("before", t.stateBefore()).bind("after", t.stateAfter()).bind("mechanics", t.mechanics())
                .bind("failure", t.failureReason()).bind("created", Db.ts(t.createdAt()))
                .bind("updated", Db.ts(t.updatedAt()))
                .map(PostgresTurnStore::map).one());
    }

    @Override
    public Optional<TurnRecord> get(UUID id) {
        return db.call("get turn", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
                .bind("id", id).map(PostgresTurnStore::map).findOne());
    }

    @Override
    public Optional<TurnRecord> findByIdempotencyKey(UUID sessionId, String idempotencyKey) {
        Checks.text("idempotencyKey", idempotencyKey, 200);
        return db.call("find turn", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE session_id = :session AND idempotency_key = :key")
                .bind("session", sessionId).bind("key", idempotencyKey).map(PostgresTurnStore::map).findOne());
    }

    @Override
    public TurnRecord update(TurnRecord t) {
        check(t);
        return db.call("update turn", h -> h.createQuery("UPDATE " + table + " SET status = :status, "
                        + "player_message_id = :player, dm_message_id = :dm, state_before = CAST(:before AS json), "
                        + "state_after = CAST(:after AS json), mechanics = CAST(:mechanics AS json), "
                        + "failure_reason = :failure, updated_at = :updated WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", t.id()).bind("status", t.status().name())
                .bind("player", t.playerMessageId()).bind("dm", t.dmMessageId())
                .bind("before", t.stateBefore()).bind("after", t.stateAfter()).bind("mechanics", t.mechanics())
                .bind("failure", t.failureReason()).bind("updated", Db.ts(t.updatedAt()))
                .map(PostgresTurnStore::map).findOne())
                .orElseThrow(() -> new NotFoundException("turn", t.id()));
    }

    @Override
    public List<TurnRecord> listBySession(UUID sessionId) {
        return db.call("list turns", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE session_id = :session ORDER BY seq")
                .bind("session", sessionId).map(PostgresTurnStore::map).list());
    }

    @Override
    public Optional<TurnRecord> latest(UUID sessionId) {
        return db.call("latest turn", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE session_id = :session ORDER BY seq DESC LIMIT 1")
                .bind("session", sessionId).map(PostgresTurnStore::map).findOne());
    }

    private void check(TurnRecord t) {
        Checks.text("idempotencyKey", t.idempotencyKey(), 200);
        Checks.json("stateBefore", t.stateBefore(), db.maxJsonBytes());
        Checks.json("stateAfter", t.stateAfter(), db.maxJsonBytes());
        Checks.json("mechanics", t.mechanics(), db.maxJsonBytes());
        Checks.text("failureReason", t.failureReason(), 10_000);
    }

    private static TurnRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new TurnRecord(Db.uuid(rs, "id"), Db.uuid(rs, "session_id"), rs.getLong("seq"),
                rs.getString("idempotency_key"), TurnStatus.valueOf(rs.getString("status")),
                Db.uuid(rs, "player_message_id"), Db.uuid(rs, "dm_message_id"), rs.getString("state_before"),
                rs.getString("state_after"), rs.getString("mechanics"), rs.getString("failure_reason"),
                Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"));
    }
}
