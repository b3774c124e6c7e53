package dev.dmengine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak of event streams: the reference server runs as a child JVM (as {@code ./dm start}
 * runs it, embedded profile, offline narrator without pacing, hashing embedder) and takes waves
 * of SSE streams — by default two waves of 10,000 streams open at once, spread over 100
 * sessions of 20 players — while every session plays a turn that each of its streams must
 * see. Each wave is then closed by its clients (a reset, as when a tab or a phone goes away).
 * <p>
 * It prints the server's heap (used and committed) and its resident set (VmRSS of
 * {@code /proc/<pid>/status}) at the start, at each wave's peak, when a wave has closed, after
 * {@code settle} seconds of quiet (what the JVM gives back by itself) and after a full GC
 * ({@code jcmd GC.run}); with {@code nmt=true} also the JVM's own account of its native memory,
 * so what RSS holds beyond it (the C heap's free lists) shows. With 10,000 streams open it
 * measures the server's CPU over ten quiet seconds (heartbeats only).
 * <p>
 * {@code ./dm bench SoakBench [streams=10000] [waves=2] [players=20] [sessions=5] [heartbeat=5s] [settle=120]
 * [nmt=false] [histo=0] [jvm=<scripts/start.sh's options>] [env=MALLOC_ARENA_MAX=2]}; {@code jvm=} (empty)
 * runs the server on the JVM's defaults; {@code histo=20} prints the 20 classes with
 * the most live bytes at each peak and after each close. Bounded: a few minutes on two cores.
 */
public final class SoakBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "soak-service-token-0123456789";
    /** What scripts/start.sh gives the server's JVM: a periodic full GC returns a burst's heap once it is quiet. */
    static final String START_SH_JVM_OPTIONS = "-XX:G1PeriodicGCInterval=60000 -XX:-G1PeriodicGCInvokesConcurrent";

    private record Account(String access, List<UUID> sessions, String ip) {
    }

    private record Sample(String when, long rssKb, long heapUsedKb, long heapCommittedKb, int threads,
                          long nmtCommittedKb, String nmtTop) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("streams", "10000", "waves", "2", "players", "20",
                "sessions", "5", "heartbeat", "5s", "nmt", "false", "jvm", START_SH_JVM_OPTIONS, "env", "", "histo", "0",
                "settle", "120"));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0 || !opt.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("unknown option " + a + "; known: " + opt.keySet());
            }
            opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int streams = Integer.parseInt(opt.get("streams"));
        int waves = Integer.parseInt(opt.get("waves"));
        Duration settle = Duration.ofSeconds(Long.parseLong(opt.get("settle")));
        int players = Integer.parseInt(opt.get("players"));
        int sessionsEach = Integer.parseInt(opt.get("sessions"));
        int perSession = (streams + players * sessionsEach - 1) / (players * sessionsEach);
        System.out.printf("soak: %d waves of %d SSE streams (%d players x %d sessions x %d streams), heartbeat %s%s%s%n",
                waves, streams, players, sessionsEach, perSession, opt.get("heartbeat"),
                opt.get("jvm").isBlank() ? ", server JVM defaults" : ", server JVM " + opt.get("jvm"),
                opt.get("env").isBlank() ? "" : ", env " + opt.get("env"));

        Child server = Child.start(Map.of(
                "dm.server.port", "0", "dm.narrator.pacing", "0ms", "dm.embedder.provider", "hashing",
                "dm.server.heartbeat", opt.get("heartbeat"), "dm.service.token", TOKEN,
                "dm.server.trusted-proxies", "127.0.0.1/32,::1/128",
                "dm.server.max-connections", Integer.toString(streams + 2_000),
                "dm.server.max-streams", Integer.toString(streams + 1_000),
                "dm.server.max-streams-per-player", Integer.toString(perSession * sessionsEach + 10),
                "dm.server.max-streams-per-session", Integer.toString(perSession + 10)),
                opt.get("jvm"), opt.get("env"), Boolean.parseBoolean(opt.get("nmt")));
        List<Sample> samples = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Account> accounts = new ArrayList<>();
            long setup = System.nanoTime();
            for (int p = 0; p < players; p++) {
                accounts.add(account(http, server.base(), p, sessionsEach));
            }
            System.out.printf("soak: %d accounts and %d sessions made in %.1f s%n", players, players * sessionsEach,
                    (System.nanoTime() - setup) / 1e9);
            for (int warm = 0; warm < 2; warm++) { // warm the turn path before the first sample
                for (Account a : accounts) {
                    playTurn(http, server.base(), a, a.sessions().getFirst(), "I stretch, " + warm);
                }
                awaitIdle(server);
            }
            samples.add(server.sample("start (after a full GC)", true));
            for (int w = 1; w <= waves; w++) {
                wave(w, http, server, accounts, perSession, samples, Integer.parseInt(opt.get("histo")), settle);
            }
        } finally {
            server.close();
        }
        System.out.println();
        System.out.printf("%-34s %10s %12s %14s %8s %s%n", "server", "RSS MiB", "heap used", "heap committed",
                "threads", samples.getFirst().nmtCommittedKb() > 0 ? "  NMT committed MiB (largest)" : "");
        for (Sample s : samples) {
            System.out.printf("%-34s %10d %12d %14d %8d %s%n", s.when(), s.rssKb() / 1024, s.heapUsedKb() / 1024,
                    s.heapCommittedKb() / 1024, s.threads(),
                    s.nmtCommittedKb() > 0 ? String.format("  %d (%s)", s.nmtCommittedKb() / 1024, s.nmtTop()) : "");
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- a wave

    private static void wave(int w, HttpClient http, Child server, List<Account> accounts, int perSession,
                             List<Sample> samples, int histogram, Duration settle) throws Exception {
        List<SseClient> clients = new ArrayList<>();
        for (Account a : accounts) {
            for (UUID s : a.sessions()) {
                for (int i = 0; i < perSession; i++) {
                    clients.add(new SseClient(server.port, a, s));
                }
            }
        }
        long start = System.nanoTime();
        Semaphore opening = new Semaphore(64);
        CountDownLatch opened = new CountDownLatch(clients.size());
        for (SseClient c : clients) {
            opening.acquire();
            Thread.ofVirtual().start(() -> {
                try {
                    c.open();
                } finally {
                    opening.release();
                    opened.countDown();
                }
            });
        }
        opened.await();
        long open = clients.stream().filter(c -> c.live).count();
        System.out.printf("wave %d: %d of %d streams open in %.1f s (%d refused or failed)%n", w, open, clients.size(),
                (System.nanoTime() - start) / 1e9, clients.size() - open);

        // every session plays a turn while its streams are open; each stream must see it end
        long turnsStart = System.nanoTime();
        int turns = 0;
        for (Account a : accounts) {
            for (UUID s : a.sessions()) {
                playTurn(http, server.base(), a, s, "wave " + w + ": I light a torch");
                turns++;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && clients.stream().anyMatch(c -> c.live && c.completed.get() < 1)) {
            Thread.sleep(200);
        }
        long delivered = clients.stream().filter(c -> c.completed.get() >= 1).count();
        long tokens = clients.stream().mapToLong(c -> c.tokens.get()).sum();
        System.out.printf("wave %d: %d turns played; %d of %d streams saw their turn complete (%d tokens delivered) "
                + "in %.1f s%n", w, turns, delivered, open, tokens, (System.nanoTime() - turnsStart) / 1e9);
        samples.add(server.sample("wave " + w + " peak (" + open + " open), full GC", true));
        double idleCpu = server.cpuPercent(Duration.ofSeconds(10));
        System.out.printf("wave %d: with %d streams open and no turn playing, the server used %.0f%% of a core "
                + "(heartbeats every %s)%n", w, open, idleCpu, server.heartbeat);
        if (histogram > 0) {
            System.out.println(server.histogram(histogram));
        }

        long closing = System.nanoTime();
        clients.forEach(SseClient::abort);
        server.awaitMetric("dm_sse_streams", 0, Duration.ofMinutes(3));
        System.out.printf("wave %d: the server let every stream go %.1f s after its clients left%n", w,
                (System.nanoTime() - closing) / 1e9);
        awaitIdle(server);
        samples.add(server.sample("wave " + w + " closed", false));
        Thread.sleep(settle); // what the JVM gives back by itself, heartbeats of nobody and no forced GC
        samples.add(server.sample("wave " + w + " closed + " + settle.toSeconds() + " s idle", false));
        samples.add(server.sample("wave " + w + " closed + full GC", true));
        if (histogram > 0) {
            System.out.println(server.histogram(histogram));
        }
    }

    private static void awaitIdle(Child server) throws InterruptedException {
        server.awaitMetric("dm_turns_in_flight", 0, Duration.ofMinutes(3));
    }

    /** One SSE client on a raw socket: counts what arrives until it is aborted. */
    private static final class SseClient {
        private final int port;
        private final Account account;
        private final UUID session;
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicLong tokens = new AtomicLong();
        private volatile Socket socket;
        private volatile boolean live;

        SseClient(int port, Account account, UUID session) {
            this.port = port;
            this.account = account;
            this.session = session;
        }

        void open() {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("localhost", port), 30_000);
                socket = s;
                OutputStream out = s.getOutputStream();
                out.write(("GET /api/sessions/" + session + "/events HTTP/1.1\r\nHost: localhost\r\n"
                        + "Accept: text/event-stream\r\nAuthorization: Bearer " + account.access() + "\r\n"
                        + "X-Forwarded-For: " + account.ip() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String status = in.readLine();
                if (status == null || !status.contains(" 200 ")) {
                    s.close();
                    return;
                }
                String line;
                while ((line = in.readLine()) != null) { // the head, then the opening heartbeat
                    if (line.startsWith("event:") && line.contains("heartbeat")) {
                        break;
                    }
                }
                live = true;
                Thread.ofVirtual().start(() -> read(in));
            } catch (IOException e) {
                live = false;
            }
        }

        private void read(BufferedReader in) {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        String name = line.substring(6).strip();
                        if (name.equals("token")) {
                            tokens.incrementAndGet();
                        } else if (name.equals("turn.completed")) {
                            completed.incrementAndGet();
                        }
                    }
                }
            } catch (IOException e) {
                // aborted
            }
        }

        void abort() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.setSoLinger(true, 0);
                    s.close();
                } catch (IOException e) {
                    // gone
                }
            }
        }
    }

    // ---------------------------------------------------------------- the API

    private static Account account(HttpClient http, String base, int n, int sessions) throws Exception {
        String ip = "10.66." + (n / 250) + "." + (n % 250 + 1);
        String email = "soak-" + n + "-" + UUID.randomUUID() + "@bench.example";
        String password = "a soak passphrase " + UUID.randomUUID();
        post(http, base, "/auth/register", null, ip, Map.of("email", email, "password", password, "displayName", "Soak"));
        String access = post(http, base, "/auth/login", null, ip, Map.of("email", email, "password", password))
                .get("access").asText();
        List<UUID> ids = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            String character = post(http, base, "/api/characters", access, ip,
                    Map.of("name", "Soak" + s, "characterClass", "fighter")).get("id").asText();
            ids.add(UUID.fromString(post(http, base, "/api/sessions", access, ip,
                    Map.of("characterId", character, "title", "soak " + s)).get("id").asText()));
        }
        return new Account(access, ids, ip);
    }

    /** Queues a turn (202); a 429 (the player's turn rate) is waited out. */
    private static void playTurn(HttpClient http, String base, Account a, UUID session, String text) throws Exception {
        for (int attempt = 0; attempt < 30; attempt++) {
            HttpResponse<String> r = send(http, base, "/api/sessions/" + session + "/messages", a.access(), a.ip(),
                    Map.of("text", text));
            if (r.statusCode() == 202) {
                return;
            }
            if (r.statusCode() != 429 && r.statusCode() != 409) {
                throw new IllegalStateException("turn: " + r.statusCode() + " " + r.body());
            }
            long wait = r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L);
            Thread.sleep(TimeUnit.SECONDS.toMillis(Math.min(wait, 10)));
        }
        throw new IllegalStateException("turn refused 30 times on " + session);
    }

    private static JsonNode post(HttpClient http, String base, String path, String token, String ip, Object body)
            throws Exception {
        HttpResponse<String> r = send(http, base, path, token, ip, body);
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private static HttpResponse<String> send(HttpClient http, String base, String path, String token, String ip,
                                             Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .header("X-Forwarded-For", ip).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- the server process

    /** The reference server's {@code Main} in a child JVM on this program's class path. */
    private static final class Child implements AutoCloseable {
        private static final Pattern UP = Pattern.compile("DM Engine is up on http://[^:]+:(\\d+)");
        private final Process process;
        private final Path log;
        private final int port;
        private final boolean nmt;
        private final HttpClient http = HttpClient.newHttpClient();

        private String heartbeat = "";

        private Child(Process process, Path log, int port, boolean nmt) {
            this.process = process;
            this.log = log;
            this.port = port;
            this.nmt = nmt;
        }

        static Child start(Map<String, String> settings, String jvm, String env, boolean nmt) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (nmt) {
                cmd.add("-XX:NativeMemoryTracking=summary");
            }
            if (!jvm.isBlank()) {
                cmd.addAll(List.of(jvm.strip().split("\\s+")));
            }
            settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.dmengine.server.Main"));
            Path log = Files.createTempFile("soak-server-", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            if (!env.isBlank()) {
                for (String kv : env.split(",")) {
                    String[] p = kv.split("=", 2);
                    pb.environment().put(p[0].strip(), p[1].strip());
                }
            }
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the server exited: " + Files.readString(log));
                }
                Matcher m = UP.matcher(Files.readString(log));
                if (m.find()) {
                    System.out.printf("soak: server pid %d on port %s (log %s)%n", p.pid(), m.group(1), log);
                    Child child = new Child(p, log, Integer.parseInt(m.group(1)), nmt);
                    child.heartbeat = settings.getOrDefault("dm.server.heartbeat", "15s");
                    return child;
                }
                Thread.sleep(100);
            }
            p.destroyForcibly();
            throw new IllegalStateException("the server did not come up: " + Files.readString(log));
        }

        String base() {
            return "http://localhost:" + port;
        }

        long metric(String name) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/metrics"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            return r.body().lines().filter(l -> l.startsWith(name + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .findFirst().orElseThrow(() -> new IllegalStateException(name + " missing: " + r.body()));
        }

        void awaitMetric(String name, long value, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (metric(name) == value) {
                        return;
                    }
                } catch (Exception e) {
                    // try again
                }
                Thread.sleep(250);
            }
            throw new IllegalStateException(name + " did not reach " + value + " within " + within);
        }

        /** Heap (after a full GC if {@code fullGc}: then "used" is what is live), RSS, threads and NMT. */
        Sample sample(String when, boolean fullGc) throws Exception {
            if (fullGc) {
                jcmd("GC.run");
            }
            String heap = jcmd("GC.heap_info");
            Matcher m = Pattern.compile("committed (\\d+)K, used (\\d+)K").matcher(heap);
            long committed = 0;
            long used = 0;
            if (m.find()) {
                committed = Long.parseLong(m.group(1));
                used = Long.parseLong(m.group(2));
            } else {
                Matcher t = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(heap);
                if (t.find()) {
                    committed = Long.parseLong(t.group(1));
                    used = Long.parseLong(t.group(2));
                }
            }
            String status = Files.readString(Path.of("/proc", Long.toString(process.pid()), "status"));
            long rss = field(status, "VmRSS");
            int threads = (int) field(status, "Threads");
            long nmtTotal = 0;
            String top = "";
            if (nmt) {
                String summary = jcmd("VM.native_memory", "summary");
                Matcher total = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB").matcher(summary);
                nmtTotal = total.find() ? Long.parseLong(total.group(1)) : 0;
                Matcher cat = Pattern.compile("-\\s+([A-Za-z ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB").matcher(summary);
                List<Map.Entry<String, Long>> cats = new ArrayList<>();
                while (cat.find()) {
                    cats.add(Map.entry(cat.group(1).strip(), Long.parseLong(cat.group(2))));
                }
                cats.sort(Map.Entry.<String, Long>comparingByValue().reversed());
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < Math.min(5, cats.size()); i++) {
                    b.append(i == 0 ? "" : ", ").append(cats.get(i).getKey()).append(' ').append(cats.get(i).getValue() / 1024);
                }
                top = b.toString();
            }
            Sample s = new Sample(when, rss, used, committed, threads, nmtTotal, top);
            System.out.printf("sample %-34s RSS %d MiB, heap used %d MiB of %d MiB committed, %d threads%s%n", when,
                    rss / 1024, used / 1024, committed / 1024, threads,
                    nmt ? ", NMT committed " + nmtTotal / 1024 + " MiB (" + top + ")" : "");
            return s;
        }

        /** The server's CPU time over {@code window}, in percent of one core (from {@code /proc/<pid>/stat}). */
        double cpuPercent(Duration window) throws Exception {
            long before = cpuTicks();
            long start = System.nanoTime();
            Thread.sleep(window);
            long ticks = cpuTicks() - before;
            return 100.0 * ticks / 100.0 / ((System.nanoTime() - start) / 1e9); // USER_HZ is 100 on Linux
        }

        private long cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        }

        /** The {@code top} classes by live bytes (what a stream costs, when printed at a peak). */
        String histogram(int top) throws Exception {
            return jcmd("GC.class_histogram").lines().limit(top + 3L).reduce("", (a, b) -> a + b + "\n");
        }

        private static long field(String status, String name) {
            Matcher m = Pattern.compile(name + ":\\s+(\\d+)").matcher(status);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }

        private String jcmd(String... command) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid())));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + out);
            }
            return out;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    static {
        if (!new File("/proc/self/status").exists()) {
            throw new UncheckedIOException(new IOException("SoakBench reads the server's RSS from /proc: Linux only"));
        }
    }
}
