package dev.dmengine.examples.cli;

import dev.dmengine.core.DmEngine;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CliAdventureTest {

    private String play(String input) throws Exception {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new CliAdventure(DmEngine.builder().build(), new BufferedReader(new StringReader(input)), out).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_player_creates_a_character_and_plays_three_turns() throws Exception {
        String output = play("""
                Aria
                wizard
                I open the creaking door
                I light a torch
                I walk towards the dripping water
                /history
                /quit
                """);

        assertThat(output).contains("Your adventure begins, Aria.");
        assertThat(output).contains("(The offline narrator speaks.) Aria, you open the creaking door.");
        assertThat(output).contains("Aria, you light a torch.");
        assertThat(output).contains("Aria, you walk towards the dripping water.");
        // the history lists the three player messages and three DM replies in story order
        assertThat(output).containsSubsequence("[player] I open the creaking door", "[dm] (The offline narrator",
                "[player] I light a torch", "[dm] (The offline narrator",
                "[player] I walk towards the dripping water", "[dm] (The offline narrator");
        assertThat(output).endsWith("Farewell, Aria.\n");
    }

    @Test
    void an_invalid_character_is_refused_with_the_reason_and_asked_again() throws Exception {
        String output = play("\nwizard\nAria\nwizard\n/quit\n");

        assertThat(output).contains("That won't do: name: must not be empty");
        assertThat(output).contains("Your adventure begins, Aria.");
    }

    @Test
    void an_oversized_message_is_refused_and_the_game_goes_on() throws Exception {
        String output = play("Aria\nwizard\n" + "x".repeat(4_001) + "\nI wave\n/quit\n");

        assertThat(output).contains("(text: must be at most 4000 characters, was 4001)");
        assertThat(output).contains("Aria, you wave.");
    }
}
