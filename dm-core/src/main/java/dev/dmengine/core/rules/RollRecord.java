package dev.dmengine.core.rules;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The audit record of one roll. Rolling the same expression with the same session seed and
 * {@code counter} always gives an equal record (see {@link DiceRoller#verify}).
 *
 * @param counter    the session roll counter this roll used
 * @param expression the expression as rolled (re-parsable)
 * @param dice       every die in roll order, with whether it counted
 * @param modifier   the sum of the constant terms
 * @param total      kept dice (negative terms subtracted) plus modifier
 * @param purpose    why it was rolled, e.g. {@code "stealth check"}
 * @param turnId     the turn it belongs to, or {@code null} outside a turn
 */
public record RollRecord(long counter, String expression, List<Die> dice, int modifier, int total, String purpose,
                         UUID turnId) {

    public RollRecord {
        Objects.requireNonNull(expression, "expression");
        dice = List.copyOf(dice);
    }

    /**
     * One die.
     *
     * @param kept     whether it counts toward the total (false when dropped by kh/kl/adv/dis)
     * @param negative whether its term is subtracted
     */
    public record Die(int sides, int value, boolean kept, boolean negative) {
    }

    /** The first kept die's face: the "natural" roll of a d20 check, attack or save. */
    public int natural() {
        return dice.stream().filter(Die::kept).findFirst().map(Die::value).orElse(0);
    }

    /** Compact text: {@code 1d20adv+5 = [7, 14] +5 = 19} (dropped dice marked with '~'). */
    public String describe() {
        StringBuilder b = new StringBuilder(expression).append(" = [");
        for (int i = 0; i < dice.size(); i++) {
            Die d = dice.get(i);
            if (i > 0) {
                b.append(", ");
            }
            b.append(d.negative() ? "-" : "").append(d.kept() ? "" : "~").append(d.value());
        }
        b.append(']');
        if (modifier != 0) {
            b.append(modifier > 0 ? " +" : " ").append(modifier);
        }
        return b.append(" = ").append(total).toString();
    }
}
