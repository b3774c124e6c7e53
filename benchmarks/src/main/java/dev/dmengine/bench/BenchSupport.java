package dev.dmengine.bench;

import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.redis.RedisAdapters;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What the full-stack benchmarks share: the machine's PostgreSQL and Redis (as the tests find
 * them: {@code DM_TEST_PG_URL}, {@code DM_TEST_PG_USER}, {@code DM_TEST_PG_PASSWORD},
 * {@code DM_TEST_REDIS_URL}) under private schema and key prefixes removed afterwards, the
 * reference server's own class path, the load average and percentiles. Uses only classes that
 * are on the reference server's class path (it runs there, see {@link #runOnServerClasspath}).
 */
final class BenchSupport {

    static final String PG_URL = env("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = env("DM_TEST_PG_USER", "postgres");
    static final String PG_PASSWORD = env("DM_TEST_PG_PASSWORD", "");
    static final String REDIS_URL = env("DM_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    private BenchSupport() {
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A fresh schema prefix ({@code <tag><10 hex>_}) or Redis key prefix ({@code dmbench:<tag>:<8 hex>:}). */
    static String schemaPrefix(String tag) {
        return tag + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toLowerCase(Locale.ROOT) + "_";
    }

    static String keyPrefix(String tag) {
        return "dmbench:" + tag + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    static void dropSchemas(String prefix) {
        try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(PG_URL).user(PG_USER).password(PG_PASSWORD)
                .schemaPrefix(prefix).migrate(false).maxPoolSize(1).build()) {
            pg.dropSchemas();
        }
    }

    static void deleteKeys(String prefix) {
        try (RedisAdapters redis = RedisAdapters.builder().url(REDIS_URL).keyPrefix(prefix).build()) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match(prefix + "*").count(1_000);
            do {
                ScanResult<String> page = redis.client().scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    redis.client().del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
    }

    /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2] + " (" + Runtime.getRuntime().availableProcessors()
                    + " cores)";
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    /** CPU time (user + system) this JVM has used so far, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time (user + system) another process has used so far, in nanoseconds, from {@code /proc/<pid>/stat}. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time (user + system) used so far by every process named {@code command} (as
     * {@code /proc/<pid>/comm} has it: {@code postgres}, {@code redis-server}), in nanoseconds;
     * processes that exited are not counted (a pool's connections live as long as it does).
     */
    static long commandCpuNanos(String command) {
        long sum = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("comm")).trim().equals(command)) {
                        long n = processCpuNanos(Long.parseLong(name));
                        sum += Math.max(0, n);
                    }
                } catch (IOException e) {
                    // the process exited meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /** The p-th percentile (nearest rank) of the values, in milliseconds. */
    static double pct(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static double mean(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(Double.NaN) / 1e6;
    }

    /** The repository's root, from where this class was loaded ({@code benchmarks/target/classes}). */
    static Path repositoryRoot() {
        try {
            Path classes = Path.of(BenchSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The reference server's class path as {@code ./dm start} runs it ({@code reference-server/target/classes}
     * and its {@code classpath.txt}, both written by {@code ./dm bench}'s build).
     */
    static String serverClasspath() {
        Path target = repositoryRoot().resolve("reference-server/target");
        try {
            return target.resolve("classes").toAbsolutePath() + ":" + Files.readString(target.resolve("classpath.txt"))
                    .strip();
        } catch (IOException e) {
            throw new IllegalStateException("no " + target.resolve("classpath.txt") + ": build with ./dm bench", e);
        }
    }

    /**
     * Runs {@code main} again in a child JVM on the reference server's class path, with this
     * module's classes in front, unless it already runs there; returns {@code true} in the parent
     * once the child has ended (the caller returns). This module leaves {@code dm-onnx} out (its
     * LangChain4j release clashes with the BOM PgVectorBench imports), so a benchmark that needs
     * the server's default embedder (MiniLM) runs where the server itself does.
     */
    static boolean runOnServerClasspath(Class<?> main, String[] args) throws IOException, InterruptedException {
        try {
            Class.forName("dev.dmengine.onnx.MiniLmEmbedder", false, BenchSupport.class.getClassLoader());
            return false;
        } catch (ClassNotFoundException e) {
            // not here: relaunch
        }
        Path classes = repositoryRoot().resolve("benchmarks/target/classes");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(classes + ":" + serverClasspath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        int status = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        if (status != 0) {
            System.exit(status);
        }
        return true;
    }
}
