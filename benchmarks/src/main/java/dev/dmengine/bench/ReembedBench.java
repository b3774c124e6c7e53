package dev.dmengine.bench;

import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.postgres.Reembedder;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * What a re-embedding run costs besides the model: {@code messages} messages (default 20,000)
 * with 384-d hashing vectors in PostgreSQL, re-embedded with {@link Reembedder} into a 256-d
 * space in batches of {@code batch} (default 256), on adapters whose background indexer runs
 * as a server's does. Prints the rate (texts/s), the batch latency, the time of the finish
 * (graph build, sweeps, switch) and how long a player-scope search takes while it runs. The
 * hashing embedder costs microseconds a text, so the figures are the database's side; with a
 * real model, add the model's own time per text.
 *
 * <pre>./dm bench ReembedBench [messages] [batch] [--url …] [--user …] [--keep]</pre>
 */
public final class ReembedBench {

    public static void main(String[] args) throws Exception {
        List<String> plain = Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
        int messages = plain.isEmpty() ? 20_000 : Integer.parseInt(plain.get(0));
        int batch = plain.size() < 2 ? 256 : Integer.parseInt(plain.get(1));
        String url = option(args, "--url", env("DM_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
        String user = option(args, "--user", env("DM_TEST_PG_USER", "postgres"));
        String password = option(args, "--password", env("DM_TEST_PG_PASSWORD", ""));
        boolean keep = Arrays.asList(args).contains("--keep");
        String suffix = Long.toHexString(System.nanoTime()).substring(0, 8);
        System.out.printf(Locale.ROOT, "ReembedBench: %,d messages, 384 -> 256 dimensions, batches of %d, %d cores, "
                + "Java %s%n", messages, batch, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (PostgresAdapters pg = PostgresAdapters.builder().jdbcUrl(url).user(user).password(password)
                .authSchema("bench_auth_" + suffix).gameSchema("bench_game_" + suffix).maxPoolSize(6).build()) {
            try {
                run(pg, messages, batch);
            } finally {
                if (!keep) {
                    pg.dropSchemas();
                }
            }
        }
    }

    private static void run(PostgresAdapters pg, int count, int batch) throws Exception {
        Embedder from = new HashingEmbedder(384);
        Embedder to = new HashingEmbedder(256);
        Random random = new Random(42);
        UUID player = Ids.newId();
        String[] words = {"dragon", "crypt", "lantern", "goblin", "market", "abbot", "ledger", "crown", "marsh",
            "owl", "tower", "rune", "keeper", "silver", "salt", "storm", "bridge", "wolf", "ember", "well"};
        long t0 = System.nanoTime();
        List<VectorRecord> pending = new ArrayList<>();
        UUID session = Ids.newId();
        for (int i = 0; i < count; i++) {
            if (i % 500 == 0) {
                session = Ids.newId();
            }
            StringBuilder text = new StringBuilder("I ");
            for (int w = 0; w < 12; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            Message m = pg.messages().append(new Message(Ids.newId(), session, null, MessageRole.PLAYER,
                    text.toString().strip(), Instant.now(), Map.of()));
            pending.add(new VectorRecord(m.id(), session, player, from.embed(m.content())));
            if (pending.size() == 1_000) {
                pg.vectorIndex().upsertAll(from.space(), pending);
                pending.clear();
            }
        }
        pg.vectorIndex().upsertAll(from.space(), pending);
        pg.vectorIndex().rebuildAnnIndex(from.space(), 256);
        System.out.printf(Locale.ROOT, "  loaded and indexed in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        List<Long> batchNanos = new ArrayList<>();
        List<Long> searchNanos = new ArrayList<>();
        long[] last = {System.nanoTime()};
        long start = System.nanoTime();
        float[] query = from.embed("the dragon in the crypt");
        Reembedder.Progress p = pg.reembedder().run(to, batch, Integer.MAX_VALUE, (progress, n) -> {
            long now = System.nanoTime();
            batchNanos.add(now - last[0]);
            long s = System.nanoTime();
            pg.vectorIndex().search(VectorQuery.player(from.space(), player, query, 10));
            searchNanos.add(System.nanoTime() - s);
            last[0] = System.nanoTime();
        });
        long end = System.nanoTime();
        long finish = end - last[0];
        double seconds = (end - start) / 1e9;
        System.out.printf(Locale.ROOT, "  re-embedded %,d texts in %.1f s = %,.0f texts/s (state %s)%n", p.done(), seconds,
                p.done() / seconds, p.state());
        double build = (last[0] - start) / 1e9;
        System.out.printf(Locale.ROOT, "  of which the batches: %.1f s = %,.0f texts/s%n", build, p.done() / build);
        System.out.printf(Locale.ROOT, "  batch of %d: p50 %.1f ms, p99 %.1f ms; finish (graph build, sweeps, switch) "
                + "%.1f s%n", batch, percentile(batchNanos, 50), percentile(batchNanos, 99), finish / 1e9);
        System.out.printf(Locale.ROOT, "  player-scope search of the old space during the run: p50 %.1f ms, p99 %.1f ms "
                + "(%d searches)%n", percentile(searchNanos, 50), percentile(searchNanos, 99), searchNanos.size());
        System.out.printf(Locale.ROOT, "  vectors waiting for the new graph after the switch: %,d%n",
                pg.vectorIndex().pending(to.space()));
    }

    private static double percentile(List<Long> nanos, int p) {
        if (nanos.isEmpty()) {
            return 0;
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
