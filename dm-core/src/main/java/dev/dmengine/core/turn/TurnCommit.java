package dev.dmengine.core.turn;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.retrieval.VectorIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Step 9 of a turn: the DM message (and a mechanics message when the rules rolled or changed
 * something), the character's new sheet and inventory, the session's activity and the completed
 * turn record, stored in one transaction; the reply's vector follows the turn
 * ({@link ReplyIndexing}). Stores that do not share a transaction
 * (an in-memory vector index beside PostgreSQL, say) are put back by compensation if the
 * transaction fails, so a failed turn leaves no half reply. A regenerated reply replaces the old
 * one last, so a failure keeps the old one.
 */
final class TurnCommit {

    private static final Logger LOG = LoggerFactory.getLogger(TurnCommit.class);
    static final String ATTR_MODEL = "model";

    private final SessionStore sessions;
    private final CharacterStore characters;
    private final MessageStore messages;
    private final TurnStore turns;
    private final VectorIndex vectors;
    private final Transactor transactor;
    private final Clock clock;
    private final String modelId;

    TurnCommit(SessionStore sessions, CharacterStore characters, MessageStore messages, TurnStore turns,
               VectorIndex vectors, Transactor transactor, Clock clock, String modelId) {
        this.sessions = sessions;
        this.characters = characters;
        this.messages = messages;
        this.turns = turns;
        this.vectors = vectors;
        this.transactor = transactor;
        this.clock = clock;
        this.modelId = modelId;
    }

    /** How the prompt was made, kept on the DM message. */
    record PromptStats(int tokens, int memories) {
    }

    <S> TurnResult commit(TurnRules<S> rules, GameSession session, TurnRecords.Begun<S> begun,
                          Narration.Told<S> told, PromptStats stats) {
        TurnRecord turn = begun.turn();
        var now = clock.instant();
        String mechanicsText = String.join("\n", told.transcript().stream().filter(t -> !t.isBlank()).toList());
        Message mechanicsMessage = mechanicsText.isEmpty() ? null : new Message(Ids.newId(), session.id(),
                turn.id(), MessageRole.SYSTEM, mechanicsText, now, Map.of("kind", "mechanics"));
        Map<String, String> attributes = new HashMap<>(told.attributes());
        attributes.put(ATTR_MODEL, modelId);
        attributes.put("promptTokens", Integer.toString(stats.tokens()));
        attributes.put("memories", Integer.toString(stats.memories()));
        if (mechanicsMessage != null) {
            attributes.put(TurnRecords.ATTR_MECHANICS_MESSAGE, mechanicsMessage.id().toString());
        }
        attributes.replaceAll((k, v) -> Validation.clean(v));
        Message dm = new Message(Ids.newId(), session.id(), turn.id(), MessageRole.DM,
                Validation.clean(told.narration()), now, attributes);
        // A turn whose rules changed nothing the character keeps (a roll moves only the dice counter)
        // leaves it alone, unread and unwritten, so an edit the player made meanwhile stays; a
        // regeneration always puts it to its new state, undoing what the replaced reply did.
        boolean untouched = begun.replaced().isEmpty()
                && !rules.changesCharacter(begun.stateBefore(), told.stateAfter());
        GameCharacter character = untouched ? null : characters.get(session.characterId())
                .orElseThrow(() -> new NotFoundException("character", session.characterId()));
        // the turn's changes over the character as stored now (an edit made meanwhile stays where the turn
        // changed nothing); a regeneration's state is whole: what the replaced reply did must go
        GameCharacter updated = untouched ? null : begun.regenerating()
                ? rules.applyToCharacter(character, told.stateAfter())
                : rules.applyChanges(character, begun.stateBefore(), told.stateAfter());
        String stateAfter = rules.toJson(told.stateAfter());
        String mechanicsRecord = "[" + String.join(",", told.mechanicsJson().stream().filter(j -> !j.equals("{}"))
                .toList()) + "]";

        List<Runnable> undo = new ArrayList<>();
        try {
            TurnRecord done = transactor.inTransaction(() -> {
                // one write: the mechanics, then the reply; undone even if it fails half-way (a store that
                // appends one by one outside a transaction): deleting a message never stored does nothing
                List<Message> written = mechanicsMessage == null ? List.of(dm) : List.of(mechanicsMessage, dm);
                written.forEach(m -> undo.add(() -> messages.delete(m.id())));
                messages.appendAll(written);
                if (updated != character) {
                    GameCharacter stored = characters.update(updated);
                    undo.add(() -> characters.update(new GameCharacter(character.id(), character.ownerId(),
                            character.name(), character.characterClass(), character.level(), character.sheet(),
                            character.inventory(), stored.version(), character.createdAt(), character.updatedAt())));
                }
                sessions.touch(session.id(), now); // the one field: a rename during the turn stays
                TurnRecord completed = turns.update(turn.completed(dm.id(), stateAfter, mechanicsRecord, now));
                for (UUID old : begun.replaced()) {
                    vectors.delete(old);
                    messages.delete(old);
                }
                return completed;
            });
            return new TurnResult(done, begun.playerMessage(), dm,
                    mechanicsMessage == null ? List.of() : List.of(mechanicsMessage), false);
        } catch (RuntimeException | Error e) {
            compensate(undo);
            throw e;
        }
    }

    private static void compensate(List<Runnable> undo) {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).run();
            } catch (RuntimeException e) {
                LOG.warn("could not undo a partial turn write: {}", e.toString());
            }
        }
    }
}
