package dev.dmengine.examples.jersey;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings come from system properties (or the environment); a wrong one is refused by name. */
class SettingsTest {

    private static final List<String> KEYS = List.of("dm.host", "dm.port", "dm.narrator.pacing-ms",
            "dm.postgres.url", "dm.postgres.user", "dm.postgres.password", "dm.postgres.schema-prefix");

    @AfterEach
    void clear() {
        KEYS.forEach(System::clearProperty);
    }

    @Test
    void a_jdbc_url_switches_to_postgres_and_the_password_is_never_printed() {
        System.setProperty("dm.port", "0");
        System.setProperty("dm.narrator.pacing-ms", "5");
        System.setProperty("dm.postgres.url", "jdbc:postgresql://db:5432/dm");
        System.setProperty("dm.postgres.user", "dm");
        System.setProperty("dm.postgres.password", "hunter2-but-longer");

        Settings s = Settings.fromEnvironment();

        assertThat(s.port()).isZero();
        assertThat(s.narratorPacing()).isEqualTo(Duration.ofMillis(5));
        assertThat(s.postgres()).hasValueSatisfying(pg -> {
            assertThat(pg.url()).isEqualTo("jdbc:postgresql://db:5432/dm");
            assertThat(pg.password()).isEqualTo("hunter2-but-longer");
        });
        assertThat(s.toString()).doesNotContain("hunter2");
    }

    @Test
    void a_url_without_a_user_is_refused_naming_both_keys() {
        System.setProperty("dm.postgres.url", "jdbc:postgresql://db:5432/dm");

        assertThatThrownBy(Settings::fromEnvironment).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DM_POSTGRES_URL").hasMessageContaining("DM_POSTGRES_USER");
    }

    @Test
    void a_port_that_is_not_a_number_is_refused_naming_the_key() {
        System.setProperty("dm.port", "eighty");

        assertThatThrownBy(Settings::fromEnvironment).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dm.port (DM_PORT)").hasMessageContaining("eighty");
    }
}
