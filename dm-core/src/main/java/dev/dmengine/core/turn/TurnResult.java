package dev.dmengine.core.turn;

import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.TurnRecord;

import java.util.List;
import java.util.Objects;

/**
 * A completed turn.
 *
 * @param mechanics the stored engine message of the turn's rolls and changes, if any
 * @param replayed  whether this is an earlier result returned for a retried request
 */
public record TurnResult(TurnRecord turn, Message playerMessage, Message dmMessage, List<Message> mechanics,
                         boolean replayed) {

    public TurnResult {
        Objects.requireNonNull(turn, "turn");
        Objects.requireNonNull(playerMessage, "playerMessage");
        Objects.requireNonNull(dmMessage, "dmMessage");
        mechanics = List.copyOf(mechanics);
    }
}
