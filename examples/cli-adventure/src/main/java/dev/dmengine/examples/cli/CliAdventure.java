package dev.dmengine.examples.cli;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.identity.Player;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A terminal game on dm-core alone: create a character, start a session, type turns and
 * watch the DM's reply stream in. Everything lives in memory; nothing needs a network.
 *
 * <p>Commands: {@code /sheet}, {@code /history}, {@code /help}, {@code /quit}.
 * Run with {@code ./dm start}; {@code --fast} turns the narrator's pacing off.
 */
public final class CliAdventure {

    private final DmEngine engine;
    private final BufferedReader in;
    private final PrintStream out;

    public CliAdventure(DmEngine engine, BufferedReader in, PrintStream out) {
        this.engine = engine;
        this.in = in;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        boolean fast = List.of(args).contains("--fast");
        DmEngine engine = DmEngine.builder()
                .languageModel(new OfflineNarrator(fast ? Duration.ZERO : Duration.ofMillis(35)))
                .build();
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        var out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new CliAdventure(engine, in, out).run();
    }

    /** Plays until {@code /quit} or the end of input. */
    public void run() throws IOException {
        out.println("=== DM Engine: a terminal adventure (offline narrator, everything in memory) ===");
        Player player = engine.players().create("player@localhost", "Player");
        GameCharacter hero = createCharacter(player);
        if (hero == null) {
            return;
        }
        GameSession session = engine.sessions().create(player.id(), hero.id(), "A terminal adventure");
        out.println("Your adventure begins, " + hero.name() + ". Type what you do; /help for commands.");
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/quit")) {
                out.println("Farewell, " + hero.name() + ".");
                return;
            }
            switch (line.strip()) {
                case "" -> { }
                case "/help" -> out.println("Type an action (\"I search the room\"). Commands: /sheet /history /quit");
                case "/sheet" -> sheet(player, hero);
                case "/history" -> history(player, session);
                default -> play(player, session, line);
            }
        }
    }

    private GameCharacter createCharacter(Player player) throws IOException {
        while (true) {
            String name = ask("Name your character: ");
            if (name == null) {
                return null;
            }
            String cls = ask("Their class (fighter, wizard, rogue, cleric…): ");
            if (cls == null) {
                return null;
            }
            try {
                return engine.characters().create(player.id(), NewCharacter.of(name, cls));
            } catch (DmException e) {
                out.println("That won't do: " + e.getMessage());
            }
        }
    }

    private String ask(String prompt) throws IOException {
        out.print(prompt);
        out.flush();
        String line = in.readLine();
        return line == null ? null : line.strip();
    }

    private void play(Player player, GameSession session, String line) {
        try {
            engine.turns().play(TurnRequest.of(session.id(), player.id(), line), event -> {
                switch (event) {
                    case TurnEvent.Token t -> {
                        out.print(t.text());
                        out.flush();
                    }
                    case TurnEvent.Mechanic m -> out.print("\n  [" + m.summary() + "]\n");
                    case TurnEvent.Completed c -> out.println();
                    case TurnEvent.Failed f -> out.println("\n  (the turn failed: " + f.reason() + ")");
                    default -> { }
                }
            });
        } catch (DmException e) {
            out.println("  (" + e.getMessage() + ")");
        }
    }

    private void sheet(Player player, GameCharacter hero) {
        GameCharacter c = engine.characters().get(player.id(), hero.id());
        out.println(c.name() + ", level " + c.level() + " " + c.characterClass());
        out.println("Sheet: " + c.sheet());
        c.inventory().forEach(i -> out.println("  " + i.quantity() + " x " + i.name() + (i.equipped() ? " (equipped)" : "")));
    }

    private void history(Player player, GameSession session) {
        String cursor = null;
        do {
            var page = engine.sessions().messages(player.id(), session.id(), cursor, 200);
            for (Message m : page.items()) {
                out.println("[" + m.role().name().toLowerCase() + "] " + m.content());
            }
            cursor = page.nextCursor();
        } while (cursor != null);
    }
}
