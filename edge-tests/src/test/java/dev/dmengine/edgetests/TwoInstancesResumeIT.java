package dev.dmengine.edgetests;

import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances sharing PostgreSQL and Redis behind Caddy: an event stream cut when its instance
 * is killed resumes on the other with {@code Last-Event-ID} and misses nothing of a turn the
 * other instance plays meanwhile.
 */
class TwoInstancesResumeIT {

    static final Duration LIMIT = Duration.ofSeconds(60);
    static final String REPLY = "Ash falls like snow over the ruined chapel while a bell tolls somewhere below "
            + "the floor and the candles lean toward the crypt door. What do you do?";
    static TwoInstances pool;

    @BeforeAll
    static void start() {
        pool = new TwoInstances(REPLY, Map.of("dm.redis.url", TwoInstances.REDIS_URL,
                "dm.redis.key-prefix", "edge-" + System.nanoTime() + ":"));
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void a_reconnecting_event_stream_resumes_on_the_other_instance_and_misses_nothing() {
        GameClient c = GameClient.via(pool.caddy, "127.0.0.2");
        GameClient.Player p = c.newPlayer("Jon");
        String session = c.newSession(p);

        EventStream stream = c.stream(c.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream").GET().build());
        assertThat(stream.status()).isEqualTo(200);
        Await.until("the stream to be open on one instance", LIMIT,
                () -> TwoInstances.openStreams(pool.a) + TwoInstances.openStreams(pool.b) == 1);
        boolean onA = TwoInstances.openStreams(pool.a) == 1;
        ServerProcess holder = onA ? pool.a : pool.b;
        ServerProcess other = onA ? pool.b : pool.a;

        // the turn runs on the other instance (asked directly), one word at a time
        pool.model.gate();
        try {
            GameClient.Response queued = GameClient.direct(other).post("/api/sessions/" + session + "/messages",
                    p.access(), Map.of("text", "I ring the bell"));
            assertThat(queued.status()).isEqualTo(202);
            List<EventStream.Event> seen = new ArrayList<>();
            seen.add(stream.nextEvent(LIMIT)); // turn.started, published by the other instance
            assertThat(seen.getFirst().name()).isEqualTo("turn.started");
            for (int i = 0; i < 3; i++) {
                pool.model.release();
                seen.add(stream.nextEvent(LIMIT));
            }

            holder.kill();
            Await.until("the client to notice its stream is gone", LIMIT, stream::ended);
            stream.close();
            for (int i = 0; i < 5; i++) {
                pool.model.release(); // produced while the client is away
            }
            Await.until("the words to be produced", LIMIT, () -> pool.model.written() >= 8);

            String lastId = seen.getLast().id();
            try (EventStream resumed = c.stream(c.request("/api/sessions/" + session + "/events", p.access())
                    .header("Accept", "text/event-stream").header("Last-Event-ID", lastId).GET().build())) {
                assertThat(resumed.status()).isEqualTo(200);
                pool.model.ungate();
                seen.addAll(resumed.until(e -> e.name().equals("turn.completed"), LIMIT));
            }

            List<Long> ids = seen.stream().map(e -> Long.parseLong(e.id())).toList();
            assertThat(ids).isSorted().doesNotHaveDuplicates();
            List<String> tokens = seen.stream().filter(e -> e.name().equals("token"))
                    .map(e -> e.json().get("text").asText().strip()).toList();
            assertThat(tokens).containsExactlyElementsOf(pool.model.words());
            // and nothing between the first and the last id is missing, compared with a full replay
            try (EventStream replay = c.stream(c.request("/api/sessions/" + session + "/events", p.access())
                    .header("Accept", "text/event-stream").header("Last-Event-ID", "0").GET().build())) {
                List<EventStream.Event> all = replay.until(e -> e.name().equals("turn.completed"), LIMIT);
                assertThat(ids).containsExactlyElementsOf(all.stream().map(e -> Long.parseLong(e.id())).toList());
            }
        } finally {
            pool.model.ungate();
        }
    }
}
