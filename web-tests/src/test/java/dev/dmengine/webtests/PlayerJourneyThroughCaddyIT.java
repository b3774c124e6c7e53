package dev.dmengine.webtests;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every test of {@link PlayerJourneyIT} again, with the browser on {@code https://localhost:<port>}
 * in front of the repository's Caddyfile (Debian's Caddy, {@code tls internal}): streamed turns,
 * the event stream's reconnection with Last-Event-ID, the refused and failed turns. And the
 * session cookies as the browser keeps them over HTTPS. Screenshots are prefixed {@code caddy-}.
 */
class PlayerJourneyThroughCaddyIT extends PlayerJourneyIT {

    /** Hides {@link BrowserTest#startGui()}: this class's GUI is behind Caddy. */
    @BeforeAll
    static void startGui() {
        gui = GuiFixture.throughCaddy();
    }

    @Test
    void theBrowserKeepsSecureHostPrefixedCookiesOverHttpsAndThePageHasTheEdgeHeaders() {
        String email = "hana-" + System.nanoTime() + "@example.org";
        String password = "heron feather by the mill " + System.nanoTime();
        gui.register(page, "Hana", email, password);
        logIn(page, email, password);
        assertThat(page.locator("#who")).containsText("Hana");
        assertThat(page.url()).startsWith("https://localhost:");

        Response reloaded = page.reload();
        assertThat(reloaded.headerValue("strict-transport-security")).isEqualTo("max-age=31536000");
        assertThat(reloaded.headerValue("x-frame-options")).isEqualTo("DENY");
        assertThat(reloaded.headerValue("content-security-policy")).contains("frame-ancestors 'none'");
        assertThat(page.locator("#who")).containsText("Hana"); // still signed in: the cookies came back

        List<Cookie> cookies = ctx.cookies();
        Cookie access = cookies.stream().filter(c -> c.name.equals("__Host-dm_access")).findFirst().orElseThrow(
                () -> new AssertionError("no __Host-dm_access cookie among " + cookies.stream().map(c -> c.name).toList()));
        assertThat(access.secure).isTrue();
        assertThat(access.httpOnly).isTrue();
        assertThat(access.path).isEqualTo("/");
        assertThat(access.domain).isEqualTo("localhost");
        assertThat(access.sameSite).isEqualTo(SameSiteAttribute.LAX);
        Cookie refresh = cookies.stream().filter(c -> c.name.equals("__Secure-dm_refresh")).findFirst().orElseThrow();
        assertThat(refresh.secure).isTrue();
        assertThat(refresh.httpOnly).isTrue();
        assertThat(refresh.path).isEqualTo("/auth");
        assertThat(cookies).noneMatch(c -> c.name.startsWith("dm_"));

        // the cookies authenticate the pages' own calls through the edge
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Characters")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your characters"))).isVisible();
        gui.screenshot(page, "16-characters-over-https");
    }
}
