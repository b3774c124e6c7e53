package dev.dmengine.server;

import dev.dmengine.server.CsrfGuard.Decision;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsrfGuardTest {

    private final CsrfGuard guard = new CsrfGuard(Set.of("https://dm.example", "http://localhost:8080"));

    @Test
    void same_origin_fetch_metadata_is_accepted() {
        assertThat(guard.check("POST", true, "same-origin", null)).isEqualTo(Decision.ALLOWED);
        assertThat(guard.check("DELETE", true, "none", null)).isEqualTo(Decision.ALLOWED);
    }

    @Test
    void cross_site_and_same_site_requests_with_cookies_are_refused() {
        assertThat(guard.check("POST", true, "cross-site", "https://evil.example")).isEqualTo(Decision.REFUSED_CROSS_SITE);
        assertThat(guard.check("POST", true, "same-site", "https://blog.dm.example")).isEqualTo(Decision.REFUSED_CROSS_SITE);
        assertThat(guard.check("PUT", true, "cross-site", null)).isEqualTo(Decision.REFUSED_CROSS_SITE);
    }

    @Test
    void without_fetch_metadata_the_origin_is_mandatory_and_must_be_allowed() {
        assertThat(guard.check("POST", true, null, null)).isEqualTo(Decision.REFUSED_NO_ORIGIN);
        assertThat(guard.check("POST", true, null, "https://evil.example")).isEqualTo(Decision.REFUSED_ORIGIN);
        assertThat(guard.check("POST", true, null, "null")).isEqualTo(Decision.REFUSED_ORIGIN);
        assertThat(guard.check("POST", true, null, "https://DM.example:443")).isEqualTo(Decision.ALLOWED);
        assertThat(guard.check("POST", true, "", "http://localhost:8080")).isEqualTo(Decision.ALLOWED);
        assertThat(guard.check("POST", true, null, "http://localhost:9999")).isEqualTo(Decision.REFUSED_ORIGIN);
    }

    @Test
    void safe_methods_and_bearer_requests_are_not_its_business() {
        assertThat(guard.check("GET", true, "cross-site", "https://evil.example")).isEqualTo(Decision.ALLOWED);
        assertThat(guard.check("head", true, null, null)).isEqualTo(Decision.ALLOWED);
        assertThat(guard.check("POST", false, "cross-site", "https://evil.example")).isEqualTo(Decision.ALLOWED);
    }

    @Test
    void an_allowed_cross_origin_front_end_may_send_cookies() {
        CsrfGuard withApp = new CsrfGuard(Set.of("https://dm.example", "https://app.partner.example"));

        assertThat(withApp.check("POST", true, "cross-site", "https://app.partner.example").allowed()).isTrue();
    }

    @Test
    void configured_origins_must_be_origins() {
        assertThatThrownBy(() -> new CsrfGuard(Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CsrfGuard(Set.of("https://dm.example/path"))).hasMessageContaining("not an origin");
        assertThatThrownBy(() -> new CsrfGuard(Set.of("dm.example"))).hasMessageContaining("not an origin");
    }
}
