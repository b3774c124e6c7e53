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
        TestServer.Response m = server.get("/metrics", TestServer.SERVICE_TOKEN);
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.body()).contains("dm_http_requests_total{status=\"200\"}").contains("dm_turns_in_flight")
                .contains("dm_jvm_heap_used_bytes");
    }

    @Test
    void metrics_need_the_service_token_when_one_is_configured() {
        TestServer.Response anonymous = server.get("/metrics", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).isEqualTo(Problems.MEDIA_TYPE);
        assertThat(anonymous.body()).doesNotContain("dm_http_requests_total");
        TestServer.Response wrong = server.get("/metrics", "not-the-service-token-at-all");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain("dm_http_requests_total");
        TestServer.Response player = server.get("/metrics", server.player("Snoop").access());
        assertThat(player.status()).isEqualTo(403);
    }

    @Test
    void without_a_service_token_metrics_answer_only_a_direct_loopback_client() {
        try (TestServer open = new TestServer(java.util.Map.of("dm.service.token", ""))) {
            TestServer.Response local = open.get("/metrics", null);
            assertThat(local.status()).isEqualTo(200);
            assertThat(local.body()).contains("dm_http_requests_total");
            // through a proxy on this host (it says whom it forwards for): not a local operator
            TestServer.Response proxied = open.send(open.request("/metrics", null)
                    .header("X-Forwarded-For", "203.0.113.9").GET().build());
            assertThat(proxied.status()).isEqualTo(403);
            assertThat(proxied.contentType()).isEqualTo(Problems.MEDIA_TYPE);
            assertThat(proxied.body()).doesNotContain("dm_http_requests_total").contains("dm.service.token");
        }
    }
}
