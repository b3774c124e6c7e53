package dev.dmengine.core.rules;

import dev.dmengine.core.internal.Json;
import dev.dmengine.core.turn.StreamFilter;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnRules;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The SRD rules engine behind the DM turn: the model proposes actions in a
 * {@code dm-actions} block (docs/dm-actions.md), {@link RulesEngine} validates and applies
 * them, and each roll, state change and rejection becomes an event of the turn and a line
 * of its stored mechanics message. The default {@link TurnRules} of {@code DmEngine}.
 */
public final class SrdTurnRules implements TurnRules<GameState> {

    private static final Logger LOG = LoggerFactory.getLogger(SrdTurnRules.class);

    private final RulesEngine engine = new RulesEngine();

    @Override
    public GameState stateBefore(GameSession session, GameCharacter character, Optional<GameState> previous) {
        return GameState.of(character, previous.map(GameState::rollCounter).orElse(0L));
    }

    /**
     * The previous turn carries only its dice counter into the next (the sheet and inventory come
     * from the character as stored), so only that is read from its stored state: the profile of a
     * turn found the whole state's parse 4 % of its CPU. A state whose counter cannot be read so is
     * parsed whole, which names what is wrong with it.
     */
    @Override
    public GameState stateBeforeStored(GameSession session, GameCharacter character, Optional<String> previousJson) {
        if (previousJson.isEmpty()) {
            return stateBefore(session, character, Optional.empty());
        }
        OptionalLong counter = GameState.rollCounterOf(previousJson.get());
        return counter.isPresent() ? GameState.of(character, counter.getAsLong())
                : stateBefore(session, character, previousJson.map(this::parse));
    }

    @Override
    public GameState parse(String json) {
        return GameState.fromJson(json);
    }

    @Override
    public String toJson(GameState state) {
        return state.toJson();
    }

    @Override
    public String describe(GameState s) {
        CharacterSheet c = s.sheet();
        StringBuilder b = new StringBuilder();
        b.append(c.name()).append(", level ").append(c.level()).append(' ').append(c.characterClass().id())
                .append(". HP ").append(c.hp().current()).append('/').append(c.hp().max());
        if (c.hp().temp() > 0) {
            b.append(" (+").append(c.hp().temp()).append(" temporary)");
        }
        b.append(", AC ").append(c.armorClass()).append(", speed ").append(c.speed()).append(" ft, XP ")
                .append(c.xp()).append('\n');
        for (Ability a : Ability.values()) {
            int score = c.abilities().score(a);
            int mod = Ability.modifier(score);
            b.append(a.id().toUpperCase()).append(' ').append(score).append(" (").append(mod >= 0 ? "+" : "")
                    .append(mod).append(") ");
        }
        b.append("\nProficient skills: ").append(c.skills().stream().map(Skill::id).collect(Collectors.joining(", ")))
                .append("; saving throws: ").append(c.savingThrows().stream().map(Ability::id)
                        .collect(Collectors.joining(", ")));
        b.append("\nConditions: ").append(c.conditions().isEmpty() ? "none"
                : c.conditions().stream().map(Condition::id).collect(Collectors.joining(", ")));
        if (c.dead()) {
            b.append(" — DEAD");
        } else if (c.dying()) {
            b.append(" — dying (death saves ").append(c.deathSaves().successes()).append(" successes, ")
                    .append(c.deathSaves().failures()).append(" failures)");
        }
        b.append("\nInventory (itemId: quantity name):");
        if (s.inventory().isEmpty()) {
            b.append(" nothing");
        }
        for (InventoryItem i : s.inventory()) {
            b.append("\n- ").append(i.itemId()).append(": ").append(i.quantity()).append(' ').append(i.name())
                    .append(i.equipped() ? " (equipped)" : "");
        }
        return b.toString();
    }

    @Override
    public String promptGuide() {
        return ActionProtocol.PROMPT_GUIDE;
    }

    @Override
    public StreamFilter streamFilter() {
        StreamingActionFilter filter = new StreamingActionFilter();
        return new StreamFilter() {
            @Override
            public String accept(String chunk) {
                return filter.accept(chunk);
            }

            @Override
            public String finish() {
                return filter.finish();
            }
        };
    }

