package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every answer, from a page of the web GUI to a problem Helidon writes before routing, carries a
 * Content-Security-Policy without {@code 'unsafe-inline'}, forbids framing
 * ({@code frame-ancestors 'none'}, {@code X-Frame-Options: DENY}), and the GUI has nothing inline
 * that such a policy would block.
 */
class SecurityHeadersTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertProtected(String what, String csp, String frameOptions) {
        assertThat(csp).as("CSP of %s", what).isNotNull()
                .contains("default-src 'self'").contains("script-src 'self'").contains("style-src 'self'")
                .contains("frame-ancestors 'none'").contains("object-src 'none'").contains("base-uri 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(frameOptions).as("X-Frame-Options of %s", what).isEqualTo("DENY");
    }

    @Test
    void pages_scripts_api_answers_and_problems_all_carry_the_policy() {
        for (String path : List.of("/", "/index.html", "/app.js", "/style.css", "/health", "/openapi",
                "/api/characters", "/no-such-page")) {
            TestServer.Response r = server.get(path, null);
            assertProtected(path + " (" + r.status() + ")", r.header("Content-Security-Policy"),
                    r.header("X-Frame-Options"));
        }
        TestServer.Response page = server.get("/", null);
        TestServer.Response notModified = server.send(server.request("/", null)
                .header("If-None-Match", page.header("ETag")).GET().build());
        assertThat(notModified.status()).isEqualTo(304);
        assertProtected("a 304", notModified.header("Content-Security-Policy"), notModified.header("X-Frame-Options"));
    }

    @Test
    void a_request_helidon_refuses_before_routing_carries_the_policy_too() {
        try (RawConnection c = new RawConnection(server.server.port())) {
            c.write("GET / HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n");
            String response = c.readResponse(Duration.ofSeconds(15));
            assertThat(response).startsWith("HTTP/1.1 400");
            String csp = header(response, "Content-Security-Policy");
            assertProtected("a direct 400", csp, header(response, "X-Frame-Options"));
        }
    }

    private static String header(String response, String name) {
        for (String line : response.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return null;
    }

    @Test
    void the_web_gui_has_no_inline_script_style_or_event_handler() throws IOException {
        String html = resource("web/index.html");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("an inline <script>").isFalse();
        assertThat(html).as("a <style> element").doesNotContainIgnoringCase("<style");
        assertThat(Pattern.compile("\\s(on[a-z]+|style)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .as("an inline handler or style attribute").isFalse();
        for (String js : List.of("app.js", "api.js", "assets.js", "characters.js", "dom.js", "export.js", "play.js", "sse.js")) {
            String code = resource("web/" + js);
            assertThat(code).as(js).doesNotContain("innerHTML").doesNotContain("eval(").doesNotContain("new Function")
                    .doesNotContain("setAttribute('style'").doesNotContain("setAttribute(\"style\"")
                    .doesNotContain("insertAdjacentHTML").doesNotContain("document.write");
        }
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = SecurityHeadersTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
