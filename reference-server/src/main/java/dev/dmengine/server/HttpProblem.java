package dev.dmengine.server;

import java.util.List;
import java.util.Map;

/**
 * An error the HTTP layer itself raises (malformed body, wrong media type, unknown route…),
 * answered as an RFC 9457 problem like every exception of the engine.
 */
final class HttpProblem extends RuntimeException {

    final int status;
    final String type;
    final String title;
    final Map<String, String> headers;
    final List<Map<String, String>> errors;

    HttpProblem(int status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of(), List.of());
    }

    HttpProblem(int status, String type, String title, String detail, Map<String, String> headers,
                List<Map<String, String>> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.headers = Map.copyOf(headers);
        this.errors = List.copyOf(errors);
    }

    static HttpProblem malformed(String detail) {
        return new HttpProblem(400, "malformed-request", "Malformed request", detail);
    }

    static HttpProblem tooLarge(int max) {
        return new HttpProblem(413, "payload-too-large", "Payload too large",
                "the request body is larger than " + max + " bytes");
    }

    static HttpProblem unsupportedMediaType(String got) {
        return new HttpProblem(415, "unsupported-media-type", "Unsupported media type",
                "send the body as application/json" + (got == null ? "" : ", not " + got),
                Map.of("Accept-Post", "application/json"), List.of());
    }

    static HttpProblem notAcceptable(String offered) {
        return new HttpProblem(406, "not-acceptable", "Not acceptable", "this resource is only served as " + offered
                + "; send Accept: " + offered + " or none");
    }

    static HttpProblem notFound(String path) {
        return new HttpProblem(404, "not-found", "Not found", "no resource at " + path);
    }

    static HttpProblem methodNotAllowed(String method, String allow) {
        return new HttpProblem(405, "method-not-allowed", "Method not allowed",
                method + " is not allowed here; use " + allow, Map.of("Allow", allow), List.of());
    }
}
