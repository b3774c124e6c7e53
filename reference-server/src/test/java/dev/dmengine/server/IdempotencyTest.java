package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Idempotency-Key} on {@code POST /api/sessions/{id}/messages}, queued (202) and streamed
 * (SSE), as the IETF Idempotency-Key draft asks: the same request again gets the first result,
 * another request under the same key is a 422, and concurrent requests with one key make one
 * job. {@code PostgresIdempotencyIT} runs the same on the PostgreSQL profile ({@code game.jobs}).
 */
class IdempotencyTest {

    static final int CONCURRENT = 30;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Jobs the server has queued so far, whatever their state. */
    long jobs() {
        return ((InMemoryJobQueue) server.server.engine().ports().jobQueue()).count(dev.dmengine.core.jobs.TurnJobs.QUEUE);
    }

    TestServer.Response queue(TestServer.Player p, String session, String key, String text) {
        return server.send(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(java.util.Map.of("text", text)))).build());
    }

    TestServer.Response streamRefused(TestServer.Player p, String session, String key, String text) {
        return server.send(server.request("/api/sessions/" + session + "/messages", p.access())
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(java.util.Map.of("text", text)))).build());
    }

    JsonNode awaitJob(TestServer.Player p, String job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = server.get("/api/jobs/" + job, p.access()).json();
            String state = status.get("state").asText();
            if (state.equals("succeeded") || state.equals("failed")) {
                return status;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + job + " did not finish: " + status);
    }

    List<String> transcript(TestServer.Player p, String session) {
        List<String> roles = new ArrayList<>();
        server.get("/api/sessions/" + session + "/messages", p.access()).json().get("items")
                .forEach(m -> roles.add(m.get("role").asText()));
        return roles;
    }

    @Test
    void thirty_concurrent_queued_requests_with_one_key_make_exactly_one_job() throws Exception {
        TestServer.Player p = server.player("Burst");
        String session = server.session(p);
        long before = jobs();

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(CONCURRENT);
        List<Future<TestServer.Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < CONCURRENT; i++) {
                answers.add(threads.submit(() -> {
                    go.await();
                    return queue(p, session, "burst-1", "I ring the bell");
                }));
            }
            go.countDown();
            Set<String> jobIds = new TreeSet<>();
            int accepted = 0;
            for (Future<TestServer.Response> f : answers) {
                TestServer.Response r = f.get(2, TimeUnit.MINUTES);
                if (r.status() == 202) {
                    accepted++;
                    jobIds.add(r.json().get("jobId").asText());
                } else { // the first request is still enqueueing: the draft's 409, retry later
                    ErrorsTest.problem(r, 409, "conflict");
                }
            }
            assertThat(accepted).isPositive();
            assertThat(jobIds).hasSize(1);
            String job = jobIds.iterator().next();

            assertThat(awaitJob(p, job).get("state").asText()).isEqualTo("succeeded");
            assertThat(jobs() - before).as("jobs queued by %d requests with one key", CONCURRENT).isEqualTo(1);
            assertThat(transcript(p, session)).containsExactly("player", "dm");
            TestServer.Response retry = queue(p, session, "burst-1", "I ring the bell");
            assertThat(retry.status()).isEqualTo(202);
            assertThat(retry.json().get("jobId").asText()).isEqualTo(job);
            assertThat(jobs() - before).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void a_key_reused_for_another_message_is_a_422_queued_or_streamed_and_the_same_message_replays()
            throws Exception {
        TestServer.Player p = server.player("Reuse");
        String session = server.session(p);
        long before = jobs();
        TestServer.Response first = queue(p, session, "k-1", "I light a torch");
        assertThat(first.status()).isEqualTo(202);
        String job = first.json().get("jobId").asText();

        JsonNode refused = ErrorsTest.problem(queue(p, session, "k-1", "I light two torches"), 422,
                "idempotency-key-reused");
        assertThat(refused.get("detail").asText()).contains("k-1");
        ErrorsTest.problem(streamRefused(p, session, "k-1", "I light two torches"), 422, "idempotency-key-reused");

        TestServer.Response again = queue(p, session, "k-1", "  I light a torch ");
        assertThat(again.status()).as("the same message, spaced differently, is the same request").isEqualTo(202);
        assertThat(again.json().get("jobId").asText()).isEqualTo(job);
        assertThat(awaitJob(p, job).get("state").asText()).isEqualTo("succeeded");
        assertThat(jobs() - before).isEqualTo(1);
        assertThat(transcript(p, session)).containsExactly("player", "dm");
    }

    @Test
    void a_key_of_a_streamed_turn_reused_for_another_message_is_a_422_and_the_same_message_replays() {
        TestServer.Player p = server.player("Stream");
        String session = server.session(p);
        List<SseReader.Event> first = GameFlowTest.streamTurn(server, session, p.access(), "I draw my sword", "s-1");
        assertThat(first.getLast().name()).isEqualTo("turn.completed");

        ErrorsTest.problem(streamRefused(p, session, "s-1", "I sheathe my sword"), 422, "idempotency-key-reused");
        ErrorsTest.problem(queue(p, session, "s-1", "I sheathe my sword"), 422, "idempotency-key-reused");

        List<SseReader.Event> replay = GameFlowTest.streamTurn(server, session, p.access(), "I draw my sword", "s-1");
        assertThat(replay).singleElement().satisfies(e -> assertThat(e.json().get("replayed").asBoolean()).isTrue());
        assertThat(transcript(p, session)).containsExactly("player", "dm");
    }
}
