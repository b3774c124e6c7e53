package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The served OpenAPI document and the server's real routes name the same operations. */
class OpenApiTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        // with the service token and Replicate's webhooks: every optional route is on (no turn is played)
        server = new TestServer(java.util.Map.of("dm.model.provider", "replicate", "dm.model.name", "acme/dm",
                "dm.model.api-key", "r8_unused", "dm.model.base-url", "http://127.0.0.1:9/v1",
                "dm.model.webhook-url", "https://game.example.org/webhooks/replicate",
                "dm.model.webhook-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Set<String> documented(String yaml) {
        Set<String> ops = new TreeSet<>();
        Pattern path = Pattern.compile("^  (/\\S*):\\s*$");
        Pattern method = Pattern.compile("^    (get|put|post|delete|patch|head|options):\\s*$");
        boolean inPaths = false;
        String current = null;
        for (String line : yaml.split("\n")) {
            if (line.startsWith("paths:")) {
                inPaths = true;
                continue;
            }
            if (!inPaths) {
                continue;
            }
            if (!line.isEmpty() && !line.startsWith(" ")) {
                break;
            }
            Matcher p = path.matcher(line);
            if (p.matches()) {
                current = p.group(1);
                continue;
            }
            Matcher m = method.matcher(line);
            if (m.matches() && current != null) {
                ops.add(m.group(1).toUpperCase() + " " + current);
            }
        }
        return ops;
    }

    @Test
    void every_route_is_documented_and_every_documented_operation_exists() {
        TestServer.Response doc = server.get("/openapi", null);
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.body()).startsWith("openapi: 3.1.0");
        Set<String> documented = documented(doc.body());
        Set<String> real = new TreeSet<>();
        server.server.routes().forEach(r -> real.add(r.method() + " " + r.pattern()));
        assertThat(real).as("routes missing from openapi.yaml").isSubsetOf(documented);
        assertThat(documented).as("documented operations the server does not serve").isSubsetOf(real);
    }
}
