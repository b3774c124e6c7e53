package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnRequest;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.game.GameSession;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.net.URI;
import java.util.UUID;

/**
 * The player's game sessions: open one, play a turn streamed as server-sent events, read the
 * transcript. Another player's session id is not found (404), exactly like an unknown one.
 */
@Path("sessions")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class SessionsResource {

    static final int MAX_CURSOR = 200;

    private final DmEngine engine;

    @Inject
    public SessionsResource(DmEngine engine) {
        this.engine = engine;
    }

    @POST
    public Response open(Api.NewSession body, @Context SecurityContext security) {
        Api.required(body);
        if (body.characterId() == null) {
            throw new InvalidInputException("characterId", "must not be empty");
        }
        GameSession s = engine.sessions().create(DemoLogin.playerId(security), body.characterId(), body.title());
        return Response.created(URI.create("sessions/" + s.id())).entity(Api.SessionView.of(s)).build();
    }

    @GET
    @Path("{id}")
    public Api.SessionView get(@PathParam("id") UUID id, @Context SecurityContext security) {
        return Api.SessionView.of(engine.sessions().get(DemoLogin.playerId(security), id));
    }

    /** The transcript in story order, a page at a time ({@code limit} 1 to 200, default 50). */
    @GET
    @Path("{id}/messages")
    public Api.MessagePage messages(@PathParam("id") UUID id, @QueryParam("cursor") String cursor,
                                    @QueryParam("limit") String limit, @Context SecurityContext security) {
        if (cursor != null && cursor.length() > MAX_CURSOR) {
            throw new InvalidInputException("cursor", "must be at most " + MAX_CURSOR + " characters");
        }
        return Api.MessagePage.of(engine.sessions().messages(DemoLogin.playerId(security), id, cursor,
                limit == null ? null : wholeNumber("limit", limit)));
    }

    /**
     * Plays a turn and streams it: one SSE event per {@link dev.dmengine.core.turn.TurnEvent},
     * named like it ({@code turn.started}, {@code token}, {@code roll}, … {@code turn.completed}
     * or {@code turn.failed}). A turn refused before it starts (unknown session, empty text, a
     * turn already in flight, too many turns) is an error status with a problem+json body
     * instead. {@code Idempotency-Key} makes a retried request safe.
     */
    @POST
    @Path("{id}/turns")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void play(@PathParam("id") UUID id, @HeaderParam("Idempotency-Key") String idempotencyKey,
                     Api.Turn body, @Context SecurityContext security, @Context SseEventSink sink, @Context Sse sse) {
        Api.required(body);
        TurnRequest request = TurnRequest.of(id, DemoLogin.playerId(security), body.text() == null ? "" : body.text())
                .withIdempotencyKey(idempotencyKey);
        TurnStream.start(engine, request, sink, sse);
    }

    private static int wholeNumber(String field, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "must be a whole number, was '"
                    + value.substring(0, Math.min(value.length(), 20)) + "'");
        }
    }
}
