package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link ApiFuzzTest} on the PostgreSQL profile, on schemas of its own. */
class PostgresApiFuzzIT extends ApiFuzzTest {

    static PgServer pg;

    @BeforeAll
    static void start() {
        pg = new PgServer(Map.of());
        setUp(pg.server);
    }

    @AfterAll
    static void stop() {
        pg.close();
    }
}
