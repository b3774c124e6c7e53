package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link InvalidTextTest} on the PostgreSQL profile: the same 400s, the same lists afterwards. */
class PostgresInvalidTextIT extends InvalidTextTest {

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
}
