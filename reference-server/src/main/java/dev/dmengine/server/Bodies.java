package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.InventoryItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Request bodies, read strictly (unknown fields and wrong types are 400s). */
final class Bodies {

    private Bodies() {
    }

    record Register(String email, String password, String displayName) {
        @Override
        public String toString() {
            return "Register[displayName=" + displayName + "]";
        }
    }

    record Login(String email, String password) {
        @Override
        public String toString() {
            return "Login[]";
        }
    }

    record Refresh(String refresh) {
        @Override
        public String toString() {
            return "Refresh[]";
        }
    }

    record Item(String itemId, String name, Integer quantity, Double weight, Boolean equipped, Set<String> tags) {
        InventoryItem toItem(int index) {
            try {
                return new InventoryItem(require(itemId, "inventory[" + index + "].itemId"),
                        name == null ? itemId : name, quantity == null ? 1 : quantity, weight == null ? 0 : weight,
                        equipped != null && equipped, tags == null ? Set.of() : tags);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidInputException("inventory[" + index + "]", String.valueOf(e.getMessage()));
            }
        }
    }

    record Character(String name, String characterClass, Integer level, JsonNode sheet, List<Item> inventory,
                     Long version) {
        NewCharacter toNew() {
            String sheetJson = null;
            if (sheet != null && !sheet.isNull()) {
                if (!sheet.isObject()) {
                    throw new InvalidInputException("sheet", "must be a JSON object");
                }
                sheetJson = sheet.toString();
            }
            List<InventoryItem> items = new ArrayList<>();
            if (inventory != null) {
                for (int i = 0; i < inventory.size(); i++) {
                    if (inventory.get(i) == null) {
                        throw new InvalidInputException("inventory[" + i + "]", "must be an object");
                    }
                    items.add(inventory.get(i).toItem(i));
                }
            }
            return new NewCharacter(name, characterClass, level == null ? 1 : level, sheetJson, items);
        }
    }

    record NewSession(UUID characterId, String title) {
    }

    record SessionPatch(String title) {
    }

    record Say(String text) {
    }

    record Embed(List<String> texts) {
    }

    record ChatLine(String role, String content) {
    }

    record Generate(List<ChatLine> messages, Integer maxTokens, Double temperature) {
    }

    static <T> T require(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }
}
