package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Re-embedding as an operator runs it, on PostgreSQL: {@code /vec/reembed} from the hashing
 * embedder's 384 dimensions to another dimension, while turns and searches go on; a server
 * killed midway and another that resumes without embedding a committed batch again; stop,
 * cancel; and {@code ./dm reembed} (scripts/reembed.sh) driving it with its progress display.
 */
class ReembedPostgresIT {

    static final String TOKEN = TestServer.SERVICE_TOKEN;
    static final String HASHING = "dm-hashing-ngram-v1";

    /** Documents {@code "document n: ..."} of the player, in requests of 64; returns their ids. */
    static List<UUID> documents(TestServer server, String player, int n) {
        List<UUID> ids = new ArrayList<>();
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            batch.add(VectorWritesCases.item(id, text(i)));
            if (batch.size() == 64 || i == n - 1) {
                TestServer.Response r = server.post("/vec/upsert", TOKEN, Map.of("playerId", player, "items", batch));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                batch = new ArrayList<>();
            }
        }
        return ids;
    }

    static String text(int i) {
        String[] topics = {"the drowned crypt", "the goblin market", "a silver dragon", "the lighthouse keeper",
                "the abbot's ledger", "a broken crown", "the salt marsh", "the clockwork owl"};
        return "document " + i + ": notes on " + topics[i % topics.length] + " and " + topics[(i * 7 + 3) % topics.length]
                + ", entry " + (i * 31 % 97);
    }

    static JsonNode status(TestServer server) {
        TestServer.Response r = server.get("/vec/reembed", TOKEN);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static Map<String, String> sameDatabase(PgServer pg, Map<String, String> more) {
        Map<String, String> cfg = new HashMap<>(Map.of("dm.postgres.url", PostgresGameFlowIT.URL,
                "dm.postgres.user", PostgresGameFlowIT.USER, "dm.postgres.password", PostgresGameFlowIT.PASSWORD,
                "dm.postgres.schema-prefix", pg.prefix, "dm.postgres.max-pool-size", "4"));
        cfg.putAll(more);
        return cfg;
    }

    @Test
    void reembeds_into_another_dimension_while_turns_and_searches_go_on_and_switches_at_once() throws Exception {
        try (PgServer pg = new PgServer(Map.of("dm.reembed.settle", "0s"))) {
            TestServer server = pg.server;
            TestServer.Player p = server.player("Tamsin");
            String session = server.session(p);
            for (String say : List.of("I row out to the lighthouse", "I climb the spiral stair", "I read the logbook")) {
                GameFlowTest.streamTurn(server, session, p.access(), say, null);
            }
            List<UUID> docs = documents(server, p.id(), 320);
            // the last reply is indexed after its turn.completed, which the client read
            Await.until("the turns' six messages and the documents are indexed", Duration.ofSeconds(60),
                    () -> pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1") >= 326);
            long total = pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1");
            assertThat(total).isGreaterThanOrEqualTo(326);

            TestServer.Response started = server.post("/vec/reembed", TOKEN, Map.of("model", "hashing",
                    "dimension", 256, "batchSize", 16, "pauseMillis", 50));

            assertThat(started.status()).as(started.body()).isEqualTo(202);
            assertThat(started.json().at("/source/dimension").asInt()).isEqualTo(384);
            assertThat(started.json().at("/target/model").asText()).isEqualTo(HASHING);
            assertThat(started.json().at("/target/dimension").asInt()).isEqualTo(256);
            List<Integer> dimensions = new ArrayList<>();
            Set<Double> percents = new LinkedHashSet<>();
            boolean healthShowedRun = false;
            JsonNode last = started.json();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!"SWITCHED".equals(last.get("state").asText())) {
                assertThat(System.nanoTime() - deadline).as("switched within 120 s").isNegative();
                // a search answers from one space or the other, never fails, and finds the document
                JsonNode found = search(server, p.id(), text(17));
                assertThat(found.at("/matches/0/messageId").asText()).isEqualTo(docs.get(17).toString());
                dimensions.add(found.get("dimension").asInt());
                JsonNode health = server.get("/health", null).json();
                healthShowedRun |= health.at("/embedding/reembed/target/dimension").asInt() == 256
                        && health.at("/embedding/reembed/running").asBoolean();
                last = status(server);
                percents.add(last.get("percent").asDouble());
            }

            assertThat(percents).as("progress seen on the way").anyMatch(v -> v > 0 && v < 100);
            assertThat(new ArrayList<>(percents)).isSortedAccordingTo(Double::compare);
            assertThat(healthShowedRun).isTrue();
            assertThat(dimensions).as("searches during the run used the old space").contains(384);
            int firstNew = dimensions.indexOf(256);
            if (firstNew >= 0) { // once switched, never back
                assertThat(dimensions.subList(firstNew, dimensions.size())).containsOnly(256);
            }
            JsonNode done = Await.value("the run to settle", Duration.ofSeconds(60), () -> {
                JsonNode s = status(server);
                return s.get("settled").asBoolean() ? s : null;
            });
            assertThat(done.get("done").asLong()).isEqualTo(total);
            assertThat(done.get("percent").asDouble()).isEqualTo(100.0);
            assertThat(done.get("embeddedHere").asLong()).isEqualTo(total);
            System.out.printf("re-embedding %d texts 384 -> 256 dimensions in batches of 16 with 50 ms pauses: "
                    + "%.1f texts/s%n", total, done.get("ratePerSecond").asDouble());
            assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_2")).isEqualTo(total);
            JsonNode health = Await.value("/health to show the new space (it keeps its answer a second)",
                    Duration.ofSeconds(10), () -> {
                        JsonNode h = server.get("/health", null).json();
                        return h.at("/embedding/active/dimension").asInt() == 256 ? h : null;
                    });
            assertThat(health.at("/embedding").has("reembed")).isFalse();
            assertThat(search(server, p.id(), text(200)).get("dimension").asInt()).isEqualTo(256);

            // turns after the switch write to the new space and retrieve from it
            long before = pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_2");
            GameFlowTest.streamTurn(server, session, p.access(), "I search the logbook for the keeper's name", null);
            Await.until("the turn's two messages are indexed in the new space", Duration.ofSeconds(60),
                    () -> pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_2") >= before + 2);
            assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1")).isEqualTo(total);
            JsonNode history = server.post("/vec/search", TOKEN, Map.of("sessionId", session,
                    "text", "the keeper's name", "k", 3)).json();
            assertThat(history.get("dimension").asInt()).isEqualTo(256);
            assertThat(history.get("matches").findValuesAsText("kind")).isNotEmpty().containsOnly("message");
        }
    }

    static JsonNode search(TestServer server, String player, String text) {
        TestServer.Response r = server.post("/vec/search", TOKEN, Map.of("playerId", player, "text", text,
                "documents", true, "k", 3));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void a_server_killed_midway_leaves_the_run_to_another_that_goes_on_without_embedding_a_batch_twice()
            throws Exception {
        try (PgServer pg = new PgServer(Map.of())) {
            TestServer first = pg.server;
            TestServer.Player p = first.player("Ulla");
            List<UUID> docs = documents(first, p.id(), 300);
            long total = pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_1");

            Map<String, String> child = new HashMap<>(sameDatabase(pg, Map.of("dm.service.token", TOKEN)));
            long doneAtCrash;
            try (ChildServer doomed = ChildServer.start("reembed", 0, child)) {
                String base = "http://localhost:" + doomed.port;
                TestServer.Response started = first.send(HttpRequest.newBuilder(URI.create(base + "/vec/reembed"))
                        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("model", "hashing",
                                "dimension", 192, "batchSize", 10, "pauseMillis", 100)))).build());
                assertThat(started.status()).as(started.body()).isEqualTo(202);
                Await.until("the child to commit 50 rows", Duration.ofSeconds(60),
                        () -> pg.count("SELECT coalesce(max(done), 0) FROM " + pg.game() + ".reembed_runs") >= 50);
                doomed.process.destroyForcibly(); // kill -9: no shutdown, the batch in flight is lost
                assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
                doneAtCrash = pg.count("SELECT done FROM " + pg.game() + ".reembed_runs");
            }
            assertThat(doneAtCrash).isBetween(50L, total - 1);
            assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".reembed_runs WHERE state = 'RUNNING'"))
                    .isEqualTo(1);
            // the dead server's lock went with its connection; the survivor still searches the old space
            JsonNode orphan = status(first);
            assertThat(orphan.get("running").asBoolean()).isFalse();
            assertThat(orphan.get("done").asLong()).isEqualTo(doneAtCrash);
            assertThat(search(first, p.id(), text(42)).get("dimension").asInt()).isEqualTo(384);

            // a server that starts goes on with the run by itself
            try (TestServer next = new TestServer(sameDatabase(pg, Map.of("dm.reembed.settle", "0s")))) {
                JsonNode done = Await.value("the resumed run to settle", Duration.ofSeconds(120), () -> {
                    JsonNode s = status(next);
                    return s.get("settled").asBoolean() ? s : null;
                });
                assertThat(done.get("done").asLong()).isEqualTo(total);
                assertThat(done.get("embeddedHere").asLong()).as("only what the dead server had not committed")
                        .isEqualTo(total - doneAtCrash);
                assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".vectors_2")).isEqualTo(total);
                assertThat(search(next, p.id(), text(42)).at("/matches/0/messageId").asText())
                        .isEqualTo(docs.get(42).toString());
            }
            // the first server follows the switch made elsewhere
            Await.until("the first server to embed in the new space", Duration.ofSeconds(30),
                    () -> search(first, p.id(), text(42)).get("dimension").asInt() == 192);
            Await.until("/health of the first server to show the new space", Duration.ofSeconds(10),
                    () -> first.get("/health", null).json().at("/embedding/active/dimension").asInt() == 192);
        }
    }

    @Test
    void the_dm_reembed_command_shows_progress_and_a_run_can_be_stopped_resumed_and_cancelled() throws Exception {
        try (PgServer pg = new PgServer(Map.of("dm.reembed.settle", "0s"))) {
            TestServer server = pg.server;
            TestServer.Player p = server.player("Vree");
            documents(server, p.id(), 200);

            Command run = command(server, "--model", "hashing", "--dimension", "128", "--batch-size", "20", "--pause",
                    "40");
            assertThat(run.exit).as(run.output).isZero();
            assertThat(run.output).contains("re-embedding " + HASHING + "/384 -> " + HASHING + "/128")
                    .contains("100.0 %").contains("switched: the active embedding space is " + HASHING + "/128");
            assertThat(run.output.lines().filter(l -> l.startsWith("[")).count()).as(run.output).isGreaterThan(1);

            // a slow run to 64 dimensions, stopped by the operator
            TestServer.Response started = server.post("/vec/reembed", TOKEN, Map.of("model", "hashing",
                    "dimension", 64, "batchSize", 10, "pauseMillis", 200));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            Command stop = command(server, "--stop");
            assertThat(stop.exit).as(stop.output).isZero();
            assertThat(stop.output).contains("asked the run to " + HASHING + "/64 to stop");
            JsonNode stopped = Await.value("the run to stop", Duration.ofSeconds(30), () -> {
                JsonNode s = status(server);
                return s.get("running").asBoolean() ? null : s;
            });
            assertThat(stopped.get("stopRequested").asBoolean()).isTrue();
            assertThat(stopped.get("state").asText()).isEqualTo("RUNNING");
            assertThat(stopped.get("done").asLong()).isLessThan(stopped.get("total").asLong());
            Command watch = command(server, "--status");
            assertThat(watch.exit).as(watch.output).isEqualTo(3);
            assertThat(watch.output).contains("stopped at");
            // another target cannot start while this one is unfinished
            JsonNode refused = ErrorsTest.problem(server.post("/vec/reembed", TOKEN, Map.of("model", "hashing",
                    "dimension", 32)), 409, "conflict");
            assertThat(refused.get("detail").asText()).contains("unfinished").contains("--cancel");

            Command cancel = command(server, "--cancel");
            assertThat(cancel.exit).as(cancel.output).isZero();
            assertThat(cancel.output).contains("cancelled the run to " + HASHING + "/64")
                    .contains("stays " + HASHING + "/128");
            assertThat(status(server).at("/target/dimension").asInt()).isEqualTo(128);
            Await.until("/health to show the active space", Duration.ofSeconds(10),
                    () -> server.get("/health", null).json().at("/embedding/active/dimension").asInt() == 128);

            Command wrong = command(server, "--model", "no-such-model", "--dimension", "10");
            assertThat(wrong.exit).isEqualTo(1);
            assertThat(wrong.output).contains("provider");
            Command active = command(server, "--model", "hashing", "--dimension", "128");
            assertThat(active.exit).isEqualTo(0);
            assertThat(active.output).contains("switched");
        }
    }

    record Command(int exit, String output) {
    }

    /** {@code scripts/reembed.sh} (what {@code ./dm reembed} runs) against the server, output not a terminal. */
    static Command command(TestServer server, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("..", "scripts", "reembed.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().put("DM_URL", server.base());
        b.environment().put("DM_SERVICE_TOKEN", TOKEN);
        b.environment().put("DM_REEMBED_POLL", "0.2");
        Process process = b.start();
        String out;
        try {
            out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain(TOKEN);
        return new Command(process.exitValue(), out);
    }
}