    @Override
    public RoundOutcome<GameState> resolve(RoundInput<GameState> in) {
        Extraction extraction = ActionProtocol.extract(in.modelText());
        if (in.round() > 1) {
            if (extraction.hadBlock()) { // the protocol: the narration of results carries no new actions
                LOG.info("turn {}: ignored a dm-actions block in the second round", in.turnId());
            }
            return RoundOutcome.narrationOnly(extraction.narration(), in.state());
        }
        Resolution r = engine.resolve(in.state(), extraction, in.sessionSeed(), in.turnId());
        List<TurnEvent.Mechanic> mechanics = new ArrayList<>();
        for (RollRecord roll : r.rolls()) {
            String purpose = roll.purpose() == null || roll.purpose().isBlank() ? "roll" : roll.purpose();
            mechanics.add(new TurnEvent.Mechanic(in.turnId(), TurnEvent.ROLL, purpose + ": " + roll.describe(),
                    Json.write(roll)));
        }
        for (StateChange change : r.changes()) {
            if (change.path().equals("rollCounter")) {
                continue; // bookkeeping, not something a player sees change
            }
            mechanics.add(new TurnEvent.Mechanic(in.turnId(), TurnEvent.STATE_CHANGED, describe(change),
                    Json.write(change)));
        }
        for (Rejection rejection : r.rejected()) {
            mechanics.add(new TurnEvent.Mechanic(in.turnId(), TurnEvent.ACTION_REJECTED,
                    "rejected " + rejection.type() + ": " + rejection.reason(), Json.write(rejection)));
        }
        List<String> lines = new ArrayList<>();
        r.outcomes().forEach(o -> lines.add(o.summary()));
        r.rejected().forEach(j -> lines.add("rejected " + j.type() + ": " + j.reason()));
        return new RoundOutcome<>(extraction.narration(), r.after(), mechanics, r.needsNarration(),
                r.resultsForModel(), r.mechanicsJson(), String.join("\n", lines));
    }

    /** One line a player reads: {@code Potion of Healing: 2 → 1}, {@code hp.current: 9 → 6}. */
    static String describe(StateChange c) {
        String why = c.reason() == null ? "" : " (" + c.reason() + ")";
        if (c.path().startsWith("inventory[")) {
            var item = c.after() != null ? c.after() : c.before();
            String name = item.path("name").asText(c.path());
            int before = c.before() == null ? 0 : c.before().path("quantity").asInt();
            int after = c.after() == null ? 0 : c.after().path("quantity").asInt();
            boolean equippedChanged = c.before() != null && c.after() != null
                    && c.before().path("equipped").asBoolean() != c.after().path("equipped").asBoolean();
            if (equippedChanged) {
                return name + ": " + (c.after().path("equipped").asBoolean() ? "equipped" : "unequipped") + why;
            }
            return name + ": " + before + " → " + after + why;
        }
        String path = c.path().startsWith("sheet.") ? c.path().substring("sheet.".length()) : c.path();
        String before = c.before() == null ? "—" : c.before().toString();
        String after = c.after() == null ? "—" : c.after().toString();
        return path + ": " + before + " → " + after + why;
    }

    @Override
    public boolean changesCharacter(GameState before, GameState after) {
        // the roll counter is the session's, carried in the turn record; the sheet holds the level
        return !before.sameCharacterAs(after);
    }

    @Override
    public GameCharacter applyChanges(GameCharacter current, GameState before, GameState after) {
        GameState stored;
        try {
            stored = GameState.of(current, after.rollCounter());
        } catch (InvalidInputException e) {
            return applyToCharacter(current, after); // a stored sheet the rules cannot read: the turn's whole
        }
        return applyToCharacter(current, StateMerge.merge(before, after, stored));
    }

    @Override
    public GameCharacter applyToCharacter(GameCharacter character, GameState after) {
        GameCharacter updated = after.applyTo(character);
        boolean same = updated.sheet().equals(character.sheet()) && updated.inventory().equals(character.inventory())
                && updated.level() == character.level();
        return same ? character : updated;
    }
}
