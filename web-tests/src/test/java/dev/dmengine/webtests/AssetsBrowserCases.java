package dev.dmengine.webtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FilePayload;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Players' files in a real browser: a portrait chosen from disk is hashed by the page, sent
 * straight to the object store with a progress bar, checked by the server and shown on the
 * character list and the play screen; a session's transcript is exported as Markdown and JSON
 * (with its rolls) to the exports bucket and offered for download. Subclasses run it on the
 * embedded profile and against S3Proxy; every page must keep to the Content-Security-Policy
 * (which names the store when it is S3). Screenshots go to {@code target/screenshots}.
 */
abstract class AssetsBrowserCases extends BrowserTest {

    static final double LONG = 30_000;
    static final int WIDTH = 640;
    static final int HEIGHT = 480;

    /** A prefix for this profile's screenshots. */
    abstract String shots();

    /** A real PNG of noise and a face-ish shape, large enough (about a megabyte) for the upload to take a moment. */
    static byte[] portraitPng() {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(7);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                img.setRGB(x, y, rnd.nextInt(0x1000000));
            }
        }
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0x6a2c91));
        g.fillOval(WIDTH / 2 - 150, HEIGHT / 2 - 180, 300, 360);
        g.setColor(Color.WHITE);
        g.fillOval(WIDTH / 2 - 80, HEIGHT / 2 - 60, 40, 40);
        g.fillOval(WIDTH / 2 + 40, HEIGHT / 2 - 60, 40, 40);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    String signUp(String name) {
        String email = name.toLowerCase() + "-" + System.nanoTime() + "@example.org";
        String password = "silver quill by the hearth " + System.nanoTime();
        gui.register(page, name, email, password);
        PlayerJourneyIT.logIn(page, email, password);
        return email;
    }

    /** POSTs JSON with the page's cookies (as the GUI does) and answers the new thing's id. */
    String post(String path, String json) {
        Object body = page.evaluate("""
                async ([path, json]) => {
                  const r = await fetch(path, { method: 'POST', credentials: 'same-origin',
                    headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: json });
                  return r.status + ' ' + await r.text();
                }""", List.of(path, json));
        String s = String.valueOf(body);
        assertThat(s).matches("^201 .*");
        var m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(s);
        assertThat(m.find()).as("an id in %s", s).isTrue();
        return m.group(1);
    }

    /** The natural width of an image once the browser has loaded it (0 if it could not). */
    int loadedWidth(Locator img) {
        img.scrollIntoViewIfNeeded();
        page.waitForFunction("el => el.complete", img.elementHandle());
        return ((Number) img.evaluate("el => el.naturalWidth")).intValue();
    }

    static HttpResponse<String> fetch(String base, String url) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/").resolve(url)).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPortraitChosenFromDiskIsUploadedStraightToTheStoreAndShowsOnTheListAndThePlayScreen() {
        signUp("Iona");
        String character = post("/api/characters", "{\"name\":\"Iona\",\"characterClass\":\"bard\"}");
        page.navigate(gui.base + "/#/characters/" + character);
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit Iona"))).isVisible();
        assertThat(page.locator("#portrait-picture .placeholder")).hasText("I");
        Locator file = page.getByLabel("Portrait image");

        // the page says what it takes before anything is sent
        file.setInputFiles(new FilePayload("notes.txt", "text/plain", "not a picture".getBytes(StandardCharsets.UTF_8)));
        assertThat(file).hasAttribute("aria-invalid", "true");
        assertThat(page.locator("#portrait-file-error")).containsText("Choose a PNG, JPEG, WebP or GIF image");

        byte[] png = portraitPng();
        assertThat(png.length).isGreaterThan(500_000);
        page.evaluate("""
                () => {
                  window.__progress = [];
                  const p = document.getElementById('portrait-progress');
                  new MutationObserver(() => window.__progress.push(Number(p.value)))
                    .observe(p, { attributes: true, attributeFilter: ['value'] });
                }""");
        file.setInputFiles(new FilePayload("iona.png", "image/png", png));
        assertThat(page.locator("#portrait-status")).containsText("Portrait saved",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(LONG));
        assertThat(file).not().hasAttribute("aria-invalid", "true");
        @SuppressWarnings("unchecked")
        List<Number> progress = (List<Number>) page.evaluate("() => window.__progress");
        assertThat(progress).as("the progress bar's values").isNotEmpty();
        assertThat(progress.getLast().intValue()).isEqualTo(100);
        assertThat(progress.stream().map(Number::intValue).toList()).isSorted();
        assertThat(page.locator("#portrait-progress")).isVisible();
        Locator shown = page.locator("#portrait-picture img.portrait");
        assertThat(shown).hasAttribute("alt", "Portrait of Iona");
        assertThat(loadedWidth(shown)).isEqualTo(WIDTH);
        gui.screenshot(page, shots() + "portrait-edit");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Characters")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Your characters"))).isVisible();
        Locator onList = page.locator("[data-character='" + character + "'] img.portrait");
        assertThat(loadedWidth(onList)).isEqualTo(WIDTH);
        gui.screenshot(page, shots() + "portrait-list");

        String session = post("/api/sessions", "{\"characterId\":\"" + character + "\",\"title\":\"Iona's song\"}");
        page.navigate(gui.base + "/#/play/" + session);
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        Locator inPanel = page.locator("#character-panel img.portrait");
        assertThat(loadedWidth(inPanel)).isEqualTo(WIDTH);
        gui.screenshot(page, shots() + "portrait-play");

        // choosing the same picture again sends nothing: the server already has these bytes
        page.navigate(gui.base + "/#/characters/" + character);
        page.getByLabel("Portrait image").setInputFiles(new FilePayload("again.png", "image/png", png));
        assertThat(page.locator("#portrait-status")).containsText("Portrait saved",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(LONG));
    }

    @Test
    void theTranscriptIsExportedWithItsRollsAsMarkdownAndJsonAndOfferedForDownload() throws IOException {
        signUp("Wren");
        String character = post("/api/characters", "{\"name\":\"Wren\",\"characterClass\":\"rogue\"}");
        String session = post("/api/sessions", "{\"characterId\":\"" + character + "\",\"title\":\"The Wren's Heist\"}");
        page.navigate(gui.base + "/#/play/" + session);
        assertThat(page.locator("#connection")).hasAttribute("data-state", "live",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        page.locator("#say").fill("I sneak past the guard");
        page.locator("#say").press("Enter");
        assertThat(page.locator("#transcript .msg-dm").first()).hasAttribute("data-state", "done",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(LONG));
        assertThat(page.locator("#transcript .msg-roll").first()).containsText("1d20");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Export transcript")).click();
        assertThat(page.locator("#export-status")).containsText("Transcript exported",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(LONG));
        Locator md = page.locator("#export-links a[data-export='md']");
        Locator json = page.locator("#export-links a[data-export='json']");
        assertThat(md).isVisible();
        assertThat(md).hasAttribute("download", "the-wren-s-heist.md");
        assertThat(json).hasAttribute("download", "the-wren-s-heist.json");
        gui.screenshot(page, shots() + "export");

        HttpResponse<String> markdown = fetch(gui.base, md.getAttribute("href"));
        assertThat(markdown.statusCode()).isEqualTo(200);
        assertThat(markdown.headers().firstValue("Content-Type")).contains("text/markdown; charset=utf-8");
        assertThat(markdown.body()).startsWith("# The Wren's Heist\n")
                .contains("Wren, level 1 rogue.")
                .contains("**You:** I sneak past the guard")
                .contains("**DM:** ")
                .containsPattern("> Roll: .*1d20[+-]\\d+ = \\[\\d+\\]");
        HttpResponse<String> data = fetch(gui.base, json.getAttribute("href"));
        assertThat(data.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper().readTree(data.body());
        assertThat(doc.get("format").asText()).isEqualTo("dm-engine.transcript/1");
        assertThat(doc.at("/session/id").asText()).isEqualTo(session);
        assertThat(doc.get("messages").findValuesAsText("role")).contains("player", "dm");
        assertThat(doc.get("rolls")).isNotEmpty();
        assertThat(doc.at("/rolls/0/text").asText()).contains("1d20");

        // both files are the player's, in the exports bucket, READY
        Object assets = page.evaluate("""
                async () => (await (await fetch('/api/assets', { credentials: 'same-origin' })).json()).items
                  .map((a) => a.bucket + ' ' + a.purpose + ' ' + a.status + ' ' + a.contentType)""");
        assertThat(((List<?>) assets).stream().map(String::valueOf).toList()).containsExactlyInAnyOrder("exports export READY text/markdown; charset=utf-8",
                "exports export READY application/json");
    }
}
