package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.DmException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.testkit.PrivatePostgres;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Stops PostgreSQL in the middle of a turn's transaction and starts it again. The server is a
 * cluster of the test's own ({@link PrivatePostgres}): the machine's shared PostgreSQL, which
 * other tests use at the same time, is never stopped.
 */
class PostgresOutageIT {

    @Test
    void fails_fast_while_postgres_is_down_writes_no_partial_turn_and_recovers_by_itself() throws Exception {
        try (PrivatePostgres server = PrivatePostgres.create();
             PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(server.jdbcUrl()).user(server.user())
                     .password("").maxPoolSize(4).connectionTimeout(Duration.ofSeconds(1)).build()) {
            UUID session = Ids.newId();
            Message playerMessage = new Message(Ids.newId(), session, null, MessageRole.PLAYER, "I cast light",
                    Instant.now(), Map.of());
            UUID turnId = Ids.newId();
            try {
                assertThatThrownBy(() -> pg.transactor().inTransaction(() -> {
                    pg.messages().append(playerMessage);
                    pg.turns().create(new TurnRecord(turnId, session, 1, "k1", TurnStatus.IN_PROGRESS,
                            playerMessage.id(), null, "{}", null, null, null, Instant.now(), Instant.now()));
                    server.stop(PrivatePostgres.StopMode.FAST);
                    pg.messages().append(new Message(Ids.newId(), session, turnId, MessageRole.DM, "The room glows",
                            Instant.now(), Map.of()));
                    return null;
                })).isInstanceOf(UnavailableException.class)
                        .satisfies(e -> assertThat(((DmException) e).isRetriable()).isTrue());

                // while it is down, calls fail fast (connection timeout 1 s; the bound is 10x that) with a
                // retriable error, instead of hanging
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> pg.messages().count(session)).isInstanceOf(UnavailableException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                }
            } finally {
                server.start();
            }

            // back up: the same adapters recover without being rebuilt
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Long count = null;
            while (count == null) {
                try {
                    count = pg.messages().count(session);
                } catch (UnavailableException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(250);
                }
            }
            assertThat(count).isZero(); // the player message of the failed turn was rolled back with it
            assertThat(pg.turns().get(turnId)).isEmpty();
            assertThat(pg.messages().get(playerMessage.id())).isEmpty();
        }
    }
}
