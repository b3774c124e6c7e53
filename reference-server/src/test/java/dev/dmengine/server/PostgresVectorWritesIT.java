package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link VectorWritesCases} on the PostgreSQL profile, and what the database holds after them. */
class PostgresVectorWritesIT extends VectorWritesCases {

    static PgServer pg;

    @BeforeAll
    static void start() {
        pg = new PgServer(java.util.Map.of());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Override
    protected TestServer server() {
        return pg.server;
    }

    @Test
    void documents_keep_their_text_for_re_embedding_and_delete_takes_it_with_the_vectors() {
        TestServer.Player p = server().player("Sela");
        UUID id = UUID.randomUUID();
        upsert(p.id(), null, List.of(item(id, "the text a new space is built from")));

        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".documents WHERE id = '" + id
                + "' AND content = 'the text a new space is built from'")).isEqualTo(1);
        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1 WHERE message_id = '" + id + "'"))
                .isEqualTo(1);

        server().post("/vec/delete", TOKEN, java.util.Map.of("playerId", p.id(), "ids", List.of(id.toString())));

        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".documents WHERE id = '" + id + "'")).isZero();
        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1 WHERE message_id = '" + id + "'"))
                .isZero();
    }
}
