package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The web GUI's static files are served at {@code /} without auth; the API and its 404s are unchanged. */
class WebGuiTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theWelcomePageIsServedAtTheRootWithoutSigningIn() {
        TestServer.Response r = server.get("/", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/html");
        assertThat(r.body()).contains("<script type=\"module\"");
        assertThat(server.get("/index.html", null).status()).isEqualTo(200);
    }

    @Test
    void aRevalidatedPageIsNotModified() {
        TestServer.Response first = server.get("/", null);
        String etag = first.header("ETag");
        assertThat(etag).isNotBlank();
        TestServer.Response again = server.send(server.request("/", null).header("If-None-Match", etag).GET().build());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void scriptsAreServedAsJavaScript() {
        TestServer.Response r = server.get("/app.js", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).contains("javascript");
    }

    @Test
    void unknownPathsAndTheApiStillAnswerWithProblems() {
        TestServer.Response missing = server.get("/no-such-page", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).isEqualTo(Problems.MEDIA_TYPE);
        TestServer.Response api = server.get("/api/characters", null);
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.contentType()).isEqualTo(Problems.MEDIA_TYPE);
        assertThat(server.get("/health", null).status()).isEqualTo(200);
    }
}
