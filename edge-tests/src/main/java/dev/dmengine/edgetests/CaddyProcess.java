package dev.dmengine.edgetests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dmengine.testkit.Await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's Caddy ({@code /usr/bin/caddy}) as a child process running the repository's own
 * {@code Caddyfile}, configured only through the environment variables the file reads: its own
 * free ports, {@code tls internal} with the CA kept in a private temporary directory (so the
 * machine's trust store is never touched), no admin endpoint, HTTP/1.1 and HTTP/2. The JSON
 * access log goes to a file the test can read; Caddy's own log to another.
 *
 * <pre>
 * try (CaddyProcess caddy = CaddyProcess.builder().upstreams(server.address()).start()) {
 *     HttpClient http = caddy.client().build();          // trusts the local CA
 *     http.send(HttpRequest.newBuilder(caddy.uri("/health/live")).build(), ...);
 * }
 * </pre>
 */
public final class CaddyProcess implements AutoCloseable {

    /** Where Debian's package installs it; {@code scripts/services.sh} installs the package. */
    public static final Path CADDY = Paths.get(System.getProperty("dm.caddy.binary", "/usr/bin/caddy"));

    /** Failure limit for Caddy to serve its first TLS handshake; never a speed claim. */
    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    /** Ends the child if this JVM ends without {@link #close()} (a killed test run leaves no process behind). */
    private final Thread reaper;
    private final Path dir;
    private final int httpsPort;
    private final Map<String, String> env;
    private final SSLContext ssl;

    private CaddyProcess(Builder b) {
        if (!Files.isExecutable(CADDY)) {
            throw new IllegalStateException(CADDY + " is missing: run scripts/services.sh (it installs Debian's caddy)");
        }
        Path caddyfile = b.caddyfile != null ? b.caddyfile : findCaddyfile();
        try {
            dir = Files.createTempDirectory("dm-caddy-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        httpsPort = b.httpsPort != 0 ? b.httpsPort : FreePorts.any();
        env = new LinkedHashMap<>();
        env.put("DM_SITE", "localhost");
        env.put("DM_HTTPS_PORT", Integer.toString(httpsPort));
        env.put("DM_HTTP_PORT", Integer.toString(FreePorts.any()));
        env.put("DM_TLS", "internal");
        env.put("DM_CADDY_ADMIN", "off");
        env.put("DM_PROTOCOLS", "h1 h2");
        env.put("DM_HEALTH_INTERVAL", "500ms");
        env.put("DM_ACCESS_LOG", "file " + dir.resolve("access.log"));
        env.put("DM_UPSTREAMS", String.join(" ", b.upstreams));
        env.putAll(b.env);
        env.values().removeIf(v -> v == null);

        ProcessBuilder pb = new ProcessBuilder(CADDY.toString(), "run", "--adapter", "caddyfile",
                "--config", caddyfile.toAbsolutePath().toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("caddy.log").toFile());
        Map<String, String> penv = pb.environment();
        penv.keySet().removeIf(k -> k.startsWith("DM_") || k.startsWith("XDG_"));
        penv.put("HOME", dir.toString());
        penv.put("XDG_DATA_HOME", dir.resolve("data").toString());
        penv.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        penv.putAll(env);
        try {
            process = pb.start();
            reaper = new Thread(process::destroyForcibly, "dm-caddy-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + CADDY, e);
        }
        try {
            Await.until("Caddy's local CA to exist (" + rootCertificate() + ")", START_LIMIT,
                    () -> Files.isRegularFile(rootCertificate()) || !process.isAlive());
            ensureAlive();
            ssl = trusting(rootCertificate());
            awaitFirstAnswer();
        } catch (RuntimeException | AssertionError e) {
            String log = caddyLog();
            close();
            throw new IllegalStateException("Caddy did not start: " + e.getMessage() + "\n" + log, e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts Caddy in front of these upstreams ({@code host:port}) with the defaults. */
    public static CaddyProcess start(String... upstreams) {
        return builder().upstreams(upstreams).start();
    }

    /** {@code https://localhost:<port>}: the origin browsers and clients use. */
    public String origin() {
        return "https://localhost:" + httpsPort;
    }

    public URI uri(String path) {
        return URI.create(origin() + path);
    }

    public int httpsPort() {
        return httpsPort;
    }

    /** The environment the Caddyfile was given (the DM_* variables). */
    public Map<String, String> environment() {
        return Map.copyOf(env);
    }

    /** The root certificate of Caddy's local CA (in its private data directory). */
    public Path rootCertificate() {
        return dir.resolve("data/caddy/pki/authorities/local/root.crt");
    }

    /** A TLS context that trusts Caddy's local CA and nothing else. */
    public SSLContext sslContext() {
        return ssl;
    }

    /** A client builder that trusts Caddy's local CA; add {@code localAddress(..)} to vary the client address. */
    public HttpClient.Builder client() {
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10));
    }

    /** The access log so far: one JSON object a request, in order. */
    public List<JsonNode> accessLog() {
        Path log = dir.resolve("access.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The access log file's raw text (to prove what it does not contain). */
    public String accessLogText() {
        return readQuietly(dir.resolve("access.log"));
    }

    /** Caddy's own log (start-up, TLS, health checks, errors). */
    public String caddyLog() {
        return readQuietly(dir.resolve("caddy.log"));
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Stops Caddy (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        forgetReaper();
        deleteTree(dir);
    }

    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private void ensureAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("caddy exited with status " + process.exitValue());
        }
    }

    /** Waits until a TLS request gets any HTTP answer (Caddy issues its certificate in the background). */
    private void awaitFirstAnswer() {
        HttpClient probe = client().version(HttpClient.Version.HTTP_1_1).build();
        Await.until("Caddy to answer over TLS on port " + httpsPort, START_LIMIT, () -> {
            ensureAlive();
            try {
                probe.send(HttpRequest.newBuilder(uri("/health/live")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private static SSLContext trusting(Path rootPem) {
        try (InputStream in = Files.newInputStream(rootPem)) {
            X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("caddy-local-root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read Caddy's root certificate " + rootPem, e);
        }
    }

    /** The repository's Caddyfile: {@code -Ddm.caddyfile}, or the first one found walking up from the working directory. */
    public static Path findCaddyfile() {
        String configured = System.getProperty("dm.caddyfile");
        if (configured != null) {
            return Paths.get(configured);
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("Caddyfile");
            if (Files.isRegularFile(candidate) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no Caddyfile found above " + Paths.get("").toAbsolutePath()
                + "; set -Ddm.caddyfile=/path/to/Caddyfile");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file still held open by a dying process: left for the OS's temp cleaning
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** Options; everything else is the Caddyfile's default or the test defaults above. */
    public static final class Builder {
        private final List<String> upstreams = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path caddyfile;
        private int httpsPort;

        private Builder() {
        }

        /** The reference-server instances, {@code host:port} each ({@code DM_UPSTREAMS}). */
        public Builder upstreams(String... hostPorts) {
            upstreams.addAll(List.of(hostPorts));
            return this;
        }

        /** Any of the Caddyfile's variables, e.g. {@code DM_MAX_BODY}, {@code DM_CLIENT_IP}. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** The HTTPS port when it must be known before start (e.g. the servers' allowed origin); else a free one. */
        public Builder httpsPort(int port) {
            httpsPort = port;
            return this;
        }

        public Builder caddyfile(Path path) {
            caddyfile = path;
            return this;
        }

        public CaddyProcess start() {
            if (upstreams.isEmpty()) {
                throw new IllegalArgumentException("give at least one upstream (host:port)");
            }
            return new CaddyProcess(this);
        }
    }
}
