package dev.dmengine.bench;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.identity.Player;
import dev.dmengine.spi.infra.RateLimit;
import dev.dmengine.spi.retrieval.VectorRecord;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * The DM turn's own overhead: in-memory adapters, hashing embedder, offline narrator with
 * its pacing off, in a session that already holds 10,000 messages. Prints turns/s and the
 * p50/p99/max latency of a turn. Not a test; run with {@code ./dm bench TurnBench [messages] [turns]}.
 */
public final class TurnBench {

    private static final String[] WORDS = ("goblin cave river torch sword shield dragon tavern ale key door "
            + "silver forest wolf moon bridge tower wizard scroll potion gold merchant guard castle ruin well "
            + "storm ship harbour map crown shadow").split(" ");

    public static void main(String[] args) {
        int preload = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int warmup = 3_000;

        DmEngine engine = DmEngine.builder()
                .languageModel(new OfflineNarrator())
                .turnConfig(TurnConfig.defaults().withTurnRate(new RateLimit(1_000_000, Duration.ofSeconds(1), 1_000_000)))
                .build();
        Player player = engine.players().create("bench@example.org", "Bench");
        var hero = engine.characters().create(player.id(), NewCharacter.of("Aria", "wizard"));
        Random random = new Random(1);

        GameSession warm = engine.sessions().create(player.id(), hero.id(), "warm-up");
        fill(engine, warm, preload, random);
        GameSession measured = engine.sessions().create(player.id(), hero.id(), "measured");
        long t0 = System.nanoTime();
        fill(engine, measured, preload, random);
        double fillSeconds = (System.nanoTime() - t0) / 1e9;

        for (int i = 0; i < warmup; i++) {
            engine.turns().play(TurnRequest.of(warm.id(), player.id(), sentence(random)), TurnListener.NONE);
        }

        long[] nanos = new long[turns];
        boolean[] twoRounds = new boolean[turns];
        long start = System.nanoTime();
        for (int i = 0; i < turns; i++) {
            String text = sentence(random);
            long s = System.nanoTime();
            var result = engine.turns().play(TurnRequest.of(measured.id(), player.id(), text), TurnListener.NONE);
            nanos[i] = System.nanoTime() - s;
            twoRounds[i] = !result.mechanics().isEmpty();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] oneRoundNanos = java.util.stream.IntStream.range(0, turns).filter(i -> !twoRounds[i])
                .mapToLong(i -> nanos[i]).sorted().toArray();
        int withRules = turns - oneRoundNanos.length;
        Arrays.sort(nanos);
        long messages = engine.ports().messageStore().count(measured.id());
        System.out.printf("TurnBench: in-memory adapters, %s embedder, offline narrator (no pacing), JDK %s, %d cores%n",
                engine.ports().embedder().space(), Runtime.version().feature(), Runtime.getRuntime().availableProcessors());
        System.out.printf("  session preloaded with %,d messages (%.1f s to embed and index); %,d turns measured after %,d warm-up turns%n",
                preload, fillSeconds, turns, warmup);
        System.out.printf("  session size at the end: %,d messages%n", messages);
        System.out.printf("  throughput: %.0f turns/s%n", turns / seconds);
        System.out.printf("  per turn: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                pct(nanos, 50), pct(nanos, 90), pct(nanos, 99), nanos[nanos.length - 1] / 1e6);
        System.out.printf("  %,d turns (%.0f%%) asked the rules for a roll and took a second generation round;%n"
                + "  the others alone: p50 %.3f ms, p99 %.3f ms%n", withRules, 100.0 * withRules / turns,
                pct(oneRoundNanos, 50), pct(oneRoundNanos, 99));
        Runtime rt = Runtime.getRuntime();
        System.out.printf("  heap in use: %.0f MiB%n", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    }

    private static void fill(DmEngine engine, GameSession session, int n, Random random) {
        var p = engine.ports();
        for (int i = 0; i < n; i++) {
            String text = sentence(random);
            Message m = p.messageStore().append(new Message(Ids.newId(), session.id(), null,
                    i % 2 == 0 ? MessageRole.PLAYER : MessageRole.DM, text, p.clock().instant(), Map.of()));
            p.vectorIndex().upsert(p.embedder().space(),
                    new VectorRecord(m.id(), session.id(), session.ownerId(), p.embedder().embed(text)));
        }
    }

    private static String sentence(Random random) {
        StringBuilder sb = new StringBuilder("I");
        int n = 6 + random.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.append('.').toString();
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
