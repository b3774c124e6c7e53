package dev.dmengine.core.game;

import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.retrieval.VectorIndex;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A player's game sessions and their transcripts, checked against the owner. */
public final class SessionService {

    public static final int MAX_TITLE = 100;
    public static final int MAX_PAGE = 200;
    public static final int DEFAULT_PAGE = 50;

    private static final SecureRandom SEEDS = new SecureRandom();

    private final SessionStore sessions;
    private final MessageStore messages;
    private final VectorIndex vectors;
    private final CharacterService characters;
    private final Clock clock;

    public SessionService(SessionStore sessions, MessageStore messages, VectorIndex vectors,
                          CharacterService characters, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.vectors = Objects.requireNonNull(vectors, "vectors");
        this.characters = Objects.requireNonNull(characters, "characters");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Opens a session for one of the owner's characters, with a fresh dice seed. */
    public GameSession create(UUID ownerId, UUID characterId, String title) {
        characters.get(ownerId, characterId);
        String t = title == null || title.isBlank() ? "A new adventure" : Validation.text("title", title, MAX_TITLE);
        var now = clock.instant();
        return sessions.create(new GameSession(Ids.newId(), ownerId, characterId, t, SEEDS.nextLong(), now, now));
    }

    public GameSession get(UUID ownerId, UUID id) {
        return sessions.get(id).filter(s -> s.ownerId().equals(ownerId))
                .orElseThrow(() -> new NotFoundException("session", id));
    }

    public List<GameSession> list(UUID ownerId) {
        return sessions.listByOwner(ownerId);
    }

    public GameSession rename(UUID ownerId, UUID id, String title) {
        GameSession s = get(ownerId, id);
        return sessions.update(new GameSession(s.id(), s.ownerId(), s.characterId(),
                Validation.text("title", title, MAX_TITLE), s.seed(), s.createdAt(), clock.instant()));
    }

    /** Deletes the session, its transcript and its vectors. */
    public void delete(UUID ownerId, UUID id) {
        get(ownerId, id);
        String cursor = null;
        do {
            Page<Message> page = messages.list(id, cursor, MAX_PAGE);
            page.items().forEach(m -> vectors.delete(m.id()));
            cursor = page.nextCursor();
        } while (cursor != null);
        messages.deleteSession(id);
        sessions.delete(id);
    }

    /** A page of the transcript in story order; {@code limit} defaults to 50, at most 200. */
    public Page<Message> messages(UUID ownerId, UUID sessionId, String cursor, Integer limit) {
        get(ownerId, sessionId);
        return messages.list(sessionId, cursor, Validation.limit("limit", limit, DEFAULT_PAGE, MAX_PAGE));
    }
}
