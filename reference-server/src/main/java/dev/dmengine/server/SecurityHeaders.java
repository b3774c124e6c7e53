package dev.dmengine.server;

import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Headers on every answer, from a page of the web GUI to a problem Helidon writes before
 * routing. The Content-Security-Policy allows only the site's own scripts, styles and requests
 * (the GUI has no inline script, style or handler, and nothing fetched from elsewhere) and no
 * framing at all; {@code X-Frame-Options: DENY} says the same to browsers that predate
 * {@code frame-ancestors}. The one exception is the object store: with S3 the browser uploads
 * players' files to it and shows portraits from it, so its origins join {@code connect-src} and
 * {@code img-src} ({@link #policy}).
 */
final class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY = policy(java.util.List.of());

    private SecurityHeaders() {
    }

    /** The policy, with the object store's origins (scheme, host and port) allowed for uploads and images. */
    static String policy(Collection<String> objectOrigins) {
        String extra = objectOrigins.stream().sorted().map(o -> " " + o).reduce("", String::concat);
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + extra
                + "; connect-src 'self'" + extra + "; object-src 'none'; base-uri 'none'; form-action 'self'; "
                + "frame-ancestors 'none'";
    }

    static void apply(BiConsumer<String, String> header) {
        apply(header, CONTENT_SECURITY_POLICY);
    }

    static void apply(BiConsumer<String, String> header, String contentSecurityPolicy) {
        header.accept("Content-Security-Policy", contentSecurityPolicy);
        header.accept("X-Frame-Options", "DENY");
        header.accept("X-Content-Type-Options", "nosniff");
        header.accept("Referrer-Policy", "no-referrer");
    }
}
