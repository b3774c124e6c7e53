package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.retrieval.Document;
import dev.dmengine.spi.retrieval.DocumentStore;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The vector store for other services, behind the service token: {@code /vec/search} (a
 * session's or a player's messages and documents, or only documents), {@code /vec/upsert} and
 * {@code /vec/delete} (a service indexes texts of its own as {@link Document}s).
 *
 * <p><b>Who owns a document.</b> A document belongs to a player, who must exist; a service may
 * file it under one of that player's sessions ({@code sessionId}, checked to be the player's).
 * Its vector is filed under a scope of its own — a name-based id derived from the session (or
 * from the player when there is none), never a game session's id — so the DM's retrieval of a
 * session's history never meets a service's documents, while a player-wide search meets both.
 * Document ids are chosen by the service; an id that is another player's document, or a game
 * message, is answered 404 naming the field, as an id that does not exist would be on delete.
 *
 * <p><b>Which space.</b> Texts are embedded by the server with the active embedding space's
 * model and written there; a request that names the space it expects ({@code model},
 * {@code dimension}, as {@code /vec/embed} reports them) is refused with 409 when another is
 * active (a re-embedding run switched it). A document's text is kept, so a re-embedding run
 * carries it into the next space; rewriting a document removes its vectors from every other
 * space, so a run in progress embeds its new text, not the old.
 */
final class VectorApi {

    static final int MAX_ITEMS = ServiceApi.MAX_TEXTS;
    static final int MAX_TEXT = ServiceApi.MAX_TEXT;
    static final int MAX_DOCUMENTS_PER_PLAYER = 10_000;

    record Search(UUID sessionId, UUID playerId, String text, Integer k, Boolean documents) {
    }

    record Item(UUID id, String text) {
    }

    record Upsert(UUID playerId, UUID sessionId, String model, Integer dimension, List<Item> items) {
    }

    record Delete(UUID playerId, List<UUID> ids) {
    }

    private final DmEngine engine;
    private final Vectors vectors;
    private final ServiceToken token;
    private final int maxPayload;

    VectorApi(DmEngine engine, Vectors vectors, String token, int maxPayload) {
        this.engine = engine;
        this.vectors = vectors;
        this.token = new ServiceToken(token);
        this.maxPayload = maxPayload;
    }

    static Optional<VectorApi> create(DmEngine engine, Vectors vectors, Optional<String> token, int maxPayload) {
        return token.map(t -> new VectorApi(engine, vectors, t, maxPayload));
    }

    void routes(Routes r) {
        r.post("/vec/search", this::search).post("/vec/upsert", this::upsert).post("/vec/delete", this::delete);
        new ReembedApi(vectors.reembedding, token, maxPayload).routes(r);
    }

    /** The scope a document's vector is filed under: derived from its session, or its player. */
    static UUID documentScope(UUID playerId, UUID sessionId) {
        String key = sessionId != null ? "dm-documents:session:" + sessionId : "dm-documents:player:" + playerId;
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
    }

