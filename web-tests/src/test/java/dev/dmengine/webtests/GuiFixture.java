package dev.dmengine.webtests;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import dev.dmengine.edgetests.CaddyProcess;
import dev.dmengine.edgetests.FreePorts;
import dev.dmengine.server.DmServer;
import dev.dmengine.server.ServerSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reference server (embedded profile, offline narrator paced so streaming is visible) on a
 * free loopback port, and Debian's Chromium driven by Playwright. Each browser context plays
 * from its own client address (X-Forwarded-For from the trusted loopback), so the per-address
 * rate limits of one test never touch another.
 *
 * <p>{@link #throughCaddy()} puts the repository's Caddyfile (Debian's Caddy, {@code tls internal})
 * in front, configured as a deployment is: the browser talks to {@code https://localhost:<port>},
 * the server trusts only the edge's address, its cookies keep {@code Secure} and their prefixes,
 * and its allowed origin is the edge's. There every context shares one client address (the edge
 * overwrites X-Forwarded-For), and the browser accepts the local CA's certificate because this
 * client is told to (not the machine).
 */
final class GuiFixture implements AutoCloseable {

    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final AtomicInteger IPS = new AtomicInteger(1);

    final DmServer server;
    final CaddyProcess caddy;
    final String base;
    private final String screenshotPrefix;
    final Playwright playwright;
    final Browser browser;
    final Path screenshots;

    GuiFixture(Map<String, String> overrides) {
        this(overrides, false);
    }

    /** The same, behind the repository's Caddyfile over HTTPS. */
    static GuiFixture throughCaddy() {
        return new GuiFixture(Map.of(), true);
    }

    private GuiFixture(Map<String, String> overrides, boolean viaCaddy) {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new IllegalStateException(CHROMIUM + " is missing: run scripts/services.sh (or apt-get install chromium)");
        }
        int port = freePort();
        int edgePort = viaCaddy ? FreePorts.any() : 0;
        Map<String, String> cfg = new HashMap<>();
        cfg.put("dm.server.host", "127.0.0.1");
        cfg.put("dm.server.port", Integer.toString(port));
        cfg.put("dm.server.heartbeat", "2s");
        cfg.put("dm.server.shutdown-grace", "2s");
        cfg.put("dm.server.trusted-proxies", "127.0.0.1/32,::1/128");
        cfg.put("dm.narrator.pacing", "25ms");
        cfg.put("dm.embedder.provider", "hashing"); // light and deterministic; retrieval is not what these tests check
        if (viaCaddy) {
            cfg.put("dm.server.allowed-origins", "https://localhost:" + edgePort);
            cfg.put("dm.auth.insecure-localhost-cookies", "false");
        }
        cfg.putAll(overrides);
        server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(cfg)))).start();
        if (viaCaddy) {
            try {
                caddy = CaddyProcess.builder().httpsPort(edgePort).upstreams("127.0.0.1:" + server.port()).start();
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
            base = caddy.origin();
            screenshotPrefix = "caddy-";
        } else {
            caddy = null;
            base = "http://127.0.0.1:" + server.port();
            screenshotPrefix = "";
        }
        screenshots = Paths.get(System.getProperty("dm.webtests.screenshots", "target/screenshots"));
        try {
            Files.createDirectories(screenshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Playwright.CreateOptions opts = new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"));
        playwright = Playwright.create(opts);
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync")));
    }

    /**
     * Whether each context plays from its own client address (X-Forwarded-For on its requests).
     * The header goes with every request of the context, to other origins too: a page that
     * uploads to an object store across origins would need the store's CORS rules to allow it.
     */
    volatile boolean clientAddresses = true;

    /** A fresh browser (cookies and all) playing from its own client address (see {@link #clientAddresses}). */
    BrowserContext context() {
        int n = IPS.getAndIncrement();
        Browser.NewContextOptions options = new Browser.NewContextOptions()
                .setViewportSize(1280, 900)
                .setIgnoreHTTPSErrors(caddy != null); // Caddy's local CA, for this client only
        if (clientAddresses) {
            options.setExtraHTTPHeaders(Map.of("X-Forwarded-For", "10.9." + (n / 250) + "." + (n % 250 + 1)));
        }
        BrowserContext ctx = browser.newContext(options);
        ctx.setDefaultTimeout(20_000);
        return ctx;
    }

    void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve(screenshotPrefix + name + ".png"))
                .setFullPage(true));
    }

    /** Fills and sends the registration form, and waits for the "account is ready" notice. */
    void register(Page page, String name, String email, String password) {
        page.navigate(base + "/#/register");
        page.getByLabel("Display name").fill(name);
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create account")).click();
        com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat(page.getByRole(AriaRole.ALERT))
                .containsText("account is ready");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            try {
                playwright.close();
            } finally {
                try {
                    if (caddy != null) {
                        caddy.close();
                    }
                } finally {
                    server.stop();
                }
            }
        }
    }
}
