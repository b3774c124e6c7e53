package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link ApiFuzzTest} found, each held as its own case: requests a client library would
 * not send, answered with a 4xx problem where they were a 500 or were taken as valid.
 */
class MalformedRequestTest {

    static TestServer server;
    static TestServer.Player player;
    static String session;
    static RawHttp raw;

    @BeforeAll
    static void start() {
        server = new TestServer();
        player = server.player("Mal");
        session = server.session(player);
        raw = new RawHttp(server.server.port(), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static RawHttp.Response send(String method, String target, List<RawHttp.Header> headers, byte[] body,
                                 boolean halfClose) throws Exception {
        return raw.send(new RawHttp.Request(method, target.getBytes(StandardCharsets.US_ASCII), headers, body,
                halfClose));
    }

    static JsonNode problem(RawHttp.Response r, int status, String type) throws Exception {
        assertThat(r.status()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(ApiFuzzTest.problem(r)).isNull();
        JsonNode p = Http.MAPPER.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo(Problems.BASE + type);
        return p;
    }

    List<RawHttp.Header> json() {
        return List.of(RawHttp.Header.of("Authorization", "Bearer " + player.access()),
                RawHttp.Header.of("Content-Type", "application/json"));
    }

    /** Overlong '/', past U+10FFFF, an encoded surrogate, a lone continuation byte. */
    @ParameterizedTest
    @ValueSource(strings = {"C0AF", "F4908080", "EDA080", "80"})
    void a_body_that_is_not_valid_utf8_is_a_400_though_jackson_would_decode_it(String hex) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"text\":\"ab".getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(HexFormat.of().parseHex(hex));
        body.writeBytes("cd\"}".getBytes(StandardCharsets.US_ASCII));
        problem(send("POST", "/api/sessions/" + session + "/messages", json(), body.toByteArray(), false), 400,
                "malformed-request");
        assertThat(server.get("/api/sessions/" + session + "/messages", player.access()).json().get("items")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "-1.5", "true", "1e400"})
    void a_number_or_boolean_where_text_goes_is_a_wrong_type_not_a_text(String value) throws Exception {
        JsonNode p = problem(send("POST", "/api/sessions/" + session + "/messages", json(),
                ("{\"text\":" + value + "}").getBytes(StandardCharsets.US_ASCII), false), 400, "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).isEqualTo("text");
        p = problem(send("POST", "/api/characters", json(), ("{\"name\":\"Ari\",\"characterClass\":\"wizard\","
                + "\"inventory\":[{\"itemId\":\"torch\",\"tags\":[" + value + "]}]}").getBytes(StandardCharsets.US_ASCII),
                false), 400, "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).startsWith("inventory[0].tags");
        assertThat(server.get("/api/sessions/" + session + "/messages", player.access()).json().get("items")).isEmpty();
    }

    @Test
    void a_chunked_body_whose_chunk_size_is_not_hex_is_a_400_not_a_500() throws Exception {
        List<RawHttp.Header> headers = new java.util.ArrayList<>(json());
        headers.add(RawHttp.Header.of("Transfer-Encoding", "chunked"));
        problem(send("POST", "/api/characters", headers, "zz\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                true), 400, "malformed-request");
    }

    List<RawHttp.Header> upgrade(String key) {
        return List.of(RawHttp.Header.of("Authorization", "Bearer " + player.access()),
                RawHttp.Header.of("Connection", "Upgrade"), RawHttp.Header.of("Upgrade", "websocket"),
                RawHttp.Header.of("Sec-WebSocket-Version", "13"), RawHttp.Header.of("Sec-WebSocket-Key", key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "not base64!", "dGhyZWU="})
    void a_websocket_key_that_is_not_16_bytes_of_base64_is_a_400_problem_not_a_500(String key) throws Exception {
        JsonNode p = problem(send("GET", "/api/sessions/" + session + "/ws", upgrade(key), null, false), 400,
                "invalid-input");
        assertThat(p.at("/errors/0/field").asText()).isEqualTo("Sec-WebSocket-Key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-5", "99999999999999999999"})
    void a_websocket_resume_point_the_sse_stream_refuses_is_a_400_problem(String last) throws Exception {
        problem(send("GET", "/api/sessions/" + session + "/ws?lastEventId=" + last,
                upgrade("dGhlIHNhbXBsZSBub25jZQ=="), null, false), 400, "invalid-input");
        RawHttp.Response ok = send("GET", "/api/sessions/" + session + "/ws?lastEventId=0",
                upgrade("dGhlIHNhbXBsZSBub25jZQ=="), null, false);
        assertThat(ok.status()).isEqualTo(101);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "application/json", "text/html, application/*"})
    void an_event_stream_asked_for_as_something_else_is_a_406_problem_not_a_500(String accept) throws Exception {
        RawHttp.Response r = send("GET", "/api/sessions/" + session + "/events",
                List.of(RawHttp.Header.of("Authorization", "Bearer " + player.access()),
                        RawHttp.Header.of("Accept", accept)), null, false);
        problem(r, 406, "not-acceptable");
        RawHttp.Response ok = send("GET", "/api/sessions/" + session + "/events",
                List.of(RawHttp.Header.of("Authorization", "Bearer " + player.access())), null, false);
        assertThat(ok.streamed()).as("no Accept header is */*").isTrue();
    }

    @Test
    void service_texts_that_are_not_valid_unicode_are_refused() throws Exception {
        List<RawHttp.Header> service = List.of(RawHttp.Header.of("Authorization", "Bearer " + TestServer.SERVICE_TOKEN),
                RawHttp.Header.of("Content-Type", "application/json"));
        for (Map.Entry<String, String> c : Map.of(
                "/vec/embed", "{\"texts\":[\"ok\",\"a\\ud800\"]}",
                "/vec/search", "{\"text\":\"a\\udc00\",\"sessionId\":\"" + session + "\"}",
                "/ai/generate", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\\u0000\"}]}").entrySet()) {
            problem(send("POST", c.getKey(), service, c.getValue().getBytes(StandardCharsets.US_ASCII), false), 400,
                    "invalid-input");
        }
    }
}
