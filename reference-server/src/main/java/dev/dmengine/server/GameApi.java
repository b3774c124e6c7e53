package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.jobs.TurnJobs;
import dev.dmengine.core.turn.TurnEngine;
import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.core.turn.TurnListener;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.Page;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.GameSession;
import dev.dmengine.spi.game.Message;
import dev.dmengine.spi.generation.CancellationSignal;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** {@code /api/…}: characters, sessions, transcripts, turns and the session event stream. */
final class GameApi {

    static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");

    private final DmEngine engine;
    private final Authn authn;
    private final EventBus events;
    private final Metrics metrics;
    private final ServerSettings settings;
    private final StreamLimits streams;
    private final EventPumps pumps;

    GameApi(DmEngine engine, Authn authn, EventBus events, Metrics metrics, ServerSettings settings,
            StreamLimits streams, EventPumps pumps) {
        this.streams = streams;
        this.pumps = pumps;
        this.engine = engine;
        this.authn = authn;
        this.events = events;
        this.metrics = metrics;
        this.settings = settings;
    }

    void routes(Routes r) {
        r.get("/api/characters", this::listCharacters)
                .post("/api/characters", this::createCharacter)
                .get("/api/characters/{id}", this::getCharacter)
                .put("/api/characters/{id}", this::updateCharacter)
                .delete("/api/characters/{id}", this::deleteCharacter)
                .get("/api/sessions", this::listSessions)
                .post("/api/sessions", this::createSession)
                .get("/api/sessions/{id}", this::getSession)
                .patch("/api/sessions/{id}", this::renameSession)
                .delete("/api/sessions/{id}", this::deleteSession)
                .get("/api/sessions/{id}/messages", this::listMessages)
                .post("/api/sessions/{id}/messages", this::postMessage)
                .post("/api/sessions/{id}/regenerate", this::regenerate)
                .get("/api/sessions/{id}/events", this::events)
                .get(SessionSocket.PATH, this::socketWithoutUpgrade)
                .get("/api/jobs/{id}", this::job);
    }

    /** Ends open event streams and WebSockets (shutdown). */
    void close() {
        pumps.close();
    }

    private Authn.Caller caller(ServerRequest req) {
        return authn.caller(req.prologue().method().text(), req.headers());
    }

    private static UUID id(ServerRequest req) {
        String raw = req.path().pathParameters().get("id");
        try {
            return Ids.parse("id", raw);
        } catch (InvalidInputException e) {
            throw new NotFoundException("resource", raw); // a malformed id names nothing
        }
    }

    private int max() {
        return settings.maxPayloadBytes();
    }

    // ---------------------------------------------------------------- characters

    private void listCharacters(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Http.json(res, new Views.ListView<>(engine.characters().list(owner).stream().map(Views.CharacterView::of).toList()));
    }

    private void createCharacter(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Bodies.Character body = Http.body(req, Bodies.Character.class, max());
        if (body.version() != null) {
            throw new InvalidInputException("version", "is set by the server on create");
        }
        GameCharacter c = engine.characters().create(owner, body.toNew());
        res.header(HeaderNames.LOCATION, "/api/characters/" + c.id());
        Http.json(res, Status.CREATED_201, Views.CharacterView.of(c));
    }

    private void getCharacter(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Http.json(res, Views.CharacterView.of(engine.characters().get(owner, id(req))));
    }

    private void updateCharacter(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID id = id(req);
        engine.characters().get(owner, id);
        Bodies.Character body = Http.body(req, Bodies.Character.class, max());
        long version = Bodies.require(body.version(), "version");
        Http.json(res, Views.CharacterView.of(engine.characters().update(owner, id, version, body.toNew())));
    }

    private void deleteCharacter(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        engine.characters().delete(owner, id(req));
        Http.noContent(res);
    }

    // ---------------------------------------------------------------- sessions

    private void listSessions(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Http.json(res, new Views.ListView<>(engine.sessions().list(owner).stream().map(Views.SessionView::of).toList()));
    }

    private void createSession(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Bodies.NewSession body = Http.body(req, Bodies.NewSession.class, max());
        UUID characterId = Bodies.require(body.characterId(), "characterId");
        GameSession s = engine.sessions().create(owner, characterId, body.title());
        res.header(HeaderNames.LOCATION, "/api/sessions/" + s.id());
        Http.json(res, Status.CREATED_201, Views.SessionView.of(s));
    }

    private void getSession(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        Http.json(res, Views.SessionView.of(engine.sessions().get(owner, id(req))));
    }

    private void renameSession(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID id = id(req);
        engine.sessions().get(owner, id);
        Bodies.SessionPatch body = Http.body(req, Bodies.SessionPatch.class, max());
        Http.json(res, Views.SessionView.of(engine.sessions().rename(owner, id, Bodies.require(body.title(), "title"))));
    }

    private void deleteSession(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        engine.sessions().delete(owner, id(req));
        Http.noContent(res);
    }

    private void listMessages(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID id = id(req);
        String cursor = req.query().first("cursor").orElse(null);
        Integer limit = null;
        Optional<String> l = req.query().first("limit").asOptional();
        if (l.isPresent()) {
            try {
                limit = Integer.parseInt(l.get());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("limit", "must be a whole number");
            }
        }
        Page<Message> page = engine.sessions().messages(owner, id, cursor, limit);
        Http.json(res, new Views.PageView<>(page.items().stream().map(Views.MessageView::of).toList(),
                page.nextCursor()));
    }

    // ---------------------------------------------------------------- turns

