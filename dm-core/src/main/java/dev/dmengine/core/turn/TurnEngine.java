package dev.dmengine.core.turn;

import dev.dmengine.core.game.Validation;
import dev.dmengine.core.internal.Json;
import dev.dmengine.core.prompt.AssembledPrompt;
import dev.dmengine.core.prompt.PromptAssembler;
import dev.dmengine.core.prompt.PromptInput;
import dev.dmengine.core.prompt.RetrievedMessage;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.RetriableException;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageRole;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays DM turns: the orchestration of DESIGN.md's flow A, framework-free.
 *
 * <ol>
 *   <li>authorize (the session is the player's) and validate the text and idempotency key;</li>
 *   <li>admit: an idempotent retry of a completed turn returns its result; otherwise rate
 *       limit per player and take the session's turn lock (a second concurrent turn is a
 *       conflict);</li>
 *   <li>store the player message and the turn record together;</li>
 *   <li>embed the message and index its vector;</li>
 *   <li>retrieve the session's most similar earlier messages outside the recent window;</li>
 *   <li>assemble the prompt within the token budget;</li>
 *   <li>generate, streaming tokens to the listener and the session's event topic;</li>
 *   <li>resolve the model's proposed actions through {@link TurnRules}, and narrate their
 *       results in a second round when needed;</li>
 *   <li>store the DM message, its vector, the mechanics and the new state together; release
 *       the session's turn lock; emit {@code turn.completed}.</li>
 * </ol>
 * On failure the player message stays, no DM message is stored, the turn record says why,
 * the lock is released and {@code turn.failed} is emitted. The lock is free before either
 * terminal event, so a client reacting to it can play the next turn at once. Thread-safe.
 */
