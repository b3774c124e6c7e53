package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dmengine.spi.DmException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;

import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Stops the local PostgreSQL server in the middle of a turn's transaction and starts it again.
 * Needs {@code pg_ctlcluster} (Debian) and a server on this machine; set
 * {@code DM_TEST_PG_OUTAGE=false} to skip it where stopping the server is not allowed.
 */
class PostgresOutageIT {

    @Test
    void fails_fast_while_postgres_is_down_writes_no_partial_turn_and_recovers_by_itself() throws Exception {
        assumeTrue(!"false".equals(PgTest.setting("dm.test.pg.outage", "DM_TEST_PG_OUTAGE", "true")),
                "outage test disabled");
        assumeTrue(new File("/usr/bin/pg_ctlcluster").canExecute(), "pg_ctlcluster is not installed");
        assumeTrue(PgTest.URL.contains("127.0.0.1") || PgTest.URL.contains("localhost"), "server is not local");
        String cluster = cluster();

        try (var s = new PgTest.Schemas(PgTest.builder(PgTest.randomSuffix())
                .connectionTimeout(Duration.ofSeconds(1)))) {
            PostgresAdapters pg = s.pg;
            UUID session = Ids.newId();
            Message playerMessage = new Message(Ids.newId(), session, null, MessageRole.PLAYER, "I cast light",
                    Instant.now(), Map.of());
            UUID turnId = Ids.newId();
            try {
                assertThatThrownBy(() -> pg.transactor().inTransaction(() -> {
                    pg.messages().append(playerMessage);
                    pg.turns().create(new TurnRecord(turnId, session, 1, "k1", TurnStatus.IN_PROGRESS,
                            playerMessage.id(), null, "{}", null, null, null, Instant.now(), Instant.now()));
                    pgctl(cluster, "stop");
                    pg.messages().append(new Message(Ids.newId(), session, turnId, MessageRole.DM, "The room glows",
                            Instant.now(), Map.of()));
                    return null;
                })).isInstanceOf(UnavailableException.class)
                        .satisfies(e -> assertThat(((DmException) e).isRetriable()).isTrue());

                // while it is down, calls fail fast (connection timeout 1 s) with a retriable error
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> pg.messages().count(session)).isInstanceOf(UnavailableException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                }
            } finally {
                pgctl(cluster, "start");
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

    /** "15 main": the version and name of the cluster serving the test database. */
    private static String cluster() throws Exception {
        String explicit = PgTest.setting("dm.test.pg.cluster", "DM_TEST_PG_CLUSTER", "");
        if (!explicit.isBlank()) {
            return explicit;
        }
        try (Connection c = PgTest.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000, "
                     + "current_setting('cluster_name')")) {
            rs.next();
            String name = rs.getString(2);
            if (name != null && name.contains("/")) {
                return name.replace('/', ' '); // Debian sets cluster_name to "15/main"
            }
            return rs.getInt(1) + " main";
        }
    }

    private static void pgctl(String cluster, String action) {
        String[] parts = cluster.split(" ");
        ProcessBuilder pb = action.equals("stop")
                ? new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", parts[0], parts[1], "stop",
                        "-m", "fast")
                : new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", parts[0], parts[1], "start");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("pg_ctlcluster " + action + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot run pg_ctlcluster " + action, e);
        }
    }
}
