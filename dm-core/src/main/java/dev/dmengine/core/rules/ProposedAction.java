package dev.dmengine.core.rules;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * An action the model proposes in a {@code dm-actions} block. Nothing here is trusted: the
 * {@link RulesEngine} validates every field against the state. JSON: an object with a {@code "type"}
 * (the snake_case names below) and the fields of the record; unknown fields are rejected so typos
 * do not silently change the mechanics. Every action may carry a short {@code purpose}.
 * See {@code docs/dm-actions.md}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(ProposedAction.Roll.class),
    @JsonSubTypes.Type(ProposedAction.Check.class),
    @JsonSubTypes.Type(ProposedAction.Save.class),
    @JsonSubTypes.Type(ProposedAction.Attack.class),
    @JsonSubTypes.Type(ProposedAction.Damage.class),
    @JsonSubTypes.Type(ProposedAction.Heal.class),
    @JsonSubTypes.Type(ProposedAction.AddItem.class),
    @JsonSubTypes.Type(ProposedAction.RemoveItem.class),
    @JsonSubTypes.Type(ProposedAction.UseItem.class),
    @JsonSubTypes.Type(ProposedAction.Equip.class),
    @JsonSubTypes.Type(ProposedAction.Unequip.class),
    @JsonSubTypes.Type(ProposedAction.AddCondition.class),
    @JsonSubTypes.Type(ProposedAction.RemoveCondition.class),
    @JsonSubTypes.Type(ProposedAction.AwardXp.class),
    @JsonSubTypes.Type(ProposedAction.DeathSave.class)
})
public sealed interface ProposedAction {

    /** Why the model asked for it (free text, shown to the player; clipped to 200 characters). */
    String purpose();

    /** The protocol name of an action, e.g. {@code "add_item"}. */
    static String typeName(ProposedAction action) {
        return action.getClass().getAnnotation(JsonTypeName.class).value();
    }

    /** A free roll not tied to the character, e.g. {@code {"type":"roll","expression":"2d6"}}. */
    @JsonTypeName("roll")
    record Roll(String expression, String purpose) implements ProposedAction {
    }

    /** An ability check ({@code ability}) or skill check ({@code skill}), exactly one of them, vs {@code dc}. */
    @JsonTypeName("check")
    record Check(String ability, String skill, Integer dc, Boolean advantage, Boolean disadvantage, String purpose)
            implements ProposedAction {
    }

    /** A saving throw of {@code ability} vs {@code dc}. */
    @JsonTypeName("save")
    record Save(String ability, Integer dc, Boolean advantage, Boolean disadvantage, String purpose)
            implements ProposedAction {
    }

    /**
     * Either an enemy attacks the character ({@code bonus} + {@code damage}, optional
     * {@code damageType}, vs the character's AC; damage applied on a hit), or the character attacks
     * with an equipped {@code weapon} (item id) vs {@code targetAc}.
     */
    @JsonTypeName("attack")
    record Attack(String attacker, String target, Integer bonus, String damage, String damageType, String weapon,
                  Integer targetAc, Boolean advantage, Boolean disadvantage, String purpose)
            implements ProposedAction {
    }

    /** Damage to the character: a fixed {@code amount} or a rolled {@code expression}, exactly one. */
    @JsonTypeName("damage")
    record Damage(Integer amount, String expression, String damageType, Boolean critical, String purpose)
            implements ProposedAction {
    }

    /** Healing ({@code temporary}: temporary HP instead): a fixed {@code amount} or a rolled {@code expression}. */
    @JsonTypeName("heal")
    record Heal(Integer amount, String expression, Boolean temporary, String purpose) implements ProposedAction {
    }

    /** Adds {@code quantity} (default 1) of an item; stacks merge by {@code itemId}. */
    @JsonTypeName("add_item")
    record AddItem(String itemId, String name, Integer quantity, Double weight, List<String> tags, String purpose)
            implements ProposedAction {
    }

    /** Removes {@code quantity} (default 1) of a carried item. */
    @JsonTypeName("remove_item")
    record RemoveItem(String itemId, Integer quantity, String purpose) implements ProposedAction {
    }

    /** Uses up one unit of a consumable item; a {@code heal:<dice>} tag heals. */
    @JsonTypeName("use_item")
    record UseItem(String itemId, String purpose) implements ProposedAction {
    }

    /** Equips a carried item. */
    @JsonTypeName("equip")
    record Equip(String itemId, String purpose) implements ProposedAction {
    }

    /** Unequips a carried item. */
    @JsonTypeName("unequip")
    record Unequip(String itemId, String purpose) implements ProposedAction {
    }

    /** Applies an SRD condition. */
    @JsonTypeName("add_condition")
    record AddCondition(String condition, String purpose) implements ProposedAction {
    }

    /** Ends an SRD condition. */
    @JsonTypeName("remove_condition")
    record RemoveCondition(String condition, String purpose) implements ProposedAction {
    }

    /** Awards XP; a level-up is reported, never applied. */
    @JsonTypeName("award_xp")
    record AwardXp(Integer amount, String purpose) implements ProposedAction {
    }

    /** A death saving throw for a dying character. */
    @JsonTypeName("death_save")
    record DeathSave(String purpose) implements ProposedAction {
    }
}
