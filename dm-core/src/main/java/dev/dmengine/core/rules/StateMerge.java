package dev.dmengine.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.InventoryItem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A turn's changes laid over the character as it is stored now. A turn plays from the sheet and
 * inventory it read when it started; the player may edit the character while the DM narrates.
 * What the turn changed (a field of the sheet, an inventory stack by its id) takes the turn's
 * value; everything else keeps the stored one, so the player's edit stays unless the turn changed
 * the same thing.
 */
final class StateMerge {

    private StateMerge() {
    }

    /**
     * {@code stored} with the changes from {@code before} to {@code after}; the dice counter is
     * {@code after}'s. A sheet that the two would make invalid together (a maximum lowered under
     * a value the turn set) is the turn's sheet whole.
     */
    static GameState merge(GameState before, GameState after, GameState stored) {
        CharacterSheet sheet;
        try {
            JsonNode merged = merge((ObjectNode) Json.tree(before.sheet()), (ObjectNode) Json.tree(after.sheet()),
                    (ObjectNode) Json.tree(stored.sheet()));
            sheet = Json.convert(merged, CharacterSheet.class, "sheet");
        } catch (InvalidInputException e) {
            sheet = after.sheet();
        }
        return new GameState(sheet, inventory(before.inventory(), after.inventory(), stored.inventory()),
                after.rollCounter());
    }

    private static ObjectNode merge(ObjectNode before, ObjectNode after, ObjectNode stored) {
        ObjectNode out = stored.deepCopy();
        Set<String> fields = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        for (String f : fields) {
            JsonNode b = before.get(f);
            JsonNode a = after.get(f);
            if (Objects.equals(a, b)) {
                continue; // the turn left it: the stored value stays
            }
            JsonNode s = stored.get(f);
            if (a instanceof ObjectNode ao && b instanceof ObjectNode bo && s instanceof ObjectNode so) {
                out.set(f, merge(bo, ao, so)); // hp.current changed, hp.max edited: both kept
            } else if (a == null) {
                out.remove(f);
            } else {
                out.set(f, a.deepCopy());
            }
        }
        return out;
    }

    /** By stack id: the stacks the turn changed, added or removed as the turn left them; the rest as stored. */
    private static List<InventoryItem> inventory(List<InventoryItem> before, List<InventoryItem> after,
                                                 List<InventoryItem> stored) {
        Map<String, InventoryItem> was = byId(before);
        Map<String, InventoryItem> is = byId(after);
        Set<String> changed = new LinkedHashSet<>();
        for (String id : is.keySet()) {
            if (!is.get(id).equals(was.get(id))) {
                changed.add(id);
            }
        }
        for (String id : was.keySet()) {
            if (!is.containsKey(id)) {
                changed.add(id);
            }
        }
        List<InventoryItem> out = new ArrayList<>(stored.size() + changed.size());
        Set<String> placed = new LinkedHashSet<>();
        for (InventoryItem item : stored) {
            if (!changed.contains(item.itemId())) {
                out.add(item);
            } else if (is.containsKey(item.itemId())) {
                out.add(is.get(item.itemId()));
            }
            placed.add(item.itemId());
        }
        for (String id : changed) {
            if (is.containsKey(id) && !placed.contains(id)) {
                out.add(is.get(id)); // added by the turn
            }
        }
        return out;
    }

    private static Map<String, InventoryItem> byId(List<InventoryItem> items) {
        Map<String, InventoryItem> m = new LinkedHashMap<>();
        items.forEach(i -> m.put(i.itemId(), i));
        return m;
    }
}