public final class TurnEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TurnEngine.class);
    private static final String LOCK_PREFIX = "dm:turn-lock:";
    private static final int MAX_KEY_LENGTH = 128;
    static final String ATTR_MECHANICS_MESSAGE = "mechanicsMessageId";
    static final String ATTR_MODEL = "model";
    static final String INTERRUPTED = "the turn was interrupted before it could finish";

    private final SessionStore sessions;
    private final CharacterStore characters;
    private final MessageStore messages;
    private final TurnStore turns;
    private final Embedder embedder;
    private final VectorIndex vectors;
    private final LanguageModel model;
    private final RateLimiter rateLimiter;
    private final Cache cache;
    private final EventBus events;
    private final Transactor transactor;
    private final TurnRules rules;
    private final PromptAssembler assembler;
    private final TurnConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<UUID, String> localLocks = new ConcurrentHashMap<>();

    private TurnEngine(SessionStore sessions, CharacterStore characters, MessageStore messages, TurnStore turns,
               Embedder embedder, VectorIndex vectors, LanguageModel model, RateLimiter rateLimiter, Cache cache,
               EventBus events, Transactor transactor, TurnRules rules, PromptAssembler assembler,
               TurnConfig config, Clock clock) {
        this.sessions = sessions;
        this.characters = characters;
        this.messages = messages;
        this.turns = turns;
        this.embedder = embedder;
        this.vectors = vectors;
        this.model = model;
        this.rateLimiter = rateLimiter;
        this.cache = cache;
        this.events = events;
        this.transactor = transactor;
        this.rules = rules;
        this.assembler = assembler;
        this.config = config;
        this.clock = clock;
    }

    /**
     * A turn engine on the given ports; {@link dev.dmengine.core.DmEngine} is the usual way
     * in. Every port is required except the rules ({@link TurnRules#none()}), the token
     * counter (conservative), the config ({@link TurnConfig#defaults()}), the transactor
     * (none) and the clock (UTC).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TurnEngine}; {@link #build()} names the first missing port. */
    public static final class Builder {
        private SessionStore sessions;
        private CharacterStore characters;
        private MessageStore messages;
        private TurnStore turns;
        private Embedder embedder;
        private VectorIndex vectors;
        private LanguageModel model;
        private RateLimiter rateLimiter;
        private Cache cache;
        private EventBus events;
        private Transactor transactor = Transactor.none();
        private TurnRules rules = TurnRules.none();
        private dev.dmengine.spi.generation.TokenCounter tokenCounter =
                dev.dmengine.core.prompt.ConservativeTokenCounter.INSTANCE;
        private TurnConfig config = TurnConfig.defaults();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder sessionStore(SessionStore value) {
            sessions = value;
            return this;
        }

        public Builder characterStore(CharacterStore value) {
            characters = value;
            return this;
        }

        public Builder messageStore(MessageStore value) {
            messages = value;
            return this;
        }

        public Builder turnStore(TurnStore value) {
            turns = value;
            return this;
        }

        public Builder embedder(Embedder value) {
            embedder = value;
            return this;
        }

        public Builder vectorIndex(VectorIndex value) {
            vectors = value;
            return this;
        }

        public Builder languageModel(LanguageModel value) {
            model = value;
            return this;
        }

        public Builder rateLimiter(RateLimiter value) {
            rateLimiter = value;
            return this;
        }

        public Builder cache(Cache value) {
            cache = value;
            return this;
        }

        public Builder eventBus(EventBus value) {
            events = value;
            return this;
        }

        public Builder transactor(Transactor value) {
            transactor = Objects.requireNonNull(value, "transactor");
            return this;
        }

        public Builder rules(TurnRules value) {
            rules = Objects.requireNonNull(value, "rules");
            return this;
        }

        public Builder tokenCounter(dev.dmengine.spi.generation.TokenCounter value) {
            tokenCounter = Objects.requireNonNull(value, "tokenCounter");
            return this;
        }

        public Builder config(TurnConfig value) {
            config = Objects.requireNonNull(value, "config");
            return this;
        }

        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public TurnEngine build() {
            return new TurnEngine(Objects.requireNonNull(sessions, "sessionStore is required"),
                    Objects.requireNonNull(characters, "characterStore is required"),
                    Objects.requireNonNull(messages, "messageStore is required"),
                    Objects.requireNonNull(turns, "turnStore is required"),
                    Objects.requireNonNull(embedder, "embedder is required"),
                    Objects.requireNonNull(vectors, "vectorIndex is required"),
                    Objects.requireNonNull(model, "languageModel is required"),
                    Objects.requireNonNull(rateLimiter, "rateLimiter is required"),
                    Objects.requireNonNull(cache, "cache is required"),
                    Objects.requireNonNull(events, "eventBus is required"),
                    transactor, rules, new PromptAssembler(tokenCounter, config.budget()), config, clock);
        }
    }

    /** The event-bus topic of a session's events. */
    public static String topic(UUID sessionId) {
        return "session:" + sessionId;
    }

    /**
     * Plays one turn and returns it once stored. Events reach the listener on this thread.
     *
     * @throws InvalidInputException  empty, oversized or malformed input
     * @throws NotFoundException      unknown session, or one that is not the player's
     * @throws ConflictException      a turn is already in flight in the session
     * @throws IdempotencyKeyReusedException the idempotency key was used for another message
     * @throws dev.dmengine.spi.RateLimitedException the player plays too fast
     * @throws UnavailableException   the turn failed for a reason that may pass (model down…)
     */
    public TurnResult play(TurnRequest request, TurnListener listener) {
        Objects.requireNonNull(request, "request");
        SafeListener out = new SafeListener(listener == null ? TurnListener.NONE : listener, request.sessionId());
        String text = validateText(request.text());
        String key = validateKey(request.idempotencyKey());
        GameSession session = ownedSession(request.sessionId(), request.playerId());

        if (key != null) {
            Optional<TurnRecord> prior = turns.findByIdempotencyKey(session.id(), key);
            if (prior.isPresent()) {
                requireSameMessage(prior.get(), text, key);
                if (prior.get().status() == TurnStatus.COMPLETED) {
                    return replay(prior.get(), out);
                }
            }
        }
        rateLimiter.check("turn:player:" + request.playerId(), config.turnRate(), "turns");
        Lock lock = lock(session.id());
        try {
            Start start = start(session, request.playerId(), text, key);
            if (start.replay != null) {
                return replay(start.replay, out);
            }
            emit(out, new TurnEvent.Started(start.turn.id(), session.id(), start.turn.seq(),
                    start.playerMessage.id(), start.playerMessage.content()));
            return run(session, request.playerId(), start.turn, start.playerMessage, out, request.cancellation(),
                    List.of(), lock);
        } finally {
            lock.release();
        }
    }

    /**
     * Checks a request as {@link #play} does before it starts a turn, for hosts that queue the
     * turn to play later and want a bad request refused at once: the text (stripped, 1 to
     * {@link TurnConfig#maxMessageChars()} characters of valid text), the idempotency key, the
     * session's owner, and that the key was not used for another message in the session.
     *
     * @return the request with its text as {@link #play} would store it
     * @throws InvalidInputException            the text or the key is not acceptable
     * @throws NotFoundException                unknown session, or one that is not the player's
     * @throws IdempotencyKeyReusedException    the key was used for another message
     */
    public TurnRequest check(TurnRequest request) {
        Objects.requireNonNull(request, "request");
        String text = validateText(request.text());
        String key = validateKey(request.idempotencyKey());
        GameSession session = ownedSession(request.sessionId(), request.playerId());
        if (key != null) {
            turns.findByIdempotencyKey(session.id(), key).ifPresent(prior -> requireSameMessage(prior, text, key));
        }
        return new TurnRequest(request.sessionId(), request.playerId(), text, key, request.cancellation());
    }

    /**
     * An idempotency key names one request: a retry replays it, another message with the same
     * key is refused. The turn's player message is the request as it was stored (the text after
     * validation), so it is the fingerprint the retry is compared with.
     */
    private void requireSameMessage(TurnRecord prior, String text, String key) {
        Optional<Message> first = messages.get(prior.playerMessageId());
        if (first.isPresent() && !first.get().content().equals(text)) {
            throw new IdempotencyKeyReusedException("the idempotency key " + key + " was used for another message in"
                    + " this session; send that message again, or this one with a new key");
        }
    }

    /**
     * Plays the session's latest turn again: a new DM reply to the same player message,
     * starting from the game state before that turn, so its rolls come out the same (dice are
     * seeded by the session and the state's roll counter). The old reply, its mechanics and
     * its state changes are replaced in the same transaction that stores the new ones; if the
     * new generation fails, the old reply stays.
     *
     * @throws NotFoundException the session is not the player's, or has no turn yet
     * @throws ConflictException a turn is in flight
     */
    public TurnResult regenerate(UUID sessionId, UUID playerId, CancellationSignal cancellation,
                                 TurnListener listener) {
        SafeListener out = new SafeListener(listener == null ? TurnListener.NONE : listener, sessionId);
        GameSession session = ownedSession(sessionId, playerId);
        rateLimiter.check("turn:player:" + playerId, config.turnRate(), "turns");
        Lock lock = lock(session.id());
        try {
            TurnRecord latest = turns.latest(session.id())
                    .orElseThrow(() -> new NotFoundException("turn", "latest of session " + sessionId));
            Message playerMessage = messages.get(latest.playerMessageId())
                    .orElseThrow(() -> new NotFoundException("message", latest.playerMessageId()));
            List<UUID> replaced = new ArrayList<>();
            if (latest.dmMessageId() != null) {
                messages.get(latest.dmMessageId()).ifPresent(dm -> {
                    Optional.ofNullable(dm.attributes().get(ATTR_MECHANICS_MESSAGE))
                            .map(UUID::fromString).ifPresent(replaced::add);
                    replaced.add(dm.id());
                });
            }
            TurnRecord again = latest.restarted(clock.instant());
            emit(out, new TurnEvent.Started(again.id(), session.id(), again.seq(), playerMessage.id(),
                    playerMessage.content()));
            return run(session, playerId, again, playerMessage, out, cancellation, replaced, lock);
        } finally {
            lock.release();
        }
    }

    private record Start(TurnRecord turn, Message playerMessage, TurnRecord replay) {
    }

    private Start start(GameSession session, UUID playerId, String text, String key) {
        Optional<TurnRecord> latest = turns.latest(session.id());
        if (key != null) {
            Optional<TurnRecord> prior = turns.findByIdempotencyKey(session.id(), key);
            if (prior.isPresent()) {
                TurnRecord p = prior.get();
                requireSameMessage(p, text, key); // again under the lock: it may have been played meanwhile
                if (p.status() == TurnStatus.COMPLETED) {
                    return new Start(null, null, p);
                }
                if (latest.isPresent() && latest.get().seq() != p.seq()) {
                    throw new ConflictException("the turn of idempotency key " + key
                            + " failed and the story has moved on since; send the message again with a new key");
                }
                // A failed (or abandoned) attempt: play it again for the same player message.
                Message playerMessage = messages.get(p.playerMessageId())
                        .orElseThrow(() -> new NotFoundException("message", p.playerMessageId()));
                return new Start(turns.update(p.restarted(clock.instant())), playerMessage, null);
            }
        }
        GameCharacter character = characters.get(session.characterId())
                .orElseThrow(() -> new NotFoundException("character", session.characterId()));
        // Under the session's lock no other turn runs: one still in progress lost its process or its
        // database before it could record how it ended (its player was told it failed).
        TurnRecord abandoned = latest.filter(t -> t.status() == TurnStatus.IN_PROGRESS).orElse(null);
        String previousState = latest.map(t -> t.status() == TurnStatus.COMPLETED ? t.stateAfter() : t.stateBefore())
                .orElse(null);
        String stateBefore = rules.stateBefore(session, character, previousState);
        long seq = latest.map(t -> t.seq() + 1).orElse(1L);
        var now = clock.instant();
        UUID turnId = Ids.newId();
        Message playerMessage = new Message(Ids.newId(), session.id(), turnId, MessageRole.PLAYER, text, now,
                Map.of("playerId", playerId.toString()));
        TurnRecord turn = new TurnRecord(turnId, session.id(), seq, key, TurnStatus.IN_PROGRESS, playerMessage.id(),
                null, stateBefore, null, null, null, now, now);
        transactor.inTransaction(() -> {
            if (abandoned != null) {
                turns.update(abandoned.failed(INTERRUPTED, now));
            }
            messages.append(playerMessage);
            return turns.create(turn);
        });
        return new Start(turn, playerMessage, null);
    }

    /**
     * Steps 4 to 9 of a turn. {@code replaced}: messages of an earlier reply to the same
     * player message (regeneration), deleted in the transaction that stores the new reply.
     */
    private TurnResult run(GameSession session, UUID playerId, TurnRecord turn, Message playerMessage,
                           SafeListener out, CancellationSignal cancellation, List<UUID> replaced, Lock lock) {
        boolean regenerating = !replaced.isEmpty();
        List<Runnable> undo = new ArrayList<>();
        try {
            Embedder embedder = this.embedder.current(); // one model for the turn's space and vectors
            EmbeddingSpace space = embedder.space();
            float[] query = embedder.embed(playerMessage.content());
            vectors.upsert(space, new VectorRecord(playerMessage.id(), session.id(), playerId, query));

            List<Message> recent = recentWindow(session.id(), playerMessage.id());
            List<RetrievedMessage> memories = retrieve(space, session.id(), query, recent, playerMessage.id(),
                    replaced);
            AssembledPrompt prompt = assembler.assemble(new PromptInput(config.persona(), rules.promptGuide(),
                    rules.describe(turn.stateBefore()), memories, recent, playerMessage.content()));

            GenerationResult first = generate(prompt.messages(), 1, turn.id(), out, cancellation);
            TurnRules.RoundOutcome outcome = rules.resolve(new TurnRules.RoundInput(turn.stateBefore(), first.text(),
                    session.seed(), turn.id(), turn.seq(), 1));
            outcome.mechanics().forEach(m -> emit(out, m));
            StringBuilder narration = new StringBuilder(outcome.narration());
            List<String> mechanicsJson = new ArrayList<>(List.of(outcome.mechanicsJson()));
            List<String> transcript = new ArrayList<>(List.of(outcome.transcript()));
            String state = outcome.stateAfter();
            Map<String, String> attributes = new HashMap<>(first.attributes());
            if (outcome.needsNarration() && config.maxRounds() >= 2) {
                List<ChatMessage> second = new ArrayList<>(prompt.messages());
                second.add(ChatMessage.assistant(outcome.narration()));
                second.add(ChatMessage.user(outcome.resultsForModel()));
                GenerationResult again = generate(second, 2, turn.id(), out, cancellation);
                TurnRules.RoundOutcome outcome2 = rules.resolve(new TurnRules.RoundInput(state, again.text(),
                        session.seed(), turn.id(), turn.seq(), 2));
                outcome2.mechanics().forEach(m -> emit(out, m));
                if (!outcome2.narration().isBlank()) {
                    narration.append(narration.isEmpty() ? "" : "\n\n").append(outcome2.narration());
                }
                mechanicsJson.add(outcome2.mechanicsJson());
                transcript.add(outcome2.transcript());
                state = outcome2.stateAfter();
                again.attributes().forEach((k, v) -> attributes.put("round2." + k, v));
            }
            if (narration.toString().isBlank()) {
                throw new UnavailableException("the language model returned an empty reply");
            }

            var now = clock.instant();
            String mechanicsText = String.join("\n", transcript.stream().filter(t -> !t.isBlank()).toList());
            Message mechanicsMessage = mechanicsText.isEmpty() ? null : new Message(Ids.newId(), session.id(),
                    turn.id(), MessageRole.SYSTEM, mechanicsText, now, Map.of("kind", "mechanics"));
            attributes.put(ATTR_MODEL, model.modelId());
            attributes.put("promptTokens", Integer.toString(prompt.tokens()));
            attributes.put("memories", Integer.toString(prompt.memoriesUsed().size()));
            if (mechanicsMessage != null) {
                attributes.put(ATTR_MECHANICS_MESSAGE, mechanicsMessage.id().toString());
            }
            attributes.replaceAll((k, v) -> Validation.clean(v));
            Message dm = new Message(Ids.newId(), session.id(), turn.id(), MessageRole.DM,
                    Validation.clean(narration.toString().strip()), now, attributes);
            float[] dmVector = embedder.embed(dm.content());
            GameCharacter character = characters.get(session.characterId())
                    .orElseThrow(() -> new NotFoundException("character", session.characterId()));
            GameCharacter updated = rules.applyToCharacter(character, state);
            String finalState = state;
            String mechanicsRecord = "[" + String.join(",", mechanicsJson.stream().filter(j -> !j.equals("{}"))
                    .toList()) + "]";

            TurnRecord done = transactor.inTransaction(() -> {
                if (mechanicsMessage != null) {
                    messages.append(mechanicsMessage);
                    undo.add(() -> messages.delete(mechanicsMessage.id()));
                }
                messages.append(dm);
                undo.add(() -> messages.delete(dm.id()));
                vectors.upsert(space, new VectorRecord(dm.id(), session.id(), playerId, dmVector));
                undo.add(() -> vectors.delete(dm.id()));
                if (updated != character) {
                    GameCharacter stored = characters.update(updated);
                    undo.add(() -> characters.update(new GameCharacter(character.id(), character.ownerId(),
                            character.name(), character.characterClass(), character.level(), character.sheet(),
                            character.inventory(), stored.version(), character.createdAt(), character.updatedAt())));
                }
                sessions.update(new GameSession(session.id(), session.ownerId(), session.characterId(),
                        session.title(), session.seed(), session.createdAt(), now));
                TurnRecord completed = turns.update(turn.completed(dm.id(), finalState, mechanicsRecord, now));
                for (UUID old : replaced) { // a regenerated reply replaces the old one: last, so a failure keeps it
                    vectors.delete(old);
                    messages.delete(old);
                }
                return completed;
            });
            emit(out, new TurnEvent.DmMessage(turn.id(), dm.id(), dm.content()));
            lock.release(); // before the terminal event: a client reacting to it can play at once
            emit(out, new TurnEvent.Completed(turn.id(), turn.seq(), dm.id(), false));
            return new TurnResult(done, playerMessage, dm,
                    mechanicsMessage == null ? List.of() : List.of(mechanicsMessage), false);
        } catch (RuntimeException | Error e) {
            compensate(undo);
            String reason = reason(e);
            logFailure(turn, e);
            boolean retriable = e instanceof RetriableException || e instanceof CancellationException;
            try {
                if (!regenerating) { // a failed regeneration leaves the completed turn as it was
                    turns.update(turn.failed(reason, clock.instant()));
                }
            } catch (RuntimeException recordFailure) {
                e.addSuppressed(recordFailure);
                LOG.warn("turn {}: could not record its failure ({}); the session's next turn records it as "
                        + "interrupted", turn.id(), recordFailure.getMessage());
            }
            lock.release();
            emit(out, new TurnEvent.Failed(turn.id(), reason, retriable));
            if (e instanceof DmException || e instanceof Error) {
                throw e;
            }
            if (e instanceof CancellationException) {
                throw new UnavailableException("the turn was cancelled", e);
            }
            throw new UnavailableException("the turn failed: " + reason, e);
        }
    }

    private List<Message> recentWindow(UUID sessionId, UUID playerMessageId) {
        if (config.recentWindow() == 0) {
            return List.of();
        }
        List<Message> tail = messages.recent(sessionId, config.recentWindow() + 1);
        List<Message> before = new ArrayList<>(tail.size());
        for (Message m : tail) {
            if (Ids.compare(m.id(), playerMessageId) < 0) {
                before.add(m);
            }
        }
        return before.size() > config.recentWindow()
                ? before.subList(before.size() - config.recentWindow(), before.size())
                : before;
    }

    private List<RetrievedMessage> retrieve(EmbeddingSpace space, UUID sessionId, float[] query, List<Message> recent,
                                            UUID playerMessageId, List<UUID> replaced) {
        if (config.retrievalK() == 0) {
            return List.of();
        }
        Set<UUID> exclude = new HashSet<>(replaced);
        exclude.add(playerMessageId);
        recent.forEach(m -> exclude.add(m.id()));
        List<VectorMatch> matches = vectors.search(VectorQuery.session(space, sessionId, query, config.retrievalK(),
                exclude));
        List<RetrievedMessage> found = new ArrayList<>(matches.size());
        for (VectorMatch match : matches) {
            if (!match.sessionId().equals(sessionId)) {
                throw new IllegalStateException("vector index returned a message of another session");
            }
            messages.get(match.messageId()).ifPresent(m -> found.add(new RetrievedMessage(m, match.score())));
        }
        return found;
    }

    private GenerationResult generate(List<ChatMessage> prompt, int round, UUID turnId, SafeListener out,
                                      CancellationSignal cancellation) {
        int attempt = 0;
        while (true) {
            if (cancellation.isCancelled()) {
                throw new CancellationException("the turn was cancelled");
            }
            StreamingCollector collector = new StreamingCollector(rules.streamFilter(), turnId, round, out);
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
            if (error instanceof RetriableException && !collector.emitted && attempt < config.generationRetries()) {
                long delay = config.retryBackoff().toMillis() << attempt;
                attempt++;
                LOG.info("turn {} round {}: generation failed ({}), retry {} in {} ms", turnId, round,
                        error.getMessage(), attempt, delay);
                sleep(delay);
                continue;
            }
            if (error instanceof RuntimeException re) {
                throw re;
            }
            throw new UnavailableException("the language model failed: " + error.getMessage(), error);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to retry");
        }
    }

    /** Streams one round: filters tokens, forwards them, collects the terminal callback. */
    private final class StreamingCollector implements GenerationHandler {
        private final StreamFilter filter;
        private final UUID turnId;
        private final int round;
        private final SafeListener out;
        private volatile GenerationResult result;
        private volatile Throwable error;
        private boolean emitted;

        StreamingCollector(StreamFilter filter, UUID turnId, int round, SafeListener out) {
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
                emitted = true;
                emit(out, new TurnEvent.Token(turnId, round, shown));
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
                emitted = true;
                emit(out, new TurnEvent.Token(turnId, round, rest));
            }
        }
    }

    private TurnResult replay(TurnRecord turn, SafeListener out) {
        Message player = messages.get(turn.playerMessageId())
                .orElseThrow(() -> new NotFoundException("message", turn.playerMessageId()));
        Message dm = messages.get(turn.dmMessageId())
                .orElseThrow(() -> new NotFoundException("message", turn.dmMessageId()));
        List<Message> mechanics = Optional.ofNullable(dm.attributes().get(ATTR_MECHANICS_MESSAGE))
                .flatMap(id -> messages.get(UUID.fromString(id))).stream().toList();
        TurnEvent.Completed completed = new TurnEvent.Completed(turn.id(), turn.seq(), dm.id(), true);
        out.deliver(completed); // to this caller only: subscribers saw the turn when it happened
        return new TurnResult(turn, player, dm, mechanics, true);
    }

    private void emit(SafeListener out, TurnEvent event) {
        out.deliver(event);
        try {
            events.publish(topic(out.sessionId), event.name(), Json.write(event));
        } catch (RuntimeException e) {
            LOG.warn("could not publish {} of turn {}: {}", event.name(), event.turnId(), e.toString());
        }
    }

    private GameSession ownedSession(UUID sessionId, UUID playerId) {
        return sessions.get(sessionId).filter(s -> s.ownerId().equals(playerId))
                .orElseThrow(() -> new NotFoundException("session", sessionId));
    }

    private String validateText(String text) {
        return Validation.multilineText("text", text, config.maxMessageChars());
    }

    private static String validateKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new InvalidInputException("idempotencyKey", "must be 1 to " + MAX_KEY_LENGTH
                    + " printable ASCII characters without spaces");
        }
        return key;
    }

    /** The session's turn lock, held by one turn; {@link #release()} is idempotent. */
    private final class Lock {
        private final UUID sessionId;
        private final String token;
        private boolean released;

        private Lock(UUID sessionId, String token) {
            this.sessionId = sessionId;
            this.token = token;
        }

        void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                cache.deleteIfEquals(LOCK_PREFIX + sessionId, token);
            } catch (RuntimeException e) {
                LOG.warn("could not release the turn lock of session {} (it expires by itself): {}", sessionId,
                        e.toString());
            } finally {
                localLocks.remove(sessionId, token);
            }
        }
    }

    private Lock lock(UUID sessionId) {
        String token = Ids.newId().toString();
        String busy = "a turn is already in progress in session " + sessionId + "; wait for it to finish";
        if (localLocks.putIfAbsent(sessionId, token) != null) {
            throw new ConflictException(busy);
        }
        try {
            if (!cache.putIfAbsent(LOCK_PREFIX + sessionId, token, config.lockTtl())) {
                localLocks.remove(sessionId, token);
                throw new ConflictException(busy);
            }
        } catch (RuntimeException e) {
            localLocks.remove(sessionId, token);
            throw e;
        }
        return new Lock(sessionId, token);
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

    /**
     * Why a turn failed, for the player: a port's own message (the spi's exceptions say what
     * failed in plain words), never a class name or a stack trace; those go to the log.
     */
    private static String reason(Throwable e) {
        if (e instanceof CancellationException) {
            return "the turn was cancelled";
        }
        if (e instanceof DmException) {
            return e.getMessage();
        }
        return "an internal error interrupted the turn";
    }

    /** The operator's side of a failed turn: what the player was told, and the cause behind it. */
    private static void logFailure(TurnRecord turn, Throwable e) {
        if (e instanceof DmException || e instanceof CancellationException) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            LOG.warn("turn {} of session {} failed: {}{}", turn.id(), turn.sessionId(), e.getMessage(),
                    root == e ? "" : " (cause: " + root + ")");
        } else {
            LOG.error("turn {} of session {} failed", turn.id(), turn.sessionId(), e);
        }
    }

    /** Delivers to the caller's listener; a listener that throws is logged and dropped. */
    private static final class SafeListener {
        private final TurnListener delegate;
        private final UUID sessionId;
        private volatile boolean broken;

        SafeListener(TurnListener delegate, UUID sessionId) {
            this.delegate = delegate;
            this.sessionId = sessionId;
        }

        void deliver(TurnEvent event) {
            if (broken) {
                return;
            }
            try {
                delegate.onEvent(event);
            } catch (RuntimeException e) {
                broken = true;
                LOG.warn("turn listener failed on {}; it gets no more events of turn {}: {}", event.name(),
                        event.turnId(), e.toString());
            }
        }
    }
}
