package dev.dmengine.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dmengine.testkit.Await;

/**
 * A redis-server child process of the test's own, on a free port, that a fault test may stop and
 * start again on the same port (the shared server on 6379 is never touched). Without persistence
 * a restart loses every key; with it ({@code appendonly yes}, fsync always) the keys come back.
 */
final class PrivateRedis implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final int port;
    private final boolean persistent;
    private final Path dir;
    private Process process;

    private PrivateRedis(boolean persistent) throws IOException {
        if (!new File("/usr/bin/redis-server").canExecute() && !onPath("redis-server")) {
            throw new IllegalStateException("redis-server is not installed (scripts/services.sh installs it)");
        }
        this.port = freePort();
        this.persistent = persistent;
        this.dir = Files.createTempDirectory("dm-private-redis");
    }

    /** A server that forgets everything when stopped. */
    static PrivateRedis ephemeral() throws IOException {
        PrivateRedis r = new PrivateRedis(false);
        r.start();
        return r;
    }

    /** A server that writes every command to its append-only file and reloads it when started again. */
    static PrivateRedis persistent() throws IOException {
        PrivateRedis r = new PrivateRedis(true);
        r.start();
        return r;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--dir", dir.toString()));
        if (persistent) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        Await.until("the private redis-server on port " + port + " answers PING", STARTUP, this::answersPing);
    }

    /** Stops the server (SIGTERM: a clean shutdown, which fsyncs a persistent one) and waits for it to exit. */
    synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws Exception {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private boolean answersPing() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " exited; see " + dir.resolve("redis.log"));
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[7];
            int n = in.read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static boolean onPath(String binary) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (new File(d, binary).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
