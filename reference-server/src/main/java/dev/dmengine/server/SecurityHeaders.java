package dev.dmengine.server;

import java.util.function.BiConsumer;

/**
 * Headers on every answer, from a page of the web GUI to a problem Helidon writes before
 * routing. The Content-Security-Policy allows only the site's own scripts, styles and requests
 * (the GUI has no inline script, style or handler, and nothing fetched from elsewhere) and no
 * framing at all; {@code X-Frame-Options: DENY} says the same to browsers that predate
 * {@code frame-ancestors}.
 */
final class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    static void apply(BiConsumer<String, String> header) {
        header.accept("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        header.accept("X-Frame-Options", "DENY");
        header.accept("X-Content-Type-Options", "nosniff");
        header.accept("Referrer-Policy", "no-referrer");
    }
}
