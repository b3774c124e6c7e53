package dev.dmengine.core.turn;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.dmengine.core.internal.Json;

import java.util.UUID;

/**
 * What happens during a turn, in order. Each event goes to the caller's
 * {@link TurnListener} and, as {@code name} + JSON data, to the session's
 * {@link dev.dmengine.spi.infra.EventBus} topic. The names are a stable public contract.
 */
public sealed interface TurnEvent {

    String STARTED = "turn.started";
    String TOKEN = "token";
    String ROLL = "roll";
    String STATE_CHANGED = "state.changed";
    String ACTION_REJECTED = "action.rejected";
    String DM_MESSAGE = "dm.message";
    String COMPLETED = "turn.completed";
    String FAILED = "turn.failed";

    UUID turnId();

    @JsonIgnore
    String name();

    /** The event's data as published on the bus and sent to clients (the JSON of its fields). */
    default String json() {
        return Json.write(this);
    }

    /** The turn began: the player's message is stored. */
    record Started(UUID turnId, UUID sessionId, long seq, UUID playerMessageId, String text) implements TurnEvent {
        public String name() {
            return STARTED;
        }
    }

    /** A chunk of the DM's narration, as it streams ({@code round} 1, or 2 when narrating results). */
    record Token(UUID turnId, int round, String text) implements TurnEvent {
        public String name() {
            return TOKEN;
        }

        /**
         * The same JSON as the other events' (Jackson's field order and escaping), written by hand:
         * a reply is ~90 of these, each serialized for the bus and again for the caller's stream.
         */
        @Override
        public String json() {
            if (turnId == null || text == null) {
                return TurnEvent.super.json();
            }
            StringBuilder b = new StringBuilder(text.length() + 72).append("{\"turnId\":\"").append(turnId)
                    .append("\",\"round\":").append(round).append(",\"text\":\"");
            JsonStringEncoder.getInstance().quoteAsString(text, b);
            return b.append("\"}").toString();
        }
    }

    /**
     * A game-mechanics outcome: a roll, a state change or a rejected action ({@code kind} is
     * the event name), with the rules engine's JSON detail and a one-line summary.
     */
    record Mechanic(UUID turnId, @JsonIgnore String kind, String summary, @JsonRawValue String detail)
            implements TurnEvent {
        public String name() {
            return kind;
        }
    }

    /** The DM's whole reply, as stored. */
    record DmMessage(UUID turnId, UUID messageId, String content) implements TurnEvent {
        public String name() {
            return DM_MESSAGE;
        }
    }

    /** The turn is stored; {@code replayed} when an idempotent retry returned an earlier result. */
    record Completed(UUID turnId, long seq, UUID dmMessageId, boolean replayed) implements TurnEvent {
        public String name() {
            return COMPLETED;
        }
    }

    /** The turn failed; the player's message stays, no DM message was stored. */
    record Failed(UUID turnId, String reason, boolean retriable) implements TurnEvent {
        public String name() {
            return FAILED;
        }
    }
}
