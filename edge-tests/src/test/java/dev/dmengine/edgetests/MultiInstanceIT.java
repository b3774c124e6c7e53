package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two reference-server processes on one PostgreSQL and one Redis, over real HTTP straight to each
 * instance: what a player sees must not depend on which instance answers. (Through Caddy, with an
 * instance killed: {@link TwoInstancesIT} and {@link TwoInstancesResumeIT}.)
 */
class MultiInstanceIT {

    static final Duration LIMIT = Duration.ofSeconds(60);
    static final String REPLY = "Rain drums on the slate roof of the watchtower while the captain studies your "
            + "papers by the light of a single guttering candle. What do you do?";
    static TwoInstances pool;
    static GameClient a;
    static GameClient b;

    @BeforeAll
    static void start() {
        pool = new TwoInstances(REPLY, Map.of("dm.redis.url", TwoInstances.REDIS_URL,
                "dm.redis.key-prefix", "multi-" + System.nanoTime() + ":", "dm.redis.hot-reads", "true"));
        a = GameClient.direct(pool.a);
        b = GameClient.direct(pool.b);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    /** Each player from an address of its own (the instances trust 127.0.0.1 as a proxy): no shared IP limits. */
    static String someAddress() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(1, 255) + "." + r.nextInt(1, 255) + "." + r.nextInt(1, 255);
    }

    record Player(String email, String password, String access, String ip) {
    }

