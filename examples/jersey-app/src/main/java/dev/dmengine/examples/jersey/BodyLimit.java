package dev.dmengine.examples.jersey;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * No request body over {@value #MAX_BYTES} bytes (413). The body is read before any JSON parsing:
 * exactly its {@code Content-Length} when it has one (refused at once when that is too large),
 * otherwise up to the end of the stream and at most one byte past the limit.
 */
final class BodyLimit implements ReaderInterceptor {

    static final int MAX_BYTES = 64 * 1024;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        long declared = declaredLength(context.getHeaders().getFirst(HttpHeaders.CONTENT_LENGTH));
        if (declared > MAX_BYTES) {
            throw tooLarge();
        }
        // with a Content-Length, never read past it: not every connection ends the stream there
        byte[] body = context.getInputStream().readNBytes(declared >= 0 ? (int) declared : MAX_BYTES + 1);
        if (body.length > MAX_BYTES) {
            throw tooLarge();
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }

    private static long declaredLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static WebApplicationException tooLarge() {
        return new WebApplicationException("the body is larger than " + MAX_BYTES + " bytes", 413);
    }
}