    private void search(ServerRequest req, ServerResponse res) {
        token.authorize(req.headers());
        Search body = Http.body(req, Search.class, maxPayload);
        String text = Bodies.require(body.text(), "text");
        if (text.isBlank() || text.length() > MAX_TEXT) {
            throw new InvalidInputException("text", "must be 1 to " + MAX_TEXT + " characters");
        }
        Validation.wellFormed("text", text, true);
        int k = body.k() == null ? 5 : body.k();
        if (k < 1 || k > 100) {
            throw new InvalidInputException("k", "must be 1 to 100");
        }
        if ((body.sessionId() == null) == (body.playerId() == null)) {
            throw new InvalidInputException("sessionId", "give exactly one of sessionId and playerId as the scope");
        }
        boolean documents = Boolean.TRUE.equals(body.documents());
        Embedder embedder = vectors.embedder.current();
        float[] vector = embedder.embed(text);
        EmbeddingSpace space = embedder.space();
        VectorQuery q;
        if (documents) {
            UUID scope = body.sessionId() != null ? documentScope(null, body.sessionId())
                    : documentScope(body.playerId(), null);
            q = VectorQuery.session(space, scope, vector, k, Set.of());
        } else {
            q = body.sessionId() != null
                    ? VectorQuery.session(space, body.sessionId(), vector, k, Set.of())
                    : VectorQuery.player(space, body.playerId(), vector, k);
        }
        List<VectorMatch> found = engine.ports().vectorIndex().search(q);
        Map<UUID, Document> docs = vectors.documents.getAll(found.stream().map(VectorMatch::messageId).toList())
                .stream().collect(Collectors.toMap(Document::id, Function.identity()));
        List<Map<String, Object>> matches = new ArrayList<>();
        for (VectorMatch m : found) {
            Map<String, Object> item = new LinkedHashMap<>();
            Document doc = docs.get(m.messageId());
            item.put("messageId", m.messageId().toString());
            item.put("kind", doc != null ? "document" : "message");
            if (doc != null) {
                if (doc.sessionId() != null) {
                    item.put("sessionId", doc.sessionId().toString());
                }
                item.put("content", doc.text());
            } else {
                item.put("sessionId", m.sessionId().toString());
                engine.ports().messageStore().get(m.messageId()).ifPresent(msg -> item.put("content", msg.content()));
            }
            item.put("score", m.score());
            matches.add(item);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", space.modelId());
        out.put("dimension", space.dimension());
        out.put("matches", matches);
        Http.json(res, out);
    }

    private void upsert(ServerRequest req, ServerResponse res) {
        token.authorize(req.headers());
        Upsert body = Http.body(req, Upsert.class, maxPayload);
        UUID playerId = Bodies.require(body.playerId(), "playerId");
        List<Item> items = checkItems(body.items());
        checkOwner(playerId, body.sessionId());
        Embedder embedder = vectors.embedder.current();
        EmbeddingSpace space = embedder.space();
        checkSpace(space, body.model(), body.dimension());
        Map<UUID, Document> existing = owned(playerId, items.stream().map(Item::id).toList(), "items", ".id");
        long fresh = items.stream().filter(i -> !existing.containsKey(i.id())).count();
        long held = vectors.documents.countByPlayer(playerId);
        if (fresh > 0 && held + fresh > MAX_DOCUMENTS_PER_PLAYER) {
            throw new InvalidInputException("items", "the player holds " + held + " documents; at most "
                    + MAX_DOCUMENTS_PER_PLAYER + " are kept per player (delete some first)");
        }
        List<float[]> embedded = embedder.embedAll(items.stream().map(Item::text).toList());
        UUID scope = documentScope(playerId, body.sessionId());
        Instant now = engine.ports().clock().instant();
        VectorIndex index = engine.ports().vectorIndex();
        engine.ports().transactor().inTransaction(() -> {
            List<VectorRecord> records = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                Document before = existing.get(item.id());
                vectors.documents.put(new Document(item.id(), playerId, body.sessionId(), item.text(), now));
                if (before != null && (!before.text().equals(item.text())
                        || !Objects.equals(before.sessionId(), body.sessionId()))) {
                    index.delete(item.id()); // its old vector in every space, a space being built included
                }
                records.add(new VectorRecord(item.id(), scope, playerId, embedded.get(i)));
            }
            index.upsertAll(space, records);
            return null;
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", space.modelId());
        out.put("dimension", space.dimension());
        out.put("created", fresh);
        out.put("replaced", items.size() - fresh);
        out.put("ids", items.stream().map(i -> i.id().toString()).toList());
        Http.json(res, out);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        token.authorize(req.headers());
        Delete body = Http.body(req, Delete.class, maxPayload);
        UUID playerId = Bodies.require(body.playerId(), "playerId");
        List<UUID> ids = Bodies.require(body.ids(), "ids");
        if (ids.isEmpty() || ids.size() > MAX_ITEMS) {
            throw new InvalidInputException("ids", "must hold 1 to " + MAX_ITEMS + " ids, held " + ids.size());
        }
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) == null) {
                throw new InvalidInputException("ids[" + i + "]", "is required");
            }
            if (!seen.add(ids.get(i))) {
                throw new InvalidInputException("ids[" + i + "]", "appears twice");
            }
        }
        checkOwner(playerId, null);
        Map<UUID, Document> docs = owned(playerId, ids, "ids", "");
        for (int i = 0; i < ids.size(); i++) {
            if (!docs.containsKey(ids.get(i))) {
                throw notFound("ids[" + i + "]", ids.get(i));
            }
        }
        VectorIndex index = engine.ports().vectorIndex();
        engine.ports().transactor().inTransaction(() -> {
            for (UUID id : ids) {
                index.delete(id);
                vectors.documents.delete(id);
            }
            return null;
        });
        Http.json(res, Map.of("deleted", ids.size()));
    }

    private static List<Item> checkItems(List<Item> items) {
        Bodies.require(items, "items");
        if (items.isEmpty() || items.size() > MAX_ITEMS) {
            throw new InvalidInputException("items", "must hold 1 to " + MAX_ITEMS + " items, held " + items.size());
        }
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item == null) {
                throw new InvalidInputException("items[" + i + "]", "must be an object with an id and a text");
            }
            Bodies.require(item.id(), "items[" + i + "].id");
            String text = Bodies.require(item.text(), "items[" + i + "].text");
            if (text.isBlank() || text.length() > MAX_TEXT) {
                throw new InvalidInputException("items[" + i + "].text", "must be 1 to " + MAX_TEXT
                        + " characters, was " + text.length());
            }
            Validation.wellFormed("items[" + i + "].text", text, true);
            if (!seen.add(item.id())) {
                throw new InvalidInputException("items[" + i + "].id", "appears twice");
            }
        }
        return items;
    }

    /** The player exists and, when given, the session is the player's: else 404. */
    private void checkOwner(UUID playerId, UUID sessionId) {
        if (engine.ports().playerStore().get(playerId).isEmpty()) {
            throw new NotFoundException("player", playerId);
        }
        if (sessionId != null) {
            Optional<GameSession> s = engine.ports().sessionStore().get(sessionId);
            if (s.isEmpty() || !s.get().ownerId().equals(playerId)) {
                throw new NotFoundException("session", sessionId);
            }
        }
    }

    private static void checkSpace(EmbeddingSpace active, String model, Integer dimension) {
        if ((model != null && !model.equals(active.modelId()))
                || (dimension != null && dimension != active.dimension())) {
            throw new ConflictException("the active embedding space is " + active + ", not "
                    + (model != null ? model : active.modelId()) + "/" + (dimension != null ? dimension
                    : active.dimension()) + ": vectors are written to the active space only (send no model and "
                    + "dimension, or the ones /vec/embed reports)");
        }
    }

    /**
     * The player's documents among {@code ids}. An id that is a game message, or another
     * player's document, is a 404 naming the field ({@code field[i]suffix}).
     */
    private Map<UUID, Document> owned(UUID playerId, List<UUID> ids, String field, String suffix) {
        Map<UUID, Document> docs = new HashMap<>();
        for (Document d : vectors.documents.getAll(ids)) {
            docs.put(d.id(), d);
        }
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            Document d = docs.get(id);
            boolean foreign = d != null ? !d.playerId().equals(playerId)
                    : engine.ports().messageStore().get(id).isPresent();
            if (foreign) {
                throw notFound(field + "[" + i + "]" + suffix, id);
            }
        }
        return docs;
    }

    private static HttpProblem notFound(String field, UUID id) {
        return new HttpProblem(404, "not-found", "Not found", "document " + id + " was not found", Map.of(),
                List.of(Map.of("field", field, "message", "is not a document of this player")));
    }
}
