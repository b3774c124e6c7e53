package dev.dmengine.testkit;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The private servers of the fault tests go down, come back on the same port, and leave nothing behind. */
class PrivateServersIT {

    @Test
    void a_private_postgres_refuses_connections_while_stopped_and_accepts_them_again_after_a_crash() {
        Path dir;
        try (PrivatePostgres pg = PrivatePostgres.create()) {
            assertThat(pg.acceptsConnections()).isTrue();
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
            dir = pg.directory();
            assertThat(Files.isDirectory(dir)).isTrue();
            pg.stop(PrivatePostgres.StopMode.IMMEDIATE);
            assertThat(pg.acceptsConnections()).isFalse();
            pg.start();
            assertThat(pg.acceptsConnections()).isTrue();
            assertThat(pg.log()).contains("database system was interrupted"); // recovery ran after the crash
            pg.stop(PrivatePostgres.StopMode.FAST);
            assertThat(pg.acceptsConnections()).isFalse();
            pg.start();
            assertThat(pg.running()).isTrue();
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void a_private_redis_refuses_connections_while_stopped_and_answers_again_once_started() {
        try (PrivateRedis redis = PrivateRedis.create()) {
            assertThat(redis.ping()).isTrue();
            redis.stop();
            assertThat(redis.ping()).isFalse();
            redis.start();
            assertThat(redis.ping()).isTrue();
        }
    }
}
