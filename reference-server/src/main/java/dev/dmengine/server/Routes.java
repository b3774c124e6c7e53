package dev.dmengine.server;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's route table: every route is registered here, installed on the Helidon
 * routing, and listed for the OpenAPI check. A path no route matches is a 404; a path that
 * matches with another method is a 405 with {@code Allow} — both as problem+json.
 */
final class Routes {

    record Route(String method, String pattern) {
        boolean matches(String path) {
            String[] want = pattern.split("/", -1);
            String[] got = path.split("/", -1);
            if (want.length != got.length) {
                return false;
            }
            for (int i = 0; i < want.length; i++) {
                boolean param = want[i].startsWith("{") && want[i].endsWith("}");
                if (param ? got[i].isEmpty() : !want[i].equals(got[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private record Entry(Route route, Handler handler) {
    }

    private final List<Entry> entries = new ArrayList<>();

    Routes get(String pattern, Handler handler) {
        return add("GET", pattern, handler);
    }

    Routes post(String pattern, Handler handler) {
        return add("POST", pattern, handler);
    }

    Routes put(String pattern, Handler handler) {
        return add("PUT", pattern, handler);
    }

    Routes patch(String pattern, Handler handler) {
        return add("PATCH", pattern, handler);
    }

    Routes delete(String pattern, Handler handler) {
        return add("DELETE", pattern, handler);
    }

    Routes add(String method, String pattern, Handler handler) {
        entries.add(new Entry(new Route(method, pattern), handler));
        return this;
    }

    List<Route> routes() {
        return entries.stream().map(Entry::route).toList();
    }

    void install(HttpRouting.Builder routing) {
        for (Entry e : entries) {
            routing.route(Method.create(e.route.method()), e.route.pattern(), e.handler);
        }
        routing.any(this::fallback);
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        String method = req.prologue().method().text();
        Set<String> allowed = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (e.route.matches(path)) {
                allowed.add(e.route.method());
            }
        }
        if (allowed.isEmpty()) {
            throw HttpProblem.notFound(path);
        }
        if (method.equals("OPTIONS")) {
            res.header("Allow", String.join(", ", allowed));
            res.status(204).send();
            return;
        }
        throw HttpProblem.methodNotAllowed(method, String.join(", ", allowed));
    }
}
