package dev.dmengine.core.rules;

import dev.dmengine.core.game.CharacterRules;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.InventoryItem;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.dmengine.core.rules.Ability.CHA;
import static dev.dmengine.core.rules.Ability.CON;
import static dev.dmengine.core.rules.Ability.DEX;
import static dev.dmengine.core.rules.Ability.INT;
import static dev.dmengine.core.rules.Ability.STR;
import static dev.dmengine.core.rules.Ability.WIS;

/**
 * Character creation under the SRD rules. A character given without a sheet gets a level-1
 * sheet of its class (the standard array 15, 14, 13, 12, 10, 8 in the class's order of
 * abilities, the class's first skill options) and a starting kit; a given sheet is validated
 * field by field. The name, class and level given beside the sheet win over the sheet's own.
 */
public final class SrdCharacterRules implements CharacterRules {

    public static final int MAX_INVENTORY_STACKS = 200;
    public static final int MAX_SHEET_CHARS = 32_768;
    private static final Pattern ITEM_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final int[] STANDARD_ARRAY = {15, 14, 13, 12, 10, 8};

    private static final Map<CharacterClass, List<Ability>> PRIORITIES = new EnumMap<>(Map.ofEntries(
            Map.entry(CharacterClass.BARBARIAN, List.of(STR, CON, DEX, WIS, CHA, INT)),
            Map.entry(CharacterClass.BARD, List.of(CHA, DEX, CON, WIS, INT, STR)),
            Map.entry(CharacterClass.CLERIC, List.of(WIS, CON, STR, DEX, CHA, INT)),
            Map.entry(CharacterClass.DRUID, List.of(WIS, CON, DEX, INT, CHA, STR)),
            Map.entry(CharacterClass.FIGHTER, List.of(STR, CON, DEX, WIS, CHA, INT)),
            Map.entry(CharacterClass.MONK, List.of(DEX, WIS, CON, STR, INT, CHA)),
            Map.entry(CharacterClass.PALADIN, List.of(STR, CHA, CON, WIS, DEX, INT)),
            Map.entry(CharacterClass.RANGER, List.of(DEX, WIS, CON, STR, INT, CHA)),
            Map.entry(CharacterClass.ROGUE, List.of(DEX, INT, CON, WIS, CHA, STR)),
            Map.entry(CharacterClass.SORCERER, List.of(CHA, CON, DEX, WIS, INT, STR)),
            Map.entry(CharacterClass.WARLOCK, List.of(CHA, CON, DEX, WIS, INT, STR)),
            Map.entry(CharacterClass.WIZARD, List.of(INT, CON, DEX, WIS, CHA, STR))));

    @Override
    public Prepared prepare(NewCharacter in) {
        String name = Validation.text("name", in.name(), 60);
        CharacterClass cls = CharacterClass.fromId(Validation.text("characterClass", in.characterClass(), 40));
        int level = Validation.range("level", in.level(), 1, 20);
        CharacterSheet sheet;
        if (in.sheet() == null || in.sheet().isBlank()) {
            sheet = CharacterSheets.levelOne(name, cls, standardArray(cls), null);
            if (level > 1) {
                sheet = sheet.withLevel(level).withXp(Progression.xpForLevel(level));
            }
        } else {
            if (in.sheet().length() > MAX_SHEET_CHARS) {
                throw new InvalidInputException("sheet", "must be at most " + MAX_SHEET_CHARS
                        + " characters of JSON, was " + in.sheet().length());
            }
            CharacterSheet given = CharacterSheets.fromJson(in.sheet());
            sheet = new CharacterSheet(name, cls, level, given.xp(), given.abilities(), given.hp(),
                    given.armorClass(), given.speed(), given.savingThrows(), given.skills(), given.expertise(),
                    given.conditions(), given.resistances(), given.deathSaves());
        }
        List<InventoryItem> inventory = in.inventory().isEmpty() && (in.sheet() == null || in.sheet().isBlank())
                ? startingKit(cls) : validInventory(in.inventory());
        return new Prepared(name, cls.id(), level, CharacterSheets.toJson(sheet), inventory);
    }

