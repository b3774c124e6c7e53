package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import dev.dmengine.testkit.Await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Maintenance (index builds, migrations) must not be cut by the request path's socket timeout,
 * however long it takes; request-path statements keep it. Speed-independent: each case makes
 * the statement wait on a lock held past the (1 s) socket timeout, so it is the lock, not
 * this machine, that decides how long the statement runs.
 */
class MaintenanceTimeoutIT {

    private static final EmbeddingSpace SPACE = new EmbeddingSpace("maintenance-model", 8);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(1);
    /** How long the lock is held once the statement is seen waiting: past the socket timeout. */
    private static final Duration HELD_PAST_TIMEOUT = SOCKET_TIMEOUT.multipliedBy(3);

    private static PostgresAdapters.Builder shortSocketTimeout(String suffix) {
        return PgTest.builder(suffix).socketTimeout(SOCKET_TIMEOUT).annIndexer(false);
    }

    @Test
    void an_ann_index_rebuild_runs_past_the_request_socket_timeout() throws Exception {
        try (PgTest.Schemas s = new PgTest.Schemas(shortSocketTimeout(PgTest.randomSuffix()))) {
            String annTable = s.pg.embeddingSpaces().register(SPACE, EmbeddingSpaces.State.READY).annTable();
            UUID session = Ids.newId();
            UUID player = Ids.newId();
            Random random = new Random(7);
            List<VectorRecord> rows = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                rows.add(new VectorRecord(Ids.newId(), session, player, PgTest.randomVector(random, 8)));
            }
            s.pg.vectorIndex().upsertAll(SPACE, rows);

            CompletableFuture<Void> rebuild = whileLocked(annTable, "ACCESS SHARE",
                    () -> s.pg.vectorIndex().rebuildAnnIndex(SPACE, 64));

            rebuild.get(2, TimeUnit.MINUTES);
            assertThat(s.pg.vectorIndex().pending(SPACE)).isZero();
            assertThat(s.pg.vectorIndex().search(VectorQuery.player(SPACE, player, rows.get(3).vector(), 1)))
                    .singleElement().satisfies(m -> assertThat(m.messageId()).isEqualTo(rows.get(3).messageId()));
        }
    }

    @Test
    void a_migration_runs_past_the_request_socket_timeout() throws Exception {
        String suffix = PgTest.randomSuffix();
        try (PgTest.Schemas s = new PgTest.Schemas(shortSocketTimeout(suffix).migrate(false))) {
            s.pg.migrations().migrateTo("3");

            CompletableFuture<Void> migrate = whileLocked("game_" + suffix + ".embedding_spaces", "ACCESS EXCLUSIVE",
                    () -> s.pg.migrations().migrate());

            migrate.get(2, TimeUnit.MINUTES);
            assertThat(s.pg.migrations().current()).isEqualTo(s.pg.migrations().latest());
        }
    }

    @Test
    void a_request_path_statement_still_fails_at_the_socket_timeout() throws Exception {
        try (PgTest.Schemas s = new PgTest.Schemas(shortSocketTimeout(PgTest.randomSuffix()))) {
            CompletableFuture<Void> read = whileLocked(s.pg.gameSchema() + ".messages", "ACCESS EXCLUSIVE",
                    () -> s.pg.messages().recent(Ids.newId(), 5));

            assertThatThrownBy(() -> read.get(2, TimeUnit.MINUTES)).hasCauseInstanceOf(UnavailableException.class);
            // and the pool's connections are usable again afterwards
            assertThat(s.pg.messages().recent(Ids.newId(), 5)).isEmpty();
        }
    }

    /**
     * Takes the lock on another connection, starts the work, waits until the work is seen
     * blocked on that lock, keeps the lock past the socket timeout, then releases it.
     */
    private static CompletableFuture<Void> whileLocked(String table, String mode, Runnable work) throws Exception {
        try (Connection holder = PgTest.connect()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE " + table + " IN " + mode + " MODE");
            }
            int holderPid = pid(holder);
            CompletableFuture<Void> running = CompletableFuture.runAsync(work);
            Await.until("the work waits for the lock on " + table, Duration.ofSeconds(60),
                    () -> running.isDone() || blockedBy(holderPid));
            if (!running.isDone()) {
                Await.pass(HELD_PAST_TIMEOUT);
            }
            holder.commit();
            return running;
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean blockedBy(int holderPid) {
        try (Connection c = PgTest.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                     + "WHERE ? = ANY(pg_blocking_pids(pid))")) {
            ps.setInt(1, holderPid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
