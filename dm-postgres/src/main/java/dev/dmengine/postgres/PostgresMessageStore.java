package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link MessageStore} on {@code game.messages}. Pages walk the index on {@code (session_id, id)};
 * ids are UUIDv7, whose byte order (PostgreSQL's uuid order) is creation order. The cursor
 * is the id of the last message of the previous page.
 */
public final class PostgresMessageStore implements MessageStore {

    /** The largest page {@link #list} returns. */
    public static final int MAX_PAGE = 1_000;

    private static final String COLUMNS = "m.id, m.session_id, m.turn_id, m.role, m.content, m.created_at, "
            + "(SELECT array_agg(key ORDER BY key) FROM jsonb_each_text(m.attributes)) AS attr_keys, "
            + "(SELECT array_agg(value ORDER BY key) FROM jsonb_each_text(m.attributes)) AS attr_values";

    private final Db db;
    private final String table;

    PostgresMessageStore(Db db) {
        this.db = db;
        this.table = db.game() + ".messages";
    }

    @Override
    public Message append(Message m) {
        return appendAll(List.of(m)).getFirst();
    }

    /** All or none, in one round trip: a JDBC batch of the insert, in a transaction (or the thread's). */
    @Override
    public List<Message> appendAll(List<Message> messages) {
        MessageStore.requireBatchSize(messages);
        List<List<String>> keys = new ArrayList<>(messages.size());
        List<List<String>> values = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Checks.text("content", m.content(), db.maxTextChars());
            List<String> k = new ArrayList<>(m.attributes().keySet());
            List<String> v = new ArrayList<>(k.size());
            for (String key : k) {
                Checks.text("attributes", key, 200);
                v.add(Checks.text("attributes." + key, m.attributes().get(key), 10_000));
            }
            keys.add(k);
            values.add(v);
        }
        String insert = "INSERT INTO " + table + " (id, session_id, turn_id, role, content, created_at, attributes) "
                + "VALUES (:id, :session, :turn, :role, :content, :created, "
                + "jsonb_object(CAST(:keys AS text[]), CAST(:values AS text[])))";
        if (messages.size() == 1) { // one statement: no transaction of its own needed
            db.call("append message", h -> bind(h.createUpdate(insert), messages.getFirst(), keys.getFirst(),
                    values.getFirst()).execute());
        } else if (messages.size() > 1) {
            db.tx("append messages", h -> {
                PreparedBatch batch = h.prepareBatch(insert);
                for (int i = 0; i < messages.size(); i++) {
                    bind(batch, messages.get(i), keys.get(i), values.get(i)).add();
                }
                return batch.execute();
            });
        }
        return messages.stream().map(PostgresMessageStore::stored).toList();
    }

    private static <S extends SqlStatement<S>> S bind(S statement, Message m, List<String> keys, List<String> values) {
        return statement.bind("id", m.id()).bind("session", m.sessionId()).bind("turn", m.turnId())
                .bind("role", m.role().name()).bind("content", m.content()).bind("created", Db.ts(m.createdAt()))
                .bindArray("keys", String.class, keys).bindArray("values", String.class, values);
    }

    /** The message as it reads back: its time to the microsecond. */
    private static Message stored(Message m) {
        return new Message(m.id(), m.sessionId(), m.turnId(), m.role(), m.content(), Db.ts(m.createdAt()).toInstant(),
                m.attributes());
    }

    @Override
    public Optional<Message> get(UUID id) {
        return db.call("get message", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " m WHERE m.id = :id")
                .bind("id", id).map(PostgresMessageStore::map).findOne());
    }

    @Override
    public List<Message> getAll(List<UUID> ids) {
        if (ids.size() > 200) {
            throw new InvalidInputException("ids", "at most 200 at once, was " + ids.size());
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<UUID, Message> byId = new HashMap<>();
        db.call("get messages", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table + " m WHERE m.id = ANY(:ids)")
                .bindArray("ids", UUID.class, ids).map(PostgresMessageStore::map).list())
                .forEach(m -> byId.put(m.id(), m));
        return ids.stream().map(byId::get).filter(Objects::nonNull).toList();
    }

    @Override
    public Page<Message> list(UUID sessionId, String cursor, int limit) {
        if (limit < 1) {
            throw new InvalidInputException("limit", "must be at least 1, was " + limit);
        }
        int n = Math.min(limit, MAX_PAGE);
        UUID after = cursor == null ? null : Ids.parse("cursor", cursor);
        List<Message> rows = db.call("list messages", h -> h.createQuery("SELECT " + COLUMNS + " FROM " + table
                        + " m WHERE m.session_id = :session" + (after == null ? "" : " AND m.id > :after")
                        + " ORDER BY m.id LIMIT :n")
                .bind("session", sessionId).bind("after", after).bind("n", n + 1)
                .map(PostgresMessageStore::map).list());
        if (rows.size() > n) {
            List<Message> page = rows.subList(0, n);
            return new Page<>(page, page.getLast().id().toString());
        }
        return new Page<>(rows, null);
    }

    @Override
    public List<Message> recent(UUID sessionId, int limit) {
        if (limit < 1) {
            throw new InvalidInputException("limit", "must be at least 1, was " + limit);
        }
        return db.call("recent messages", h -> h.createQuery("SELECT * FROM (SELECT " + COLUMNS + " FROM " + table
                        + " m WHERE m.session_id = :session ORDER BY m.id DESC LIMIT :n) r ORDER BY r.id")
                .bind("session", sessionId).bind("n", Math.min(limit, 10_000))
                .map(PostgresMessageStore::map).list());
    }

    @Override
    public long count(UUID sessionId) {
        return db.call("count messages", h -> h.createQuery("SELECT count(*) FROM " + table
                        + " WHERE session_id = :session")
                .bind("session", sessionId).mapTo(Long.class).one());
    }

    @Override
    public boolean delete(UUID id) {
        return db.call("delete message", h -> h.createUpdate("DELETE FROM " + table + " WHERE id = :id")
                .bind("id", id).execute()) == 1;
    }

    @Override
    public long deleteSession(UUID sessionId) {
        return db.call("delete session messages", h -> h.createUpdate("DELETE FROM " + table
                        + " WHERE session_id = :session")
                .bind("session", sessionId).execute());
    }

    private static Message map(ResultSet rs, StatementContext ctx) throws SQLException {
        Map<String, String> attributes = new LinkedHashMap<>();
        Array keys = rs.getArray("attr_keys");
        Array values = rs.getArray("attr_values");
        if (keys != null && values != null) {
            String[] k = (String[]) keys.getArray();
            String[] v = (String[]) values.getArray();
            for (int i = 0; i < k.length; i++) {
                attributes.put(k[i], v[i]);
            }
        }
        return new Message(Db.uuid(rs, "id"), Db.uuid(rs, "session_id"), Db.uuid(rs, "turn_id"),
                MessageRole.valueOf(rs.getString("role")), rs.getString("content"), Db.instant(rs, "created_at"),
                attributes);
    }
}
