package dev.dmengine.core.prompt;

/**
 * How many tokens a prompt may use and how they are shared.
 *
 * @param maxPromptTokens     the whole prompt (system, memories, recent window, player message)
 * @param maxStateTokens      the character sheet and inventory part of the system message;
 *                            longer state descriptions are cut at a line boundary
 * @param memorySharePercent  share of what is left after the fixed parts that retrieved
 *                            memories may take; the recent window gets the rest and whatever
 *                            memories leave unused
 */
public record PromptBudget(int maxPromptTokens, int maxStateTokens, int memorySharePercent) {

    public static final PromptBudget DEFAULT = new PromptBudget(3_000, 700, 35);

    public PromptBudget {
        if (maxPromptTokens < 256) {
            throw new IllegalArgumentException("maxPromptTokens must be at least 256, was " + maxPromptTokens);
        }
        if (maxStateTokens < 32 || maxStateTokens > maxPromptTokens / 2) {
            throw new IllegalArgumentException("maxStateTokens must be 32 to half of maxPromptTokens, was " + maxStateTokens);
        }
        if (memorySharePercent < 0 || memorySharePercent > 100) {
            throw new IllegalArgumentException("memorySharePercent must be 0 to 100, was " + memorySharePercent);
        }
    }
}
