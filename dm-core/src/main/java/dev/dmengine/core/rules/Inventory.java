package dev.dmengine.core.rules;

import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.InventoryItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pure operations on an inventory ({@code List<InventoryItem>}): each takes a list and returns a new
 * one, never modifying its input. Stacks are unique by {@code itemId}; a stack whose quantity reaches
 * 0 is removed, so quantities never go negative. Invalid requests throw {@link InvalidInputException}
 * (field {@code itemId} or {@code quantity}) and leave nothing changed.
 *
 * <p>Item tags the engine understands: {@code consumable} (can be used), {@code heal:2d4+2}
 * (using it heals that much), {@code weapon}, {@code damage:1d8}, {@code damage-type:slashing},
 * {@code finesse}, {@code ranged}.
 */
public final class Inventory {

    /** The largest stack. */
    public static final int MAX_QUANTITY = 10_000;
    private static final Pattern ITEM_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private Inventory() {
    }

    /** The stack with this id, if carried. */
    public static Optional<InventoryItem> find(List<InventoryItem> items, String itemId) {
        return items.stream().filter(i -> i.itemId().equals(itemId)).findFirst();
    }

    /** Whether {@code itemId} is a valid slug: lower-case letters, digits, '-' and '_', at most 64 characters. */
    public static boolean validItemId(String itemId) {
        return itemId != null && ITEM_ID.matcher(itemId).matches();
    }

    /**
     * Adds a stack; when an item with the same id is carried, its quantity grows and its other
     * fields stay as they are. New stacks go at the end.
     */
    public static List<InventoryItem> add(List<InventoryItem> items, InventoryItem item) {
        if (!validItemId(item.itemId())) {
            throw new InvalidInputException("itemId", "must be a lower-case slug (a-z, 0-9, '-', '_'), at most 64 "
                    + "characters, was '" + Names.clip(item.itemId()) + "'");
        }
        checkQuantity(item.quantity());
        List<InventoryItem> out = new ArrayList<>(items);
        for (int i = 0; i < out.size(); i++) {
            InventoryItem have = out.get(i);
            if (have.itemId().equals(item.itemId())) {
                int total = have.quantity() + item.quantity();
                if (total > MAX_QUANTITY) {
                    throw new InvalidInputException("quantity", "a stack holds at most " + MAX_QUANTITY
                            + "; would be " + total);
                }
                out.set(i, withQuantity(have, total));
                return List.copyOf(out);
            }
        }
        out.add(item);
        return List.copyOf(out);
    }

    /**
     * Removes {@code quantity} units; the stack disappears at 0.
     *
     * @throws InvalidInputException when the item is not carried or fewer units are carried
     */
    public static List<InventoryItem> remove(List<InventoryItem> items, String itemId, int quantity) {
        checkQuantity(quantity);
        InventoryItem have = require(items, itemId);
        if (have.quantity() < quantity) {
            throw new InvalidInputException("quantity", "cannot remove " + quantity + " " + have.name()
                    + ", only " + have.quantity() + " carried");
        }
        List<InventoryItem> out = new ArrayList<>(items);
        int i = out.indexOf(have);
        if (have.quantity() == quantity) {
            out.remove(i);
        } else {
            out.set(i, withQuantity(have, have.quantity() - quantity));
        }
        return List.copyOf(out);
    }

    /**
     * Uses one unit of a consumable item (tag {@code consumable} or {@code heal:…}), removing it.
     *
     * @throws InvalidInputException when not carried or not consumable
     */
    public static List<InventoryItem> use(List<InventoryItem> items, String itemId) {
        InventoryItem have = require(items, itemId);
        if (!consumable(have)) {
            throw new InvalidInputException("itemId", have.name() + " is not consumable (no 'consumable' tag)");
        }
        return remove(items, itemId, 1);
    }

    /** Marks a carried stack equipped (idempotent). */
    public static List<InventoryItem> equip(List<InventoryItem> items, String itemId) {
        return setEquipped(items, itemId, true);
    }

    /** Marks a carried stack unequipped (idempotent). */
    public static List<InventoryItem> unequip(List<InventoryItem> items, String itemId) {
        return setEquipped(items, itemId, false);
    }

    /** Total weight carried, in pounds. */
    public static double load(List<InventoryItem> items) {
        double sum = 0;
        for (InventoryItem i : items) {
            sum += i.quantity() * i.weight();
        }
        return sum;
    }

    /** Carrying capacity in pounds: Strength score × 15. */
    public static int capacity(CharacterSheet sheet) {
        return sheet.carryingCapacity();
    }

    /** Whether an item can be used up. */
    public static boolean consumable(InventoryItem item) {
        return item.tags().contains("consumable") || tagValue(item, "heal").isPresent();
    }

    /** The value of a {@code key:value} tag, e.g. {@code tagValue(potion, "heal")} → {@code "2d4+2"}. */
    public static Optional<String> tagValue(InventoryItem item, String key) {
        String prefix = key + ":";
        return item.tags().stream().filter(t -> t.startsWith(prefix)).sorted().findFirst()
                .map(t -> t.substring(prefix.length()));
    }

    private static List<InventoryItem> setEquipped(List<InventoryItem> items, String itemId, boolean equipped) {
        InventoryItem have = require(items, itemId);
        List<InventoryItem> out = new ArrayList<>(items);
        out.set(out.indexOf(have), new InventoryItem(have.itemId(), have.name(), have.quantity(), have.weight(),
                equipped, have.tags()));
        return List.copyOf(out);
    }

    private static InventoryItem require(List<InventoryItem> items, String itemId) {
        return find(items, itemId).orElseThrow(() -> new InvalidInputException("itemId",
                "no item '" + Names.clip(itemId) + "' in the inventory"));
    }

    private static void checkQuantity(int quantity) {
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            throw new InvalidInputException("quantity", "must be 1 to " + MAX_QUANTITY + ", was " + quantity);
        }
    }

    private static InventoryItem withQuantity(InventoryItem i, int quantity) {
        return new InventoryItem(i.itemId(), i.name(), quantity, i.weight(), i.equipped(), i.tags());
    }
}
