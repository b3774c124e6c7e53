package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import dev.dmengine.edgetests.MultiInstanceIT.Player;
import dev.dmengine.testkit.PrivateRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;


import static dev.dmengine.edgetests.MultiInstanceIT.post;
import static dev.dmengine.edgetests.MultiInstanceIT.register;
import static dev.dmengine.edgetests.MultiInstanceIT.session;
import static dev.dmengine.edgetests.MultiInstanceIT.streamedTurn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one PostgreSQL and a Redis of the test's own (started and stopped for real):
 * Redis gone for five seconds under load, and an instance killed with {@code kill -9} mid-turn.
 */
class RedisFaultIT {

    static final Duration LIMIT = Duration.ofSeconds(90);
    static final String REPLY = "The ferryman leans on his pole and the black water slides past the lantern "
            + "hung at the prow. What do you do?";

    private PrivateRedis redis;
    private TwoInstances pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private void start(Map<String, String> extra) {
        redis = PrivateRedis.create();
        Map<String, String> config = new java.util.HashMap<>(extra);
        config.put("dm.redis.url", redis.url());
        pool = new TwoInstances(REPLY, config);
    }

    /** How one turn ended, as its player saw it. */
    record Outcome(String player, String kind, int status, String reason) {
    }

    @Test
    void redis_stopped_for_five_seconds_under_load_loses_or_duplicates_nothing_and_every_instance_recovers() {
        start(Map.of());
        GameClient a = GameClient.direct(pool.a);
        GameClient b = GameClient.direct(pool.b);
        int players = 6;
        List<Player> ps = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < players; i++) {
            Player p = register(i % 2 == 0 ? a : b);
            ps.add(p);
            sessions.add(session(a, p));
        }
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Long> completedAfterRestart = new ConcurrentHashMap<>();
        AtomicBoolean down = new AtomicBoolean();
        AtomicBoolean back = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < players; i++) {
            int n = i;
            loops.add(Thread.ofVirtual().start(() -> {
                for (int turn = 0; running.get(); turn++) {
                    GameClient on = (n + turn) % 2 == 0 ? a : b;
                    Outcome o = play(on, ps.get(n), sessions.get(n), "p" + n + " turn " + turn);
                    outcomes.add(o);
                    if (back.get() && o.kind().equals("completed")) {
                        completedAfterRestart.putIfAbsent(n, System.nanoTime());
                    }
                    if (!o.kind().equals("completed")) {
                        sleep(200);
                    }
                }
            }));
        }
        sleep(3_000);
        redis.stop();
        down.set(true);
        // while Redis is away, a login is refused rather than let through without its limit
        GameClient.Response login = post(a, "/auth/login", null, MultiInstanceIT.someAddress(),
                Map.of("email", ps.getFirst().email(), "password", ps.getFirst().password()));
        assertThat(login.status()).as("login fails closed: %s", login).isEqualTo(503);
        assertThat(login.json().get("detail").asText()).doesNotContain("Exception").doesNotContain("redis.clients");
        sleep(5_000);
        long restarted = System.nanoTime();
        redis.start();
        back.set(true);
        Await.until("every player completed a turn after Redis came back", LIMIT,
                () -> completedAfterRestart.size() == players);
        running.set(false);
        loops.forEach(t -> {
            try {
                t.join(LIMIT.toMillis());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        System.out.println("RedisFaultIT: " + summary(outcomes) + "; slowest player to complete a turn after the "
                + "restart: " + completedAfterRestart.values().stream().mapToLong(t -> (t - restarted) / 1_000_000)
                .max().orElse(-1) + " ms");
        assertThat(outcomes).as("no turn ended without a readable answer").noneMatch(o -> o.kind().equals("broken"));
        assertThat(outcomes).filteredOn(o -> !o.kind().equals("completed"))
                .allSatisfy(o -> assertThat(o.reason()).isNotBlank().doesNotContain("Exception")
                        .doesNotContain("redis.clients"));
        assertThat(outcomes).filteredOn(o -> o.kind().equals("completed")).hasSizeGreaterThan(players);
        // nothing lost or doubled: per session, each completed turn has its player message and one DM reply
        for (int i = 0; i < players; i++) {
            int n = i;
            long completed = outcomes.stream().filter(o -> o.player().equals("p" + n) && o.kind().equals("completed"))
                    .count();
            JsonNode items = a.get("/api/sessions/" + sessions.get(i) + "/messages?limit=200", ps.get(i).access())
                    .json().get("items");
            List<String> roles = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            items.forEach(m -> {
                roles.add(m.get("role").asText());
                texts.add(m.get("content").asText());
            });
            assertThat(roles.stream().filter("dm"::equals).count()).as("p%d's DM replies", n).isEqualTo(completed);
            assertThat(texts.stream().filter(t -> t.startsWith("p" + n + " turn ")).toList())
                    .as("p%d's player messages, each once", n).doesNotHaveDuplicates();
        }
    }

    @Test
    void an_instance_killed_mid_turn_frees_the_session_and_its_queued_turn_completes_once_on_the_other() {
        start(Map.of("dm.jobs.lease", "3s", "dm.turns.lock-ttl", "3s"));
        GameClient a = GameClient.direct(pool.a);
        GameClient b = GameClient.direct(pool.b);
        Player p = register(a);
        String session = session(a, p);

        pool.model.gate(); // the turn starts and waits for its first word
        String job;
        try {
            GameClient.Response queued = post(a, "/api/sessions/" + session + "/messages", p.access(), p.ip(),
                    Map.of("text", "I pay the ferryman"));
            assertThat(queued.status()).isEqualTo(202);
            job = "/api/jobs/" + queued.json().get("jobId").asText();
            Await.until("an instance plays the queued turn", LIMIT,
                    () -> turnsInFlight(pool.a) + turnsInFlight(pool.b) == 1);
            ServerProcess holder = turnsInFlight(pool.a) == 1 ? pool.a : pool.b;
            ServerProcess survivor = holder == pool.a ? pool.b : pool.a;
            holder.kill();
            GameClient s = GameClient.direct(survivor);
            pool.model.ungate();

            Await.until("the survivor completes the job", LIMIT,
                    () -> "succeeded".equals(s.get(job, p.access()).json().path("state").asText()));
            JsonNode status = s.get(job, p.access()).json();
            assertThat(status.get("attempts").asInt()).as("claimed again after the lease ran out")
                    .isGreaterThanOrEqualTo(2);

            JsonNode items = s.get("/api/sessions/" + session + "/messages", p.access()).json().get("items");
            List<String> roles = new ArrayList<>();
            items.forEach(m -> roles.add(m.get("role").asText()));
            assertThat(roles).as("one player message, one DM reply").containsExactly("player", "dm");

            // and the session is playable at once: the dead instance's turn lock has expired
            try (EventStream next = streamedTurn(s, p, session, "I step onto the far bank")) {
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.until(e -> e.name().startsWith("turn.c") || e.name().equals("turn.failed"), LIMIT)
                        .getLast().name()).isEqualTo("turn.completed");
            }
        } finally {
            pool.model.ungate();
        }
    }

    static long turnsInFlight(ServerProcess server) {
        if (!server.alive()) {
            return 0;
        }
        String metrics = GameClient.direct(server).get("/metrics", null).text();
        return metrics.lines().filter(l -> l.startsWith("dm_turns_in_flight ")).mapToLong(l -> (long) Double
                .parseDouble(l.substring("dm_turns_in_flight ".length()).strip())).findFirst().orElse(0);
    }

    private static Outcome play(GameClient on, Player p, String session, String text) {
        String who = text.substring(0, text.indexOf(' '));
        try (EventStream turn = streamedTurn(on, p, session, text)) {
            if (turn.status() != 200) {
                String body = turn.bodyText();
                return new Outcome(who, turn.status() >= 500 && turn.status() != 503 ? "broken" : "refused",
                        turn.status(), body);
            }
            List<EventStream.Event> events = turn.until(e -> e.name().equals("turn.completed")
                    || e.name().equals("turn.failed"), LIMIT);
            EventStream.Event last = events.getLast();
            return last.name().equals("turn.completed") ? new Outcome(who, "completed", 200, "")
                    : new Outcome(who, "failed", 200, last.json().get("reason").asText());
        } catch (AssertionError | RuntimeException e) {
            return new Outcome(who, "broken", 0, String.valueOf(e.getMessage()));
        }
    }

    private static String summary(List<Outcome> outcomes) {
        Map<String, Long> byKind = new java.util.TreeMap<>();
        Map<String, Long> reasons = new java.util.TreeMap<>();
        for (Outcome o : outcomes) {
            byKind.merge(o.kind(), 1L, Long::sum);
            if (!o.kind().equals("completed")) {
                String r = o.reason().length() > 120 ? o.reason().substring(0, 120) : o.reason();
                reasons.merge(o.kind() + " " + o.status() + ": " + r, 1L, Long::sum);
            }
        }
        return byKind + " " + reasons;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
