package dev.dmengine.edgetests;

import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one PostgreSQL with one key pair, behind the Caddyfile; one is killed
 * ({@code kill -9}). What needs nothing more than that works today: requests, new event streams
 * and new turns go to the survivor, with the token and data the killed one had. (Following a turn
 * played on one instance from a stream on the other, and resuming a stream on the other with
 * Last-Event-ID, need the shared event bus: see {@link TwoInstancesResumeIT}.)
 */
class TwoInstancesIT {

    static final Duration LIMIT = Duration.ofSeconds(60);
    static TwoInstances pool;

    @BeforeAll
    static void start() {
        pool = new TwoInstances("The torch gutters and the stairs go down into the cold dark.", Map.of());
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void with_one_instance_killed_requests_new_event_streams_and_turns_go_to_the_other() {
        GameClient c = GameClient.via(pool.caddy, "127.0.0.2");
        GameClient.Player p = c.newPlayer("Ivo");
        String session = c.newSession(p);
        try (EventStream first = c.stream(c.turnRequest(p, session, "I take the stairs").build())) {
            assertThat(first.until(e -> e.name().equals("turn.completed"), LIMIT)).isNotEmpty();
        }

        pool.a.kill(); // no draining, sockets reset; Caddy's health checks have not seen it yet

        for (int i = 0; i < 10; i++) {
            GameClient.Response page = c.get("/api/sessions/" + session + "/messages", p.access());
            assertThat(page.status()).as("request %d after the kill: %s", i, page).isEqualTo(200);
            assertThat(page.text()).contains("I take the stairs");
        }
        try (EventStream events = c.stream(c.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream").GET().build())) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.next(LIMIT).heartbeat()).isTrue();
            List<EventStream.Event> turn;
            try (EventStream played = c.stream(c.turnRequest(p, session, "I listen").build())) {
                assertThat(played.status()).isEqualTo(200);
                turn = played.until(e -> e.name().equals("turn.completed"), LIMIT);
            }
            // the new stream lives on the survivor, where the turn ran: it carries the same events
            List<EventStream.Event> followed = events.until(e -> e.name().equals("turn.completed"), LIMIT);
            assertThat(followed.stream().map(EventStream.Event::id).toList())
                    .containsExactlyElementsOf(turn.stream().map(EventStream.Event::id).toList());
        }
        // the line is written when the response ends, after the reply is indexed (after turn.completed)
        Await.until("the survivor's access log shows the turn", LIMIT, () -> pool.b.accessLines().stream()
                .anyMatch(l -> l.contains("POST /api/sessions/" + session + "/messages 200")));
        GameClient.Response transcript = c.get("/api/sessions/" + session + "/messages", p.access());
        List<String> roles = new java.util.ArrayList<>();
        transcript.json().get("items").forEach(m -> roles.add(m.get("role").asText()));
        assertThat(roles).containsExactly("player", "dm", "player", "dm");
    }
}
