package dev.dmengine.server;

import dev.dmengine.core.game.Validation;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code /vec/reembed}: an operator (through {@code ./dm reembed}) starts a re-embedding run to
 * a model and dimension, follows its progress, stops, resumes and cancels it. Behind the
 * service token; on the embedded profile every call is a 409 (it keeps one space, in memory).
 */
final class ReembedApi {

    static final int MAX_PAUSE_MILLIS = 60_000;

    record Start(String model, Integer dimension, Integer batchSize, Integer pauseMillis) {
    }

    private final Optional<Reembedding> reembedding;
    private final ServiceToken token;
    private final int maxPayload;

    ReembedApi(Optional<Reembedding> reembedding, ServiceToken token, int maxPayload) {
        this.reembedding = reembedding;
        this.token = token;
        this.maxPayload = maxPayload;
    }

    void routes(Routes r) {
        r.get("/vec/reembed", this::status).post("/vec/reembed", this::start)
                .post("/vec/reembed/stop", this::stop).post("/vec/reembed/cancel", this::cancel);
    }

    private Reembedding reembedding(ServerRequest req) {
        token.authorize(req.headers());
        return reembedding.orElseThrow(() -> new ConflictException("re-embedding needs the PostgreSQL profile "
                + "(dm.postgres.url): the embedded profile keeps its one embedding space in memory"));
    }

    private void status(ServerRequest req, ServerResponse res) {
        Http.json(res, reembedding(req).status()
                .orElseThrow(() -> new NotFoundException("re-embedding run", "-")));
    }

    private void start(ServerRequest req, ServerResponse res) {
        Reembedding r = reembedding(req);
        Start body = Http.body(req, Start.class, maxPayload);
        String model = Bodies.require(body.model(), "model");
        if (model.isBlank() || model.length() > 200) {
            throw new InvalidInputException("model", "must be 1 to 200 characters");
        }
        Validation.wellFormed("model", model, false);
        int dimension = Bodies.require(body.dimension(), "dimension");
        if (dimension < 1 || dimension > 16_000) {
            throw new InvalidInputException("dimension", "must be 1 to 16000, was " + dimension);
        }
        if (body.batchSize() != null && (body.batchSize() < 1 || body.batchSize() > 10_000)) {
            throw new InvalidInputException("batchSize", "must be 1 to 10000, was " + body.batchSize());
        }
        if (body.pauseMillis() != null && (body.pauseMillis() < 0 || body.pauseMillis() > MAX_PAUSE_MILLIS)) {
            throw new InvalidInputException("pauseMillis", "must be 0 to " + MAX_PAUSE_MILLIS + ", was "
                    + body.pauseMillis());
        }
        Duration pause = body.pauseMillis() == null ? null : Duration.ofMillis(body.pauseMillis());
        Http.json(res, Status.ACCEPTED_202, r.start(model, dimension, body.batchSize(), pause));
    }

    private void stop(ServerRequest req, ServerResponse res) {
        Http.json(res, Status.ACCEPTED_202, reembedding(req).stop());
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        Http.json(res, reembedding(req).cancel());
    }
}
