package dev.dmengine.core.turn;

import dev.dmengine.core.internal.Json;
import dev.dmengine.spi.Ids;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TurnEventTest {

    @Test
    void a_tokens_hand_written_json_is_what_jackson_writes_for_any_text() {
        UUID turn = Ids.newId();
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        List<String> texts = List.of("", " the", "He said \"run\"", "back\\slash / slash", "line\nbreak\ttab\r",
                controls.toString(), "\u007f\u0080 é ß 龍 \u2028\u2029", "\uD83D\uDC09 dragon", "<script>&amp;</script>",
                "a".repeat(5_000));
        for (String text : texts) {
            for (int round : new int[] {1, 2}) {
                TurnEvent.Token token = new TurnEvent.Token(turn, round, text);
                assertThat(token.json()).as("text %s", text.length() > 40 ? text.length() + " chars" : text)
                        .isEqualTo(Json.write(token));
                assertThat(Json.parse("token", token.json()).get("text").asText()).isEqualTo(text);
            }
        }
        TurnEvent.Token noText = new TurnEvent.Token(turn, 1, null);
        assertThat(noText.json()).isEqualTo(Json.write(noText)).doesNotContain("text");
    }
}
