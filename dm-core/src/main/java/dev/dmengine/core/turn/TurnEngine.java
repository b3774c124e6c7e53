package dev.dmengine.core.turn;

import dev.dmengine.core.prompt.AssembledPrompt;
import dev.dmengine.core.prompt.PromptAssembler;
import dev.dmengine.core.prompt.PromptInput;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.RetriableException;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStatus;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;

/**
 * Plays DM turns: DESIGN.md's flow A, framework-free, as the nine steps of a turn, each a part
 * of its own in this package:
 *
 * <ol>
 *   <li>authorize (the session is the player's) and validate the text and the idempotency key
 *       — {@link Admission};</li>
 *   <li>admit: an idempotent retry of a completed turn returns its result; otherwise rate
 *       limit the player and take the session's turn lock — {@link Admission},
 *       {@link SessionLock};</li>
 *   <li>store the player message and the turn record together — {@link TurnRecords};</li>
 *   <li>embed the message (on a thread of its own from the moment the lock is held, beside
 *       step 3 and the recent window's read), and</li>
 *   <li>retrieve the session's most similar earlier messages outside the recent window —
 *       {@link Recall};</li>
 *   <li>assemble the prompt within the token budget — {@link PromptAssembler};</li>
 *   <li>generate, streaming tokens to the listener and the session's event topic, and</li>
 *   <li>resolve the model's proposed actions through {@link TurnRules}, narrating their
 *       results in a second round when needed — {@link Narration}, {@link TurnEvents};</li>
 *   <li>store the DM message, the mechanics and the new state together ({@link TurnCommit});
 *       release the lock; emit {@code turn.completed}.</li>
 * </ol>
 * Then, with the player no longer waiting, the reply is embedded and the vectors of the player
 * message and the reply are written, and the recent window's messages that lack a vector are
 * indexed ({@link ReplyIndexing}); {@code play} returns after that.
 * On failure the player message stays, no DM message is stored, the turn record says why,
 * the lock is released and {@code turn.failed} is emitted. The lock is free before either
 * terminal event, so a client reacting to it can play the next turn at once. The engine does
 * not retry a failed generation: model adapters own retries ({@link Narration}). Thread-safe.
 */
public final class TurnEngine {

    private static final Logger LOG = LoggerFactory.getLogger(TurnEngine.class);

    private final TurnRules<?> rules;
    private final TurnConfig config;
    private final Admission admission;
    private final TurnRecords records;
    private final Recall recall;
    private final PromptAssembler assembler;
    private final Narration narration;
    private final TurnCommit commit;
    private final TurnEvents events;
    private final ReplyIndexing indexing;

    private TurnEngine(Builder b) {
        this.rules = b.rules;
        this.config = b.config;
        this.admission = new Admission(b.sessions, b.messages, b.turns, b.rateLimiter,
                new SessionLock(b.cache, b.config.lockTtl()), b.config);
        this.records = new TurnRecords(b.characters, b.messages, b.turns, b.transactor, b.clock);
        this.recall = new Recall(b.messages, b.embedder, b.vectors, b.config);
        this.assembler = new PromptAssembler(b.tokenCounter, b.config.budget());
        this.narration = new Narration(b.model, b.config);
        this.commit = new TurnCommit(b.sessions, b.characters, b.messages, b.turns, b.vectors,
                b.transactor, b.clock, b.model.modelId());
        this.events = new TurnEvents(b.events);
        this.indexing = new ReplyIndexing(b.messages, b.vectors);
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
        private TurnRules<?> rules = TurnRules.none();
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

        public Builder rules(TurnRules<?> value) {
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
            Objects.requireNonNull(sessions, "sessionStore is required");
            Objects.requireNonNull(characters, "characterStore is required");
            Objects.requireNonNull(messages, "messageStore is required");
            Objects.requireNonNull(turns, "turnStore is required");
            Objects.requireNonNull(embedder, "embedder is required");
            Objects.requireNonNull(vectors, "vectorIndex is required");
            Objects.requireNonNull(model, "languageModel is required");
            Objects.requireNonNull(rateLimiter, "rateLimiter is required");
            Objects.requireNonNull(cache, "cache is required");
            Objects.requireNonNull(events, "eventBus is required");
            return new TurnEngine(this);
        }
    }

    /** The event-bus topic of a session's events. */
    public static String topic(UUID sessionId) {
        return "session:" + sessionId;
    }

    /** The engine's turn configuration. */
    public TurnConfig config() {
        return config;
    }

