package dev.dmengine.core.turn;

import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The turn's seam to the rules engine (step 8 of the DM turn): the model proposes actions
 * in its text, the rules validate, apply and record them. The rules work on a game state of
 * their own type {@code S}; the engine keeps it as a value for the whole turn and turns it
 * into JSON only to store it in the turn record ({@link #toJson}) and back when a later turn
 * starts from it ({@link #stateBeforeStored}, by default through {@link #parse}).
 *
 * <p>Per turn the engine calls {@link #stateBeforeStored}, {@link #describe} and
 * {@link #promptGuide} for the prompt, a {@link #streamFilter()} per generation round,
 * {@link #resolve} after each round (at most two), and when it stores the turn
 * {@link #changesCharacter}, then — if the character changed — {@link #applyChanges} (a
 * regeneration: {@link #applyToCharacter}). Implementations must be thread-safe; the states
 * they return immutable.
 *
 * @param <S> the game state
 */
public interface TurnRules<S> {

    /**
     * The state a turn starts from: the character as stored, plus what the session carries
     * from its previous turn ({@code previous}, empty on the first).
     */
    S stateBefore(GameSession session, GameCharacter character, Optional<S> previous);

    /**
     * The state a turn starts from when the previous turn's state is at hand only as stored
     * ({@link #toJson}); the engine calls this one. The default parses it and calls
     * {@link #stateBefore(GameSession, GameCharacter, Optional)}; rules that carry little from
     * turn to turn (the SRD rules: the dice counter) may read just that.
     */
    default S stateBeforeStored(GameSession session, GameCharacter character, Optional<String> previousJson) {
        return stateBefore(session, character, previousJson.map(this::parse));
    }

    /** A state as stored by {@link #toJson}. */
    S parse(String json);

    /** The state as JSON, for the turn record. */
    String toJson(S state);

    /** The state as text for the system prompt. */
    String describe(S state);

    /** How the model asks for rolls and changes; empty when the rules take no actions. */
    String promptGuide();

    StreamFilter streamFilter();

    RoundOutcome<S> resolve(RoundInput<S> input);

    /** The character with the state's sheet and inventory; the same instance if unchanged. */
    GameCharacter applyToCharacter(GameCharacter character, S stateAfter);

    /**
     * The character as stored now ({@code current}) with what the turn changed from
     * {@code before} to {@code after}; the same instance if that changes nothing. The player may
     * have edited the character while the turn ran: what the turn did not change should keep the
     * stored value. The default writes {@code after} whole ({@link #applyToCharacter}), losing
     * such an edit; the SRD rules merge field by field and stack by stack.
     */
    default GameCharacter applyChanges(GameCharacter current, S before, S after) {
        return applyToCharacter(current, after);
    }

    /**
     * Whether a turn that went from {@code before} to {@code after} changed what the character
     * keeps ({@link #applyToCharacter} would write something). When it did not, the turn leaves
     * the stored character alone — unread and unwritten — so an edit the player made while the
     * turn ran stays. The default says yes whenever the states differ; rules whose state carries
     * more than the character (a dice counter, say) should compare the character's part only.
     */
    default boolean changesCharacter(S before, S after) {
        return !before.equals(after);
    }

    /**
     * One generation round to resolve.
     *
     * @param round 1, or 2 when the model narrates the results of round 1
     */
    record RoundInput<S>(S state, String modelText, long sessionSeed, UUID turnId, long turnSeq, int round) {
        public RoundInput {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(modelText, "modelText");
            Objects.requireNonNull(turnId, "turnId");
        }
    }

    /**
     * The result of a round.
     *
     * @param narration        the model text with any action block removed
     * @param stateAfter       the state after the round's valid actions
     * @param mechanics        rolls, changes and rejections, in order
     * @param needsNarration   whether the results must go back to the model for a second round
     * @param resultsForModel  the results as the user message of that second round
     * @param mechanicsJson    the round's full record (a JSON object; {@code {}} for none), for the turn record
     * @param transcript       the round's mechanics in lines a player reads, for the stored transcript
     */
    record RoundOutcome<S>(String narration, S stateAfter, List<TurnEvent.Mechanic> mechanics,
                           boolean needsNarration, String resultsForModel, String mechanicsJson, String transcript) {
        public RoundOutcome {
            Objects.requireNonNull(narration, "narration");
            Objects.requireNonNull(stateAfter, "stateAfter");
            mechanics = List.copyOf(mechanics);
            Objects.requireNonNull(resultsForModel, "resultsForModel");
            Objects.requireNonNull(mechanicsJson, "mechanicsJson");
            Objects.requireNonNull(transcript, "transcript");
        }

        /** A round that only narrated: no actions, the state unchanged. */
        public static <S> RoundOutcome<S> narrationOnly(String narration, S state) {
            return new RoundOutcome<>(narration, state, List.of(), false, "", "{}", "");
        }
    }

    /** No rules: the model's text is the narration, nothing is rolled or changed. */
    static TurnRules<?> none() {
        return NoRules.INSTANCE;
    }
}
