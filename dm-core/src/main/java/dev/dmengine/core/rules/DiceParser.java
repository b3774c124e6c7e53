package dev.dmengine.core.rules;

import dev.dmengine.core.rules.DiceExpression.Constant;
import dev.dmengine.core.rules.DiceExpression.Dice;
import dev.dmengine.core.rules.DiceExpression.Keep;
import dev.dmengine.core.rules.DiceExpression.Term;
import dev.dmengine.core.rules.RollMode;
import dev.dmengine.spi.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Recursive-descent parser for {@link DiceExpression}; positions in messages are 1-based. */
final class DiceParser {

    private static final String FIELD = "expression";
    private static final int MAX_TERMS = 20;

    private final String src;
    private final String text;
    private int pos;

    private DiceParser(String src) {
        this.src = src;
        this.text = src.toLowerCase(Locale.ROOT);
    }

    static DiceExpression parse(String src) {
        if (src == null || src.isBlank()) {
            throw new InvalidInputException(FIELD, "must not be empty; e.g. 1d20+5");
        }
        if (src.length() > DiceExpression.MAX_LENGTH) {
            throw new InvalidInputException(FIELD, "must be at most " + DiceExpression.MAX_LENGTH
                    + " characters, was " + src.length());
        }
        return new DiceParser(src).expression();
    }

    private DiceExpression expression() {
        List<Term> terms = new ArrayList<>();
        skipSpaces();
        boolean negative = false;
        if (peek() == '+' || peek() == '-') {
            negative = text.charAt(pos) == '-';
            pos++;
            skipSpaces();
        }
        int dice = 0;
        while (true) {
            Term t = term(negative);
            if (t instanceof Dice d) {
                dice += d.count();
                if (dice > DiceExpression.MAX_DICE) {
                    throw error("at most " + DiceExpression.MAX_DICE + " dice in total, this expression rolls "
                            + "more");
                }
            }
            terms.add(t);
            if (terms.size() > MAX_TERMS) {
                throw error("at most " + MAX_TERMS + " terms");
            }
            skipSpaces();
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            if (c != '+' && c != '-') {
                throw error("expected '+' or '-' but found '" + src.charAt(pos) + "'");
            }
            negative = c == '-';
            pos++;
            skipSpaces();
        }
        return new DiceExpression(src, terms);
    }

    private Term term(boolean negative) {
        int start = pos;
        if (pos >= text.length()) {
            throw error("expected a number or dice (e.g. 2d6) but the expression ended");
        }
        Integer count = null;
        if (Character.isDigit(peek())) {
            count = number("number");
        }
        if (peek() != 'd') {
            if (count == null) {
                throw error("expected a number or dice (e.g. 2d6) but found '" + src.charAt(pos) + "'");
            }
            if (count > DiceExpression.MAX_CONSTANT) {
                throw errorAt(start, "constant must be at most " + DiceExpression.MAX_CONSTANT + ", was " + count);
            }
            return new Constant(negative, count);
        }
        if (count == null) {
            count = 1;
        }
        if (count < 1) {
            throw errorAt(start, "dice count must be at least 1, was " + count);
        }
        if (count > DiceExpression.MAX_DICE) {
            throw errorAt(start, "at most " + DiceExpression.MAX_DICE + " dice, was " + count);
        }
        pos++; // 'd'
        int sidesAt = pos;
        int sides;
        if (peek() == '%') {
            pos++;
            sides = 100;
        } else if (Character.isDigit(peek())) {
            sides = number("sides");
        } else {
            throw error("expected the number of sides or '%' after 'd'");
        }
        if (sides < 1 || sides > DiceExpression.MAX_SIDES) {
            throw errorAt(sidesAt, "sides must be 1 to " + DiceExpression.MAX_SIDES + ", was " + sides);
        }
        Keep keep = Keep.ALL;
        int keepCount = count;
        RollMode mode = RollMode.NORMAL;
        if (text.startsWith("adv", pos) || text.startsWith("dis", pos)) {
            if (count != 1) {
                throw error("adv/dis applies to a single die (e.g. 1d20adv), not " + count + " dice");
            }
            mode = text.startsWith("adv", pos) ? RollMode.ADVANTAGE : RollMode.DISADVANTAGE;
            pos += 3;
            return new Dice(negative, 2, sides, mode == RollMode.ADVANTAGE ? Keep.HIGHEST : Keep.LOWEST, 1, mode);
        }
        if (peek() == 'k') {
            pos++;
            keep = Keep.HIGHEST;
            if (peek() == 'h') {
                pos++;
            } else if (peek() == 'l') {
                pos++;
                keep = Keep.LOWEST;
            }
            int keepAt = pos;
            if (!Character.isDigit(peek())) {
                throw error("expected how many dice to keep, e.g. 4d6kh3");
            }
            keepCount = number("keep count");
            if (keepCount < 1 || keepCount > count) {
                throw errorAt(keepAt, "can keep 1 to " + count + " dice, was " + keepCount);
            }
        }
        return new Dice(negative, count, sides, keep, keepCount, mode);
    }

    private int number(String what) {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        String digits = text.substring(start, pos);
        if (digits.length() > 6) {
            throw errorAt(start, what + " is too large: " + digits);
        }
        return Integer.parseInt(digits);
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private InvalidInputException error(String message) {
        return errorAt(pos, message);
    }

    private InvalidInputException errorAt(int at, String message) {
        return new InvalidInputException(FIELD, "at position " + (at + 1) + " of '" + src + "': " + message);
    }
}
