package dev.dmengine.examples.embed;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnRequest;

public class Embed {
    public static void main(String[] args) {
        DmEngine engine = DmEngine.builder().build(); // in memory, offline narrator: no network, no setup
        var player = engine.players().create("aria@example.org", "Aria");
        var hero = engine.characters().create(player.id(), NewCharacter.of("Aria", "wizard"));
        var session = engine.sessions().create(player.id(), hero.id(), "The sunken keep");
        engine.turns().play(TurnRequest.of(session.id(), player.id(), "I open the door"), event -> {
            if (event instanceof TurnEvent.Token t) System.out.print(t.text());              // the DM, streaming
            if (event instanceof TurnEvent.Mechanic m) System.out.print("\n[" + m.summary() + "]\n"); // a roll
            if (event instanceof TurnEvent.Completed) System.out.println();
        });
    }
}
