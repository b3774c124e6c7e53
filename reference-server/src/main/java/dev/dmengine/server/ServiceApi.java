package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.ChatMessage;
import dev.dmengine.spi.generation.GenerationHandler;
import dev.dmengine.spi.generation.GenerationRequest;
import dev.dmengine.spi.generation.GenerationResult;
import dev.dmengine.spi.retrieval.Embedder;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /vec/embed} and {@code /ai/generate} for other services ({@code /vec/search} and the
 * vector writes: {@link VectorApi}), behind
 * the service credential {@code dm.service.token} (sent as a bearer token, compared in
 * constant time). Without the setting these routes do not exist (404).
 */
final class ServiceApi {

    static final int MAX_TEXTS = 64;
    static final int MAX_TEXT = 8_000;

    private final DmEngine engine;
    private final ServiceToken token;
    private final int maxPayload;

    ServiceApi(DmEngine engine, String token, int maxPayload) {
        this.engine = engine;
        this.token = new ServiceToken(token);
        this.maxPayload = maxPayload;
    }

    void routes(Routes r) {
        r.post("/vec/embed", this::embed).post("/ai/generate", this::generate); // /vec/search: VectorApi
    }

    private void authorize(ServerRequest req) {
        token.authorize(req.headers());
    }

    private void embed(ServerRequest req, ServerResponse res) {
        authorize(req);
        Bodies.Embed body = Http.body(req, Bodies.Embed.class, maxPayload);
        List<String> texts = Bodies.require(body.texts(), "texts");
        if (texts.isEmpty() || texts.size() > MAX_TEXTS) {
            throw new InvalidInputException("texts", "must hold 1 to " + MAX_TEXTS + " texts");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null || texts.get(i).length() > MAX_TEXT) {
                throw new InvalidInputException("texts[" + i + "]", "must be a text of at most " + MAX_TEXT + " characters");
            }
            Validation.wellFormed("texts[" + i + "]", texts.get(i), true);
        }
        Embedder embedder = engine.ports().embedder().current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", embedder.space().modelId());
        out.put("dimension", embedder.space().dimension());
        out.put("vectors", embedder.embedAll(texts));
        Http.json(res, out);
    }

    private void generate(ServerRequest req, ServerResponse res) {
        authorize(req);
        Bodies.Generate body = Http.body(req, Bodies.Generate.class, maxPayload);
        List<Bodies.ChatLine> lines = Bodies.require(body.messages(), "messages");
        if (lines.isEmpty()) {
            throw new InvalidInputException("messages", "must hold at least one message");
        }
        GenerationRequest.Builder b = GenerationRequest.builder();
        for (int i = 0; i < lines.size(); i++) {
            Bodies.ChatLine l = lines.get(i);
            if (l == null || l.role() == null || l.content() == null) {
                throw new InvalidInputException("messages[" + i + "]", "needs a role and a content");
            }
            Validation.wellFormed("messages[" + i + "].content", l.content(), true);
            ChatMessage.Role role;
            try {
                role = ChatMessage.Role.valueOf(l.role().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("messages[" + i + "].role", "must be system, user or assistant");
            }
            b.message(new ChatMessage(role, l.content()));
        }
        if (body.maxTokens() != null) {
            if (body.maxTokens() < 1 || body.maxTokens() > 4096) {
                throw new InvalidInputException("maxTokens", "must be 1 to 4096");
            }
            b.maxTokens(body.maxTokens());
        }
        if (body.temperature() != null) {
            if (body.temperature() < 0 || body.temperature() > 2) {
                throw new InvalidInputException("temperature", "must be 0 to 2");
            }
            b.temperature(body.temperature());
        }
        CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        engine.ports().languageModel().generate(b.build(), new GenerationHandler() {
            @Override
            public void onComplete(GenerationResult result) {
                done.complete(result);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        GenerationResult result;
        try {
            result = done.getNow(null);
            if (result == null) {
                result = done.join();
            }
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof dev.dmengine.spi.DmException d) {
                throw d;
            }
            throw new UnavailableException("the language model failed", cause);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", engine.ports().languageModel().modelId());
        out.put("text", result.text());
        out.put("finishReason", result.finishReason());
        out.put("outputTokens", result.outputTokens());
        Http.json(res, out);
    }

    static Optional<ServiceApi> create(DmEngine engine, Optional<String> token, int maxPayload) {
        return token.map(t -> new ServiceApi(engine, t, maxPayload));
    }
}
