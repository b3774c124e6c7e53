package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.testkit.PlayerStoreContract;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@link PlayerStoreContract} against PostgreSQL: random schemas per class, emptied before each test. */
class PostgresPlayerStoreContractIT extends PlayerStoreContract {

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
    protected PlayerStore newStore() {
        schemas.truncate();
        return schemas.pg.players();
    }

    // ---- PostgreSQL-specific ----

    @Test
    void emails_are_unique_whatever_their_case_though_looked_up_as_stored() {
        Player ann = store.create(player("ann@example.org"));

        assertThatThrownBy(() -> store.create(player("Ann@Example.org"))).isInstanceOf(ConflictException.class);
        assertThat(store.findByEmail("ann@example.org")).contains(ann);
        assertThat(store.findByEmail("Ann@Example.org")).isEmpty();
    }

    @Test
    void a_display_name_with_a_nul_character_is_invalid_input_naming_the_field() {
        Player p = new Player(Ids.newId(), "nul@example.org", "Ay\0la", "h", false, null, T0, T0);

        assertThatThrownBy(() -> store.create(p)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("displayName").hasMessageContaining("NUL");
        assertThat(store.get(p.id())).isEmpty();
    }
}