    private void postMessage(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID sessionId = id(req);
        engine.sessions().get(owner, sessionId);
        Bodies.Say body = Http.body(req, Bodies.Say.class, max());
        String text = Bodies.require(body.text(), "text");
        String key = req.headers().first(IDEMPOTENCY_KEY).orElse(null);
        TurnRequest request = new TurnRequest(sessionId, owner, text, key, new CancellationSignal());
        if (wantsStream(req)) {
            stream(res, listener -> engine.jobs().play(request, listener));
        } else {
            accepted(res, engine.jobs().enqueue(request));
        }
    }

    private void regenerate(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID sessionId = id(req);
        engine.sessions().get(owner, sessionId);
        Http.raw(req, max()); // no body expected; a large one is still refused
        if (wantsStream(req)) {
            stream(res, listener -> engine.jobs().regenerate(sessionId, owner, new CancellationSignal(), listener));
        } else {
            accepted(res, engine.jobs().enqueueRegeneration(sessionId, owner));
        }
    }

    static boolean wantsStream(ServerRequest req) {
        for (HttpMediaType t : req.headers().acceptedTypes()) {
            if (t.mediaType().text().equalsIgnoreCase("text/event-stream")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Plays the turn on this request's thread, streaming its events with the ids the event bus
     * gave them (the ids of the session's event stream, so a client can resume from either). An
     * idempotent retry of a finished turn gets its result only, without an id.
     */
    private void stream(ServerResponse res, java.util.function.Function<TurnListener, ?> turn) {
        try (SseStream sse = new SseStream(res, metrics)) {
            TurnListener listener = new TurnListener() {
                @Override
                public void onEvent(TurnEvent e) {
                    onPublished(e, 0);
                }

                @Override
                public void onPublished(TurnEvent e, long eventId) {
                    sse.emit(eventId > 0 ? Long.toString(eventId) : null, e.name(), e.json());
                }
            };
            try {
                turn.apply(listener);
            } catch (RuntimeException e) {
                if (!sse.opened()) {
                    throw e; // refused before it started: a problem+json answer
                }
                // it started and failed: turn.failed is already on the stream
            }
        }
    }

    /** The turn is queued (202): a worker plays it, its events go to the session's stream. */
    private static void accepted(ServerResponse res, TurnJobs.Ticket ticket) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", ticket.jobId().toString());
        body.put("status", "/api/jobs/" + ticket.jobId());
        body.put("events", "/api/sessions/" + ticket.sessionId() + "/events");
        res.header(HeaderNames.LOCATION, "/api/jobs/" + ticket.jobId());
        Http.json(res, Status.ACCEPTED_202, body);
    }

    private void job(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        TurnJobs.Status job = engine.jobs().status(owner, id(req));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", job.jobId().toString());
        body.put("sessionId", job.sessionId().toString());
        body.put("state", job.state().name().toLowerCase(Locale.ROOT));
        body.put("attempts", job.attempts());
        job.outcome().ifPresent(o -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("turnId", o.turnId().toString());
            result.put("seq", o.seq());
            result.put("dmMessageId", o.dmMessageId().toString());
            result.put("replayed", o.replayed());
            body.put("result", result);
        });
        job.error().ifPresent(e -> body.put("error", e));
        Http.json(res, body);
    }

    // ---------------------------------------------------------------- events

    /** The WebSocket URL reached by a plain GET (no Upgrade header): checked like any route, then 426. */
    private void socketWithoutUpgrade(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        engine.sessions().get(owner, id(req));
        throw new HttpProblem(426, "upgrade-required", "Upgrade required", "open this URL as a WebSocket",
                Map.of("Upgrade", "websocket"), java.util.List.of());
    }

    @SuppressWarnings("try") // the place is held by the try, not used in it
    private void events(ServerRequest req, ServerResponse res) {
        UUID owner = caller(req).player().id();
        UUID sessionId = id(req);
        engine.sessions().get(owner, sessionId);
        if (!acceptsEventStream(req)) { // Helidon opens no SSE sink for it: the handler would send nothing (a 500)
            throw HttpProblem.notAcceptable("text/event-stream");
        }
        String topic = TurnEngine.topic(sessionId);
        long after = lastEventId(req).orElseGet(() -> events.lastId(topic));
        try (StreamLimits.Permit place = streams.acquire(owner, sessionId);
             SseStream sse = new SseStream(res, metrics);
             EventPumps.Pump pump = pumps.open(topic, after)) {
            pump.run(new EventPumps.Sink() {
                @Override
                public boolean event(Event e) {
                    sse.emit(Long.toString(e.id()), e.name(), e.data());
                    return !sse.broken();
                }

                @Override
                public boolean heartbeat() {
                    sse.heartbeat();
                    return !sse.broken();
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean acceptsEventStream(ServerRequest req) {
        try {
            return req.headers().isAccepted(MediaTypes.TEXT_EVENT_STREAM);
        } catch (RuntimeException e) { // an Accept header that does not parse
            return false;
        }
    }

    static Optional<Long> lastEventId(ServerRequest req) {
        Optional<String> raw = req.headers().first(LAST_EVENT_ID);
        if (raw.isEmpty()) {
            raw = req.query().first("lastEventId").asOptional();
        }
        return parseLastEventId(raw.orElse(null));
    }

    /**
     * The one reading of a resume point, for the SSE stream ({@code Last-Event-ID} or
     * {@code ?lastEventId=}) and the WebSocket ({@code ?lastEventId=}) alike: absent or blank is
     * "from now on", anything but a whole number from 0 up is refused (400).
     */
    static Optional<Long> parseLastEventId(String raw) {
        if (raw == null || raw.isBlank()) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(raw.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return Optional.of(v);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Last-Event-ID", "must be an event id from this stream (a whole number, "
                    + "0 or more)");
        }
    }
}
