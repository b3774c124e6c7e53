package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.server.FuzzCases.Case;
import dev.dmengine.server.FuzzCases.Fixtures;
import dev.dmengine.server.OpenApiDoc.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The API fuzzed from its own OpenAPI document (served at {@code /openapi}): for every operation,
 * {@value #DEFAULT_CASES} requests that each break one thing (see {@link FuzzCases}), sent over
 * a raw socket to a real server as a real player, without credentials, or with the service
 * token. Every answer must be a 4xx {@code application/problem+json} with a well-formed body —
 * or a success where the broken thing was harmless — and never a 5xx; afterwards the server is
 * healthy and the player's lists load. {@code PostgresApiFuzzIT} runs it on the PostgreSQL
 * profile.
 *
 * <p>Seeded: {@code -Ddm.fuzz.seed=<n>} (printed at the start and in every failure) makes the
 * same cases; {@code -Ddm.fuzz.cases=<n>} sets the number per operation and
 * {@code -Ddm.fuzz.operation='POST /api/characters'} runs one operation.
 */
class ApiFuzzTest {

    static final int DEFAULT_CASES = 40;
    static final long SEED = seed();
    static final int CASES = Integer.getInteger("dm.fuzz.cases", DEFAULT_CASES);
    static final String ONLY = System.getProperty("dm.fuzz.operation", "");
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    static TestServer server;
    static RawHttp raw;
    static TestServer.Player player;
    static String characterId;
    static String sessionId;
    static String jobId;
    static String otherCharacterId;
    static String otherSessionId;

    static long seed() {
        String s = System.getProperty("dm.fuzz.seed", "");
        return s.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(s.strip());
    }

    @BeforeAll
    static void start() {
        setUp(new TestServer());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The fuzzing player with a character, a session and a queued turn, and another player's things. */
    static void setUp(TestServer s) {
        server = s;
        raw = new RawHttp(s.server.port(), ANSWER_TIMEOUT);
        TestServer.Player other = s.player("Other");
        otherSessionId = s.session(other);
        otherCharacterId = s.get("/api/characters", other.access()).json().at("/items/0/id").asText();
        player = s.player("Fuzz");
        sessionId = s.session(player);
        characterId = s.get("/api/characters", player.access()).json().at("/items/0/id").asText();
        TestServer.Response job = s.post("/api/sessions/" + sessionId + "/messages", player.access(),
                Map.of("text", "I look around"));
        assertThat(job.status()).as(job.body()).isEqualTo(202);
        jobId = job.json().get("jobId").asText();
    }

    @TestFactory
    Stream<DynamicTest> every_operation_answers_broken_requests_with_a_4xx_problem_and_never_a_5xx() {
        System.out.printf("API fuzz (%s): seed %d, %d cases per operation; -Ddm.fuzz.seed=%d repeats them%n",
                getClass().getSimpleName(), SEED, CASES, SEED);
        TestServer.Response doc = server.get("/openapi", null);
        assertThat(doc.status()).isEqualTo(200);
        List<Operation> ops = new OpenApiDoc(doc.body()).operations();
        assertThat(ops).hasSizeGreaterThan(25);
        return ops.stream().filter(op -> ONLY.isBlank() || op.name().equals(ONLY))
                .map(op -> DynamicTest.dynamicTest(op.name(), () -> fuzz(op)));
    }

    private void fuzz(Operation op) {
        Fixtures fixtures = fixtures();
        Random rnd = new Random(SEED * 1_000_003L + op.name().hashCode());
        List<Case> cases = new FuzzCases(op, fixtures, rnd).cases(CASES);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            RawHttp.Response r;
            try {
                r = raw.send(c.request());
            } catch (IOException e) {
                failures.add("#" + i + " " + c.description() + ": no answer (" + e + ")");
                continue;
            }
            statuses.merge(r.status(), 1, Integer::sum);
            String wrong = judge(c, r);
            if (wrong != null) {
                failures.add("#" + i + " " + c.description() + ": " + wrong);
            }
        }
        String health = healthy();
        if (health != null) {
            failures.add("afterwards: " + health);
        }
        System.out.printf("  %-36s %3d cases in %5d ms, statuses %s%n", op.name(), cases.size(),
                (System.nanoTime() - started) / 1_000_000, statuses);
        if (!failures.isEmpty()) {
            fail(op.name() + " (seed " + SEED + "; repeat with -Ddm.fuzz.seed=" + SEED + " -Ddm.fuzz.operation='"
                    + op.name() + "'):\n  " + String.join("\n  ", failures.subList(0, Math.min(20, failures.size())))
                    + (failures.size() > 20 ? "\n  … and " + (failures.size() - 20) + " more" : ""));
        }
    }

    /** What is wrong with the answer, or null. */
    static String judge(Case c, RawHttp.Response r) {
        int status = r.status();
        if (status == 0) {
            return "the connection closed without an answer";
        }
        if (status >= 500) {
            return "a " + status + ": " + excerpt(r.body());
        }
        if (status >= 400) {
            return problem(r);
        }
        if (c.mustRefuse()) {
            return "a " + status + " for a request that is invalid";
        }
        String type = r.header("Content-Type");
        if (!r.streamed() && type != null && type.toLowerCase(Locale.ROOT).contains("json")) {
            try {
                Http.MAPPER.readTree(strictUtf8(r.body()));
            } catch (IOException e) {
                return "a " + status + " whose JSON body is not well-formed: " + e.getMessage();
            }
        }
        return null;
    }

    /** What is wrong with an error answer as an RFC 9457 problem of this server, or null. */
    static String problem(RawHttp.Response r) {
        String type = r.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(Problems.MEDIA_TYPE)) {
            return "a " + r.status() + " as " + type + ", not " + Problems.MEDIA_TYPE + ": " + excerpt(r.body());
        }
        JsonNode p;
        try {
            p = Http.MAPPER.readTree(strictUtf8(r.body()));
        } catch (IOException e) {
            return "a " + r.status() + " problem that is not well-formed JSON in UTF-8 (" + e.getMessage() + "): "
                    + excerpt(r.body());
        }
        if (!p.isObject() || !p.path("type").isTextual() || !p.get("type").asText().startsWith(Problems.BASE)
                || !p.path("title").isTextual() || p.get("title").asText().isBlank()
                || !p.path("status").isInt() || p.get("status").asInt() != r.status()
                || !p.path("detail").isTextual() || !p.path("requestId").isTextual()) {
            return "a " + r.status() + " problem without type, title, status, detail and requestId: " + p;
        }
        JsonNode errors = p.get("errors");
        if (errors != null) {
            if (!errors.isArray() || errors.isEmpty()) {
                return "errors is not a list of field errors: " + p;
            }
            for (JsonNode e : errors) {
                if (!e.path("field").isTextual() || !e.path("message").isTextual()) {
                    return "a field error without field and message: " + p;
                }
            }
        }
        return null;
    }

    /**
     * The fuzzing player's own things, made again if a case deleted them, and a fresh login if a
     * case ended the session.
     */
    private static Fixtures fixtures() {
        if (server.get("/auth/me", player.access()).status() != 200) {
            TestServer.Response login = server.send(HttpRequest.newBuilder(server.uri("/auth/login"))
                    .header("Content-Type", "application/json").header("X-Forwarded-For", TestServer.nextIp())
                    .POST(HttpRequest.BodyPublishers.ofString(TestServer.write(Map.of("email", player.email(),
                            "password", player.password())))).build());
            assertThat(login.status()).as(login.body()).isEqualTo(200);
            player = new TestServer.Player(player.id(), player.email(), player.password(),
                    login.json().get("access").asText(), login.json().get("refresh").asText(), player.ip());
        }
        JsonNode characters = server.get("/api/characters", player.access()).json().get("items");
        for (JsonNode c : characters) { // keep well under the per-player limit
            if (characters.size() > 50 && !c.get("id").asText().equals(characterId)) {
                server.delete("/api/characters/" + c.get("id").asText(), player.access());
            }
        }
        if (server.get("/api/characters/" + characterId, player.access()).status() != 200) {
            characterId = server.post("/api/characters", player.access(), Map.of("name", "Fuzz",
                    "characterClass", "wizard")).json().get("id").asText();
        }
        if (server.get("/api/sessions/" + sessionId, player.access()).status() != 200) {
            sessionId = server.post("/api/sessions", player.access(), Map.of("characterId", characterId))
                    .json().get("id").asText();
        }
        return new Fixtures(player.id(), player.access(), TestServer.SERVICE_TOKEN, characterId, sessionId, jobId,
                otherCharacterId, otherSessionId);
    }

    /** Null if the server is healthy and the player's lists load, else what is wrong. */
    private static String healthy() {
        TestServer.Response live = server.get("/health/live", null);
        if (live.status() != 200) {
            return "/health/live answered " + live.status();
        }
        List<String> paths = new ArrayList<>(List.of("/auth/me", "/api/characters", "/api/sessions"));
        TestServer.Response sessions = server.get("/api/sessions", player.access());
        if (sessions.status() == 200) {
            sessions.json().get("items").forEach(s -> paths.add("/api/sessions/" + s.get("id").asText() + "/messages"));
        }
        for (String path : paths) {
            TestServer.Response r = server.get(path, player.access());
            if (r.status() != 200) {
                return path + " answered " + r.status() + ": " + r.body();
            }
            try {
                Http.MAPPER.readTree(r.body());
            } catch (IOException e) {
                return path + " is not JSON: " + e.getMessage();
            }
        }
        return null;
    }

    private static String strictUtf8(byte[] body) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    }

    private static String excerpt(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
