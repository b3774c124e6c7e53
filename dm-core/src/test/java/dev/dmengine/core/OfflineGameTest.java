package dev.dmengine.core;

import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.rules.CharacterSheets;
import dev.dmengine.core.rules.GameState;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.core.turn.TurnResult;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.identity.Player;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole default engine: SRD rules, offline narrator, in-memory adapters. */
class OfflineGameTest {

    private DmEngine engine;
    private Player player;
    private GameCharacter hero;
    private GameSession session;

    @BeforeEach
    void setUp() {
        engine = DmEngine.builder().build();
        player = engine.players().create("brienne@example.org", "Brienne");
        hero = engine.characters().create(player.id(), NewCharacter.of("Brienne", "fighter"));
        session = engine.sessions().create(player.id(), hero.id(), "The bridge");
    }

    private List<TurnEvent> play(String text) {
        List<TurnEvent> events = new ArrayList<>();
        engine.turns().play(TurnRequest.of(session.id(), player.id(), text), events::add);
        return events;
    }

    private GameCharacter stored() {
        return engine.characters().get(player.id(), hero.id());
    }

    private static int potions(GameCharacter c) {
        return c.inventory().stream().filter(i -> i.itemId().equals("healing-potion"))
                .mapToInt(InventoryItem::quantity).sum();
    }

    @Test
    void a_new_fighter_has_a_valid_level_one_sheet_and_a_starting_kit() {
        var sheet = CharacterSheets.fromJson(hero.sheet());
        assertThat(sheet.hp().max()).isEqualTo(10 + 2); // d10 hit die + CON 14
        assertThat(sheet.abilities().str()).isEqualTo(15);
        assertThat(hero.inventory()).extracting(InventoryItem::itemId)
                .contains("longsword", "healing-potion");
    }

    @Test
    void a_skill_check_is_rolled_by_the_engine_shown_as_events_narrated_and_stored() {
        List<TurnEvent> events = play("I sneak past the sleeping troll");

        assertThat(events).extracting(TurnEvent::name).containsSubsequence("turn.started", "token", "roll",
                "token", "dm.message", "turn.completed");
        TurnEvent.Mechanic roll = events.stream().filter(e -> e instanceof TurnEvent.Mechanic m && m.kind().equals("roll"))
                .map(TurnEvent.Mechanic.class::cast).findFirst().orElseThrow();
        assertThat(roll.summary()).startsWith("move unseen: 1d20");
        assertThat(roll.detail()).contains("\"expression\":\"1d20").contains("\"counter\":0");
        String streamed = events.stream().filter(e -> e instanceof TurnEvent.Token)
                .map(e -> ((TurnEvent.Token) e).text()).reduce("", String::concat);
        assertThat(streamed).doesNotContain("dm-actions").contains("The dice have spoken: check stealth");

        List<Message> transcript = engine.sessions().messages(player.id(), session.id(), null, 50).items();
        assertThat(transcript).extracting(Message::role)
                .containsExactly(MessageRole.PLAYER, MessageRole.SYSTEM, MessageRole.DM);
        assertThat(transcript.get(1).content()).startsWith("check stealth");
        assertThat(transcript.get(2).content()).doesNotContain("```");
        var turn = engine.ports().turnStore().latest(session.id()).orElseThrow();
        assertThat(GameState.fromJson(turn.stateAfter()).rollCounter()).isEqualTo(1);
        assertThat(turn.mechanics()).contains("\"rolls\"");
    }

    @Test
    void drinking_a_potion_uses_exactly_one_and_hp_never_exceeds_the_maximum() {
        List<TurnEvent> events = play("I drink a potion");

        assertThat(potions(stored())).isEqualTo(1);
        var sheet = CharacterSheets.fromJson(stored().sheet());
        assertThat(sheet.hp().current()).isEqualTo(sheet.hp().max());
        assertThat(events).extracting(TurnEvent::name).contains("state.changed");
        assertThat(stored().version()).isEqualTo(2);
    }

    @Test
    void the_state_carries_over_and_hp_matches_what_the_dice_said() {
        play("I attack the bandit");
        var afterFight = CharacterSheets.fromJson(stored().sheet());
        var turn = engine.ports().turnStore().latest(session.id()).orElseThrow();
        var state = GameState.fromJson(turn.stateAfter());

        assertThat(state.sheet().hp()).isEqualTo(afterFight.hp());
        assertThat(state.rollCounter()).isGreaterThanOrEqualTo(2); // our attack and the foe's

        play("I look around");
        var next = engine.ports().turnStore().latest(session.id()).orElseThrow();
        assertThat(GameState.fromJson(next.stateBefore()).rollCounter()).isEqualTo(state.rollCounter());
    }

    @Test
    void regenerating_a_turn_never_rerolls() {
        List<TurnEvent> first = play("I search the chest");
        String firstRoll = rollOf(first);

        List<TurnEvent> again = new ArrayList<>();
        TurnResult regenerated = engine.turns().regenerate(session.id(), player.id(), new CancellationSignal(), again::add);

        assertThat(rollOf(again)).isEqualTo(firstRoll);
        assertThat(regenerated.turn().seq()).isEqualTo(1);
        List<Message> transcript = engine.sessions().messages(player.id(), session.id(), null, 50).items();
        assertThat(transcript).extracting(Message::role)
                .containsExactly(MessageRole.PLAYER, MessageRole.SYSTEM, MessageRole.DM);
    }

    @Test
    void regenerating_a_potion_turn_starts_from_the_state_before_it() {
        play("I drink a potion");
        assertThat(potions(stored())).isEqualTo(1);

        engine.turns().regenerate(session.id(), player.id(), new CancellationSignal(), TurnListener.NONE);

        assertThat(potions(stored())).isEqualTo(1); // not 0: the turn was replayed from before the potion
    }

    private static String rollOf(List<TurnEvent> events) {
        return events.stream().filter(e -> e instanceof TurnEvent.Mechanic m && m.kind().equals("roll"))
                .map(e -> ((TurnEvent.Mechanic) e).detail()).findFirst().orElseThrow();
    }
}
