package dev.dmengine.core.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain-text "tool call" protocol: the model ends its narration with a fenced block
 * <pre>
 * ```dm-actions
 * [{"type":"check","skill":"stealth","dc":13,"purpose":"sneak past the guard"}]
 * ```
 * </pre>
 * which the engine strips from the narration, validates and applies. See {@code docs/dm-actions.md}.
 */
public final class ActionProtocol {

    /** The opening fence. */
    public static final String FENCE = "```dm-actions";
    /** At most this many actions per turn; later ones are rejected. */
    public static final int MAX_ACTIONS = 20;
    /** Blocks longer than this are rejected unread. */
    public static final int MAX_BLOCK_CHARS = 20_000;

    /** A short protocol summary for the system prompt (at most 1,200 characters). */
    public static final String PROMPT_GUIDE = """
            Game mechanics are owned by the engine. Never invent dice results, HP, items or XP. \
            To make something happen, end your reply with ONE block:
            ```dm-actions
            [{"type":"check","skill":"stealth","dc":13,"purpose":"sneak past the guard"}]
            ```
            Types and fields (purpose optional everywhere):
            roll{expression} e.g. "2d6+1", "4d6kh3", "1d20adv", "d%"
            check{skill|ability, dc 1-30, advantage?, disadvantage?}
            save{ability: str|dex|con|int|wis|cha, dc, advantage?, disadvantage?}
            attack{attacker, bonus, damage:"1d6+2", damageType?} (enemy hits the character) \
            or attack{weapon: itemId, targetAc, target} (character attacks)
            damage{amount|expression, damageType?}  heal{amount|expression, temporary?}
            add_item{itemId, name, quantity?, weight?, tags?}  remove_item{itemId, quantity?}
            use_item{itemId}  equip{itemId}  unequip{itemId}
            add_condition{condition}  remove_condition{condition}  award_xp{amount}  death_save{}
            At most 20 actions. The engine applies conditions' effects on rolls itself. Do not narrate the outcome of a roll before you see it: \
            the engine replies with [dm-results]; then narrate those results without a new block.""";

    private ActionProtocol() {
    }

    /**
     * Splits a model reply into narration and proposed actions. Never throws on model output: a
     * malformed block or action becomes a {@link Rejection}, and the narration is still returned.
     */
    public static Extraction extract(String modelText) {
        String text = modelText == null ? "" : modelText;
        StringBuilder narration = new StringBuilder();
        List<ProposedAction> actions = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        boolean hadBlock = false;
        int index = 0;
        int from = 0;
        while (true) {
            int open = text.indexOf(FENCE, from);
            if (open < 0) {
                narration.append(text, from, text.length());
                break;
            }
            hadBlock = true;
            narration.append(text, from, open);
            int bodyStart = open + FENCE.length();
            int close = text.indexOf("```", bodyStart);
            String body = close < 0 ? text.substring(bodyStart) : text.substring(bodyStart, close);
            from = close < 0 ? text.length() : close + 3;
            index = parseBlock(body, index, actions, positions, rejected);
        }
        return new Extraction(narration.toString().strip(), actions, positions, rejected, hadBlock);
    }

    /**
     * Renders actions as a {@code dm-actions} block (what the offline narrator or a test appends to
     * its narration); {@link #extract} reads it back to equal actions.
     */
    public static String block(List<ProposedAction> actions) {
        StringBuilder b = new StringBuilder(FENCE).append("\n[");
        for (int i = 0; i < actions.size(); i++) {
            b.append(i == 0 ? "" : ",\n ").append(Json.write(actions.get(i)));
        }
        return b.append("]\n```").toString();
    }

    private static int parseBlock(String body, int index, List<ProposedAction> actions, List<Integer> positions,
                                  List<Rejection> rejected) {
        if (body.length() > MAX_BLOCK_CHARS) {
            rejected.add(new Rejection(-1, "dm-actions", "block is " + body.length() + " characters; at most "
                    + MAX_BLOCK_CHARS));
            return index;
        }
        JsonNode root;
        try {
            root = body.isBlank() ? Json.MAPPER.createArrayNode() : Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            rejected.add(new Rejection(-1, "dm-actions", "malformed JSON: " + Json.describe(e)
                    + "; expected an array of action objects"));
            return index;
        }
        ArrayNode items;
        if (root.isArray()) {
            items = (ArrayNode) root;
        } else if (root.isObject()) {
            items = Json.MAPPER.createArrayNode().add(root);
        } else {
            rejected.add(new Rejection(-1, "dm-actions", "expected an array of action objects, got " + root
                    .getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
            return index;
        }
        for (JsonNode item : items) {
            int i = index++;
            String type = item.isObject() && item.path("type").isTextual() ? Names.clip(item.get("type").asText())
                    : "?";
            if (actions.size() >= MAX_ACTIONS) {
                rejected.add(new Rejection(i, type, "at most " + MAX_ACTIONS + " actions per turn"));
                continue;
            }
            if (!item.isObject()) {
                rejected.add(new Rejection(i, type, "each action must be a JSON object with a \"type\""));
                continue;
            }
            try {
                actions.add(Json.MAPPER.treeToValue(item, ProposedAction.class));
                positions.add(i);
            } catch (JsonProcessingException e) {
                String reason = Json.describe(e);
                if (reason.startsWith("unknown type")) {
                    reason = reason + "; known types: roll, check, save, attack, damage, heal, add_item, "
                            + "remove_item, use_item, equip, unequip, add_condition, remove_condition, award_xp, "
                            + "death_save";
                } else if (!reason.startsWith("missing")) {
                    String path = fieldOf(e);
                    reason = path.isEmpty() ? reason : "field '" + path + "': " + reason;
                }
                rejected.add(new Rejection(i, type, reason));
            }
        }
        return index;
    }

    private static String fieldOf(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) {
            return "";
        }
        List<InvalidInputException.FieldError> errors = Json.fieldErrors(e, "");
        return errors.isEmpty() ? "" : errors.getFirst().field();
    }
}
