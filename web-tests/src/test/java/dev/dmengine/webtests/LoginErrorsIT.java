package dev.dmengine.webtests;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a player sees when logging in goes wrong: a wrong password, and the rate limit
 * (the per-account login limit: a burst of 5 attempts) with when to try again.
 */
class LoginErrorsIT extends BrowserTest {

    private String registered(String name) {
        String email = name.toLowerCase() + "-" + System.nanoTime() + "@example.org";
        gui.register(page, name, email, "silver birch by the water " + System.nanoTime());
        return email;
    }

    /** Submits the log-in form and waits for the server's answer. */
    private Response submitLogin(String password) {
        page.getByLabel("Password").fill(password);
        return page.waitForResponse(r -> r.url().endsWith("/auth/login"),
                () -> page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click());
    }

    @Test
    void aWrongPasswordSaysSoAndKeepsThePlayerOnTheLogInPage() {
        String email = registered("Cato");
        assertThat(page.getByLabel("Email")).hasValue(email);
        Response r = submitLogin("not my password at all");
        assertThat(r.status()).isEqualTo(401);
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("Wrong email or password");
        assertThat(page.getByRole(AriaRole.ALERT)).isFocused();
        assertThat(page.getByLabel("Password")).hasValue("");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Log in"))).isVisible();
        gui.screenshot(page, "20-login-wrong-password");

        // an empty form is refused before it is sent
        page.getByLabel("Email").fill("");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        assertThat(page.getByLabel("Email")).hasAttribute("aria-invalid", "true");
        assertThat(page.getByText("Enter your email address.")).isVisible();
    }

    @Test
    void theRateLimitSaysWhenToTryAgain() {
        String email = registered("Dara");
        assertThat(page.getByLabel("Email")).hasValue(email);
        int status = 0;
        for (int i = 0; i < 12 && status != 429; i++) {
            status = submitLogin("wrong guess number " + i).status();
        }
        assertThat(status).as("the login limit answers 429 within 12 attempts").isEqualTo(429);
        assertThat(page.getByRole(AriaRole.ALERT)).containsText("Too many log-in attempts");
        assertThat(page.getByRole(AriaRole.ALERT)).containsText(Pattern.compile("try again in (\\d+ min)?( ?\\d+ s)? \\(at \\d"));
        gui.screenshot(page, "21-login-rate-limited");
    }
}
