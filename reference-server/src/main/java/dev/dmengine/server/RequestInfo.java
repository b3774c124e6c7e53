package dev.dmengine.server;

import io.helidon.webserver.http.ServerRequest;

/** Per-request facts set by the first filter: the request id and the client's address. */
record RequestInfo(String requestId, String clientIp, long startNanos) {

    static final String HEADER = "X-Request-Id";

    static String id(ServerRequest req) {
        return req.context().get(RequestInfo.class).map(RequestInfo::requestId).orElse("-");
    }

    /** The request ended because its client went away (499) or was too slow and was cut off (408). */
    record Aborted(int status) {
    }

    static void markAborted(ServerRequest req, int status) {
        req.context().register(new Aborted(status));
    }

    /** The status to log for a request that was {@linkplain #markAborted aborted}; -1 if it was not. */
    static int abortedStatus(ServerRequest req) {
        return req.context().get(Aborted.class).map(Aborted::status).orElse(-1);
    }

    static String clientIp(ServerRequest req) {
        return req.context().get(RequestInfo.class).map(RequestInfo::clientIp).orElse("unknown");
    }

    /** A client's id is kept if it is 1 to 64 safe characters; otherwise we make one. */
    static boolean acceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == ':')) {
                return false;
            }
        }
        return true;
    }
}
