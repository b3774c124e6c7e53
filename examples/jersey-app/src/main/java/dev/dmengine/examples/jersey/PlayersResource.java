package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.spi.identity.Player;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /api/players}: the demo's sign-up. The id it returns goes in {@code X-Player} from then on. */
@Path("players")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class PlayersResource {

    private final DmEngine engine;

    @Inject
    public PlayersResource(DmEngine engine) {
        this.engine = engine;
    }

    @POST
    public Response create(Api.NewPlayer body) {
        Api.required(body);
        Player player = engine.players().create(body.email(), body.displayName());
        return Response.status(Response.Status.CREATED).entity(Api.PlayerView.of(player)).build();
    }
}
