package dev.dmengine.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own, for fault tests that stop and start the database
 * while a server uses it (the shared PostgreSQL of the machine is never stopped: other tests
 * use it concurrently). {@link #create()} runs {@code initdb} into a fresh temporary directory
 * and starts the cluster on a free loopback port, with trust authentication for the user
 * {@code postgres} and {@code fsync} off (a stopped or killed server loses nothing it committed;
 * only a machine crash could); {@link #stop(StopMode)} and {@link #start()} take it
 * down and up again on the same port and data; {@link #close()} stops it and deletes the
 * directory (a JVM shutdown hook does the same if the test never gets there).
 *
 * <p>The binaries come from {@code DM_TEST_PG_BIN}, by default the newest
 * {@code /usr/lib/postgresql/<major>/bin}, where {@code scripts/services.sh} installs PostgreSQL
 * with pgvector, so {@code CREATE EXTENSION vector} works. Run as root, the cluster belongs to the
 * {@code postgres} system user ({@code runuser}), since PostgreSQL refuses to run as root.
 */
public final class PrivatePostgres implements AutoCloseable {

    /** How {@code pg_ctl stop} ends the server. */
    public enum StopMode {
        /** Disconnects clients, rolls back their transactions, checkpoints, exits. */
        FAST,
        /** Kills every server process at once, as a crash would; the next start runs recovery. */
        IMMEDIATE
    }

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asRoot;
    private final Thread cleanup;
    private boolean running;

    private PrivatePostgres(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asRoot = "root".equals(System.getProperty("user.name"));
        this.cleanup = new Thread(this::destroy, "private-postgres-cleanup");
    }

    /** Creates a new cluster in a temporary directory and starts it. */
    public static PrivatePostgres create() {
        String env = System.getenv("DM_TEST_PG_BIN");
        Path bin = env == null || env.isBlank() ? newestDebianBinaries() : Paths.get(env);
        if (!Files.isExecutable(bin.resolve("initdb"))) {
            throw new IllegalStateException("no PostgreSQL binaries at " + bin + " (set DM_TEST_PG_BIN to the directory "
                    + "of initdb and pg_ctl; ./dm test installs PostgreSQL under /usr/lib/postgresql)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("dm-private-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, dir, freePort());
        Runtime.getRuntime().addShutdownHook(pg.cleanup);
        try {
            pg.initdb();
            pg.start();
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** {@code /usr/lib/postgresql/<newest major>/bin}, where Debian's packages put the server's binaries. */
    private static Path newestDebianBinaries() {
        Path root = Paths.get("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin")).orElse(root.resolve("15/bin"));
        } catch (IOException e) {
            return root.resolve("15/bin");
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of the {@code postgres} database; user {@code postgres}, no password. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The temporary directory holding the cluster's data, socket and log; deleted by {@link #close()}. */
    public Path directory() {
        return dir;
    }

    public String user() {
        return "postgres";
    }

    public synchronized boolean running() {
        return running;
    }

    /** Starts the cluster (again) and returns once it accepts connections. */
    public synchronized void start() {
        // fsync off: a killed server keeps what it wrote (the kernel has it); only a machine crash could lose it.
        // synchronous_commit stays on, so a commit a client saw survives pg_ctl stop -m immediate.
        pgCtl("start", "-w", "-t", Long.toString(STARTUP.toSeconds()), "-l", dir.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c full_page_writes=off -c max_connections=100");
        running = true;
    }

    /** Stops the cluster and returns once it is down: new connections are refused from then on. */
    public synchronized void stop(StopMode mode) {
        pgCtl("stop", "-w", "-t", Long.toString(STARTUP.toSeconds()), "-m", mode.name().toLowerCase(Locale.ROOT));
        running = false;
    }

    /** Whether a TCP connection to the cluster's port is accepted now. */
    public boolean acceptsConnections() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The server's log so far (for a failing test's message). */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
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
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                pgCtl("stop", "-w", "-t", "30", "-m", "immediate");
            } catch (RuntimeException e) {
                // already down, or gone: delete what is left
            }
        }
        running = false;
        deleteTree(dir);
    }

    private void initdb() {
        if (asRoot) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        run(asUser(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync")));
    }

    private void pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
        cmd.addAll(List.of(args));
        run(asUser(cmd));
    }

    private List<String> asUser(List<String> cmd) {
        if (!asRoot) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes(); // pg_ctl start -l: the server's output goes to its log
            if (!p.waitFor(STARTUP.toSeconds() + 30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): "
                        + new String(out).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd.getFirst(), e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the OS's temp cleaner
                }
            });
        } catch (IOException e) {
            // left for the OS's temp cleaner
        }
    }
}
