package dev.dmengine.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server of the test's own: S3Proxy (filesystem backend, AWS Signature V4) run by
 * the repository's {@code scripts/s3proxy.sh} as a separate process on a free loopback port,
 * with CORS for the given browser origins. The server and browser tests point the reference
 * server's {@code dm.s3.*} at it. {@link #close()} stops it (a JVM shutdown hook does if the test
 * never gets there); the objects live in a temporary directory removed then.
 */
public final class S3ProxyProcess implements AutoCloseable {

    public static final String ACCESS_KEY = "dm-test-access";
    public static final String SECRET_KEY = "dm-test-secret-that-is-long-enough";

    private final Path script;
    private final int port;
    private final Path dir;
    private final Thread cleanup;
    private volatile boolean stopped;

    private S3ProxyProcess(Path script, int port, Path dir) {
        this.script = script;
        this.port = port;
        this.dir = dir;
        this.cleanup = new Thread(this::stop, "s3proxy-cleanup");
    }

    /**
     * Starts S3Proxy on a free port. The first start on a machine resolves its classpath with
     * Maven (about half a minute); later ones take a few seconds.
     *
     * @param corsOrigins the origins whose pages may PUT and GET through pre-signed URLs
     */
    public static S3ProxyProcess start(List<String> corsOrigins) {
        Path script = findScript();
        Path dir;
        try {
            dir = Files.createTempDirectory("dm-s3proxy-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3ProxyProcess s3 = new S3ProxyProcess(script, PrivatePostgres.freePort(), dir);
        Runtime.getRuntime().addShutdownHook(s3.cleanup);
        List<String> args = new ArrayList<>(List.of("start", "--port", Integer.toString(s3.port), "--dir",
                dir.resolve("data").toString(), "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY));
        for (String origin : corsOrigins) {
            args.addAll(List.of("--cors-origin", origin));
        }
        try {
            s3.run(args);
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
        return s3;
    }

    public int port() {
        return port;
    }

    /** The store's URL, e.g. {@code http://127.0.0.1:41234}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The same store under the name {@code localhost}, as a browser-facing endpoint. */
    public String localhostEndpoint() {
        return "http://localhost:" + port;
    }

    /** Where the objects are kept, as files under a directory per bucket. */
    public Path dataDir() {
        return dir.resolve("data");
    }

    private void run(List<String> args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("s3proxy.sh " + args + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("s3proxy.sh " + args.getFirst() + " failed (" + p.exitValue() + "): "
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running s3proxy.sh", e);
        }
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            run(List.of("stop", "--port", Integer.toString(port)));
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs (or ran) stop, which is idempotent
        }
    }

    /** {@code scripts/s3proxy.sh} of the checkout this test runs in (the module's parent directories). */
    private static Path findScript() {
        Path at = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = at; p != null; p = p.getParent()) {
            Path candidate = p.resolve("scripts").resolve("s3proxy.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("scripts/s3proxy.sh not found above " + at);
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the machine's clean-up takes it
        }
    }
}
