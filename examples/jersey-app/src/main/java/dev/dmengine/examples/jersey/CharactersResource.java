package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.spi.game.GameCharacter;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** The player's characters. Another player's character id is not found (404). */
@Path("characters")
@Authenticated
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class CharactersResource {

    private final DmEngine engine;

    @Inject
    public CharactersResource(DmEngine engine) {
        this.engine = engine;
    }

    @POST
    public Response create(Api.NewCharacter body, @Context SecurityContext security) {
        Api.required(body);
        GameCharacter c = engine.characters().create(DemoLogin.playerId(security), body.toEngine());
        return Response.created(URI.create("characters/" + c.id())).entity(Api.CharacterView.of(c)).build();
    }

    @GET
    public List<Api.CharacterView> list(@Context SecurityContext security) {
        return engine.characters().list(DemoLogin.playerId(security)).stream().map(Api.CharacterView::of).toList();
    }

    @GET
    @Path("{id}")
    public Api.CharacterView get(@PathParam("id") UUID id, @Context SecurityContext security) {
        return Api.CharacterView.of(engine.characters().get(DemoLogin.playerId(security), id));
    }
}
