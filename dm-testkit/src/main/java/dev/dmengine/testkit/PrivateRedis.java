package dev.dmengine.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, run as a child process, for fault tests that stop
 * and start Redis while a server uses it (the machine's shared Redis is never stopped: other
 * tests use it concurrently). It listens on a free loopback port with no persistence
 * ({@code --save '' --appendonly no}), so a restart comes back empty, as a crashed cache would.
 * {@link #stop()} kills it (SIGKILL, like a crash), {@link #start()} starts it again on the same
 * port, {@link #close()} kills it for good; a JVM shutdown hook does the same if the test never
 * gets there. The binary is {@code DM_TEST_REDIS_SERVER} or {@code redis-server} on the PATH.
 */
public final class PrivateRedis implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final String binary;
    private final int port;
    private final Path dir;
    private final Thread cleanup;
    private Process process;

    private PrivateRedis(String binary, int port, Path dir) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
        this.cleanup = new Thread(this::destroy, "private-redis-cleanup");
    }

    /** Starts a new, empty Redis on a free port. */
    public static PrivateRedis create() {
        String env = System.getenv("DM_TEST_REDIS_SERVER");
        Path dir;
        try {
            dir = Files.createTempDirectory("dm-private-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateRedis redis = new PrivateRedis(env == null || env.isBlank() ? "redis-server" : env,
                PrivatePostgres.freePort(), dir);
        Runtime.getRuntime().addShutdownHook(redis.cleanup);
        try {
            redis.start();
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Starts the server (again) and returns once it answers {@code PING}. */
    public synchronized void start() {
        if (running()) {
            return;
        }
        try {
            process = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                    "--logfile", dir.resolve("redis.log").toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + " (set DM_TEST_REDIS_SERVER): " + e.getMessage(),
                    e);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start (" + process.exitValue() + "): " + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("redis-server did not answer PING within " + STARTUP + ": " + log());
            }
            pause();
        }
    }

    /** Kills the server (as a crash would) and returns once it is gone: connections are refused from then on. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping redis-server", e);
        }
        process = null;
    }

    /** Whether the server answers {@code PING} with {@code PONG} now. */
    public boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            s.setSoTimeout(1_000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, buf.length);
            return new String(buf, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** The server's log so far (for a failing test's message). */
    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) destroy() itself
        }
    }

    private synchronized void destroy() {
        try {
            stop();
        } catch (RuntimeException e) {
            // gone already
        }
        PrivatePostgres.deleteTree(dir);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }
}
