package dev.dmengine.server;

import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownTest {

    @Test
    void a_turn_still_running_after_the_grace_period_fails_cleanly_and_keeps_the_player_message() {
        TestServer server = new TestServer(Map.of("dm.narrator.pacing", "200ms", "dm.server.shutdown-grace", "300ms"));
        TestServer.Player p = server.player("Xan");
        String session = server.session(p);
        TestServer.SseResponse r = server.openSse(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I tell a very long story\"}")).build());
        SseReader reader = new SseReader(r.lines());
        assertThat(reader.next().name()).isEqualTo("turn.started");

        Thread stopper = Thread.ofVirtual().start(server::close);
        // while it drains: not ready, and new turns are refused with 503
        TestServer.Response ready = server.get("/health/ready", null);
        long until = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (ready.status() == 200 && System.nanoTime() < until) {
            ready = server.get("/health/ready", null);
        }
        assertThat(ready.status()).isEqualTo(503);
        String other = server.session(p);
        ErrorsTest.problem(server.send(server.request("/api/sessions/" + other + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"me too\"}")).build()), 503, "unavailable");
        List<SseReader.Event> rest = reader.until(e -> e.name().startsWith("turn.") && !e.name().equals("turn.started"),
                true);
        assertThat(rest.getLast().name()).isEqualTo("turn.failed");
        assertThat(rest.getLast().json().get("retriable").asBoolean()).isTrue();
        try {
            stopper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var messages = server.server.engine().ports().messageStore().list(UUID.fromString(session), null, 10).items();
        assertThat(messages).hasSize(1);
        assertThat(messages.getFirst().content()).isEqualTo("I tell a very long story");
    }

    @Test
    void a_turn_that_ends_within_the_grace_period_completes() {
        TestServer server = new TestServer(Map.of("dm.narrator.pacing", "5ms", "dm.server.shutdown-grace", "20s"));
        TestServer.Player p = server.player("Yon");
        String session = server.session(p);
        TestServer.SseResponse r = server.openSse(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I rest\"}")).build());
        SseReader reader = new SseReader(r.lines());
        assertThat(reader.next().name()).isEqualTo("turn.started");
        Thread stopper = Thread.ofVirtual().start(server::close);
        List<SseReader.Event> rest = reader.until(e -> e.name().equals("turn.completed") || e.name().equals("turn.failed"),
                true);
        assertThat(rest.getLast().name()).isEqualTo("turn.completed");
        try {
            stopper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(server.server.engine().ports().messageStore().count(UUID.fromString(session))).isGreaterThanOrEqualTo(2);
    }
}
