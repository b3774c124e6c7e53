package dev.dmengine.core.rules;

import dev.dmengine.core.rules.DiceExpression.Constant;
import dev.dmengine.core.rules.DiceExpression.Dice;
import dev.dmengine.core.rules.DiceExpression.Keep;
import dev.dmengine.core.rules.internal.SplitMix64;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Rolls dice deterministically: the dice of a roll come from a SplitMix64 stream seeded with
 * {@code mix(sessionSeed, counter)}, so {@code (seed, counter, expression)} always gives the same
 * {@link RollRecord}. Stateless and thread-safe; the caller owns the counter (it lives in
 * {@link GameState#rollCounter()}), which is why a retried or regenerated turn never re-rolls.
 */
public final class DiceRoller {

    private final long sessionSeed;

    public DiceRoller(long sessionSeed) {
        this.sessionSeed = sessionSeed;
    }

    public long sessionSeed() {
        return sessionSeed;
    }

    /** Parses and rolls {@code expression}; see {@link #roll(long, DiceExpression, String, UUID)}. */
    public RollRecord roll(long counter, String expression, String purpose, UUID turnId) {
        return roll(counter, DiceExpression.parse(expression), purpose, turnId);
    }

    /**
     * Rolls an expression with the dice stream of {@code counter}. Dice are drawn term by term, left
     * to right; kh/kl keep the highest/lowest faces (ties: the earlier die).
     */
    public RollRecord roll(long counter, DiceExpression expression, String purpose, UUID turnId) {
        Objects.requireNonNull(expression, "expression");
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(sessionSeed, counter));
        List<RollRecord.Die> dice = new ArrayList<>();
        int total = 0;
        int modifier = 0;
        for (DiceExpression.Term term : expression.terms()) {
            switch (term) {
                case Constant c -> modifier += c.negative() ? -c.value() : c.value();
                case Dice d -> {
                    int[] faces = new int[d.count()];
                    for (int i = 0; i < faces.length; i++) {
                        faces[i] = rng.nextDie(d.sides());
                    }
                    boolean[] kept = keep(faces, d.keep(), d.keepCount());
                    for (int i = 0; i < faces.length; i++) {
                        dice.add(new RollRecord.Die(d.sides(), faces[i], kept[i], d.negative()));
                        if (kept[i]) {
                            total += d.negative() ? -faces[i] : faces[i];
                        }
                    }
                }
            }
        }
        return new RollRecord(counter, expression.source(), dice, modifier, total + modifier, purpose, turnId);
    }

    /** Whether a record is exactly what rolling its expression with its counter gives under this seed. */
    public boolean verify(RollRecord record) {
        return roll(record.counter(), record.expression(), record.purpose(), record.turnId()).equals(record);
    }

    private static boolean[] keep(int[] faces, Keep keep, int keepCount) {
        boolean[] kept = new boolean[faces.length];
        if (keep == Keep.ALL) {
            java.util.Arrays.fill(kept, true);
            return kept;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < faces.length; i++) {
            order.add(i);
        }
        Comparator<Integer> byFace = Comparator.comparingInt(i -> faces[i]);
        order.sort(keep == Keep.HIGHEST ? byFace.reversed().thenComparing(i -> i) : byFace.thenComparing(i -> i));
        for (int k = 0; k < keepCount; k++) {
            kept[order.get(k)] = true;
        }
        return kept;
    }
}
