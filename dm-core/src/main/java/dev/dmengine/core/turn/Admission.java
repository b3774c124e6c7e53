package dev.dmengine.core.turn;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.IdempotencyKeyReusedException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnRecord;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.infra.RateLimiter;

import java.util.Optional;
import java.util.UUID;

/**
 * Steps 1 and 2 of a turn: authorize (the session is the player's), validate the text and the
 * idempotency key, find an earlier turn of the same key, then — for a turn that will run —
 * rate limit the player and take the session's lock.
 */
final class Admission {

    static final int MAX_KEY_LENGTH = 128;

    private final SessionStore sessions;
    private final MessageStore messages;
    private final TurnStore turns;
    private final RateLimiter rateLimiter;
    private final SessionLock lock;
    private final TurnConfig config;

    Admission(SessionStore sessions, MessageStore messages, TurnStore turns, RateLimiter rateLimiter, SessionLock lock,
              TurnConfig config) {
        this.sessions = sessions;
        this.messages = messages;
        this.turns = turns;
        this.rateLimiter = rateLimiter;
        this.lock = lock;
        this.config = config;
    }

    /**
     * A request that passed the checks.
     *
     * @param text  as it will be stored (validated, stripped)
     * @param prior the turn an earlier request with the same key started, if any
     */
    record Checked(GameSession session, UUID playerId, String text, String key, CancellationSignal cancellation,
                   Optional<TurnRecord> prior) {
    }

    Checked check(TurnRequest request) {
        String text = Validation.multilineText("text", request.text(), config.maxMessageChars());
        String key = validKey(request.idempotencyKey());
        GameSession session = ownedSession(request.sessionId(), request.playerId());
        Optional<TurnRecord> prior = key == null ? Optional.empty() : turns.findByIdempotencyKey(session.id(), key);
        prior.ifPresent(p -> requireSameMessage(p, text, key));
        return new Checked(session, request.playerId(), text, key, request.cancellation(), prior);
    }

    GameSession ownedSession(UUID sessionId, UUID playerId) {
        return sessions.get(sessionId).filter(s -> s.ownerId().equals(playerId))
                .orElseThrow(() -> new NotFoundException("session", sessionId));
    }

    /**
     * Takes the session's lock, then rate limits the player: a request refused because a turn is
     * in flight (409) costs the player none of their turns.
     */
    SessionLock.Lease admit(GameSession session, UUID playerId) {
        SessionLock.Lease lease = lock.acquire(session.id());
        try {
            rateLimiter.check("turn:player:" + playerId, config.turnRate(), "turns");
            return lease;
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
    }

    /**
     * An idempotency key names one request: a retry replays it, another message with the same
     * key is refused. The turn's player message is the request as it was stored (the text after
     * validation), so it is the fingerprint the retry is compared with.
     */
    void requireSameMessage(TurnRecord prior, String text, String key) {
        Optional<Message> first = messages.get(prior.playerMessageId());
        if (first.isPresent() && !first.get().content().equals(text)) {
            throw keyReused(key);
        }
    }

    static IdempotencyKeyReusedException keyReused(String key) {
        return new IdempotencyKeyReusedException("the idempotency key " + key + " was used for another message in"
                + " this session; send that message again, or this one with a new key");
    }

    static String validKey(String key) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new InvalidInputException("idempotencyKey", "must be 1 to " + MAX_KEY_LENGTH
                    + " printable ASCII characters without spaces");
        }
        return key;
    }
}
