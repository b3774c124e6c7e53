package dev.dmengine.core.rules;

import dev.dmengine.core.rules.ProposedAction.AddCondition;
import dev.dmengine.core.rules.ProposedAction.AddItem;
import dev.dmengine.core.rules.ProposedAction.Attack;
import dev.dmengine.core.rules.ProposedAction.AwardXp;
import dev.dmengine.core.rules.ProposedAction.Check;
import dev.dmengine.core.rules.ProposedAction.Damage;
import dev.dmengine.core.rules.ProposedAction.DeathSave;
import dev.dmengine.core.rules.ProposedAction.Equip;
import dev.dmengine.core.rules.ProposedAction.Heal;
import dev.dmengine.core.rules.ProposedAction.RemoveCondition;
import dev.dmengine.core.rules.ProposedAction.RemoveItem;
import dev.dmengine.core.rules.ProposedAction.Roll;
import dev.dmengine.core.rules.ProposedAction.Save;
import dev.dmengine.core.rules.ProposedAction.Unequip;
import dev.dmengine.core.rules.ProposedAction.UseItem;
import dev.dmengine.core.internal.Names;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.InvalidInputException.FieldError;
import dev.dmengine.spi.game.InventoryItem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Validates, applies and records the actions a model proposes. Pure: no I/O, no clock, no hidden
 * randomness; the same {@code (state, actions, seed, turnId)} always gives an equal {@link Resolution}.
 *
 * <p>Actions are applied in order, each to the state the previous ones produced. An invalid action is
 * rejected with a readable reason and changes nothing (its dice, if any, are not used); the others still
 * apply. On a dead character only {@code roll} is accepted.
 *
 * <p>Rounds: the engine resolves the actions of the first reply. When {@link Resolution#needsNarration()}
 * the caller sends {@link Resolution#resultsForModel()} back for a second reply, which is narration only;
 * there is never a third ({@link #MAX_ROUNDS}).
 */
public final class RulesEngine {

    /** A turn has at most this many generation rounds: the proposal and the narration of its results. */
    public static final int MAX_ROUNDS = 2;
    /** Damage expressions may roll at most this many dice, so a critical hit stays within the dice limit. */
    public static final int MAX_DAMAGE_DICE = DiceExpression.MAX_DICE / 2;

    private static final int MAX_AMOUNT = 1_000;
    private static final int MAX_TAGS = 10;

    /** Resolves actions given directly; rejection indexes are positions in {@code actions}. */
    public Resolution resolve(GameState before, List<ProposedAction> actions, long sessionSeed, UUID turnId) {
        Objects.requireNonNull(actions, "actions");
        return resolve(before, actions, IntStream.range(0, actions.size()).boxed().toList(), List.of(),
                sessionSeed, turnId);
    }

    /** Resolves what {@link ActionProtocol#extract} found, including its rejections in the result. */
    public Resolution resolve(GameState before, Extraction extraction, long sessionSeed, UUID turnId) {
        return resolve(before, extraction.actions(), extraction.positions(), extraction.rejected(), sessionSeed,
                turnId);
    }

    private Resolution resolve(GameState before, List<ProposedAction> actions, List<Integer> positions,
                               List<Rejection> earlier, long sessionSeed, UUID turnId) {
        Objects.requireNonNull(before, "before");
        GameState state = before;
        List<RollRecord> rolls = new ArrayList<>();
        List<StateChange> changes = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>(earlier);
        List<ActionOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            ProposedAction action = actions.get(i);
            int index = positions.get(i);
            String type = action == null ? "?" : ProposedAction.typeName(action);
            if (i >= ActionProtocol.MAX_ACTIONS) {
                rejected.add(new Rejection(index, type, "at most " + ActionProtocol.MAX_ACTIONS
                        + " actions per turn"));
                continue;
            }
            if (action == null) {
                rejected.add(new Rejection(index, type, "null action"));
                continue;
            }
            Rules rules = new Rules(sessionSeed, state.rollCounter(), turnId);
            try {
                Step step = apply(state, action, rules);
                GameState next = step.state().withRollCounter(rules.nextCounter());
                changes.addAll(StateChanges.diff(state, next, reasonFor(action, type, step.summary())));
                rolls.addAll(rules.rolls());
                outcomes.add(new ActionOutcome(index, type, step.summary(), !rules.rolls().isEmpty()));
                state = next;
            } catch (InvalidInputException e) {
                rejected.add(new Rejection(index, type, reason(e)));
            } catch (IllegalArgumentException e) {
                rejected.add(new Rejection(index, type, "invalid: " + e.getMessage()));
            }
        }
        rejected.sort(java.util.Comparator.comparingInt(Rejection::index));
        boolean rolled = outcomes.stream().anyMatch(ActionOutcome::rolled);
        boolean needsNarration = rolled || !rejected.isEmpty();
        String results = needsNarration ? resultsText(state, outcomes, rejected) : "";
        return new Resolution(state, rolls, changes, rejected, needsNarration, results, outcomes);
    }

    private record Step(GameState state, String summary) {
    }

    private Step apply(GameState state, ProposedAction action, Rules rules) {
        CharacterSheet sheet = state.sheet();
        if (sheet.dead() && !(action instanceof Roll)) {
            throw new InvalidInputException("character", sheet.name()
                    + " is dead; only 'roll' actions are possible");
        }
        String purpose = clip(action.purpose());
        return switch (action) {
            case Roll a -> {
                RollRecord r = rules.roll(DiceExpression.parse(required("expression", a.expression())),
                        purpose == null ? "roll" : purpose);
                yield new Step(state, "roll" + about(purpose) + ": " + r.describe());
            }
            case Check a -> check(state, a, purpose, rules);
            case Save a -> {
                Ability ability = Ability.fromId(required("ability", a.ability()));
                int dc = dc(a.dc());
                ConditionEffects.Edge edge = ConditionEffects.savingThrow(sheet, ability);
                CheckResult r = rules.savingThrow(sheet, ability, dc, edge.combine(flag(a.advantage()),
                        flag(a.disadvantage())), purpose == null ? ability.id() + " save" : purpose);
                Condition autoFail = ConditionEffects.automaticSaveFailure(sheet, ability);
                String verdict = verdict(r);
                if (autoFail != null) {
                    r = new CheckResult(r.kind(), r.ability(), r.skill(), r.dc(), r.bonus(), r.mode(), r.roll(),
                            r.natural(), r.total(), false);
                    verdict = "FAILURE (automatic: " + autoFail.id() + ")";
                }
                yield new Step(state, ability.id().toUpperCase(Locale.ROOT) + " save" + about(purpose) + " (DC " + dc
                        + mode(r.mode(), edge) + "): " + r.roll().describe() + " → " + verdict);
            }
            case Attack a -> a.weapon() != null ? characterAttack(state, a, purpose, rules)
                    : enemyAttack(state, a, purpose, rules);
            case Damage a -> {
                DamageType type = a.damageType() == null ? null : DamageType.fromId(a.damageType());
                Amount amount = amount(a.amount(), a.expression(), rules, purpose == null ? "damage" : purpose);
                DamageResult r = Vitals.damage(sheet, amount.value(), type, flag(a.critical()));
                yield new Step(state.withSheet(r.after()), "damage" + about(purpose) + ": " + amount.text()
                        + damageText(r, type));
            }
            case Heal a -> {
                Amount amount = amount(a.amount(), a.expression(), rules, purpose == null ? "healing" : purpose);
                if (flag(a.temporary())) {
                    CharacterSheet after = Vitals.grantTemporaryHp(sheet, amount.value());
                    yield new Step(state.withSheet(after), "temporary HP" + about(purpose) + ": " + amount.text()
                            + "; temp HP now " + after.hp().temp());
                }
                HealResult r = Vitals.heal(sheet, amount.value());
                yield new Step(state.withSheet(r.after()), "heal" + about(purpose) + ": " + amount.text()
                        + "; regained " + r.healed() + " HP" + (r.wokeUp() ? ", conscious again" : "") + "; HP "
                        + hp(r.after()));
            }
            case AddItem a -> addItem(state, a);
            case RemoveItem a -> {
                String id = required("itemId", a.itemId());
                int quantity = a.quantity() == null ? 1 : a.quantity();
                List<InventoryItem> items = Inventory.remove(state.inventory(), id, quantity);
                yield new Step(state.withInventory(items), "removed " + quantity + " × " + id + "; "
                        + Inventory.find(items, id).map(InventoryItem::quantity).orElse(0) + " left");
            }
            case UseItem a -> useItem(state, a, purpose, rules);
            case Equip a -> {
                InventoryItem item = item(state, a.itemId());
                if (item.equipped()) {
                    throw new InvalidInputException("itemId", item.name() + " is already equipped");
                }
                yield new Step(state.withInventory(Inventory.equip(state.inventory(), item.itemId())),
                        "equipped " + item.name());
            }
            case Unequip a -> {
                InventoryItem item = item(state, a.itemId());
                if (!item.equipped()) {
                    throw new InvalidInputException("itemId", item.name() + " is not equipped");
                }
                yield new Step(state.withInventory(Inventory.unequip(state.inventory(), item.itemId())),
                        "unequipped " + item.name());
            }
            case AddCondition a -> {
                Condition c = Condition.fromId(required("condition", a.condition()));
                yield new Step(state.withSheet(Vitals.addCondition(sheet, c)), sheet.name() + " is now " + c.id());
            }
            case RemoveCondition a -> {
                Condition c = Condition.fromId(required("condition", a.condition()));
                yield new Step(state.withSheet(Vitals.removeCondition(sheet, c)), sheet.name() + " is no longer "
                        + c.id());
            }
            case AwardXp a -> {
                XpAward r = Vitals.awardXp(sheet, requiredInt("amount", a.amount()));
                yield new Step(state.withSheet(r.after()), "awarded " + r.amount() + " XP; XP " + r.xpAfter()
                        + (r.levelUpAvailable() ? "; LEVEL UP available: level " + r.levelForXp()
                        + " (the player levels up; the engine does not)" : ""));
            }
            case DeathSave a -> {
                DeathSaveResult r = rules.deathSave(sheet, purpose);
                yield new Step(state.withSheet(r.after()), "death save: " + r.roll().describe() + " → "
                        + r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "; "
                        + lifeState(r.after()));
            }
        };
    }

    private Step check(GameState state, Check a, String purpose, Rules rules) {
        CharacterSheet sheet = state.sheet();
        requireConscious(sheet);
        if ((a.skill() == null) == (a.ability() == null)) {
            throw new InvalidInputException("skill", "give exactly one of 'skill' (e.g. stealth) or 'ability' "
                    + "(e.g. str)");
        }
        Skill skill = a.skill() == null ? null : Skill.fromId(a.skill());
        Ability ability = skill != null ? null : Ability.fromId(a.ability());
        int dc = dc(a.dc());
        ConditionEffects.Edge edge = ConditionEffects.abilityCheck(sheet);
        RollMode mode = edge.combine(flag(a.advantage()), flag(a.disadvantage()));
        String what = skill != null ? skill.id() : ability.id().toUpperCase(Locale.ROOT);
        String p = purpose == null ? what + " check" : purpose;
        CheckResult r = skill != null ? rules.skillCheck(sheet, skill, dc, mode, p)
                : rules.abilityCheck(sheet, ability, dc, mode, p);
        return new Step(state, "check " + what + about(purpose) + " (DC " + dc + mode(mode, edge) + "): "
                + r.roll().describe() + " → " + verdict(r));
    }

    private Step characterAttack(GameState state, Attack a, String purpose, Rules rules) {
        CharacterSheet sheet = state.sheet();
        if (a.bonus() != null || a.damage() != null) {
            throw new InvalidInputException("weapon", "give either 'weapon' (the character attacks) or 'bonus' and "
                    + "'damage' (an enemy attacks the character), not both");
        }
        requireConscious(sheet);
        int targetAc = requiredInt("targetAc", a.targetAc());
        Rules.checkDc("targetAc", targetAc);
        InventoryItem weapon = item(state, a.weapon());
        if (!weapon.equipped()) {
            throw new InvalidInputException("weapon", weapon.name() + " is not equipped; equip it first");
        }
        String dice = Inventory.tagValue(weapon, "damage").orElseThrow(() -> new InvalidInputException("weapon",
                weapon.name() + " is not a weapon (no 'damage:<dice>' tag)"));
        Ability ability = weapon.tags().contains("ranged") ? Ability.DEX
                : weapon.tags().contains("finesse") && sheet.modifier(Ability.DEX) > sheet.modifier(Ability.STR)
                ? Ability.DEX : Ability.STR;
        int mod = sheet.modifier(ability);
        DiceExpression damage = damageExpression("weapon", dice + signed(mod));
        int bonus = mod + sheet.proficiencyBonus();
        String target = a.target() == null ? "the target" : Names.clip(a.target());
        ConditionEffects.Edge edge = ConditionEffects.attackBy(sheet);
        RollMode mode = edge.combine(flag(a.advantage()), flag(a.disadvantage()));
        AttackResult r = rules.attack(bonus, targetAc, damage, mode,
                purpose == null ? sheet.name() + " attacks with " + weapon.name() : purpose);
        String type = Inventory.tagValue(weapon, "damage-type").map(t -> " " + t).orElse("");
        return new Step(state, "attack: " + sheet.name() + " with " + weapon.name() + " vs " + target + " (AC "
                + targetAc + mode(mode, edge) + "): "
                + r.attackRoll().describe() + " → " + hitText(r) + (r.hit() ? "; damage " + r.damageRoll().describe()
                + " → " + r.damage() + type + " damage to " + target : ""));
    }

    private Step enemyAttack(GameState state, Attack a, String purpose, Rules rules) {
        CharacterSheet sheet = state.sheet();
        int bonus = requiredInt("bonus", a.bonus());
        if (bonus < -10 || bonus > 30) {
            throw new InvalidInputException("bonus", "must be -10 to 30, was " + bonus);
        }
        if (a.targetAc() != null) {
            throw new InvalidInputException("targetAc", "an enemy attack uses the character's AC; give 'weapon' "
                    + "for the character's own attack");
        }
        DiceExpression damage = damageExpression("damage", required("damage", a.damage()));
        DamageType type = a.damageType() == null ? null : DamageType.fromId(a.damageType());
        String attacker = a.attacker() == null ? "an enemy" : Names.clip(a.attacker());
        ConditionEffects.Edge edge = ConditionEffects.attackAgainst(sheet);
        RollMode mode = edge.combine(flag(a.advantage()), flag(a.disadvantage()));
        AttackResult r = rules.attack(bonus, sheet.armorClass(), damage, mode,
                purpose == null ? attacker + " attacks " + sheet.name() : purpose);
        String head = "attack: " + attacker + " vs " + sheet.name() + " (AC " + sheet.armorClass()
                + mode(mode, edge) + "): " + r.attackRoll().describe() + " → " + hitText(r);
        if (!r.hit()) {
            return new Step(state, head);
        }
        DamageResult d = Vitals.damage(sheet, r.damage(), type, r.critical());
        return new Step(state.withSheet(d.after()), head + "; damage " + r.damageRoll().describe() + damageText(d,
                type));
    }

    private Step addItem(GameState state, AddItem a) {
        String id = required("itemId", a.itemId());
        int quantity = a.quantity() == null ? 1 : a.quantity();
        if (quantity < 1 || quantity > Inventory.MAX_QUANTITY) {
            throw new InvalidInputException("quantity", "must be 1 to " + Inventory.MAX_QUANTITY + ", was "
                    + quantity);
        }
        double weight = a.weight() == null ? 0 : a.weight();
        if (!(weight >= 0 && weight <= 1_000)) {
            throw new InvalidInputException("weight", "must be 0 to 1000 lb per unit, was " + weight);
        }
        String name = a.name() == null || a.name().isBlank() ? id.replace('-', ' ').replace('_', ' ') : a.name();
        if (name.length() > 100) {
            throw new InvalidInputException("name", "must be at most 100 characters, was " + name.length());
        }
        List<String> tags = a.tags() == null ? List.of() : a.tags();
        if (tags.size() > MAX_TAGS) {
            throw new InvalidInputException("tags", "at most " + MAX_TAGS + " tags, was " + tags.size());
        }
        Set<String> cleanTags = new LinkedHashSet<>();
        for (String t : tags) {
            if (t == null || t.isBlank() || t.length() > 40) {
                throw new InvalidInputException("tags", "each tag must be 1 to 40 characters, was '" + Names.clip(t)
                        + "'");
            }
            cleanTags.add(t.strip());
        }
        for (String t : cleanTags) {
            if (t.startsWith("heal:") || t.startsWith("damage:")) {
                DiceExpression e = DiceExpression.parse(t.substring(t.indexOf(':') + 1));
                if (e.diceCount() > MAX_DAMAGE_DICE) {
                    throw new InvalidInputException("tags", "'" + t + "' rolls more than " + MAX_DAMAGE_DICE + " dice");
                }
            } else if (t.startsWith("damage-type:")) {
                DamageType.fromId(t.substring("damage-type:".length()));
            }
        }
        InventoryItem item = new InventoryItem(id, name, quantity, weight, false, cleanTags);
        List<InventoryItem> items = Inventory.add(state.inventory(), item);
        double load = Inventory.load(items);
        int capacity = state.sheet().carryingCapacity();
        if (load > capacity) {
            throw new InvalidInputException("quantity", "would carry " + fmt(load) + " lb, over the carrying "
                    + "capacity of " + capacity + " lb (STR × 15)");
        }
        return new Step(state.withInventory(items), "added " + quantity + " × " + id + " (" + name + "); now "
                + Inventory.find(items, id).orElseThrow().quantity() + "; load " + fmt(load) + "/" + capacity + " lb");
    }

    private Step useItem(GameState state, UseItem a, String purpose, Rules rules) {
        CharacterSheet sheet = state.sheet();
        InventoryItem item = item(state, a.itemId());
        if (!Inventory.consumable(item)) {
            throw new InvalidInputException("itemId", item.name() + " is not consumable (no 'consumable' or "
                    + "'heal:<dice>' tag)");
        }
        if (sheet.has(Condition.UNCONSCIOUS)) {
            throw new InvalidInputException("character", sheet.name() + " is unconscious and cannot use items; "
                    + "use 'heal' for help from someone else");
        }
        String healDice = Inventory.tagValue(item, "heal").orElse(null);
        DiceExpression heal = healDice == null ? null : DiceExpression.parse(healDice);
        List<InventoryItem> items = Inventory.use(state.inventory(), item.itemId());
        GameState next = state.withInventory(items);
        String summary = "used " + item.name() + " (" + Inventory.find(items, item.itemId())
                .map(InventoryItem::quantity).orElse(0) + " left)";
        if (heal != null) {
            RollRecord r = rules.roll(heal, purpose == null ? item.name() : purpose);
            HealResult h = Vitals.heal(sheet, Math.max(0, r.total()));
            next = next.withSheet(h.after());
            summary += "; heal " + r.describe() + "; regained " + h.healed() + " HP; HP " + hp(h.after());
        }
        return new Step(next, summary);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private record Amount(int value, String text) {
    }

    private static Amount amount(Integer amount, String expression, Rules rules, String purpose) {
        if ((amount == null) == (expression == null)) {
            throw new InvalidInputException("amount", "give exactly one of 'amount' (a number) or 'expression' "
                    + "(dice, e.g. 2d6+1)");
        }
        if (amount != null) {
            if (amount < 0 || amount > MAX_AMOUNT) {
                throw new InvalidInputException("amount", "must be 0 to " + MAX_AMOUNT + ", was " + amount);
            }
            return new Amount(amount, Integer.toString(amount));
        }
        DiceExpression e = damageExpression("expression", expression);
        RollRecord r = rules.roll(e, purpose);
        return new Amount(Math.max(0, r.total()), r.describe());
    }

    private static DiceExpression damageExpression(String field, String text) {
        DiceExpression e;
        try {
            e = DiceExpression.parse(text);
        } catch (InvalidInputException ex) {
            throw new InvalidInputException(field, ex.errors().getFirst().message());
        }
        if (e.diceCount() > MAX_DAMAGE_DICE) {
            throw new InvalidInputException(field, "at most " + MAX_DAMAGE_DICE + " dice (critical hits double "
                    + "them), was " + e.diceCount());
        }
        return e;
    }

    private static InventoryItem item(GameState state, String itemId) {
        String id = required("itemId", itemId);
        return Inventory.find(state.inventory(), id).orElseThrow(() -> new InvalidInputException("itemId",
                "no item '" + Names.clip(id) + "' in the inventory; carried: " + (state.inventory().isEmpty()
                ? "nothing" : state.inventory().stream().map(InventoryItem::itemId).collect(Collectors.joining(", ")))));
    }

    private static void requireConscious(CharacterSheet sheet) {
        if (sheet.has(Condition.UNCONSCIOUS)) {
            throw new InvalidInputException("character", sheet.name() + " is unconscious and cannot act");
        }
    }

    private static int dc(Integer dc) {
        int v = requiredInt("dc", dc);
        Rules.checkDc("dc", v);
        return v;
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }

    private static int requiredInt(String field, Integer value) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }

    private static boolean flag(Boolean b) {
        return b != null && b;
    }

    private static String clip(String purpose) {
        if (purpose == null || purpose.isBlank()) {
            return null;
        }
        String p = purpose.strip().replace('\n', ' ');
        return p.length() <= 200 ? p : p.substring(0, 200) + "…";
    }

    private static String reasonFor(ProposedAction a, String type, String summary) {
        String p = clip(a.purpose());
        return p != null ? type + ": " + p : summary;
    }

    private static String about(String purpose) {
        return purpose == null ? "" : " [" + purpose + "]";
    }

    private static String mode(RollMode mode, ConditionEffects.Edge edge) {
        String text = switch (mode) {
            case NORMAL -> "";
            case ADVANTAGE -> ", advantage";
            case DISADVANTAGE -> ", disadvantage";
        };
        return edge.reasons().isEmpty() ? text : text + " [" + String.join(", ", edge.reasons()) + "]";
    }

    private static String verdict(CheckResult r) {
        return (r.success() ? "SUCCESS" : "FAILURE") + (r.natural20() ? " (natural 20)" : r.natural1()
                ? " (natural 1)" : "");
    }

    private static String hitText(AttackResult r) {
        return r.critical() ? "CRITICAL HIT (natural 20)" : r.hit() ? "HIT" : r.natural() == 1
                ? "MISS (natural 1)" : "MISS";
    }

    private static String damageText(DamageResult d, DamageType type) {
        StringBuilder b = new StringBuilder(" → ").append(d.taken());
        if (type != null) {
            b.append(' ').append(type.id());
        }
        b.append(" damage");
        if (d.taken() != d.amount()) {
            b.append(" (resisted, from ").append(d.amount()).append(')');
        }
        if (d.absorbedByTemp() > 0) {
            b.append(", ").append(d.absorbedByTemp()).append(" absorbed by temp HP");
        }
        b.append("; HP ").append(hp(d.after()));
        if (d.killed()) {
            b.append("; ").append(d.after().name()).append(" DIES");
        } else if (d.droppedToZero()) {
            b.append("; ").append(d.after().name()).append(" falls unconscious and is dying");
        } else if (d.deathSaveFailures() > 0) {
            b.append("; damage at 0 HP: ").append(d.deathSaveFailures()).append(" death save failure(s)");
        }
        return b.toString();
    }

    private static String hp(CharacterSheet s) {
        return s.hp().current() + "/" + s.hp().max() + (s.hp().temp() > 0 ? " (+" + s.hp().temp() + " temp)" : "");
    }

    private static String lifeState(CharacterSheet s) {
        if (s.dead()) {
            return s.name() + " is DEAD";
        }
        if (s.stable()) {
            return s.name() + " is stable (unconscious at 0 HP)";
        }
        if (s.dying()) {
            return "dying: " + s.deathSaves().successes() + " successes, " + s.deathSaves().failures() + " failures";
        }
        return s.name() + " is conscious, HP " + hp(s);
    }

    private static String signed(int n) {
        return n == 0 ? "" : n > 0 ? "+" + n : Integer.toString(n);
    }

    private static String fmt(double lb) {
        return lb == Math.rint(lb) ? Long.toString((long) lb) : String.format(Locale.ROOT, "%.1f", lb);
    }

    private static String reason(InvalidInputException e) {
        return e.errors().stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }

    private static String resultsText(GameState state, List<ActionOutcome> outcomes, List<Rejection> rejected) {
        StringBuilder b = new StringBuilder("[dm-results] The engine resolved your actions. Narrate these outcomes "
                + "exactly; do not roll again and do not add a dm-actions block.\n");
        java.util.TreeMap<Integer, List<String>> lines = new java.util.TreeMap<>();
        for (ActionOutcome o : outcomes) {
            lines.computeIfAbsent(o.index(), k -> new ArrayList<>()).add((o.index() + 1) + ". " + o.summary());
        }
        for (Rejection r : rejected) {
            lines.computeIfAbsent(r.index(), k -> new ArrayList<>()).add((r.index() < 0 ? "-" : Integer.toString(
                    r.index() + 1)) + ". REJECTED " + r.type() + ": " + r.reason() + " (this did not happen)");
        }
        lines.values().forEach(group -> group.forEach(line -> b.append(line).append('\n')));
        CharacterSheet s = state.sheet();
        b.append("State: ").append(s.name()).append(" HP ").append(hp(s)).append(", AC ").append(s.armorClass())
                .append("; conditions: ").append(s.conditions().isEmpty() ? "none" : s.conditions().stream()
                        .map(Condition::id).collect(Collectors.joining(", ")))
                .append("; XP ").append(s.xp()).append(" (level ").append(s.level()).append(')');
        if (s.hp().current() == 0) {
            b.append("; ").append(lifeState(s));
        }
        return b.toString();
    }
}
