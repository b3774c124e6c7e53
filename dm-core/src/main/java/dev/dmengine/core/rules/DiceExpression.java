package dev.dmengine.core.rules;

import dev.dmengine.spi.InvalidInputException;
import java.util.List;

/**
 * A parsed dice expression such as {@code 4d6kh3}, {@code 1d20adv+5}, {@code 2d8+1d6-1} or {@code d%}.
 *
 * <p>Grammar (case-insensitive, spaces allowed around {@code +}/{@code -}):
 * <pre>
 * expression := ['+'|'-'] term (('+'|'-') term)*
 * term       := integer | [count] 'd' (sides | '%') [('kh'|'kl'|'k') keep] ['adv'|'dis']
 * </pre>
 * {@code d%} is {@code 1d100}; {@code k3} means {@code kh3}; {@code 1d20adv} rolls two d20 and keeps
 * the higher ({@code dis}: the lower) and is only allowed on a single die.
 * Limits: expression at most {@value #MAX_LENGTH} characters, at most {@value #MAX_DICE} dice in total
 * (advantage counts two), sides 1 to {@value #MAX_SIDES}, constants 0 to {@value #MAX_CONSTANT}.
 *
 * @param source the text as given
 * @param terms  the terms in order
 */
public record DiceExpression(String source, List<Term> terms) {

    public static final int MAX_LENGTH = 100;
    public static final int MAX_DICE = 100;
    public static final int MAX_SIDES = 1_000;
    public static final int MAX_CONSTANT = 10_000;

    public DiceExpression {
        terms = List.copyOf(terms);
    }

    /** One term of an expression. */
    public sealed interface Term permits Dice, Constant {
        /** Whether the term is subtracted. */
        boolean negative();
    }

    /** Which dice of a term count towards the total. */
    public enum Keep { ALL, HIGHEST, LOWEST }

    /**
     * {@code count} dice of {@code sides} sides, keeping {@code keepCount} of them ({@code count} when
     * {@code keep} is {@link Keep#ALL}).
     *
     * @param mode {@link RollMode#ADVANTAGE}/{@link RollMode#DISADVANTAGE} when written {@code adv}/{@code dis}
     */
    public record Dice(boolean negative, int count, int sides, Keep keep, int keepCount, RollMode mode)
            implements Term {
    }

    /** A constant modifier. */
    public record Constant(boolean negative, int value) implements Term {
    }

    /**
     * Parses an expression.
     *
     * @throws InvalidInputException on field {@code expression}, naming the position and the problem
     */
    public static DiceExpression parse(String text) {
        return DiceParser.parse(text);
    }

    /** Number of dice rolled (advantage counts two). */
    public int diceCount() {
        return terms.stream().mapToInt(t -> t instanceof Dice d ? d.count() : 0).sum();
    }

    /** Sum of the constant terms. */
    public int modifier() {
        return terms.stream().mapToInt(t -> t instanceof Constant c ? (c.negative() ? -c.value() : c.value()) : 0)
                .sum();
    }

    /** The smallest possible total. */
    public int min() {
        int sum = 0;
        for (Term t : terms) {
            if (t instanceof Dice d) {
                sum += d.negative() ? -d.keepCount() * d.sides() : d.keepCount();
            }
        }
        return sum + modifier();
    }

    /** The largest possible total. */
    public int max() {
        int sum = 0;
        for (Term t : terms) {
            if (t instanceof Dice d) {
                sum += d.negative() ? -d.keepCount() : d.keepCount() * d.sides();
            }
        }
        return sum + modifier();
    }

    /** Canonical text, e.g. {@code 1d20adv+5}, {@code 4d6kh3}, {@code 2d8-1}; parses back to an equal expression. */
    public String canonical() {
        StringBuilder b = new StringBuilder();
        for (Term t : terms) {
            if (t.negative()) {
                b.append('-');
            } else if (!b.isEmpty()) {
                b.append('+');
            }
            switch (t) {
                case Constant c -> b.append(c.value());
                case Dice d -> {
                    if (d.mode() != RollMode.NORMAL) {
                        b.append("1d").append(d.sides()).append(d.mode() == RollMode.ADVANTAGE ? "adv" : "dis");
                    } else {
                        b.append(d.count()).append('d').append(d.sides());
                        if (d.keep() != Keep.ALL) {
                            b.append(d.keep() == Keep.HIGHEST ? "kh" : "kl").append(d.keepCount());
                        }
                    }
                }
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }
}
