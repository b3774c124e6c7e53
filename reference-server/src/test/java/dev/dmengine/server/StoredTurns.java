package dev.dmengine.server;

import dev.dmengine.testkit.Await;
import org.assertj.core.api.SoftAssertions;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault suites' checks of what a server stored, read straight from its PostgreSQL game
 * schema: DESIGN.md's failure rule (the player message stays, no half DM message, the turn
 * records tell the truth) over every session, and what each client was told against it.
 */
final class StoredTurns {

    private final Connection db;
    private final String game;

    /** @param game the game schema's name ({@code game}, or {@code <prefix>game}) */
    StoredTurns(Connection db, String game) {
        this.db = db;
        this.game = game;
    }

    /** Rows of a query in which {@code {game}} names the game schema, each column as text. */
    List<List<String>> rows(String sql) {
        String q = sql.replace("{game}", game);
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(q)) {
            List<List<String>> out = new ArrayList<>();
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int c = 1; c <= cols; c++) {
                    row.add(rs.getString(c));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(q, e);
        }
    }

    /** Nothing half stored, in any session. */
    void assertNothingHalfStored(SoftAssertions soft) {
        soft.assertThat(rows("SELECT m.id FROM {game}.messages m WHERE m.role = 'DM' AND NOT EXISTS "
                        + "(SELECT 1 FROM {game}.turns t WHERE t.dm_message_id = m.id AND t.status = 'COMPLETED')"))
                .as("DM messages that do not belong to a completed turn").isEmpty();
        soft.assertThat(rows("SELECT m.id FROM {game}.messages m WHERE m.role = 'SYSTEM' AND NOT EXISTS "
                        + "(SELECT 1 FROM {game}.messages d JOIN {game}.turns t ON t.dm_message_id = d.id "
                        + "AND t.status = 'COMPLETED' WHERE d.attributes->>'mechanicsMessageId' = m.id::text)"))
                .as("mechanics messages without the completed turn's DM message").isEmpty();
        soft.assertThat(rows("SELECT m.id FROM {game}.messages m WHERE m.role = 'PLAYER' AND "
                        + "(SELECT count(*) FROM {game}.turns t WHERE t.player_message_id = m.id) <> 1"))
                .as("player messages without exactly one turn record").isEmpty();
        soft.assertThat(rows("SELECT t.id FROM {game}.turns t WHERE NOT EXISTS "
                        + "(SELECT 1 FROM {game}.messages m WHERE m.id = t.player_message_id)"))
                .as("turn records without their player message").isEmpty();
        soft.assertThat(rows("SELECT t.id FROM {game}.turns t WHERE t.status = 'FAILED' AND (t.dm_message_id IS NOT "
                        + "NULL OR EXISTS (SELECT 1 FROM {game}.messages m WHERE m.turn_id = t.id AND m.role <> 'PLAYER'))"))
                .as("failed turns with a DM or mechanics message").isEmpty();
        soft.assertThat(rows("SELECT t.id FROM {game}.turns t WHERE t.status = 'COMPLETED' AND NOT EXISTS "
                        + "(SELECT 1 FROM {game}.messages m WHERE m.id = t.dm_message_id)"))
                .as("completed turns without their DM message").isEmpty();
        soft.assertThat(rows("SELECT t.id, t.session_id FROM {game}.turns t WHERE t.status = 'IN_PROGRESS'"))
                .as("turns left in progress after every turn ended").isEmpty();
        String vectors = "{game}.vectors_" + rows("SELECT id FROM {game}.embedding_spaces WHERE state = 'ACTIVE'")
                .getFirst().getFirst();
        soft.assertThat(rows("SELECT v.message_id FROM " + vectors + " v WHERE NOT EXISTS "
                        + "(SELECT 1 FROM {game}.messages m WHERE m.id = v.message_id)"))
                .as("vectors of messages that were not stored").isEmpty();
        String unindexedReplies = "SELECT m.id FROM {game}.messages m WHERE m.role = 'DM' AND NOT EXISTS "
                + "(SELECT 1 FROM " + vectors + " v WHERE v.message_id = m.id)";
        try { // a reply is indexed after its turn.completed (ReplyIndexing): the last turns' may still be on the way
            Await.until("every DM message has its vector", Duration.ofSeconds(60), () -> rows(unindexedReplies).isEmpty());
        } catch (AssertionError stillMissing) {
            // reported just below, with the ids
        }
        soft.assertThat(rows(unindexedReplies)).as("DM messages stored without their vector").isEmpty();
        rows("SELECT DISTINCT failure_reason FROM {game}.turns WHERE status = 'FAILED'").stream()
                .map(List::getFirst).map(r -> r.replaceAll("\\d+", "N")).distinct()
                .forEach(r -> soft.assertThat(FaultPlay.unreadable(r)).as("the stored failure reason '" + r + "'")
                        .isEmpty());
    }

    /**
     * Player messages stored without their vector: a turn whose database went away between
     * storing the message and indexing it (the message stays, as designed, and the session's
     * next completed turn indexes it if it is still in that turn's recent window). Reported, not
     * a failure.
     */
    long playerMessagesWithoutVector() {
        String vectors = "{game}.vectors_" + rows("SELECT id FROM {game}.embedding_spaces WHERE state = 'ACTIVE'")
                .getFirst().getFirst();
        return Long.parseLong(rows("SELECT count(*) FROM {game}.messages m WHERE m.role = 'PLAYER' AND NOT EXISTS "
                + "(SELECT 1 FROM " + vectors + " v WHERE v.message_id = m.id)").getFirst().getFirst());
    }

    /** What each client was told matches what was stored. */
    void assertClientsSawWhatWasStored(SoftAssertions soft, List<FaultPlay.Outcome> outcomes) {
        Map<String, List<String>> turns = new HashMap<>();
        for (List<String> r : rows("SELECT id, status, dm_message_id FROM {game}.turns")) {
            turns.put(r.get(0), r);
        }
        for (FaultPlay.Outcome o : outcomes) {
            if (o.turnId() == null) {
                continue;
            }
            List<String> t = turns.get(o.turnId());
            soft.assertThat(t).as("the turn record of " + o).isNotNull();
            if (t == null) {
                continue;
            }
            if (o.completed()) {
                soft.assertThat(t.get(1)).as("status of " + o).isEqualTo("COMPLETED");
                soft.assertThat(t.get(2)).as("DM message of " + o).isEqualTo(o.dmMessageId());
            } else if (o.kind() == FaultPlay.Kind.FAILED && !(t.get(1).equals("COMPLETED")
                    && o.reason().startsWith("transaction: "))) {
                // (the one exception: the connection died during COMMIT after the commit took effect, which the
                // engine cannot know; the turn is then whole in the transcript, not half stored)
                soft.assertThat(t.get(1)).as("status of " + o).isEqualTo("FAILED");
            }
        }
    }
}
