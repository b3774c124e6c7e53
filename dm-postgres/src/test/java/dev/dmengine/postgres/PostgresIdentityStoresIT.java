package dev.dmengine.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.spi.identity.RefreshFamily;
import dev.dmengine.spi.identity.RefreshToken;
import dev.dmengine.spi.identity.RefreshTokenStore;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** PlayerStore and RefreshTokenStore; later {@code extends PlayerStoreContract} with {@link #newPlayerStore()}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresIdentityStoresIT {

    private PgTest.Schemas schemas;

    @BeforeAll
    void open() {
        schemas = new PgTest.Schemas();
    }

    @AfterAll
    void drop() {
        schemas.close();
    }

    protected PlayerStore newPlayerStore() {
        return schemas.pg.players();
    }

    protected RefreshTokenStore newRefreshTokenStore() {
        return schemas.pg.refreshTokens();
    }

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    private static Player player(String email) {
        return new Player(Ids.newId(), email, "Ayla", "$argon2id$v=19$m=65536,t=3,p=4$abc$def", false, null, NOW, NOW);
    }

    @Test
    void stores_and_finds_a_player_by_id_and_by_email_as_stored() {
        PlayerStore store = newPlayerStore();
        String email = "ayla-" + UUID.randomUUID() + "@example.com";
        Player created = store.create(player(email));
        assertThat(store.get(created.id())).contains(created);
        assertThat(store.findByEmail(email)).contains(created);
        assertThat(store.findByEmail(email.toUpperCase())).isEmpty();
    }

    @Test
    void rejects_a_second_player_with_the_same_email_in_another_case() {
        PlayerStore store = newPlayerStore();
        String email = "dup-" + UUID.randomUUID() + "@example.com";
        store.create(player(email));
        assertThatThrownBy(() -> store.create(player(email.toUpperCase()))).isInstanceOf(ConflictException.class);
    }

    @Test
    void updates_a_player_and_reports_an_unknown_one_as_not_found() {
        PlayerStore store = newPlayerStore();
        Player p = store.create(player("u-" + UUID.randomUUID() + "@example.com"));
        Player changed = new Player(p.id(), p.email(), "New name", p.passwordHash(), true, NOW, p.createdAt(),
                NOW.plusSeconds(1));
        assertThat(store.update(changed)).isEqualTo(changed);
        assertThat(store.get(p.id())).contains(changed);
        assertThatThrownBy(() -> store.update(player("x@example.com"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void rejects_a_display_name_with_a_nul_character_naming_the_field() {
        Player p = new Player(Ids.newId(), "nul-" + UUID.randomUUID() + "@example.com", "Ay\0la", "h", false, null,
                NOW, NOW);
        assertThatThrownBy(() -> newPlayerStore().create(p)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("displayName").hasMessageContaining("NUL");
    }

    @Test
    void marks_a_refresh_token_used_exactly_once() {
        RefreshTokenStore store = newRefreshTokenStore();
        UUID playerId = Ids.newId();
        RefreshFamily family = store.createFamily(new RefreshFamily(Ids.newId(), playerId, NOW,
                NOW.plus(Duration.ofDays(30)), null));
        RefreshToken token = store.addToken(new RefreshToken("hash-" + UUID.randomUUID(), family.id(), playerId, NOW,
                null));
        assertThat(store.findToken(token.tokenHash())).contains(token);
        assertThat(store.markUsed(token.tokenHash(), NOW)).isTrue();
        assertThat(store.markUsed(token.tokenHash(), NOW)).isFalse();
        assertThat(store.findToken(token.tokenHash()).orElseThrow().usedAt()).isEqualTo(NOW);
    }

    @Test
    void refuses_a_token_for_an_unknown_family() {
        RefreshToken orphan = new RefreshToken("hash-" + UUID.randomUUID(), Ids.newId(), Ids.newId(), NOW, null);
        assertThatThrownBy(() -> newRefreshTokenStore().addToken(orphan)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void revokes_families_once_and_lists_them_newest_first() {
        RefreshTokenStore store = newRefreshTokenStore();
        UUID playerId = Ids.newId();
        RefreshFamily older = store.createFamily(new RefreshFamily(Ids.newId(), playerId, NOW,
                NOW.plus(Duration.ofDays(1)), null));
        RefreshFamily newer = store.createFamily(new RefreshFamily(Ids.newId(), playerId, NOW.plusSeconds(1),
                NOW.plus(Duration.ofDays(1)), null));
        assertThat(store.families(playerId)).extracting(RefreshFamily::id).containsExactly(newer.id(), older.id());
        assertThat(store.revokeFamily(older.id(), NOW)).isTrue();
        assertThat(store.revokeFamily(older.id(), NOW)).isFalse();
        assertThat(store.revokeAll(playerId, NOW)).isEqualTo(1);
        assertThat(store.families(playerId)).allSatisfy(f -> assertThat(f.isActive(NOW)).isFalse());
    }
}
