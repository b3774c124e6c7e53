package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.RefreshToken;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresMigrationsIT {

    @Test
    void migrates_an_empty_database_to_the_latest_version_into_prefixed_schemas() throws Exception {
        String suffix = PgTest.randomSuffix();
        try (var s = new PgTest.Schemas(PgTest.builder(suffix))) {
            PostgresMigrations m = s.pg.migrations();
            assertThat(m.current()).isEqualTo(m.latest()).isEqualTo("9");
            assertThat(tables("auth_" + suffix)).contains("players", "refresh_families", "refresh_tokens");
            assertThat(tables("game_" + suffix)).contains("characters", "inventory_items", "sessions", "messages",
                    "turns", "assets", "character_portraits", "jobs", "embedding_spaces", "reembed_runs", "documents", "flyway_schema_history");
            // a second run has nothing to do
            assertThat(m.migrate()).isEqualTo("9");
        }
    }

    @ParameterizedTest(name = "from version {0}")
    @ValueSource(strings = {"1", "2", "3", "4", "5", "6", "7", "8"})
    void migrates_from_every_earlier_version_keeping_the_data_written_under_it(String version) throws Exception {
        String suffix = PgTest.randomSuffix();
        try (var v1 = new PgTest.Schemas(PgTest.builder(suffix).migrate(false))) {
            PostgresMigrations m = v1.pg.migrations();
            assertThat(m.current()).isNull();
            assertThat(m.migrateTo(version)).isEqualTo(version);
            assertThat(tables("game_" + suffix)).contains("messages");
            if (version.equals("1")) {
                assertThat(tables("game_" + suffix)).doesNotContain("embedding_spaces");
            }

            Instant now = Instant.now();
            Player player = v1.pg.players().create(new Player(Ids.newId(), "v1@example.com", "Old", "hash", false,
                    null, now, now));
            UUID session = Ids.newId();
            List<Message> written = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                written.add(v1.pg.messages().append(new Message(Ids.newId(), session, null, MessageRole.PLAYER,
                        "line " + i, now, Map.of())));
            }

            // the same database, built again at start with migrations on: the later versions are applied
            try (PostgresAdapters upgraded = PgTest.builder(suffix).build()) {
                assertThat(upgraded.migrations().current()).isEqualTo("9");
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
    void migrates_version_3_vectors_into_a_graph_of_their_own_built_at_once()
            throws Exception {
        String suffix = PgTest.randomSuffix();
        String game = "game_" + suffix;
        UUID player = Ids.newId();
        UUID session = Ids.newId();
        List<UUID> ids = new ArrayList<>();
        try (var v3 = new PgTest.Schemas(PgTest.builder(suffix).migrate(false).annIndexer(false))) {
            assertThat(v3.pg.migrations().migrateTo("3")).isEqualTo("3");
            // a space as the version-3 adapter laid it out: the HNSW index on the vector table
            try (Connection c = PgTest.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + game + ".embedding_spaces (model_id, dimension, state, activated_at) "
                        + "VALUES ('m', 3, 'ACTIVE', now())");
                st.execute("CREATE TABLE " + game + ".vectors_1 (message_id uuid PRIMARY KEY, session_id uuid NOT NULL, "
                        + "player_id uuid NOT NULL, embedding vector(3) NOT NULL)");
                st.execute("CREATE INDEX vectors_1_session_idx ON " + game + ".vectors_1 (session_id) "
                        + "INCLUDE (message_id, embedding)");
                st.execute("CREATE INDEX vectors_1_player_idx ON " + game + ".vectors_1 (player_id)");
                st.execute("CREATE INDEX vectors_1_hnsw_idx ON " + game + ".vectors_1 USING hnsw "
                        + "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)");
                for (int i = 0; i < 5; i++) {
                    UUID id = Ids.newId();
                    ids.add(id);
                    st.execute("INSERT INTO " + game + ".vectors_1 VALUES ('" + id + "', '" + session + "', '" + player
                            + "', '[1," + i + ",0]')");
                }
            }

            try (PostgresAdapters upgraded = PgTest.builder(suffix).annIndexer(false).build()) {
                assertThat(upgraded.migrations().current()).isEqualTo("9");
                assertThat(tables(game)).contains("vectors_1", "vectors_1_ann", "vectors_1_pending");
                assertThat(indexes(game)).contains("vectors_1_ann_hnsw_idx").doesNotContain("vectors_1_hnsw_idx");
                EmbeddingSpace space = new EmbeddingSpace("m", 3);
                PgVectorIndex index = upgraded.vectorIndex();
                // the existing vectors went straight into the graph; nothing is left to queue
                assertThat(index.pending(space)).isZero();
                assertThat(index.indexPending(100)).isZero();
                VectorQuery near0 = VectorQuery.player(space, player, new float[] {1, 0, 0}, 2);
                assertThat(index.search(near0)).extracting(m -> m.messageId()).containsExactly(ids.get(0), ids.get(1));
                try (Connection c = PgTest.connect(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM " + game + ".vectors_1_ann")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(5);
                }
                assertThat(index.search(VectorQuery.session(space, session, new float[] {1, 4, 0}, 1, Set.of())))
                        .extracting(m -> m.messageId()).containsExactly(ids.get(4));
            }
        }
    }

    @Test
    void migrates_version_4_refresh_tokens_which_read_back_without_a_successor_and_then_rotate() throws Exception {
        String suffix = PgTest.randomSuffix();
        String auth = "auth_" + suffix;
        UUID family = Ids.newId();
        UUID player = Ids.newId();
        Instant t0 = Instant.parse("2030-01-01T10:00:00Z");
        try (var v4 = new PgTest.Schemas(PgTest.builder(suffix).migrate(false))) {
            assertThat(v4.pg.migrations().migrateTo("4")).isEqualTo("4");
            try (Connection c = PgTest.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + auth + ".refresh_families VALUES ('" + family + "', '" + player
                        + "', '2030-01-01T10:00:00Z', '2030-02-01T10:00:00Z', NULL)");
                st.execute("INSERT INTO " + auth + ".refresh_tokens VALUES ('old-hash', '" + family + "', '" + player
                        + "', '2030-01-01T10:00:00Z', NULL)");
            }

            try (PostgresAdapters upgraded = PgTest.builder(suffix).build()) {
                assertThat(upgraded.migrations().current()).isEqualTo("9");
                RefreshToken old = upgraded.refreshTokens().findToken("old-hash").orElseThrow();
                assertThat(old.usedAt()).isNull();
                assertThat(old.successorHash()).isNull();
                assertThat(old.sealedSuccessor()).isNull();

                RefreshToken next = new RefreshToken("next-hash", family, player, t0.plusSeconds(60), null);
                assertThat(upgraded.refreshTokens().rotate("old-hash", next, "sealed")).isTrue();
                assertThat(upgraded.refreshTokens().findToken("old-hash").orElseThrow().successorHash())
                        .isEqualTo("next-hash");
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

    private static List<String> indexes(String schema) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
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
