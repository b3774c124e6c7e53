package dev.dmengine.core.game;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.InventoryItem;
import dev.dmengine.spi.identity.Player;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine refuses text that is not valid Unicode or holds control characters in every field
 * a caller gives, before any store sees it, and names the field.
 */
class TextValidationTest {

    /** Lone high, lone low, a reversed pair, NUL, ESC, DEL, a C1 control. */
    static final String[] BAD = {"\uD800", "\uDFFF", "\uDC00\uD800", "\u0000", "\u001B", "\u007F", "\u0085"};

    DmEngine engine;
    Player player;
    GameCharacter hero;
    GameSession session;

    @BeforeEach
    void setUp() {
        engine = DmEngine.builder().build();
        player = engine.players().create("ines@example.org", "Ines");
        hero = engine.characters().create(player.id(), NewCharacter.of("Ines", "wizard"));
        session = engine.sessions().create(player.id(), hero.id(), "The keep");
    }

    static void assertRefused(Runnable call, String field) {
        assertThatThrownBy(call::run).isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).errors())
                        .extracting(InvalidInputException.FieldError::field).contains(field));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void character_names_and_classes_are_refused_and_nothing_is_stored(int bad) {
        assertRefused(() -> engine.characters().create(player.id(), NewCharacter.of("Ari" + BAD[bad], "wizard")), "name");
        assertRefused(() -> engine.characters().create(player.id(), NewCharacter.of("Ari", "wiz" + BAD[bad])),
                "characterClass");
        assertRefused(() -> engine.characters().update(player.id(), hero.id(), 1,
                NewCharacter.of("Ines" + BAD[bad], "wizard")), "name");
        assertThat(engine.characters().list(player.id())).extracting(GameCharacter::name).containsExactly("Ines");
    }

    /** Sheets as the basic rules keep them: any JSON object, so any string in it. */
    CharacterService basic() {
        return new CharacterService(engine.ports().characterStore(), new BasicCharacterRules(), java.time.Clock.systemUTC());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void strings_anywhere_in_a_sheet_are_refused_naming_their_path(int bad) {
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"notes\":\"hi" + BAD[bad] + "\"}", List.of())), "sheet.notes");
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"bag\":[\"rope\",{\"label\":\"x" + BAD[bad] + "\"}]}", List.of())), "sheet.bag[1].label");
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"k" + BAD[bad] + "\":1}", List.of())), "sheet");
        assertThat(engine.characters().list(player.id())).hasSize(1);
    }

    @Test
    void escaped_lone_surrogates_in_a_sheet_are_refused_like_raw_ones() {
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"notes\":\"hi\\ud800\"}", List.of())), "sheet.notes");
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"notes\":\"hi\\u0000\"}", List.of())), "sheet.notes");
        assertRefused(() -> basic().create(player.id(), new NewCharacter("Ari", "wizard", 1,
                "{\"notes\":\"hi\\u001b\"}", List.of())), "sheet.notes");
    }

    @Test
    void a_sheet_may_hold_multi_line_strings_and_characters_beyond_the_basic_plane() {
        GameCharacter c = basic().create(player.id(), new NewCharacter("Ari \uD83D\uDC09", "wizard", 1,
                "{\"notes\":\"line one\\nline two\\t\\ud83d\\udc09\"}", List.of()));
        assertThat(c.name()).isEqualTo("Ari \uD83D\uDC09");
        assertThat(c.sheet()).contains("line one\\nline two\\t\uD83D\uDC09");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4})
    void inventory_strings_are_refused_naming_the_item(int bad) {
        assertRefused(() -> engine.characters().create(player.id(), new NewCharacter("Ari", "wizard", 1, null,
                List.of(new InventoryItem("torch", "Torch" + BAD[bad], 1, 1, false, Set.of())))), "inventory[0].name");
        assertRefused(() -> engine.characters().create(player.id(), new NewCharacter("Ari", "wizard", 1, null,
                List.of(new InventoryItem("torch", "Torch", 1, 1, false, Set.of("light" + BAD[bad]))))),
                "inventory[0].tags");
        assertRefused(() -> engine.characters().create(player.id(), new NewCharacter("Ari", "wizard", 1, null,
                List.of(new InventoryItem("t" + BAD[bad], "Torch", 1, 1, false, Set.of())))), "inventory[0].itemId");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4})
    void session_titles_player_names_and_emails_are_refused(int bad) {
        assertRefused(() -> engine.sessions().create(player.id(), hero.id(), "Keep" + BAD[bad]), "title");
        assertRefused(() -> engine.sessions().rename(player.id(), session.id(), "Keep" + BAD[bad]), "title");
        assertRefused(() -> engine.players().create("zed@example.org", "Zed" + BAD[bad]), "displayName");
        assertRefused(() -> engine.players().create("zed" + BAD[bad] + "@example.org", "Zed"), "email");
        assertThat(engine.sessions().list(player.id())).extracting(GameSession::title).containsExactly("The keep");
    }

    @Test
    void one_line_fields_refuse_line_breaks() {
        assertRefused(() -> engine.sessions().rename(player.id(), session.id(), "Keep\nTwo"), "title");
        assertRefused(() -> engine.characters().create(player.id(), NewCharacter.of("A\rB", "wizard")), "name");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void a_players_message_is_refused_and_nothing_is_stored(int bad) {
        assertRefused(() -> engine.turns().play(TurnRequest.of(session.id(), player.id(), "I look" + BAD[bad]),
                TurnListener.NONE), "text");
        assertThat(engine.sessions().messages(player.id(), session.id(), null, null).items()).isEmpty();
    }

    @Test
    void a_players_message_may_hold_line_breaks_and_tabs() {
        var result = engine.turns().play(TurnRequest.of(session.id(), player.id(), "I say:\n\t\"Open up!\"\r\n"),
                TurnListener.NONE);
        assertThat(result.playerMessage().content()).isEqualTo("I say:\n\t\"Open up!\"");
    }

    @Test
    void storable_refuses_only_what_no_store_can_keep() {
        assertThat(Validation.storable("f", "a\u001B\n\uD83D\uDC09")).isEqualTo("a\u001B\n\uD83D\uDC09");
        assertRefused(() -> Validation.storable("f", "a\uD800"), "f");
        assertRefused(() -> Validation.storable("f", "\uDC00a"), "f");
        assertRefused(() -> Validation.storable("f", "a\u0000"), "f");
    }

    @Test
    void storable_json_also_refuses_the_escaped_forms() {
        assertThat(Validation.storableJson("j", "{\"a\":\"\\ud83d\\udc09 \\\\ud800 \\\\u0000 \\\"\"}")).isNotNull();
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\ud800\"}"), "j");
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\ud800x\"}"), "j");
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\ud800\\n\"}"), "j");
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\udc00\\ud800\"}"), "j");
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\u0000\"}"), "j");
        assertRefused(() -> Validation.storableJson("j", "{\"a\":\"\\ud800\"}".replace("\\ud800", "\uD800")), "j");
    }

    @Test
    void clean_makes_a_models_text_storable() {
        assertThat(Validation.clean("ok\n\t\uD83D\uDC09")).isEqualTo("ok\n\t\uD83D\uDC09");
        assertThat(Validation.clean("a\uD800b\u0000c\u001Bd\uDC00")).isEqualTo("a\uFFFDbcd\uFFFD");
    }
}