    static GameClient.Response post(GameClient c, String path, String token, String ip, Object body) {
        HttpRequest.Builder r = c.request(path, token).header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip).POST(HttpRequest.BodyPublishers.ofString(GameClient.write(body)));
        return c.send(r.build());
    }

    static Player register(GameClient on) {
        String ip = someAddress();
        String email = "multi-" + System.nanoTime() + "@example.org";
        String password = "grey heron " + System.nanoTime() + " over the weir";
        GameClient.Response reg = post(on, "/auth/register", null, ip,
                Map.of("email", email, "password", password, "displayName", "Multi"));
        assertThat(reg.status()).as("register: %s", reg).isEqualTo(202);
        GameClient.Response login = post(on, "/auth/login", null, ip, Map.of("email", email, "password", password));
        assertThat(login.status()).as("login: %s", login).isEqualTo(200);
        return new Player(email, password, login.json().get("access").asText(), ip);
    }

    static String session(GameClient on, Player p) {
        GameClient.Response c = post(on, "/api/characters", p.access(), p.ip(),
                Map.of("name", "Aria", "characterClass", "wizard"));
        assertThat(c.status()).as("character: %s", c).isEqualTo(201);
        GameClient.Response s = post(on, "/api/sessions", p.access(), p.ip(),
                Map.of("characterId", c.json().get("id").asText(), "title", "The watchtower"));
        assertThat(s.status()).as("session: %s", s).isEqualTo(201);
        return s.json().get("id").asText();
    }

    static EventStream events(GameClient on, Player p, String session, String lastEventId) {
        HttpRequest.Builder r = on.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            r.header("Last-Event-ID", lastEventId);
        }
        EventStream s = on.stream(r.GET().build());
        assertThat(s.status()).isEqualTo(200);
        return s;
    }

    static EventStream streamedTurn(GameClient on, Player p, String session, String text) {
        return on.stream(on.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of("text", text)))).build());
    }

    static List<String> tokens(List<EventStream.Event> events) {
        return events.stream().filter(e -> e.name().equals("token")).map(e -> e.json().get("text").asText().strip())
                .toList();
    }

    static List<Long> ids(List<EventStream.Event> events) {
        return events.stream().map(e -> Long.parseLong(e.id())).toList();
    }

    @Test
    void a_turn_played_on_one_instance_streams_to_a_subscriber_on_the_other_and_a_reconnect_resumes_exactly() {
        Player p = register(a);
        String session = session(a, p);

        List<EventStream.Event> onB;
        List<EventStream.Event> played;
        try (EventStream subscriber = events(b, p, session, null)) {
            Await.until("B's subscription is live", LIMIT, () -> TwoInstances.openStreams(pool.b) >= 1);
            try (EventStream turn = streamedTurn(a, p, session, "I hand over my papers")) {
                assertThat(turn.status()).isEqualTo(200);
                played = turn.until(e -> e.name().equals("turn.completed"), LIMIT);
            }
            onB = subscriber.until(e -> e.name().equals("turn.completed"), LIMIT);
        }
        assertThat(tokens(onB)).as("every token, in order, on the other instance").isEqualTo(pool.model.words());
        assertThat(ids(onB)).as("the ids the player's own stream carried").isEqualTo(ids(played));
        assertThat(onB.stream().map(EventStream.Event::name).toList())
                .isEqualTo(played.stream().map(EventStream.Event::name).toList());
        long lastSeen = ids(onB).getLast();

        // away from the session while a turn is played on B, then back on A where it left off
        try (EventStream turn = streamedTurn(b, p, session, "I ask about the road north")) {
            assertThat(turn.status()).isEqualTo(200);
            played = turn.until(e -> e.name().equals("turn.completed"), LIMIT);
        }
        assertThat(ids(played).getFirst()).as("ids continue across the instances").isEqualTo(lastSeen + 1);
        try (EventStream resumed = events(a, p, session, Long.toString(lastSeen))) {
            List<EventStream.Event> missed = resumed.until(e -> e.name().equals("turn.completed"), LIMIT);
            assertThat(ids(missed)).as("exactly the events it missed").isEqualTo(ids(played));
            assertThat(tokens(missed)).isEqualTo(pool.model.words());
        }
    }

    @Test
    void twenty_simultaneous_turns_on_one_session_spread_over_both_instances_run_one() throws Exception {
        Player p = register(b);
        String session = session(b, p);
        pool.model.gate(); // the turn that wins holds the session until the test lets its model speak
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                GameClient on = i % 2 == 0 ? a : b;
                HttpRequest r = on.request("/api/sessions/" + session + "/messages", p.access())
                        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                        .header("Idempotency-Key", "race-" + i)
                        .POST(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of("text", "I draw my sword " + i))))
                        .build();
                sent.add(on.http().sendAsync(r, HttpResponse.BodyHandlers.discarding()));
            }
            // the 19 losers are answered while the winner waits on its model
            Await.until("19 turns refused", LIMIT, () -> sent.stream().filter(f -> f.isDone()).count() >= 19);
        } finally {
            pool.model.ungate();
        }
        List<Integer> statuses = new ArrayList<>();
        for (var f : sent) {
            statuses.add(f.get().statusCode());
        }
        assertThat(statuses.stream().filter(s -> s == 200).count()).as("statuses %s", statuses).isEqualTo(1);
        assertThat(statuses.stream().filter(s -> s == 409).count()).as("statuses %s", statuses).isEqualTo(19);

        JsonNode transcript = a.get("/api/sessions/" + session + "/messages", p.access()).json().get("items");
        List<String> roles = new ArrayList<>();
        transcript.forEach(m -> roles.add(m.get("role").asText()));
        assertThat(roles).containsExactly("player", "dm");
    }

    @Test
    void a_character_changed_on_one_instance_is_read_changed_on_the_other_at_once_with_hot_reads_warm() {
        Player p = register(a);
        GameClient.Response created = post(a, "/api/characters", p.access(), p.ip(),
                Map.of("name", "Aria", "characterClass", "wizard"));
        assertThat(created.status()).isEqualTo(201);
        String path = "/api/characters/" + created.json().get("id").asText();
        for (int i = 0; i < 3; i++) { // both instances warm: the character is in Redis
            assertThat(a.get(path, p.access()).json().get("name").asText()).isEqualTo("Aria");
            assertThat(b.get(path, p.access()).json().get("name").asText()).isEqualTo("Aria");
        }
        for (int i = 1; i <= 5; i++) {
            GameClient on = i % 2 == 0 ? a : b;
            GameClient other = on == a ? b : a;
            long version = on.get(path, p.access()).json().get("version").asLong();
            String name = "Aria the " + i;
            GameClient.Response put = on.send(on.request(path, p.access()).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of("name", name,
                            "characterClass", "wizard", "version", version)))).build());
            assertThat(put.status()).as("update: %s", put).isEqualTo(200);
            assertThat(other.get(path, p.access()).json().get("name").asText()).as("read at once elsewhere")
                    .isEqualTo(name);
        }
    }

    @Test
    void login_attempts_spread_over_both_instances_hit_one_shared_limit() {
        Player alone = register(a);
        Player spread = register(a);
        int onOne = failedLoginsBeforeTheLimit(alone, false);
        int overBoth = failedLoginsBeforeTheLimit(spread, true);

        assertThat(onOne).as("the account's burst on one instance").isBetween(1, 10);
        assertThat(overBoth).as("the same burst over both: one limit, not one per instance").isEqualTo(onOne);
    }

    /** Wrong passwords, each from a fresh address, until the account's limit answers 429; how many got 401. */
    static int failedLoginsBeforeTheLimit(Player p, boolean alternate) {
        for (int i = 0; i < 40; i++) {
            GameClient on = alternate && i % 2 == 1 ? b : a;
            GameClient.Response r = post(on, "/auth/login", null, someAddress(),
                    Map.of("email", p.email(), "password", "not the password " + i));
            if (r.status() == 429) {
                return i;
            }
            assertThat(r.status()).as("attempt %d: %s", i, r).isEqualTo(401);
        }
        throw new AssertionError("no limit within 40 wrong passwords");
    }

    @Test
    void a_queued_turn_is_readable_on_both_instances_and_tokens_of_one_are_accepted_by_the_other() {
        Player p = register(a);
        String session = session(a, p);

        assertThat(b.get("/auth/me", p.access()).status()).as("a token signed by A, on B").isEqualTo(200);
        GameClient.Response queued = post(a, "/api/sessions/" + session + "/messages", p.access(), p.ip(),
                Map.of("text", "I climb the stairs"));
        assertThat(queued.status()).isEqualTo(202);
        String job = "/api/jobs/" + queued.json().get("jobId").asText();

        Await.until("the job succeeded, as B sees it", LIMIT,
                () -> "succeeded".equals(b.get(job, p.access()).json().path("state").asText()));
        JsonNode onA = a.get(job, p.access()).json();
        JsonNode onB = b.get(job, p.access()).json();
        assertThat(onA).isEqualTo(onB);
        assertThat(onB.at("/result/seq").asLong()).isEqualTo(1);
        assertThat(onB.get("sessionId").asText()).isEqualTo(session);

        Player other = register(b);
        assertThat(b.get(job, other.access()).status()).as("another player's job, on either instance").isEqualTo(404);
        assertThat(a.get(job, other.access()).status()).isEqualTo(404);
    }
}
