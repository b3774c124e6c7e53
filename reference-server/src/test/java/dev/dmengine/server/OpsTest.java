package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpsTest {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void health_reports_liveness_and_each_adapters_readiness() {
        assertThat(server.get("/health/live", null).json().get("status").asText()).isEqualTo("UP");
        TestServer.Response ready = server.get("/health/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("profile").asText()).isEqualTo("embedded");
        assertThat(ready.json().get("checks").findValuesAsText("name")).contains("stores", "event-bus");
        assertThat(server.get("/health", null).json().get("status").asText()).isEqualTo("UP");
    }

    @Test
    void metrics_are_prometheus_text() {
        server.get("/health/live", null);
        TestServer.Response m = server.get("/metrics", null);
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.body()).contains("dm_http_requests_total{status=\"200\"}").contains("dm_turns_in_flight")
                .contains("dm_jvm_heap_used_bytes");
    }
}