    static AbilityScores standardArray(CharacterClass cls) {
        Map<Ability, Integer> scores = new EnumMap<>(Ability.class);
        List<Ability> order = PRIORITIES.get(cls);
        for (int i = 0; i < order.size(); i++) {
            scores.put(order.get(i), STANDARD_ARRAY[i]);
        }
        return new AbilityScores(scores.get(STR), scores.get(DEX), scores.get(CON), scores.get(INT), scores.get(WIS),
                scores.get(CHA));
    }

    static List<InventoryItem> startingKit(CharacterClass cls) {
        InventoryItem weapon = switch (cls) {
            case BARBARIAN -> weapon("greataxe", "Greataxe", 7, "1d12", "slashing");
            case FIGHTER, PALADIN -> weapon("longsword", "Longsword", 3, "1d8", "slashing");
            case ROGUE, BARD -> new InventoryItem("rapier", "Rapier", 1, 2, true,
                    Set.of("weapon", "finesse", "damage:1d8", "damage-type:piercing"));
            case RANGER -> new InventoryItem("shortbow", "Shortbow", 1, 2, true,
                    Set.of("weapon", "ranged", "damage:1d6", "damage-type:piercing"));
            case CLERIC -> weapon("mace", "Mace", 4, "1d6", "bludgeoning");
            case MONK -> new InventoryItem("shortsword", "Shortsword", 1, 2, true,
                    Set.of("weapon", "finesse", "damage:1d6", "damage-type:piercing"));
            case DRUID, WIZARD, SORCERER, WARLOCK -> weapon("quarterstaff", "Quarterstaff", 4, "1d6", "bludgeoning");
        };
        return List.of(weapon,
                new InventoryItem("healing-potion", "Potion of Healing", 2, 0.5, false, Set.of("consumable", "heal:2d4+2")),
                new InventoryItem("torch", "Torch", 3, 1, false, Set.of("light")),
                new InventoryItem("rations", "Rations (1 day)", 5, 2, false, Set.of("consumable")));
    }

    private static InventoryItem weapon(String id, String name, double weight, String damage, String type) {
        return new InventoryItem(id, name, 1, weight, true, Set.of("weapon", "damage:" + damage, "damage-type:" + type));
    }

    static List<InventoryItem> validInventory(List<InventoryItem> items) {
        List<FieldError> errors = new ArrayList<>();
        if (items.size() > MAX_INVENTORY_STACKS) {
            errors.add(new FieldError("inventory", "must have at most " + MAX_INVENTORY_STACKS + " stacks, had "
                    + items.size()));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size() && i < MAX_INVENTORY_STACKS; i++) {
            InventoryItem item = items.get(i);
            String at = "inventory[" + i + "].";
            if (!ITEM_ID.matcher(item.itemId()).matches()) {
                errors.add(new FieldError(at + "itemId", "must be a slug of 1 to 64 characters a-z 0-9 - _"));
            } else if (!seen.add(item.itemId())) {
                errors.add(new FieldError(at + "itemId", "repeats '" + item.itemId() + "'; merge the stacks"));
            }
            if (item.name().isBlank() || item.name().length() > 100) {
                errors.add(new FieldError(at + "name", "must be 1 to 100 characters"));
            }
            if (item.quantity() < 1 || item.quantity() > 10_000) {
                errors.add(new FieldError(at + "quantity", "must be 1 to 10000, was " + item.quantity()));
            }
            if (item.weight() > 1_000) {
                errors.add(new FieldError(at + "weight", "must be 0 to 1000 lb, was " + item.weight()));
            }
            if (item.tags().size() > 10 || item.tags().stream().anyMatch(t -> t.isBlank() || t.length() > 40)) {
                errors.add(new FieldError(at + "tags", "must be at most 10 tags of 1 to 40 characters"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return List.copyOf(items);
    }
}
