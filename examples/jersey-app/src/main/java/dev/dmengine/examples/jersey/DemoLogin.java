package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.UnauthenticatedException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;

import java.security.Principal;
import java.util.UUID;

/**
 * The demo's stand-in for authentication: the {@code X-Player} header names the player (the id
 * that {@code POST /api/players} returned), and this filter turns it into the request's
 * {@link SecurityContext}. Anyone who knows a player's id can act as that player, so a real
 * application replaces this one class with its own authentication (a session cookie, OIDC, a
 * JWT…) that sets a {@code SecurityContext} whose principal's name is the engine's player id.
 * The resources only ever ask {@link #playerId(SecurityContext)}.
 */
@Authenticated
@Priority(Priorities.AUTHENTICATION)
final class DemoLogin implements ContainerRequestFilter {

    static final String HEADER = "X-Player";

    private final DmEngine engine;

    DemoLogin(DmEngine engine) {
        this.engine = engine;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        UUID id = parse(request.getHeaderString(HEADER));
        try {
            engine.players().get(id);
        } catch (NotFoundException e) {
            throw new UnauthenticatedException("no player has the id in " + HEADER);
        }
        boolean secure = request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return id::toString;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return HEADER;
            }
        });
    }

    /** The engine's id of the player making the request. */
    static UUID playerId(SecurityContext security) {
        return UUID.fromString(security.getUserPrincipal().getName());
    }

    private static UUID parse(String header) {
        if (header == null || header.isBlank()) {
            throw new UnauthenticatedException("send " + HEADER + ": <your player id> (POST /api/players makes one)");
        }
        try {
            return UUID.fromString(header.strip());
        } catch (IllegalArgumentException e) {
            throw new UnauthenticatedException(HEADER + " must be a player id (a UUID)");
        }
    }
}
