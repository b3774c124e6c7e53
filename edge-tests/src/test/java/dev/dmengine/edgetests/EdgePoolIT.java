package dev.dmengine.edgetests;

import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Caddyfile's pool of instances, load balancing, health checks, retries and forwarded
 * headers, with two {@link FakeUpstream}s standing in for instances whose behaviour the test
 * switches (not ready, gone, dying mid-request). None of this needs shared state between
 * instances; what does (a turn's events followed on another instance) waits for Redis.
 */
class EdgePoolIT {

    static final Duration LIMIT = Duration.ofSeconds(60);

    FakeUpstream a;
    FakeUpstream b;
    CaddyProcess caddy;
    GameClient client;

    @BeforeEach
    void start() {
        a = new FakeUpstream("a");
        b = new FakeUpstream("b");
        caddy = CaddyProcess.start(a.address(), b.address());
        client = GameClient.via(caddy, "127.0.0.2");
        Await.until("both instances to pass a readiness check", LIMIT,
                () -> hadHealthCheck(a) && hadHealthCheck(b));
    }

    @AfterEach
    void stop() {
        caddy.close();
        a.close();
        b.close();
    }

    private static boolean hadHealthCheck(FakeUpstream u) {
        return u.healthChecks() > 0;
    }

    private String upstreamOf(GameClient.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json().get("upstream").asText();
    }

    @Test
    void an_instance_failing_its_readiness_check_gets_no_requests_until_it_passes_again() {
        a.ready = false;
        Await.until("ten requests in a row to go to b", LIMIT, () -> {
            for (int i = 0; i < 10; i++) {
                if (!upstreamOf(client.get("/api/sessions?probe=" + i, null)).equals("b")) {
                    return false;
                }
            }
            return true;
        });
        int before = a.requests().size();
        for (int i = 0; i < 20; i++) {
            assertThat(upstreamOf(client.get("/api/sessions?n=" + i, null))).isEqualTo("b");
        }
        assertThat(a.requests()).hasSize(before);

        a.ready = true;
        Await.until("a request to reach a again", LIMIT,
                () -> upstreamOf(client.get("/api/sessions?back", null)).equals("a"));
    }

    @Test
    void a_dead_instance_costs_no_request_of_any_method_because_a_refused_connection_is_retried() {
        a.close(); // refused connections from now on; the health checks have not noticed yet
        for (int i = 0; i < 20; i++) {
            assertThat(upstreamOf(client.get("/api/sessions?n=" + i, null))).isEqualTo("b");
            assertThat(upstreamOf(client.post("/api/sessions?n=" + i, null, Map.of("title", "t")))).isEqualTo("b");
        }
    }

    @Test
    void a_request_cut_off_after_it_reached_an_instance_is_retried_only_when_it_is_safe_to_repeat() {
        a.drop = true; // a reads each request, then closes the connection without answering
        for (int i = 0; i < 30; i++) {
            assertThat(upstreamOf(client.get("/api/sessions?get=" + i, null))).as("GET %d", i).isEqualTo("b");
        }
        Map<String, Integer> statusOf = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            GameClient.Response r = client.post("/api/sessions?post=" + i, null, Map.of("title", "t"));
            statusOf.put("/api/sessions?post=" + i, r.status());
            if (r.status() != 200) {
                assertThat(r.status()).isEqualTo(502);
                assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
                assertThat(r.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/unavailable");
            }
        }
        List<String> postsToA = paths(a, "POST");
        List<String> postsToB = paths(b, "POST");
        assertThat(postsToA).as("POSTs that reached the dying instance (each of 30 had an even chance)").isNotEmpty();
        assertThat(postsToA).doesNotHaveDuplicates().allSatisfy(p -> assertThat(statusOf.get(p)).isEqualTo(502));
        assertThat(postsToB).doesNotHaveDuplicates().doesNotContainAnyElementsOf(postsToA);
        assertThat(postsToA.size() + postsToB.size()).isEqualTo(30);
    }

    private static List<String> paths(FakeUpstream u, String method) {
        return u.requests().stream().filter(r -> r.method().equals(method)).map(FakeUpstream.Received::path).toList();
    }

    @Test
    void with_no_instance_reachable_the_edge_answers_a_problem_saying_so() {
        a.close();
        b.close();
        GameClient.Response r = client.get("/api/sessions", null);
        assertThat(r.status()).isIn(502, 503);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.json().get("type").asText()).isEqualTo("https://dmengine.dev/problems/unavailable");
        assertThat(r.json().get("status").asInt()).isEqualTo(r.status());
    }

    @Test
    void the_instance_receives_the_client_address_once_set_by_the_edge_whatever_the_client_claimed() {
        HttpRequest forged = client.request("/api/sessions?who", null)
                .header("X-Forwarded-For", "198.51.100.1, 198.51.100.2")
                .header("CF-Connecting-IP", "198.51.100.3")
                .header("Forwarded", "for=198.51.100.4")
                .header("X-Real-IP", "198.51.100.5")
                .header("True-Client-IP", "198.51.100.6")
                .GET().build();
        assertThat(client.send(forged).status()).isEqualTo(200);
        List<FakeUpstream.Received> all = new ArrayList<>(a.requests());
        all.addAll(b.requests());
        FakeUpstream.Received got = all.stream().filter(r -> r.path().equals("/api/sessions?who")).findFirst().orElseThrow();
        assertThat(got.header("cf-connecting-ip")).isEqualTo("127.0.0.2");
        assertThat(got.header("x-forwarded-for")).isEqualTo("127.0.0.2");
        assertThat(got.header("x-forwarded-proto")).isEqualTo("https");
        assertThat(got.header("forwarded")).isNull();
        assertThat(got.header("x-real-ip")).isNull();
        assertThat(got.header("true-client-ip")).isNull();
    }

    @Test
    void the_edge_keeps_a_content_security_policy_the_instance_sends_and_adds_its_own_only_when_there_is_none() {
        a.extraHeaders = Map.of("Content-Security-Policy", "default-src 'none'; sandbox");
        b.extraHeaders = Map.of("Content-Security-Policy", "default-src 'none'; sandbox");
        GameClient.Response withOwn = client.get("/", null);
        assertThat(withOwn.headers().allValues("Content-Security-Policy")).containsExactly("default-src 'none'; sandbox");
        assertThat(withOwn.header("X-Frame-Options")).isEqualTo("DENY");

        a.extraHeaders = Map.of();
        b.extraHeaders = Map.of();
        GameClient.Response without = client.get("/", null);
        assertThat(without.headers().allValues("Content-Security-Policy")).singleElement()
                .satisfies(csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
    }

    @Test
    void requests_are_spread_over_the_instances() {
        Set<String> seen = new java.util.HashSet<>();
        Await.until("requests to reach both instances", LIMIT, () -> {
            seen.add(upstreamOf(client.get("/api/sessions?spread", null)));
            return seen.size() == 2;
        });
        assertThat(seen.stream().sorted().collect(Collectors.joining(","))).isEqualTo("a,b");
    }
}
