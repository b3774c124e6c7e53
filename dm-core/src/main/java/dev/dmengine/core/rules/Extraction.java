package dev.dmengine.core.rules;

import java.util.List;

/**
 * What {@link ActionProtocol#extract} found in a model reply.
 *
 * @param narration    the reply with every {@code dm-actions} block removed, trimmed
 * @param actions      the well-formed actions, in order
 * @param positions    for each action, its 0-based position in the block(s)
 * @param rejected     malformed blocks and actions that could not be read
 * @param hadBlock     whether the reply contained a {@code dm-actions} block at all
 */
public record Extraction(String narration, List<ProposedAction> actions, List<Integer> positions,
                         List<Rejection> rejected, boolean hadBlock) {

    public Extraction {
        actions = List.copyOf(actions);
        positions = List.copyOf(positions);
        rejected = List.copyOf(rejected);
        if (positions.size() != actions.size()) {
            throw new IllegalArgumentException("one position per action");
        }
    }
}
