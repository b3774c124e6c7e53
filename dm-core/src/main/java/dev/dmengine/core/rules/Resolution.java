package dev.dmengine.core.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.core.internal.Json;
import java.util.List;

/**
 * The result of resolving one round of proposed actions.
 *
 * @param after           the state after every valid action, in order
 * @param rolls           every roll made, in counter order
 * @param changes         every state change, in order; replaying them on the state before gives {@code after}
 * @param rejected        refused actions with reasons (extraction problems included when resolved from an
 *                        {@link Extraction})
 * @param needsNarration  whether the model must narrate outcomes it could not know (any dice rolled, or any
 *                        action rejected) in a second round
 * @param resultsForModel compact text for that second round; empty when there is nothing to report
 * @param outcomes        one line per applied action
 */
public record Resolution(GameState after, List<RollRecord> rolls, List<StateChange> changes, List<Rejection> rejected,
                         boolean needsNarration, String resultsForModel, List<ActionOutcome> outcomes) {

    public Resolution {
        rolls = List.copyOf(rolls);
        changes = List.copyOf(changes);
        rejected = List.copyOf(rejected);
        outcomes = List.copyOf(outcomes);
    }

    /**
     * The JSON for {@code TurnRecord.mechanics}:
     * {@code {"outcomes":[…],"rolls":[…],"changes":[…],"rejected":[…]}}.
     */
    public String mechanicsJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("outcomes", Json.tree(outcomes));
        root.set("rolls", Json.tree(rolls));
        root.set("changes", Json.tree(changes));
        root.set("rejected", Json.tree(rejected));
        return Json.write(root);
    }
}
