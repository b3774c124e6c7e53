package dev.dmengine.spi.game;

import java.util.Objects;
import java.util.Set;

/**
 * A stack of one item a character carries.
 *
 * @param itemId   a stable slug, e.g. {@code "healing-potion"}; unique within an inventory
 * @param weight   pounds per unit
 */
public record InventoryItem(String itemId, String name, int quantity, double weight, boolean equipped, Set<String> tags) {

    public InventoryItem {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(name, "name");
        tags = Set.copyOf(Objects.requireNonNull(tags, "tags"));
        if (quantity < 0) {
            throw new IllegalArgumentException("quantity must not be negative: " + quantity);
        }
        if (weight < 0 || Double.isNaN(weight)) {
            throw new IllegalArgumentException("weight must not be negative: " + weight);
        }
    }
}
