package dev.dmengine.core.prompt;

import dev.dmengine.spi.generation.TokenCounter;

import java.nio.charset.StandardCharsets;

/**
 * A token estimate that errs high for every common tokenizer: one token per three UTF-8
 * bytes (English BPE averages about four characters a token; other scripts cost more bytes
 * per character, which this counts), and never fewer tokens than words.
 */
public final class ConservativeTokenCounter implements TokenCounter {

    public static final ConservativeTokenCounter INSTANCE = new ConservativeTokenCounter();

    @Override
    public int count(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        int bytes = utf8Length(text);
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return Math.max((bytes + 2) / 3, words);
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** For tests: the exact UTF-8 length this counter uses. */
    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
