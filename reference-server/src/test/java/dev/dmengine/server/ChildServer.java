package dev.dmengine.server;

import dev.dmengine.testkit.Await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference server's {@code Main} in a child JVM, optionally under a low open-file limit
 * ({@code ulimit -n}), so a test can exhaust its descriptors cheaply, read everything it logs
 * and see how the process ends. Runs from the module's build output
 * ({@code target/classes} and the {@code target/classpath.txt} that the package phase writes,
 * which precedes the integration tests).
 */
final class ChildServer implements AutoCloseable {

    static final String SERVICE_TOKEN = "child-service-token-0123456789";
    private static final Pattern UP = Pattern.compile("DM Engine is up on http://[^:]+:(\\d+)");

    final Process process;
    final Path log;
    final int port;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private ChildServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts a server with {@code settings} as system properties (the embedded profile, hashing
     * embedder, no narrator pacing and a service token unless overridden) under an open-file
     * limit of {@code openFiles} (0: inherit), and waits until it says it is up.
     */
    static ChildServer start(String name, int openFiles, Map<String, String> settings) {
        Path classes = Path.of("target/classes");
        Path classpathFile = Path.of("target/classpath.txt");
        if (!Files.isDirectory(classes) || !Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException("run from reference-server after `package` (no " + classpathFile + ")");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("dm.server.port", "0");
        props.put("dm.embedder.provider", "hashing");
        props.put("dm.narrator.pacing", "0ms");
        props.put("dm.service.token", SERVICE_TOKEN);
        props.put("dm.server.trusted-proxies", "127.0.0.1/32,::1/128");
        props.putAll(settings);
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("-Xmx256m");
        props.forEach((k, v) -> java.add("-D" + k + "=" + v));
        java.add("-cp");
        try {
            java.add(classes.toAbsolutePath() + File.pathSeparator + Files.readString(classpathFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        java.add("dev.dmengine.server.Main");
        List<String> command = new ArrayList<>();
        if (openFiles > 0) { // both limits, or the JVM would raise its soft limit to the hard one
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "bash"));
        }
        command.addAll(java);
        try {
            Path log = Files.createTempFile(Path.of("target"), "child-" + name + "-", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            int port = Await.value("the child server to say it is up (log " + log + ")", Duration.ofSeconds(90), () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("the child server exited with " + p.exitValue() + ": " + read(log));
                }
                Matcher m = UP.matcher(read(log));
                return m.find() ? Integer.parseInt(m.group(1)) : null;
            });
            return new ChildServer(p, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log() {
        return read(log);
    }

    long logSize() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET {@code path}; status -1 if the connection was refused or failed. */
    TestServer.Response get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
            return new TestServer.Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            return new TestServer.Response(-1, Map.of(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of a Prometheus sample line such as {@code dm_http_requests_total{status="500"}}, 0 if absent. */
    long metric(String sample) {
        TestServer.Response m = get("/metrics", SERVICE_TOKEN);
        if (m.status() != 200) {
            throw new AssertionError("/metrics: " + m);
        }
        return m.body().lines().filter(l -> l.startsWith(sample + " "))
                .mapToLong(l -> Long.parseLong(l.substring(sample.length() + 1).strip())).sum();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
