package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class PostgresMigrationsIT {

    @Test
    void migrates_an_empty_database_to_the_latest_version_into_prefixed_schemas() throws Exception {
        String suffix = PgTest.randomSuffix();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix))) {
            PostgresMigrations m = s.pg.migrations();
            assertThat(m.current()).isEqualTo(m.latest()).isEqualTo("3");
            assertThat(tables("auth_" + suffix)).contains("players", "refresh_families", "refresh_tokens");
            assertThat(tables("game_" + suffix)).contains("characters", "inventory_items", "sessions", "messages",
                    "turns", "assets", "jobs", "embedding_spaces", "reembed_runs", "flyway_schema_history");
            // a second run has nothing to do
            assertThat(m.migrate()).isEqualTo("3");
        }
    }

    @Test
    void migrates_from_version_1_keeping_the_data_written_under_it() throws Exception {
        String suffix = PgTest.randomSuffix();
        try (var v1 = new PgTest.Schemas(PgTest.builder(suffix).migrate(false))) {
            PostgresMigrations m = v1.pg.migrations();
            assertThat(m.current()).isNull();
            assertThat(m.migrateTo("1")).isEqualTo("1");
            assertThat(tables("game_" + suffix)).contains("messages").doesNotContain("embedding_spaces");

            Instant now = Instant.now();
            Player player = v1.pg.players().create(new Player(Ids.newId(), "v1@example.com", "Old", "hash", false,
                    null, now, now));
            UUID session = Ids.newId();
            List<Message> written = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                written.add(v1.pg.messages().append(new Message(Ids.newId(), session, null, MessageRole.PLAYER,
                        "line " + i, now, Map.of())));
            }

            // the same database, built again at start with migrations on: V2 and V3 are applied
            try (PostgresAdapters upgraded = PgTest.builder(suffix).build()) {
                assertThat(upgraded.migrations().current()).isEqualTo("3");
                assertThat(upgraded.players().findByEmail("v1@example.com")).contains(player);
                assertThat(upgraded.messages().list(session, null, 10).items()).isEqualTo(written);

                EmbeddingSpace space = new EmbeddingSpace("m", 3);
                upgraded.vectorIndex().upsert(space, new VectorRecord(written.getFirst().id(), session, player.id(),
                        new float[] {1, 0, 0}));
                assertThat(upgraded.vectorIndex().search(VectorQuery.session(space, session, new float[] {1, 0, 0}, 5,
                        Set.of()))).extracting(r -> r.messageId()).containsExactly(written.getFirst().id());
            }
        }
    }

    @Test
    void does_not_touch_the_database_when_migrations_are_off() throws Exception {
        String suffix = PgTest.randomSuffix();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix).migrate(false))) {
            assertThat(tables("game_" + suffix)).isEmpty();
            assertThat(s.pg.migrations().current()).isNull();
        }
    }

    private static List<String> tables(String schema) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                     + schema + "'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
