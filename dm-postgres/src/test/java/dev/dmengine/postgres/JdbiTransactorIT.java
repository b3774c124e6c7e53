package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbiTransactorIT {

    private PgTest.Schemas schemas;

    @BeforeAll
    void open() {
        schemas = new PgTest.Schemas();
    }

    @AfterAll
    void drop() {
        schemas.close();
    }

    @Test
    void commits_a_turns_writes_together_and_hides_them_until_commit() throws Exception {
        PostgresAdapters pg = schemas.pg;
        UUID session = Ids.newId();
        Message m = new Message(Ids.newId(), session, null, MessageRole.PLAYER, "I listen at the door", Instant.now(),
                Map.of());
        long[] seenFromOtherThread = new long[1];
        pg.transactor().inTransaction(() -> {
            pg.messages().append(m);
            pg.turns().create(new TurnRecord(Ids.newId(), session, 1, null, TurnStatus.IN_PROGRESS, m.id(), null,
                    "{}", null, null, null, Instant.now(), Instant.now()));
            // same thread: the store joins the transaction and sees its own write
            assertThat(pg.messages().count(session)).isEqualTo(1);
            Thread other = new Thread(() -> seenFromOtherThread[0] = pg.messages().count(session));
            other.start();
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        assertThat(seenFromOtherThread[0]).isZero();
        assertThat(pg.messages().count(session)).isEqualTo(1);
        assertThat(pg.turns().latest(session)).isPresent();
    }

    @Test
    void rolls_back_every_write_of_the_unit_when_the_work_fails() {
        PostgresAdapters pg = schemas.pg;
        UUID session = Ids.newId();
        Message m = new Message(Ids.newId(), session, null, MessageRole.PLAYER, "I attack", Instant.now(), Map.of());
        assertThatThrownBy(() -> pg.transactor().inTransaction(() -> {
            pg.messages().append(m);
            pg.turns().create(new TurnRecord(Ids.newId(), session, 1, "k", TurnStatus.IN_PROGRESS, m.id(), null,
                    "{}", null, null, null, Instant.now(), Instant.now()));
            throw new IllegalStateException("the model gave up");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the model gave up");
        assertThat(pg.messages().get(m.id())).isEmpty();
        assertThat(pg.turns().listBySession(session)).isEmpty();
    }
}
