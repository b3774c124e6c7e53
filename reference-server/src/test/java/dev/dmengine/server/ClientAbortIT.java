package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that disconnects mid-body or mid-stream is the client's failure: no 500, no stack
 * trace, not a 5xx in {@code /metrics} (it is counted as 499, nginx's "client closed request"),
 * and at most one short line in the log. The server runs as a child process so that every line
 * it writes, Helidon's included, is seen.
 */
class ClientAbortIT {

    private static final int ABORTS = 200;

    @Test
    void clients_that_vanish_mid_body_or_mid_stream_are_not_server_errors() throws Exception {
        try (ChildServer child = ChildServer.start("abort", 0, Map.of("dm.narrator.pacing", "20ms"))) {
            String access = login(child);
            String session = session(child, access);
            long logBefore = child.logSize();

            for (int i = 0; i < ABORTS; i++) {
                RawConnection c = new RawConnection(child.port);
                c.write("POST /auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"email\":\"someone@example.org\",\"password\":\"");
                if (i % 2 == 0) {
                    c.abort(); // a reset
                } else {
                    c.close(); // a half-sent body and a goodbye
                }
            }
            for (int i = 0; i < 5; i++) { // a streamed turn whose client leaves after the first bytes
                RawConnection c = new RawConnection(child.port);
                String body = "{\"text\":\"I look around, take " + i + "\"}";
                c.write("POST /api/sessions/" + session + "/messages HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + access + "\r\nAccept: text/event-stream\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                c.readHead();
                c.abort();
                Await.until("turn " + i + " has ended", Duration.ofSeconds(60),
                        () -> child.metric("dm_turns_in_flight") == 0);
            }

            Await.until("every aborted upload is accounted for", Duration.ofSeconds(60),
                    () -> child.metric("dm_http_requests_total{status=\"499\"}") >= ABORTS);
            TestServer.Response metrics = child.get("/metrics", ChildServer.SERVICE_TOKEN);
            assertThat(metrics.body()).doesNotContainPattern("dm_http_requests_total\\{status=\"5\\d\\d\"\\}");

            // what the aborts logged: everything since, but this test's own polling of /metrics
            List<String> added = child.log().substring((int) logBefore).lines()
                    .filter(l -> !l.contains(" GET /metrics ")).toList();
            String text = String.join("\n", added);
            assertThat(text).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("SEVERE")
                    .doesNotContain("ERROR");
            assertThat(added.size()).as("log lines for %d aborts:%n%s", ABORTS, text).isLessThanOrEqualTo(ABORTS + 20);
            assertThat(text.length()).as("bytes logged for %d aborts", ABORTS).isLessThan(ABORTS * 300);
            assertThat(added.stream().filter(l -> l.contains("POST /auth/login 499")).count()).isEqualTo(ABORTS);
            assertThat(child.get("/health", null).status()).isEqualTo(200);
        }
    }

    private static String login(ChildServer child) {
        String email = "aborter-" + System.nanoTime() + "@example.org";
        String password = "a patient passphrase of mine";
        post(child, "/auth/register", null, Map.of("email", email, "password", password, "displayName", "Ab"));
        JsonNode login = post(child, "/auth/login", null, Map.of("email", email, "password", password));
        return login.get("access").asText();
    }

    private static String session(ChildServer child, String access) {
        JsonNode c = post(child, "/api/characters", access, Map.of("name", "Ab", "characterClass", "rogue"));
        return post(child, "/api/sessions", access, Map.of("characterId", c.get("id").asText())).get("id").asText();
    }

    private static JsonNode post(ChildServer child, String path, String token, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + child.port + path))
                .header("Content-Type", "application/json").header("X-Forwarded-For", "10.77.0.1")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = child.http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() >= 300) {
                throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
            }
            return r.body().isEmpty() ? null : Http.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
