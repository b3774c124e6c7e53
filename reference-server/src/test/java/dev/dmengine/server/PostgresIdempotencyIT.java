package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link IdempotencyTest} on the PostgreSQL profile: the jobs are rows of {@code game.jobs}. */
class PostgresIdempotencyIT extends IdempotencyTest {

    static PgServer pg;

    @BeforeAll
    static void start() {
        pg = new PgServer(Map.of());
        server = pg.server;
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    @Override
    long jobs() {
        return pg.count("SELECT count(*) FROM " + pg.game() + ".jobs WHERE queue = '" + dev.dmengine.core.jobs.TurnJobs.QUEUE + "'");
    }
}
