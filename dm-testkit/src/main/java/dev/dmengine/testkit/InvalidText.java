package dev.dmengine.testkit;

import dev.dmengine.spi.InvalidInputException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Text no store may keep, for the stores' contract cases: a string that is not valid Unicode
 * (an unpaired UTF-16 surrogate, which UTF-8 cannot encode, so a driver writes {@code ?} and a
 * JSON writer fails on it) or that holds NUL (which PostgreSQL's text cannot hold and C
 * strings end at). A store refuses such text with an {@link InvalidInputException} naming the
 * field, and stores nothing; the engine refuses it before any store is called, but a store is
 * the last line for whoever calls it directly.
 */
public final class InvalidText {

    /** Each holds one thing no store may keep, among ordinary characters. */
    public static final List<String> SAMPLES = List.of(
            "a lone high surrogate \uD800 here",
            "a lone low surrogate \uDFFF here",
            "a reversed pair \uDC00\uD800 here",
            "a high surrogate at the end \uD83D",
            "a NUL \u0000 here");

    /**
     * JSON documents whose strings hold the same, raw or spelled as {@code \}{@code u} escapes
     * (a JSON parser turns {@code "\}{@code ud800"} into an unpaired surrogate).
     */
    public static final List<String> JSON_SAMPLES = List.of(
            "{\"a\":\"raw \uD800 surrogate\"}",
            "{\"a\":\"escaped \\ud800 high surrogate\"}",
            "{\"a\":\"escaped \\udfff low surrogate\"}",
            "{\"a\":\"escaped high at the end \\ud83d\"}",
            "{\"a\":\"escaped \\u0000 NUL\"}",
            "{\"key \\ud800\":1}");

    private InvalidText() {
    }

    /** Asserts that the call is refused as invalid input, {@code sample} naming the case in the failure. */
    public static void assertRefused(String sample, ThrowingCallable call) {
        assertThatThrownBy(call).as("storing %s", describe(sample)).isInstanceOf(InvalidInputException.class);
    }

    /** The sample with its special characters spelled out, for failure messages. */
    public static String describe(String sample) {
        StringBuilder b = new StringBuilder();
        for (char c : sample.toCharArray()) {
            b.append(c < 0x20 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
