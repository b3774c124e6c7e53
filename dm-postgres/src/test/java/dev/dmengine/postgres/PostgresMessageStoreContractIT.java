package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.MessageStoreContract;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link MessageStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresMessageStoreContractIT extends MessageStoreContract {

    private static PgTest.Schemas schemas;

    @BeforeAll
    static void createSchemas() {
        schemas = PgTest.Schemas.forContract();
    }

    @AfterAll
    static void dropSchemas() {
        schemas.close();
    }

    @Override
    protected MessageStore newStore() {
        schemas.truncate();
        return schemas.pg.messages();
    }

    // ---- PostgreSQL-specific ----

    @Test
    void append_returns_what_was_stored_at_microsecond_precision() {
        Instant nanos = T0.plusNanos(123_456_789);
        Message m = new Message(Ids.newId(), Ids.newId(), null, MessageRole.PLAYER, "hi", nanos, Map.of());

        Message stored = store.append(m);

        assertThat(stored.createdAt()).isEqualTo(nanos.truncatedTo(ChronoUnit.MICROS));
        assertThat(store.get(m.id())).contains(stored);
    }

    @Test
    void text_postgres_cannot_store_is_invalid_input_naming_the_field() {
        UUID session = Ids.newId();

        assertThatThrownBy(() -> store.append(message(Ids.newId(), session, "I open the door\0")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("content").hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.append(message(Ids.newId(), session, "broken \uD83D surrogate")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
        assertThat(store.count(session)).isZero();
        // emoji (a proper surrogate pair) is fine
        assertThat(store.append(message(Ids.newId(), session, "roll \uD83C\uDFB2")).content()).endsWith("\uD83C\uDFB2");
    }
}
