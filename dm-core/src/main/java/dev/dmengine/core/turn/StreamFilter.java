package dev.dmengine.core.turn;

/**
 * Decides which streamed model text the player sees, e.g. withholding a fenced block of
 * engine actions. One instance per generation round; not thread-safe.
 */
public interface StreamFilter {

    /** Returns the part of the chunk to show now (possibly empty). */
    String accept(String chunk);

    /** Returns what was held back that should still be shown, at the end of the stream. */
    String finish();

    static StreamFilter passThrough() {
        return new StreamFilter() {
            @Override
            public String accept(String chunk) {
                return chunk;
            }

            @Override
            public String finish() {
                return "";
            }
        };
    }
}
