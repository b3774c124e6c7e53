package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, finding 6: logins from many addresses, each within its own per-IP limit, must not
 * take the server down. Password hashing runs on a bounded pool (here one thread and a queue
 * of one, so the bound is reached at once); what does not fit is refused at once with 503 and
 * {@code Retry-After}, and liveness and readiness answer while the flood runs. The figures
 * (how fast {@code /health} stays) are {@code LoginFloodBench}'s business, not this test's.
 */
class LoginFloodTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("dm.auth.hashing.threads", "1", "dm.auth.hashing.queue", "1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Response login(int n) {
        return server.send(HttpRequest.newBuilder(server.uri("/auth/login")).header("Content-Type", "application/json")
                .header("X-Forwarded-For", TestServer.nextIp()) // every attempt from another address
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of(
                        "email", "flood-" + n + "-" + System.nanoTime() + "@example.org",
                        "password", "a guess at a password " + n)))).build());
    }

    @Test
    void a_login_flood_from_many_addresses_is_shed_with_503_while_liveness_and_readiness_answer() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger unexpected = new AtomicInteger();
        Queue<TestServer.Response> refused = new ConcurrentLinkedQueue<>();
        ExecutorService flood = Executors.newFixedThreadPool(24);
        try {
            for (int t = 0; t < 24; t++) {
                int thread = t;
                flood.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        TestServer.Response r = login(thread * 1_000_000 + i);
                        answered.incrementAndGet();
                        if (r.status() == 503) {
                            refused.add(r);
                        } else if (r.status() != 401) {
                            unexpected.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            Await.until("a login is refused with 503", Duration.ofSeconds(60), () -> !refused.isEmpty());

            int before = answered.get();
            for (int i = 0; i < 5; i++) {
                assertThat(server.get("/health/live", null).status()).isEqualTo(200);
                assertThat(server.get("/health/ready", null).status()).isEqualTo(200);
            }
            // the probes were answered while logins kept coming in
            Await.until("more logins are answered", Duration.ofSeconds(60), () -> answered.get() > before + 24);
        } finally {
            stop.set(true);
            flood.shutdown();
            assertThat(flood.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        }

        TestServer.Response r = refused.peek();
        JsonNode p = ErrorsTest.problem(r, 503, "unavailable");
        assertThat(p.get("detail").asText()).contains("try again");
        assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 60);
        assertThat(unexpected.get()).as("answers other than 401 and 503").isZero();
    }

    @Test
    void after_the_flood_logins_are_served_again() {
        TestServer.Player p = server.player("Ivy"); // registers (one hash) and logs in (another)

        assertThat(server.get("/auth/me", p.access()).status()).isEqualTo(200);
    }
}
