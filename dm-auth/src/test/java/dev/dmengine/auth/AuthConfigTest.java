package dev.dmengine.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthConfigTest {

    @Test
    void defaults_are_the_documented_ones() {
        AuthConfig c = AuthConfig.defaults();

        assertThat(c.accessTokenLifetime()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.refreshFamilyLifetime()).isEqualTo(Duration.ofDays(30));
        assertThat(c.passwordHashing()).isEqualTo(PasswordHasher.Params.OWASP_MINIMUM);
        assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.refreshLeeway()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.deviceTokenLifetime()).isEqualTo(Duration.ofDays(90));
        assertThat(c.hashingPool()).isEqualTo(PasswordHasher.Pool.defaults());
        assertThat(c.limits().loginPerDevice()).isEqualTo(c.limits().loginPerAccount());
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void refuses_wrong_values_naming_the_setting() {
        assertThatThrownBy(() -> AuthConfig.builder().issuer("").build()).hasMessageContaining("issuer");
        assertThatThrownBy(() -> AuthConfig.builder().accessTokenLifetime(Duration.ofDays(2)).build())
                .hasMessageContaining("accessTokenLifetime");
        assertThatThrownBy(() -> AuthConfig.builder().refreshIdleLifetime(Duration.ofDays(40)).build())
                .hasMessageContaining("refreshFamilyLifetime");
        assertThatThrownBy(() -> AuthConfig.builder().refreshIdleLifetime(Duration.ofMinutes(5)).build())
                .hasMessageContaining("refreshIdleLifetime");
        assertThatThrownBy(() -> AuthConfig.builder().clockSkew(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("clockSkew");
        assertThatThrownBy(() -> AuthConfig.builder().passwordHashing(new PasswordHasher.Params(4096, 3, 1)).build())
                .hasMessageContaining("OWASP");
        assertThatThrownBy(() -> AuthConfig.builder().minPasswordEntropyBits(100).build())
                .hasMessageContaining("minPasswordEntropyBits");
        assertThatThrownBy(() -> AuthConfig.builder().limits(null).build()).hasMessageContaining("limits");
        assertThatThrownBy(() -> AuthConfig.builder().refreshLeeway(Duration.ofMinutes(2)).build())
                .hasMessageContaining("refreshLeeway");
        assertThatThrownBy(() -> AuthConfig.builder().deviceTokenLifetime(Duration.ofHours(1)).build())
                .hasMessageContaining("deviceTokenLifetime");
        assertThatThrownBy(() -> AuthConfig.builder().hashingPool(null).build()).hasMessageContaining("hashingPool");
    }
}
