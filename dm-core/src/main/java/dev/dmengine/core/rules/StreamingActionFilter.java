package dev.dmengine.core.rules;

/**
 * Filters a streamed model reply so players never see the {@code dm-actions} JSON: narration passes
 * through, everything from the opening {@value ActionProtocol#FENCE} fence onward is withheld. A
 * fence split across chunks is handled by holding back a chunk's tail while it could still be the
 * start of the fence. Not thread-safe; one per generation.
 *
 * <pre>
 * for (String chunk : stream) send(filter.accept(chunk));
 * send(filter.finish());
 * Extraction x = ActionProtocol.extract(filter.fullText());
 * </pre>
 */
public final class StreamingActionFilter {

    private static final String FENCE = ActionProtocol.FENCE;

    private final StringBuilder full = new StringBuilder();
    private String pending = "";
    private boolean blocked;
    private boolean finished;

    /** Feeds one chunk; returns the text that may be shown now (possibly empty). */
    public String accept(String chunk) {
        if (finished) {
            throw new IllegalStateException("finish() was already called");
        }
        if (chunk == null || chunk.isEmpty()) {
            return "";
        }
        full.append(chunk);
        if (blocked) {
            return "";
        }
        String s = pending + chunk;
        int at = s.indexOf(FENCE);
        if (at >= 0) {
            blocked = true;
            pending = "";
            return s.substring(0, at);
        }
        int keep = partialFenceSuffix(s);
        pending = s.substring(s.length() - keep);
        return s.substring(0, s.length() - keep);
    }

    /** Ends the stream; returns held-back text that turned out not to be a fence. */
    public String finish() {
        finished = true;
        String out = blocked ? "" : pending;
        pending = "";
        return out;
    }

    /** Whether a {@code dm-actions} fence has been seen. */
    public boolean blockStarted() {
        return blocked;
    }

    /** Everything received so far, unfiltered (for {@link ActionProtocol#extract}). */
    public String fullText() {
        return full.toString();
    }

    /** Length of the longest suffix of {@code s} that is a proper prefix of the fence. */
    private static int partialFenceSuffix(String s) {
        int max = Math.min(s.length(), FENCE.length() - 1);
        for (int len = max; len > 0; len--) {
            if (s.regionMatches(s.length() - len, FENCE, 0, len)) {
                return len;
            }
        }
        return 0;
    }
}
