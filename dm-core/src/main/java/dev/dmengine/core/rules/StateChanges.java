package dev.dmengine.core.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computing and replaying {@link StateChange}s: {@code replay(initial, allChanges)} reproduces the
 * current state from the start (issue 3, item 7).
 */
public final class StateChanges {

    private static final String INVENTORY = "inventory";

    private StateChanges() {
    }

    /** The changes that turn {@code before} into {@code after}, leaf by leaf. */
    public static List<StateChange> diff(GameState before, GameState after, String reason) {
        if (before.sameCharacterAs(after)) {
            // a roll moves only the dice counter: the same change, without both states as trees (a
            // profile of a turn found those trees 3 % of its CPU)
            return before.rollCounter() == after.rollCounter() ? List.of()
                    : List.of(new StateChange(GameState.ROLL_COUNTER, StateChange.Kind.SET, Json.tree(before.rollCounter()),
                            Json.tree(after.rollCounter()), reason));
        }
        return diffTrees(before, after, reason);
    }

    /** {@link #diff} by comparing the two states' trees leaf by leaf, whatever changed. */
    static List<StateChange> diffTrees(GameState before, GameState after, String reason) {
        List<StateChange> out = new ArrayList<>();
        diffObjects("", Json.tree(before), Json.tree(after), reason, out);
        return out;
    }

    /**
     * Applies {@code changes} in order to {@code initial}. Each change's {@code before} must match the
     * state it is applied to, so a log that does not belong to this state is refused.
     *
     * @throws InvalidInputException on field {@code changes[i]} when a change does not apply
     */
    public static GameState replay(GameState initial, List<StateChange> changes) {
        ObjectNode root = (ObjectNode) Json.tree(initial);
        for (int i = 0; i < changes.size(); i++) {
            apply(root, changes.get(i), "changes[" + i + "]");
        }
        return Json.convert(root, GameState.class, "state");
    }

    private static void diffObjects(String prefix, JsonNode before, JsonNode after, String reason,
                                    List<StateChange> out) {
        List<String> names = new ArrayList<>();
        before.fieldNames().forEachRemaining(names::add);
        after.fieldNames().forEachRemaining(n -> {
            if (!names.contains(n)) {
                names.add(n);
            }
        });
        for (String name : names) {
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            JsonNode b = before.get(name);
            JsonNode a = after.get(name);
            if (prefix.isEmpty() && name.equals(INVENTORY)) {
                diffInventory(b, a, reason, out);
            } else if (b != null && a != null && b.isObject() && a.isObject()) {
                diffObjects(path, b, a, reason, out);
            } else if (!same(b, a)) {
                out.add(new StateChange(path, b == null ? StateChange.Kind.ADD : a == null ? StateChange.Kind.REMOVE
                        : StateChange.Kind.SET, b, a, reason));
            }
        }
    }

    private static void diffInventory(JsonNode before, JsonNode after, String reason, List<StateChange> out) {
        Map<String, JsonNode> b = byId(before);
        Map<String, JsonNode> a = byId(after);
        for (Map.Entry<String, JsonNode> e : b.entrySet()) {
            JsonNode now = a.get(e.getKey());
            if (now == null) {
                out.add(new StateChange(itemPath(e.getKey()), StateChange.Kind.REMOVE, e.getValue(), null, reason));
            } else if (!same(e.getValue(), now)) {
                out.add(new StateChange(itemPath(e.getKey()), StateChange.Kind.SET, e.getValue(), now, reason));
            }
        }
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            if (!b.containsKey(e.getKey())) {
                out.add(new StateChange(itemPath(e.getKey()), StateChange.Kind.ADD, null, e.getValue(), reason));
            }
        }
    }

    private static Map<String, JsonNode> byId(JsonNode items) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        if (items != null) {
            for (JsonNode item : items) {
                m.put(item.path("itemId").asText(), item);
            }
        }
        return m;
    }

    private static String itemPath(String itemId) {
        return INVENTORY + "[" + itemId + "]";
    }

    private static void apply(ObjectNode root, StateChange c, String field) {
        String path = c.path();
        if (path.startsWith(INVENTORY + "[") && path.endsWith("]")) {
            String id = path.substring(INVENTORY.length() + 1, path.length() - 1);
            ArrayNode items = root.withArray(INVENTORY);
            int index = -1;
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).path("itemId").asText().equals(id)) {
                    index = i;
                }
            }
            JsonNode current = index < 0 ? null : items.get(index);
            requireSame(current, c, field);
            if (c.after() == null) {
                items.remove(index);
            } else if (index < 0) {
                items.add(c.after());
            } else {
                items.set(index, c.after());
            }
            return;
        }
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (next == null || !next.isObject()) {
                throw new InvalidInputException(field, "path '" + path + "' does not exist in the state");
            }
            node = (ObjectNode) next;
        }
        String last = parts[parts.length - 1];
        requireSame(node.get(last), c, field);
        if (c.after() == null) {
            node.remove(last);
        } else {
            node.set(last, c.after());
        }
    }

    private static void requireSame(JsonNode current, StateChange c, String field) {
        if (!same(current, c.before())) {
            throw new InvalidInputException(field, "does not apply: " + c.path() + " is " + current
                    + ", the change expects " + c.before());
        }
    }

    private static final Comparator<JsonNode> NUMERIC_AWARE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return x.equals(y) ? 0 : 1;
    };

    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || a.isNull() || a.isMissingNode()) {
            return b == null || b.isNull() || b.isMissingNode();
        }
        if (b == null) {
            return false;
        }
        return a.equals(NUMERIC_AWARE, b);
    }

}
