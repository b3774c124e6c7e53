package dev.dmengine.edgetests;

import dev.dmengine.testkit.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference server as a child process ({@code java -cp … dev.dmengine.server.Main}), configured
 * the way a deployment is: by environment variables ({@code dm.server.port} becomes
 * {@code DM_SERVER_PORT}, a dash {@code _dash_}). It listens on a port it picks itself and says
 * so on its console ("DM Engine is up on http://host:port"), which is how {@link #port()} is
 * known without racing for a free port. {@link #kill()} is {@code kill -9}; {@link #stop()} is
 * Ctrl+C (the server drains its turns).
 *
 * <pre>
 * try (ServerProcess server = ServerProcess.builder().config("dm.server.trusted-proxies", "127.0.0.1/32").start()) {
 *     CaddyProcess.start(server.address());
 * }
 * </pre>
 */
public final class ServerProcess implements AutoCloseable {

    /** Failure limit for start-up on a loaded two-core machine; never a speed claim. */
    private static final Duration START_LIMIT = Duration.ofSeconds(180);
    private static final Pattern UP = Pattern.compile("DM Engine is up on http://([^:/\\s]+):(\\d+)");

    private final Process process;
    /** Ends the child if this JVM ends without {@link #close()} (a killed test run leaves no process behind). */
    private final Thread reaper;
    private final Path dir;
    private final Path log;
    private final String host;
    private final int port;

    private ServerProcess(Builder b) {
        try {
            dir = Files.createTempDirectory("dm-server-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log = dir.resolve("server.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(b.jvmOptions);
        cmd.add("-cp");
        cmd.add(b.classpath);
        cmd.add("dev.dmengine.server.Main");
        // the working directory is an empty one: no ./application.yaml from wherever the tests run
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("DM_") || k.equals("REPLICATE_API_TOKEN"));
        b.config.forEach((k, v) -> env.put(envName(k), v));
        try {
            process = pb.start();
            reaper = new Thread(process::destroyForcibly, "dm-server-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the reference server", e);
        }
        Matcher[] up = new Matcher[1];
        try {
            Await.until("the reference server to say it is up (log: " + log + ")", START_LIMIT, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the reference server exited with status " + process.exitValue());
                }
                Matcher m = UP.matcher(log());
                if (m.find()) {
                    up[0] = m;
                    return true;
                }
                return false;
            });
        } catch (RuntimeException | AssertionError e) {
            String text = log();
            process.destroyForcibly();
            forgetReaper();
            throw new IllegalStateException("the reference server did not start: " + e.getMessage() + "\n" + text, e);
        }
        host = up[0].group(1).equals("localhost") ? "127.0.0.1" : up[0].group(1);
        port = Integer.parseInt(up[0].group(2));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code dm.server.trusted-proxies} → {@code DM_SERVER_TRUSTED_dash_PROXIES}, as the server reads them. */
    public static String envName(String key) {
        return key.replace("-", "_dash_").replace('.', '_').toUpperCase(Locale.ROOT).replace("_DASH_", "_dash_");
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, for Caddy's upstream list. */
    public String address() {
        return host + ":" + port;
    }

    /** {@code http://host:port}: the instance itself, bypassing any edge. */
    public String directOrigin() {
        return "http://" + address();
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Everything the server printed so far (its console: start-up, the access log, the audit log). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The lines of its access log ({@code … INFO access - METHOD path status bytes ms ip=… id=…}). */
    public List<String> accessLines() {
        return log().lines().filter(l -> l.contains(" access - ")).toList();
    }

    /** {@code kill -9}: no shutdown hook, no draining, sockets reset. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM, as Ctrl+C: the server drains its turns and stops; SIGKILL if it has not ended in 60 s. */
    public void stop() {
        process.destroy();
        if (!waitFor(Duration.ofSeconds(60))) {
            kill();
        }
    }

    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        forgetReaper();
        CaddyProcess.deleteTree(dir);
    }

    /** Configuration (dm.* keys as in application.yaml), JVM options and the class path. */
    public static final class Builder {
        private final Map<String, String> config = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xms64m", "-Xmx512m"));
        private String classpath = System.getProperty("java.class.path");

        private Builder() {
            // what every test instance shares: loopback only, a port of its own, light and quick
            config.put("dm.server.host", "127.0.0.1");
            config.put("dm.server.port", "0");
            config.put("dm.server.shutdown-grace", "2s");
            config.put("dm.embedder.provider", "hashing");
        }

        /** A {@code dm.*} setting, e.g. {@code config("dm.narrator.pacing", "0ms")}. */
        public Builder config(String key, String value) {
            if (!key.startsWith("dm.")) {
                throw new IllegalArgumentException("configuration keys start with dm., was " + key);
            }
            config.put(key, value);
            return this;
        }

        public Builder config(Map<String, String> values) {
            values.forEach(this::config);
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** The class path holding reference-server and its dependencies; by default this JVM's. */
        public Builder classpath(String value) {
            classpath = value;
            return this;
        }

        public ServerProcess start() {
            return new ServerProcess(this);
        }
    }
}
