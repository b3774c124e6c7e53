package dev.dmengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dmengine.auth.AuthResult;
import dev.dmengine.auth.Registration;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.edgetests.CaddyProcess;
import dev.dmengine.edgetests.ScriptedModel;
import dev.dmengine.server.DmServer;
import dev.dmengine.server.ServerSettings;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * What the edge costs a streamed turn: the same reference server reached directly
 * ({@code http://127.0.0.1:<port>}) and through the repository's Caddyfile (Debian's Caddy,
 * {@code https://localhost:<port>}, {@code tls internal}), turn after turn, alternating, in one
 * run. The model is a {@link ScriptedModel} speaking the OpenAI wire protocol in this JVM, which
 * notes when it wrote each word, so for every token the delay from the model's write to the
 * client's read is known on one clock.
 * <ul>
 *   <li>first-token latency: from sending the turn's POST to reading its first token;</li>
 *   <li>per-token delivery delay: from the model writing a word to the client reading its event.</li>
 * </ul>
 * Both paths use HTTP/1.1 on kept-alive connections; the Caddy path adds TLS, the proxy hop and
 * Caddy's header work. Run: {@code ./dm bench EdgeBench [turns] [pacingMs] [words]} (defaults
 * 400 5 40); needs {@code /usr/bin/caddy} ({@code scripts/services.sh} installs it).
 */
public final class EdgeBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int turns = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int pacingMs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int wordCount = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int warmup = Math.max(20, turns / 10);
        // the figures, not a line per request and per login
        System.setProperty("org.slf4j.simpleLogger.log.dev.dmengine.server.access", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.dmengine.audit.auth", "warn");

        StringJoiner reply = new StringJoiner(" ");
        for (int i = 0; i < wordCount; i++) {
            reply.add("word" + i); // distinct, so each token's write time can be looked up
        }
        try (ScriptedModel model = new ScriptedModel(reply.toString(), Duration.ofMillis(pacingMs))) {
            Map<String, String> cfg = new HashMap<>(model.serverConfig());
            cfg.put("dm.server.host", "127.0.0.1");
            cfg.put("dm.server.port", "0");
            cfg.put("dm.server.trusted-proxies", "127.0.0.1/32");
            cfg.put("dm.embedder.provider", "hashing");
            DmServer server = new DmServer(ServerSettings.from(Config.just(ConfigSources.create(cfg)))).start();
            try (CaddyProcess caddy = CaddyProcess.builder().upstreams("127.0.0.1:" + server.port())
                    .env("DM_HEALTH_INTERVAL", "5s").start()) {
                HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpClient viaCaddy = caddy.client().version(HttpClient.Version.HTTP_1_1).build();
                String directBase = "http://127.0.0.1:" + server.port();
                System.out.printf("EdgeBench: %d turns each way (+%d warm-up), %d words a reply, model pacing %d ms, "
                        + "%s%n", turns, warmup, wordCount, pacingMs, Runtime.version());

                Series d = new Series("direct");
                Series c = new Series("via Caddy");
                Players players = new Players(server, 2 * (warmup + turns));
                for (int i = 0; i < warmup + turns; i++) {
                    boolean measured = i >= warmup;
                    // alternate which path goes first, so neither always follows the other
                    if (i % 2 == 0) {
                        turn(direct, directBase, players.next(), model, measured ? d : null);
                        turn(viaCaddy, caddy.origin(), players.next(), model, measured ? c : null);
                    } else {
                        turn(viaCaddy, caddy.origin(), players.next(), model, measured ? c : null);
                        turn(direct, directBase, players.next(), model, measured ? d : null);
                    }
                }
                print(d, c);
            } finally {
                server.stop();
            }
        }
        System.exit(0);
    }

    /**
     * Accounts made through the auth service before anything is measured (password hashing is
     * deliberately slow), each used for 8 turns: the per-player turn limit allows bursts of 10.
     */
    private static final class Players {
        private final List<String[]> accounts = new ArrayList<>();
        private int turn;

        Players(DmServer server, int turns) {
            for (int made = 0; made * 8 < turns; made++) {
                String email = "edge-" + made + "-" + System.nanoTime() + "@bench.example";
                String password = "bench passphrase " + UUID.randomUUID();
                String ip = "10.8." + (made / 250) + "." + (made % 250 + 1);
                server.auth().register(new Registration(email, password, "Bench"), ip);
                AuthResult login = server.auth().login(email, password, ip);
                UUID player = login.player().id();
                var character = server.engine().characters().create(player, NewCharacter.of("Bench", "fighter"));
                UUID session = server.engine().sessions().create(player, character.id(), "edge bench").id();
                accounts.add(new String[]{login.tokens().accessToken(), session.toString()});
            }
        }

        /** A player's token and session. */
        String[] next() {
            return accounts.get(turn++ / 8);
        }
    }

    private static void turn(HttpClient http, String base, String[] player, ScriptedModel model, Series into)
            throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + player[1] + "/messages"))
                .header("Authorization", "Bearer " + player[0]).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip, zstd")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"I walk on\"}")).build();
        long sent = System.nanoTime();
        HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        long headers = System.nanoTime();
        long started = 0;
        if (res.statusCode() != 200 || res.headers().firstValue("Content-Encoding").isPresent()) {
            throw new IllegalStateException("turn: " + res.statusCode() + " " + res.headers().map());
        }
        List<long[]> tokens = new ArrayList<>(); // {read at, written at}
        boolean completed = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String event = null;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && "turn.started".equals(event)) {
                    started = System.nanoTime();
                } else if (line.startsWith("data:") && "token".equals(event)) {
                    long read = System.nanoTime();
                    JsonNode data = JSON.readTree(line.substring(5).strip());
                    Long written = model.writtenAt(data.get("text").asText());
                    tokens.add(new long[]{read, written == null ? -1 : written});
                } else if (line.startsWith("data:") && "turn.completed".equals(event)) {
                    completed = true;
                    break;
                } else if (line.startsWith("data:") && "turn.failed".equals(event)) {
                    throw new IllegalStateException("turn failed: " + line);
                }
            }
        }
        if (!completed || tokens.isEmpty()) {
            throw new IllegalStateException("the turn did not complete with tokens");
        }
        if (into != null) {
            into.headers.add(headers - sent);
            into.started.add(started - sent);
            into.firstToken.add(tokens.getFirst()[0] - sent);
            for (long[] t : tokens) {
                if (t[1] > 0) {
                    into.perToken.add(t[0] - t[1]);
                } else {
                    into.unmatched++;
                }
            }
        }
    }

    private static final class Series {
        final String name;
        final LongList headers = new LongList();
        final LongList started = new LongList();
        final LongList firstToken = new LongList();
        final LongList perToken = new LongList();
        int unmatched;

        Series(String name) {
            this.name = name;
        }
    }

    private static final class LongList {
        long[] v = new long[1024];
        int n;

        void add(long x) {
            if (n == v.length) {
                v = Arrays.copyOf(v, n * 2);
            }
            v[n++] = x;
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(v, n);
            Arrays.sort(s);
            return s;
        }
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static void print(Series d, Series c) {
        System.out.println();
        System.out.printf("%-38s %10s %10s %10s %10s %10s%n", "(milliseconds from sending the POST)", "p50", "p90", "p99", "max", "samples");
        for (String what : List.of("response headers", "turn.started event", "first-token latency",
                "per-token delivery delay")) {
            for (Series s : List.of(d, c)) {
                long[] v = switch (what) {
                    case "response headers" -> s.headers.sorted();
                    case "turn.started event" -> s.started.sorted();
                    case "first-token latency" -> s.firstToken.sorted();
                    default -> s.perToken.sorted();
                };
                System.out.printf("%-38s %10.3f %10.3f %10.3f %10.3f %10d%n", what + ", " + s.name, pct(v, 50), pct(v, 90),
                        pct(v, 99), v[v.length - 1] / 1e6, v.length);
            }
        }
        long[] df = d.firstToken.sorted();
        long[] cf = c.firstToken.sorted();
        long[] dt = d.perToken.sorted();
        long[] ct = c.perToken.sorted();
        System.out.println();
        System.out.printf("added by Caddy: first token p50 %+.3f ms, p99 %+.3f ms; per token p50 %+.3f ms, p99 %+.3f ms%n",
                pct(cf, 50) - pct(df, 50), pct(cf, 99) - pct(df, 99), pct(ct, 50) - pct(dt, 50), pct(ct, 99) - pct(dt, 99));
        if (d.unmatched + c.unmatched > 0) {
            System.out.printf("(tokens whose write time was not found: %d direct, %d via Caddy)%n", d.unmatched, c.unmatched);
        }
    }
}
