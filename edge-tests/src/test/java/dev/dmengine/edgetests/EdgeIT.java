package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's {@code Caddyfile}, run by Debian's Caddy over HTTPS ({@code tls internal}) in
 * front of a reference server started as a deployment starts it (a child process configured by
 * environment variables, trusting only the edge's address, Secure cookies, its allowed origin
 * the edge's https origin), with a scripted OpenAI-compatible model so that the test decides
 * when each word of a reply is produced.
 */
class EdgeIT {

    static final String SERVICE_TOKEN = "edge-test-service-token-0123456789";
    static final String REPLY = "The door creaks open onto a hall of dust and old bones where something breathes "
            + "in the dark beyond the lantern light. What do you do?";
    /** Failure limits, far above anything measured (a token through Caddy takes well under a millisecond). */
    static final Duration LIMIT = Duration.ofSeconds(60);
    static final int EDGE_MAX_BODY = 16 * 1024;
    private static final AtomicInteger ADDRESSES = new AtomicInteger(10);

    static ScriptedModel model;
    static ServerProcess server;
    static CaddyProcess caddy;

    @BeforeAll
    static void start() {
        model = new ScriptedModel(REPLY, Duration.ZERO);
        int httpsPort = FreePorts.any();
        server = ServerProcess.builder()
                .config(model.serverConfig())
                .config("dm.server.trusted-proxies", "127.0.0.1/32")
                .config("dm.server.allowed-origins", "https://localhost:" + httpsPort)
                .config("dm.auth.insecure-localhost-cookies", "false")
                .config("dm.service.token", SERVICE_TOKEN)
                .config("dm.server.heartbeat", "2s")
                .start();
        caddy = CaddyProcess.builder().httpsPort(httpsPort).upstreams(server.address())
                .env("DM_MAX_BODY", Integer.toString(EDGE_MAX_BODY))
                .start();
    }

    @AfterAll
    static void stop() {
        try {
            if (caddy != null) {
                caddy.close();
            }
        } finally {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                if (model != null) {
                    model.close();
                }
            }
        }
    }

    /** A client of its own loopback address (127.0.1.x), so that per-address limits of one test never touch another. */
    static GameClient client() {
        int n = ADDRESSES.getAndIncrement();
        return GameClient.via(caddy, "127.0.1." + n);
    }

    // ---------------------------------------------------------------- streaming

    @Test
    void a_streamed_turn_reaches_the_client_through_caddy_one_token_before_the_next_is_produced() {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Aria");
        String session = c.newSession(p);
        List<String> words = model.words();
        model.gate();
        try (EventStream turn = c.stream(c.turnRequest(p, session, "I open the door")
                .header("Accept-Encoding", "gzip, zstd").build())) {
            assertThat(turn.status()).isEqualTo(200);
            assertThat(turn.header("Content-Type")).startsWith("text/event-stream");
            assertThat(turn.header("Content-Encoding")).as("an event stream is never compressed").isNull();
            assertThat(turn.nextEvent(LIMIT).name()).isEqualTo("turn.started");

            int before = model.written();
            long lastId = -1;
            for (int i = 0; i < words.size(); i++) {
                // the model writes word i only now, and nothing after it until the client has read it
                model.release();
                EventStream.Event token;
                try {
                    token = turn.nextEvent(LIMIT);
                } catch (AssertionError e) {
                    throw new AssertionError("token " + i + " (\"" + words.get(i) + "\") did not reach the client while "
                            + "the model waited for it to be read: the edge holds events back", e);
                }
                assertThat(token.name()).isEqualTo("token");
                assertThat(token.json().get("text").asText().strip()).isEqualTo(words.get(i));
                assertThat(model.written()).as("words produced when token %d was read", i).isEqualTo(before + i + 1);
                long id = Long.parseLong(token.id());
                assertThat(id).as("per-token event ids grow").isGreaterThan(lastId);
                lastId = id;
            }
            List<EventStream.Event> rest = turn.until(e -> e.name().equals("turn.completed"), LIMIT);
            EventStream.Event dm = rest.stream().filter(e -> e.name().equals("dm.message")).findFirst().orElseThrow();
            assertThat(dm.json().get("content").asText()).isEqualTo(REPLY);
        } finally {
            model.ungate();
        }
    }

    @Test
    void the_session_event_stream_is_never_compressed_and_resumes_after_last_event_id() {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Bram");
        String session = c.newSession(p);
        List<EventStream.Event> played;
        try (EventStream turn = c.stream(c.turnRequest(p, session, "I light a torch").build())) {
            played = turn.until(e -> e.name().equals("turn.completed"), LIMIT);
        }
        String seen = played.get(2).id();
        try (EventStream events = c.stream(c.request("/api/sessions/" + session + "/events", p.access())
                .header("Accept", "text/event-stream").header("Accept-Encoding", "zstd, gzip")
                .header("Last-Event-ID", seen).GET().build())) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.header("Content-Encoding")).isNull();
            List<EventStream.Event> rest = events.until(e -> e.name().equals("turn.completed"), LIMIT);
            assertThat(rest.stream().map(EventStream.Event::id).toList()).containsExactlyElementsOf(
                    played.subList(3, played.size()).stream().map(EventStream.Event::id).toList());
        }
    }

    @Test
    void the_websocket_upgrade_passes_through_caddy_and_carries_a_turn() throws Exception {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Cass");
        String session = c.newSession(p);
        Frames frames = new Frames();
        WebSocket socket = c.http().newWebSocketBuilder().header("Authorization", "Bearer " + p.access())
                .buildAsync(URI.create("wss://localhost:" + caddy.httpsPort() + "/api/sessions/" + session + "/ws"), frames)
                .get(60, TimeUnit.SECONDS);
        try {
            assertThat(frames.next().get("event").asText()).isEqualTo("heartbeat");
            GameClient.Response queued = c.post("/api/sessions/" + session + "/messages", p.access(),
                    Map.of("text", "I whistle a tune"));
            assertThat(queued.status()).isEqualTo(202);
            List<JsonNode> turn = new ArrayList<>();
            while (turn.isEmpty() || !turn.getLast().get("event").asText().equals("turn.completed")) {
                JsonNode f = frames.next();
                if (!f.get("event").asText().equals("heartbeat")) {
                    turn.add(f);
                }
            }
            assertThat(turn.getFirst().get("event").asText()).isEqualTo("turn.started");
            assertThat(turn.getFirst().at("/data/text").asText()).isEqualTo("I whistle a tune");
            assertThat(turn.stream().filter(f -> f.get("event").asText().equals("token")).count())
                    .isEqualTo(model.words().size());
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(60, TimeUnit.SECONDS);
        }
    }

    static final class Frames implements WebSocket.Listener {
        final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(GameClient.JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws InterruptedException {
            JsonNode n = frames.poll(LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(n).as("a frame within %s", LIMIT).isNotNull();
            return n;
        }
    }

    // ---------------------------------------------------------------- compression

    @Test
    void json_html_and_javascript_are_compressed_when_asked_and_small_answers_are_not() throws IOException {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Dara");
        c.newSession(p);
        GameClient.Response plain = c.send(c.request("/api/characters", p.access()).header("Accept-Encoding", "identity")
                .GET().build());
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.header("Content-Encoding")).isNull();
        assertThat(plain.body().length).as("the list is big enough to be worth compressing").isGreaterThan(512);

        GameClient.Response gzip = c.send(c.request("/api/characters", p.access()).header("Accept-Encoding", "gzip")
                .GET().build());
        assertThat(gzip.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(gzip.header("Vary")).containsIgnoringCase("Accept-Encoding");
        byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gzip.body())).readAllBytes();
        assertThat(GameClient.JSON.readTree(unzipped)).isEqualTo(plain.json());
        assertThat(gzip.body().length).isLessThan(plain.body().length);

        GameClient.Response zstd = c.send(c.request("/api/characters", p.access()).header("Accept-Encoding", "zstd, gzip")
                .GET().build());
        assertThat(zstd.header("Content-Encoding")).isEqualTo("zstd");

        for (String asset : List.of("/", "/app.js", "/style.css", "/openapi")) {
            GameClient.Response r = c.send(c.request(asset, null).header("Accept-Encoding", "gzip").GET().build());
            assertThat(r.status()).as(asset).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).as(asset).isEqualTo("gzip");
        }
        GameClient.Response small = c.send(c.request("/health/live", null).header("Accept-Encoding", "gzip").GET().build());
        assertThat(small.status()).isEqualTo(200);
        assertThat(small.header("Content-Encoding")).as("under 512 bytes").isNull();
    }

    // ---------------------------------------------------------------- the client's address

    @Test
    void login_limits_count_per_real_client_address_and_forged_forwarding_headers_change_nothing() {
        GameClient a = GameClient.via(caddy, "127.0.0.2");
        GameClient b = GameClient.via(caddy, "127.0.0.3");
        // A fails to log in until the per-address limit answers 429, claiming another address in every
        // attempt: were any header believed, each attempt would count against a fresh address and
        // the limit would never be reached
        int attempts = 0;
        int status = 0;
        while (status != 429) {
            assertThat(attempts).as("attempts before the per-address login limit").isLessThan(200);
            status = failedLogin(a, "127.0.2." + attempts, "127.0.3." + attempts);
            assertThat(status).isIn(401, 429);
            attempts++;
        }
        assertThat(attempts).isGreaterThan(1);
        // B, from its own address, is not limited by A's attempts
        assertThat(failedLogin(b, null, null)).isEqualTo(401);
        // and the server's audit log names the real addresses only
        Await.until("the audit line of B's attempt", LIMIT, () -> server.log().contains("ip=127.0.0.3 detail=unknown_account"));
        String log = server.log();
        assertThat(log).contains("event=LOGIN_FAILED").contains("ip=127.0.0.2 detail=unknown_account");
        assertThat(log).doesNotContain("ip=127.0.2.").doesNotContain("ip=127.0.3.");
    }

    private static int failedLogin(GameClient c, String forgedForwardedFor, String forgedCfIp) {
        HttpRequest.Builder r = c.request("/auth/login", null).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of(
                        "email", "nobody-" + System.nanoTime() + "@example.org", "password", "not the password at all"))));
        if (forgedForwardedFor != null) {
            r.header("X-Forwarded-For", forgedForwardedFor).header("X-Real-IP", forgedForwardedFor)
                    .header("Forwarded", "for=" + forgedForwardedFor);
        }
        if (forgedCfIp != null) {
            r.header("CF-Connecting-IP", forgedCfIp).header("True-Client-IP", forgedCfIp);
        }
        return c.send(r.build()).status();
    }

    // ---------------------------------------------------------------- what the edge refuses

    @Test
    void a_body_over_the_edge_limit_is_refused_at_the_edge_whether_or_not_it_declares_its_length() {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Eli");
        String big = "{\"name\":\"" + "x".repeat(2 * EDGE_MAX_BODY) + "\",\"characterClass\":\"wizard\"}";
        int linesBefore = server.accessLines().size();

        GameClient.Response declared = c.post("/api/characters", p.access(), big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(declared.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/payload-too-large");
        assertThat(declared.json().get("detail").asText()).contains(Integer.toString(EDGE_MAX_BODY));
        assertThat(declared.header("X-Request-Id")).as("no server answered it").isNull();

        GameClient.Response chunked = c.send(c.request("/api/characters", p.access())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofString(big))).build()); // no length: sent in chunks
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/payload-too-large");

        // the same body straight to the server is within its own (larger) limit: the edge refused it
        GameClient.Response direct = GameClient.direct(server).post("/api/characters", p.access(), big);
        assertThat(direct.status()).isNotEqualTo(413);
        List<String> lines = server.accessLines(); // one snapshot: the log grows while we look
        assertThat(lines.subList(linesBefore, lines.size()))
                .noneMatch(l -> l.contains("POST /api/characters 201"));
    }

    @Test
    void service_routes_and_metrics_are_closed_at_the_edge_while_the_server_has_them() {
        GameClient c = client();
        GameClient direct = GameClient.direct(server);
        Map<String, Object> embed = Map.of("texts", List.of("a lantern"));
        assertThat(direct.post("/vec/embed", SERVICE_TOKEN, embed).status()).isEqualTo(200);
        for (String path : List.of("/vec/embed", "/vec/search", "/ai/generate")) {
            GameClient.Response r = c.post(path, SERVICE_TOKEN, embed);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/not-found");
        }
        GameClient.Response noToken = c.post("/vec/search", null, Map.of("text", "a lantern"));
        assertThat(noToken.status()).isEqualTo(404);

        // with dm.service.token set the server's /metrics wants it; the edge hides the route either way
        assertThat(direct.get("/metrics", SERVICE_TOKEN).status()).isEqualTo(200);
        assertThat(direct.get("/metrics", null).status()).isEqualTo(401);
        assertThat(c.get("/metrics", SERVICE_TOKEN).status()).isEqualTo(404);
        assertThat(c.get("/metrics", null).status()).isEqualTo(404);
        assertThat(c.send(c.request("/", null).method("TRACE", HttpRequest.BodyPublishers.noBody()).build()).status())
                .isEqualTo(405);
    }

    @Test
    void replicate_webhooks_pass_the_edge_without_a_login() {
        GameClient c = client();
        // this server has no dm.model.webhook-url: its own 404 (with its X-Request-Id) shows the edge passed it on
        GameClient.Response r = c.post("/webhooks/replicate", null, Map.of("id", "ufawqhfynnddngldkgtslldrkq",
                "status", "succeeded"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/not-found");
        assertThat(r.header("X-Request-Id")).as("a server answered it, not the edge").isNotNull();
    }

    // ---------------------------------------------------------------- headers, cookies, logs

    @Test
    void every_answer_carries_the_security_headers_and_plain_http_is_redirected() throws Exception {
        GameClient c = client();
        for (GameClient.Response r : List.of(c.get("/", null), c.get("/metrics", null), c.get("/api/nothing-here", null),
                c.post("/api/characters", null, "x".repeat(2 * EDGE_MAX_BODY)))) {
            String what = r.status() + " " + r.header("Content-Type");
            assertThat(r.header("Strict-Transport-Security")).as(what).isEqualTo("max-age=31536000");
            assertThat(r.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).as(what).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).as(what).contains("frame-ancestors 'none'")
                    .contains("default-src 'self'").contains("object-src 'none'");
            assertThat(r.header("Server")).as(what).isNull();
        }
        int httpPort = Integer.parseInt(caddy.environment().get("DM_HTTP_PORT"));
        HttpResponse<Void> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + httpPort + "/api/sessions")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(redirect.statusCode()).isEqualTo(308);
        assertThat(redirect.headers().firstValue("Location").orElseThrow())
                .isIn("https://localhost/api/sessions", "https://localhost:" + caddy.httpsPort() + "/api/sessions");
    }

    @Test
    void login_cookies_keep_secure_and_their_prefixes_through_the_edge() {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Fen");
        GameClient.Response login = c.post("/auth/login", null, Map.of("email", p.email(), "password", p.password()));
        assertThat(login.status()).isEqualTo(200);
        List<String> cookies = login.headers().allValues("Set-Cookie");
        assertThat(cookies).anySatisfy(k -> assertThat(k).startsWith("__Host-dm_access=").contains("; Path=/;")
                .contains("; Secure").contains("; HttpOnly").doesNotContainIgnoringCase("Domain="));
        assertThat(cookies).anySatisfy(k -> assertThat(k).startsWith("__Secure-dm_refresh=").contains("; Secure")
                .contains("; HttpOnly").contains("Path=/auth"));
    }

    @Test
    void the_access_log_is_json_one_line_a_request_and_holds_no_credentials() {
        GameClient c = client();
        GameClient.Player p = c.newPlayer("Gil");
        String marker = "/api/sessions?marker=" + System.nanoTime();
        assertThat(c.get(marker, p.access()).status()).isEqualTo(200);
        JsonNode line = Await.value("the access log line of " + marker, LIMIT, () -> caddy.accessLog().stream()
                .filter(l -> l.at("/request/uri").asText().equals(marker)).findFirst().orElse(null));
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.at("/request/method").asText()).isEqualTo("GET");
        assertThat(line.at("/request/remote_ip").asText()).startsWith("127.0.1.");
        // Caddy 2.6 keeps the header's name and drops its value (newer releases write REDACTED)
        assertThat(line.at("/request/headers").has("Authorization")).isTrue();
        assertThat(line.at("/request/headers/Authorization/0").asText()).isIn("", "REDACTED");
        assertThat(line.get("duration").isNumber()).isTrue();
        String text = caddy.accessLogText();
        assertThat(text).doesNotContain(p.access()).doesNotContain(p.password());
        assertThat(text.lines().filter(l -> !l.isBlank())).allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));
    }

    // ---------------------------------------------------------------- behind Cloudflare

    /**
     * The Cloudflare variant ({@code DM_CLIENT_IP=cloudflare}) in front of the same server, with
     * 127.0.0.4 playing Cloudflare's edge ({@code DM_CLOUDFLARE_RANGES}), and the service routes on.
     */
    @Nested
    class BehindCloudflare {

        static CaddyProcess cloudflareEdge;

        @BeforeAll
        static void startCloudflareVariant() {
            cloudflareEdge = CaddyProcess.builder().upstreams(server.address())
                    .env("DM_CLIENT_IP", "cloudflare")
                    .env("DM_CLOUDFLARE_RANGES", "127.0.0.4/32")
                    .env("DM_SERVICE_ROUTES", "on")
                    .start();
        }

        @AfterAll
        static void stopCloudflareVariant() {
            if (cloudflareEdge != null) {
                cloudflareEdge.close();
            }
        }

        private int login(String from, String cfConnectingIp) {
            GameClient c = GameClient.via(cloudflareEdge, from);
            HttpRequest.Builder r = c.request("/auth/login", null).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(GameClient.write(Map.of(
                            "email", "nobody-" + System.nanoTime() + "@example.org", "password", "not the password at all"))));
            if (cfConnectingIp != null) {
                r.header("CF-Connecting-IP", cfConnectingIp).header("X-Forwarded-For", "127.0.0.99");
            }
            return c.send(r.build()).status();
        }

        @Test
        void the_visitor_address_from_cloudflare_counts_and_a_direct_client_cannot_claim_one() {
            // through "Cloudflare", visitor 203.0.113.7 is limited on its own address
            int attempts = 0;
            int status = 0;
            while (status != 429) {
                assertThat(attempts).as("attempts before the per-address login limit").isLessThan(200);
                status = login("127.0.0.4", "203.0.113.7");
                assertThat(status).isIn(401, 429);
                attempts++;
            }
            // another visitor behind the same Cloudflare edge is not
            assertThat(login("127.0.0.4", "203.0.113.8")).isEqualTo(401);
            // a client reaching the origin directly counts as itself, whatever visitor it claims to be
            assertThat(login("127.0.0.5", "203.0.113.7")).isEqualTo(401);
            Await.until("the audit line of the direct client", LIMIT,
                    () -> server.log().contains("ip=127.0.0.5 detail=unknown_account"));
            assertThat(server.log()).contains("ip=203.0.113.7 detail=unknown_account")
                    .contains("ip=203.0.113.8 detail=unknown_account").doesNotContain("ip=127.0.0.99");
        }

        @Test
        void with_service_routes_on_the_server_still_demands_the_service_token() {
            GameClient c = GameClient.via(cloudflareEdge, "127.0.0.6");
            Map<String, Object> embed = Map.of("texts", List.of("a lantern"));
            GameClient.Response without = c.post("/vec/embed", null, embed);
            assertThat(without.status()).isEqualTo(401);
            assertThat(without.header("X-Request-Id")).as("answered by the server").isNotNull();
            assertThat(c.post("/vec/embed", "not-the-token-but-long-enough", embed).status()).isEqualTo(403);
            GameClient.Response with = c.post("/vec/embed", SERVICE_TOKEN, embed);
            assertThat(with.status()).isEqualTo(200);
            assertThat(with.json().get("vectors")).hasSize(1);
        }
    }
}