    /**
     * Plays one turn and returns it once stored. Events reach the listener in order, one at a
     * time, from the turn's event publisher (not this thread: the turn does not wait for the
     * bus, see {@link TurnEvents}); all of them have reached it when this returns or throws.
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
        Admission.Checked checked = admission.check(request);                                  // 1
        TurnEvents.Outlet out = events.open(checked.session().id(), listener);
        var completed = checked.prior().filter(t -> t.status() == TurnStatus.COMPLETED);
        if (completed.isPresent()) {
            return replay(completed.get(), out);                                                // 2: a retry
        }
        try (SessionLock.Lease lease = admission.admit(checked.session(), checked.playerId())) { // 2
            return begin(rules, checked, out, lease);
        } finally {
            out.finish(); // every event is with the listener, the terminal one last, before the caller goes on
        }
    }

    private <S> TurnResult begin(TurnRules<S> rules, Admission.Checked checked, TurnEvents.Outlet out,
                                 SessionLock.Lease lease) {
        Recall.Embedding embedding = recall.embed(checked.text());                               // 4, beside 3
        TurnRecords.Start<S> start;
        try {
            start = records.begin(rules, admission, checked);                                    // 3
        } catch (RuntimeException | Error e) {
            embedding.abandon();
            throw e;
        }
        if (start.completed() != null) {
            embedding.abandon();
            return replay(start.completed(), out);
        }
        return run(rules, checked.session(), checked.playerId(), start.begun(), embedding, out,
                checked.cancellation(), lease);
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
        Admission.Checked c = admission.check(request);
        return new TurnRequest(c.session().id(), c.playerId(), c.text(), c.key(), c.cancellation());
    }

    /**
     * The session if it is the player's.
     *
     * @throws NotFoundException unknown session, or another player's
     */
    public GameSession ownedSession(UUID sessionId, UUID playerId) {
        return admission.ownedSession(sessionId, playerId);
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
        GameSession session = admission.ownedSession(sessionId, playerId);
        TurnEvents.Outlet out = events.open(session.id(), listener);
        try (SessionLock.Lease lease = admission.admit(session, playerId)) {
            return regenerate(rules, session, playerId, cancellation, out, lease);
        } finally {
            out.finish();
        }
    }

    private <S> TurnResult regenerate(TurnRules<S> rules, GameSession session, UUID playerId,
                                      CancellationSignal cancellation, TurnEvents.Outlet out, SessionLock.Lease lease) {
        TurnRecords.Begun<S> begun = records.restartLatest(rules, session);
        return run(rules, session, playerId, begun, recall.embed(begun.playerMessage().content()), out, cancellation,
                lease);
    }

    /** Steps 4 to 9 (the player message's embedding under way), then the vectors ({@link ReplyIndexing}). */
    private <S> TurnResult run(TurnRules<S> rules, GameSession session, UUID playerId, TurnRecords.Begun<S> begun,
                               Recall.Embedding embedding, TurnEvents.Outlet out, CancellationSignal cancellation,
                               SessionLock.Lease lease) {
        TurnRecord turn = begun.turn();
        out.emit(new TurnEvent.Started(turn.id(), session.id(), turn.seq(), begun.playerMessage().id(),
                begun.playerMessage().content()));
        Recall.Recalled recalled = null;
        TurnResult result;
        try {
            recalled = recall.recall(embedding, begun.playerMessage(), begun.replaced());                 // 4, 5
            AssembledPrompt prompt = assembler.assemble(new PromptInput(config.persona(), rules.promptGuide(),
                    rules.describe(begun.stateBefore()), recalled.memories(), recalled.recent(),
                    begun.playerMessage().content()));                                                // 6
            Narration.Told<S> told = narration.tell(rules, prompt.messages(), begun.stateBefore(), session, turn,
                    out, cancellation);                                                               // 7, 8
            result = commit.commit(rules, session, begun, told,
                    new TurnCommit.PromptStats(prompt.tokens(), prompt.memoriesUsed().size()));         // 9
            out.emit(new TurnEvent.DmMessage(turn.id(), result.dmMessage().id(), result.dmMessage().content()));
            lease.release(); // before the terminal event: a client reacting to it can play at once
            out.emit(new TurnEvent.Completed(turn.id(), turn.seq(), result.dmMessage().id(), false));
        } catch (RuntimeException | Error e) {
            String reason = reason(e);
            logFailure(turn, e);
            records.failed(begun, reason, e);
            lease.release();
            out.emit(new TurnEvent.Failed(turn.id(), reason,
                    e instanceof RetriableException || e instanceof CancellationException));
            if (recalled != null && !begun.regenerating()) {
                out.finish(); // turn.failed is with the player first
                indexing.afterFailure(playerId, recalled); // the player message stays: its vector too
            } else if (recalled == null) {
                embedding.abandon();
            }
            if (e instanceof DmException || e instanceof Error) {
                throw e;
            }
            if (e instanceof CancellationException) {
                throw new UnavailableException("the turn was cancelled", e);
            }
            throw new UnavailableException("the turn failed: " + reason, e);
        }
        out.finish(); // turn.completed is with the player before the embedding takes a core
        indexing.afterTurn(result.dmMessage(), playerId, recalled, begun.replaced());
        return result;
    }

    private TurnResult replay(TurnRecord turn, TurnEvents.Outlet out) {
        TurnResult result = records.completed(turn);
        // to this caller only: subscribers saw the turn when it happened
        out.toCaller(new TurnEvent.Completed(turn.id(), turn.seq(), result.dmMessage().id(), true));
        return result;
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
}
