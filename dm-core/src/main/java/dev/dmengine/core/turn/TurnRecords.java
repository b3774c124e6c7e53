package dev.dmengine.core.turn;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Step 3 of a turn and its bookkeeping: the player message and the turn record stored together
 * (with the state the turn starts from), an earlier attempt of the same key started again, the
 * latest turn restarted for a regeneration, and a failure recorded. Runs under the session's lock.
 */
final class TurnRecords {

    private static final Logger LOG = LoggerFactory.getLogger(TurnRecords.class);
    static final String INTERRUPTED = "the turn was interrupted before it could finish";
    static final String ATTR_MECHANICS_MESSAGE = "mechanicsMessageId";

    private final CharacterStore characters;
    private final MessageStore messages;
    private final TurnStore turns;
    private final Transactor transactor;
    private final Clock clock;

    TurnRecords(CharacterStore characters, MessageStore messages, TurnStore turns, Transactor transactor,
                Clock clock) {
        this.characters = characters;
        this.messages = messages;
        this.turns = turns;
        this.transactor = transactor;
        this.clock = clock;
    }

    /**
     * A turn that is to run.
     *
     * @param replaced messages of an earlier reply to the same player message (a regeneration),
     *                 deleted when the new reply is stored
     */
    record Begun<S>(TurnRecord turn, Message playerMessage, S stateBefore, List<UUID> replaced) {
        boolean regenerating() {
            return !replaced.isEmpty();
        }
    }

    /** What {@link #begin} found: a turn to run, or an earlier one of the same key that completed meanwhile. */
    record Start<S>(Begun<S> begun, TurnRecord completed) {
    }

    <S> Start<S> begin(TurnRules<S> rules, Admission admission, Admission.Checked request) {
        GameSession session = request.session();
        Optional<TurnRecord> latest = turns.latest(session.id());
        String key = request.key();
        if (key != null) {
            Optional<TurnRecord> prior = turns.findByIdempotencyKey(session.id(), key);
            if (prior.isPresent()) {
                TurnRecord p = prior.get();
                admission.requireSameMessage(p, request.text(), key); // again under the lock: it may have run meanwhile
                if (p.status() == TurnStatus.COMPLETED) {
                    return new Start<>(null, p);
                }
                if (latest.isPresent() && latest.get().seq() != p.seq()) {
                    throw new ConflictException("the turn of idempotency key " + key
                            + " failed and the story has moved on since; send the message again with a new key");
                }
                // a failed (or abandoned) attempt: play it again for the same player message
                Message playerMessage = message(p.playerMessageId());
                TurnRecord again = turns.update(p.restarted(clock.instant()));
                return new Start<>(new Begun<>(again, playerMessage, rules.parse(again.stateBefore()), List.of()),
                        null);
            }
        }
        GameCharacter character = characters.get(session.characterId())
                .orElseThrow(() -> new NotFoundException("character", session.characterId()));
        // Under the session's lock no other turn runs: one still in progress lost its process or its
        // database before it could record how it ended (its player was told it failed).
        TurnRecord abandoned = latest.filter(t -> t.status() == TurnStatus.IN_PROGRESS).orElse(null);
        Optional<String> previous = latest.map(t -> t.status() == TurnStatus.COMPLETED ? t.stateAfter()
                : t.stateBefore());
        S stateBefore = rules.stateBeforeStored(session, character, previous);
        long seq = latest.map(t -> t.seq() + 1).orElse(1L);
        var now = clock.instant();
        UUID turnId = Ids.newId();
        Message playerMessage = new Message(Ids.newId(), session.id(), turnId, MessageRole.PLAYER, request.text(), now,
                Map.of("playerId", request.playerId().toString()));
        TurnRecord turn = new TurnRecord(turnId, session.id(), seq, key, TurnStatus.IN_PROGRESS, playerMessage.id(),
                null, rules.toJson(stateBefore), null, null, null, now, now);
        transactor.inTransaction(() -> {
            if (abandoned != null) {
                turns.update(abandoned.failed(INTERRUPTED, now));
            }
            messages.append(playerMessage);
            return turns.create(turn);
        });
        return new Start<>(new Begun<>(turn, playerMessage, stateBefore, List.of()), null);
    }

    /** The session's latest turn, to play again from the state before it; its reply is what the new one replaces. */
    <S> Begun<S> restartLatest(TurnRules<S> rules, GameSession session) {
        TurnRecord latest = turns.latest(session.id())
                .orElseThrow(() -> new NotFoundException("turn", "latest of session " + session.id()));
        Message playerMessage = message(latest.playerMessageId());
        List<UUID> replaced = new ArrayList<>();
        if (latest.dmMessageId() != null) {
            messages.get(latest.dmMessageId()).ifPresent(dm -> {
                Optional.ofNullable(dm.attributes().get(ATTR_MECHANICS_MESSAGE))
                        .map(UUID::fromString).ifPresent(replaced::add);
                replaced.add(dm.id());
            });
        }
        TurnRecord again = latest.restarted(clock.instant());
        return new Begun<>(again, playerMessage, rules.parse(again.stateBefore()), replaced);
    }

    /**
     * Records why the turn failed. A failed regeneration leaves the completed turn as it was. If
     * the store fails too, the session's next turn records it as interrupted.
     */
    void failed(Begun<?> begun, String reason, Throwable cause) {
        if (begun.regenerating()) {
            return;
        }
        try {
            turns.update(begun.turn().failed(reason, clock.instant()));
        } catch (RuntimeException recordFailure) {
            cause.addSuppressed(recordFailure);
            LOG.warn("turn {}: could not record its failure ({}); the session's next turn records it as "
                    + "interrupted", begun.turn().id(), recordFailure.getMessage());
        }
    }

    /** The player message, the DM reply and any mechanics message of a completed turn. */
    TurnResult completed(TurnRecord turn) {
        Message player = message(turn.playerMessageId());
        Message dm = message(turn.dmMessageId());
        List<Message> mechanics = Optional.ofNullable(dm.attributes().get(ATTR_MECHANICS_MESSAGE))
                .flatMap(id -> messages.get(UUID.fromString(id))).stream().toList();
        return new TurnResult(turn, player, dm, mechanics, true);
    }

    private Message message(UUID id) {
        return messages.get(id).orElseThrow(() -> new NotFoundException("message", id));
    }
}
