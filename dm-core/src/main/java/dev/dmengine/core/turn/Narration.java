package dev.dmengine.core.turn;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;

/**
 * Steps 7 and 8 of a turn: generate the DM's reply, streaming its tokens (through the rules'
 * filter, which hides the action block), let the rules resolve the actions it proposes, and —
 * when they rolled or changed something — generate a second round that narrates the results.
 *
 * <p>The engine does not retry a failed generation: the model adapter owns retries (it knows
 * which of its errors pass, honours the server's retry signals and retries only before the
 * first token), so retries never multiply. A failure here fails the turn.
 */
final class Narration {

    private final LanguageModel model;
    private final TurnConfig config;

    Narration(LanguageModel model, TurnConfig config) {
        this.model = model;
        this.config = config;
    }

    /**
     * What the DM told.
     *
     * @param mechanicsJson per round, the rules' record ({@code {}} for none)
     * @param transcript    per round, the mechanics in lines a player reads
     * @param attributes    the model's attributes of the reply (round 2's prefixed {@code round2.})
     */
    record Told<S>(String narration, S stateAfter, List<String> mechanicsJson, List<String> transcript,
                   Map<String, String> attributes) {
    }

    <S> Told<S> tell(TurnRules<S> rules, List<ChatMessage> prompt, S state, GameSession session, TurnRecord turn,
                     TurnEvents.Outlet out, CancellationSignal cancellation) {
        GenerationResult first = generate(rules.streamFilter(), prompt, 1, turn.id(), out, cancellation);
        TurnRules.RoundOutcome<S> outcome = rules.resolve(new TurnRules.RoundInput<>(state, first.text(),
                session.seed(), turn.id(), turn.seq(), 1));
        outcome.mechanics().forEach(out::emit);
        StringBuilder narration = new StringBuilder(outcome.narration());
        List<String> mechanicsJson = new ArrayList<>(List.of(outcome.mechanicsJson()));
        List<String> transcript = new ArrayList<>(List.of(outcome.transcript()));
        S after = outcome.stateAfter();
        Map<String, String> attributes = new HashMap<>(first.attributes());
        if (outcome.needsNarration() && config.maxRounds() >= 2) {
            List<ChatMessage> second = new ArrayList<>(prompt);
            second.add(ChatMessage.assistant(outcome.narration()));
            second.add(ChatMessage.user(outcome.resultsForModel()));
            GenerationResult again = generate(rules.streamFilter(), second, 2, turn.id(), out, cancellation);
            TurnRules.RoundOutcome<S> outcome2 = rules.resolve(new TurnRules.RoundInput<>(after, again.text(),
                    session.seed(), turn.id(), turn.seq(), 2));
            outcome2.mechanics().forEach(out::emit);
            if (!outcome2.narration().isBlank()) {
                narration.append(narration.isEmpty() ? "" : "\n\n").append(outcome2.narration());
            }
            mechanicsJson.add(outcome2.mechanicsJson());
            transcript.add(outcome2.transcript());
            after = outcome2.stateAfter();
            again.attributes().forEach((k, v) -> attributes.put("round2." + k, v));
        }
        if (narration.toString().isBlank()) {
            throw new UnavailableException("the language model returned an empty reply");
        }
        return new Told<>(narration.toString().strip(), after, mechanicsJson, transcript, attributes);
    }

    private GenerationResult generate(StreamFilter filter, List<ChatMessage> prompt, int round, UUID turnId,
                                      TurnEvents.Outlet out, CancellationSignal cancellation) {
        if (cancellation.isCancelled()) {
            throw new CancellationException("the turn was cancelled");
        }
        Collector collector = new Collector(filter, turnId, round, out);
        GenerationRequest request = GenerationRequest.builder().messages(prompt)
                .maxTokens(config.maxOutputTokens()).temperature(config.temperature())
                .cancellation(cancellation).attribute("turnId", turnId.toString()).build();
        try {
            model.generate(request, collector);
        } catch (RuntimeException e) { // a model that throws instead of calling onError
            collector.onError(e);
        }
        if (collector.result != null) {
            collector.flush();
            return collector.result;
        }
        Throwable error = collector.error != null ? collector.error
                : new UnavailableException("the language model ended without completing its reply");
        if (error instanceof CancellationException || cancellation.isCancelled()) {
            throw new CancellationException("the turn was cancelled");
        }
        if (error instanceof RuntimeException re) {
            throw re;
        }
        throw new UnavailableException("the language model failed: " + error.getMessage(), error);
    }

    /** Streams one round: filters tokens, forwards them, collects the terminal callback. */
    private static final class Collector implements GenerationHandler {
        private final StreamFilter filter;
        private final UUID turnId;
        private final int round;
        private final TurnEvents.Outlet out;
        private volatile GenerationResult result;
        private volatile Throwable error;

        Collector(StreamFilter filter, UUID turnId, int round, TurnEvents.Outlet out) {
            this.filter = filter;
            this.turnId = turnId;
            this.round = round;
            this.out = out;
        }

        @Override
        public void onToken(String token) {
            if (result != null || error != null) {
                return; // late tokens after the terminal callback are ignored
            }
            String shown = filter.accept(token);
            if (!shown.isEmpty()) {
                out.emit(new TurnEvent.Token(turnId, round, shown));
            }
        }

        @Override
        public void onComplete(GenerationResult r) {
            if (result == null && error == null) {
                result = r;
            }
        }

        @Override
        public void onError(Throwable e) {
            if (result == null && error == null) {
                error = e;
            }
        }

        void flush() {
            String rest = filter.finish();
            if (!rest.isEmpty()) {
                out.emit(new TurnEvent.Token(turnId, round, rest));
            }
        }
    }
}
