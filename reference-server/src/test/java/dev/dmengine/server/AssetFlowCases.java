package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flow B over HTTP, as a client does it: {@code POST /api/assets/presign}, a PUT straight to the
 * object store with the URL and headers it answered, {@code POST /api/assets/{id}/complete},
 * then the download URL. And every bad input the issue lists: each gets a clear answer — a
 * problem+json from this server, or the store's refusal of the upload and then a problem+json
 * from {@code complete} — and none leaves a READY asset for bytes nobody verified. Subclasses
 * run it on the embedded profile (the server is the store) and on PostgreSQL + S3Proxy.
 */
abstract class AssetFlowCases {

    static final byte[] PNG = "\u0089PNG\r\n\u001a\n a pretend portrait".getBytes(StandardCharsets.ISO_8859_1);

    /** The server under test. */
    protected abstract TestServer server();

    /**
     * A server on the same stores with upload URLs of 1 s, uploads abandoned after 6 s and the
     * clean-up every second.
     */
    protected abstract TestServer shortLived();

    /** Whether uploads go to this server (embedded profile): then a refused upload is a problem+json too. */
    protected abstract boolean uploadsToServer();

    /** Whether the object is still in the store, looked at behind the API. */
    protected abstract boolean objectExists(TestServer on, String bucket, String key);

    // ---------------------------------------------------------------- helpers

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> portrait(byte[] body) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket", "player-assets");
        m.put("purpose", "portrait");
        m.put("contentType", "image/png");
        m.put("size", body.length);
        m.put("sha256", sha256(body));
        return m;
    }

    static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(body);
        m.put(field, value);
        return m;
    }

    TestServer.Response presign(TestServer on, TestServer.Player p, Object body) {
        return on.post("/api/assets/presign", p.access(), body);
    }

    /** The upload the presign answered, ready to send (a relative URL is this server's). */
    record Put(URI url, Map<String, String> headers, String assetId) {
    }

    Put put(TestServer on, TestServer.Response presigned) {
        assertThat(presigned.status()).as(presigned.body()).isIn(200, 201);
        JsonNode j = presigned.json();
        assertThat(j.get("method").asText()).isEqualTo("PUT");
        Map<String, String> headers = new LinkedHashMap<>();
        j.get("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        return new Put(URI.create(on.base() + "/").resolve(j.get("url").asText()), headers,
                j.get("assetId").asText());
    }

    /** Sends the body as the browser would, with some headers replaced (a null value drops one). */
    HttpResponse<String> upload(TestServer on, Put put, byte[] body, Map<String, String> changed) {
        Map<String, String> headers = new HashMap<>(put.headers());
        changed.forEach((k, v) -> {
            headers.keySet().removeIf(h -> h.equalsIgnoreCase(k));
            if (v != null) {
                headers.put(k, v);
            }
        });
        HttpRequest.Builder b = HttpRequest.newBuilder(put.url()).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        try {
            return on.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> upload(TestServer on, Put put, byte[] body) {
        return upload(on, put, body, Map.of());
    }

    HttpResponse<byte[]> download(TestServer on, String url) {
        try {
            return on.http.send(HttpRequest.newBuilder(URI.create(on.base() + "/").resolve(url))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    TestServer.Response complete(TestServer on, TestServer.Player p, String assetId) {
        return on.send(on.request("/api/assets/" + assetId + "/complete", p.access())
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** A refused upload: a 4xx; from this server a problem+json naming {@code field} (if given). */
    void assertRefused(HttpResponse<String> r, int embeddedStatus, String field) {
        assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
        if (uploadsToServer()) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(embeddedStatus);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("application/problem+json"));
            if (field != null) {
                assertThat(r.body()).contains("\"field\":\"" + field + "\"");
            }
        }
    }

    /** After a refused upload: complete says nothing was uploaded (409) and the asset stays PENDING. */
    void assertNeverReady(TestServer on, TestServer.Player p, Put put) {
        JsonNode problem = ErrorsTest.problem(complete(on, p, put.assetId()), 409, "conflict");
        assertThat(problem.get("detail").asText()).contains("nothing was uploaded");
        assertThat(status(on, p, put.assetId())).isEqualTo("PENDING");
    }

    String status(TestServer on, TestServer.Player p, String assetId) {
        TestServer.Response r = on.get("/api/assets/" + assetId, p.access());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("status").asText();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- the flow

    @Test
    void a_portrait_goes_presign_put_complete_and_downloads_as_the_same_bytes() {
        TestServer s = server();
        TestServer.Player ann = s.player("Ann");

        TestServer.Response presigned = presign(s, ann, portrait(PNG));
        assertThat(presigned.status()).as(presigned.body()).isEqualTo(201);
        assertThat(presigned.header("Location")).isEqualTo("/api/assets/" + presigned.json().get("assetId").asText());
        assertThat(presigned.json().get("status").asText()).isEqualTo("PENDING");
        assertThat(presigned.json().at("/asset/sha256").asText()).isEqualTo(sha256(PNG));
        assertThat(presigned.json().get("expiresAt").asText()).isNotBlank();
        Put put = put(s, presigned);
        assertThat(put.headers()).containsEntry("Content-Type", "image/png");
        assertThat(put.url().getRawPath()).contains(ann.id() + "/portrait/" + sha256(PNG));

        HttpResponse<String> uploaded = upload(s, put, PNG);
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        TestServer.Response done = complete(s, ann, put.assetId());
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        assertThat(done.json().get("status").asText()).isEqualTo("READY");
        assertThat(done.json().get("size").asLong()).isEqualTo(PNG.length);

        TestServer.Response got = s.get("/api/assets/" + put.assetId(), ann.access());
        assertThat(got.json().get("purpose").asText()).isEqualTo("portrait");
        HttpResponse<byte[]> file = download(s, got.json().get("url").asText());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(PNG);
        assertThat(file.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(s.get("/api/assets", ann.access()).json().get("items")).hasSize(1);

        // the same bytes again: nothing to upload
        TestServer.Response again = presign(s, ann, portrait(PNG));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("assetId").asText()).isEqualTo(put.assetId());
        assertThat(again.json().get("status").asText()).isEqualTo("READY");
        assertThat(again.json().has("url")).isFalse();
    }

    @Test
    void an_export_goes_to_the_exports_bucket() {
        TestServer s = server();
        TestServer.Player ann = s.player("Ann");
        byte[] md = bytes("# The sunken keep\n\n**You:** I open the door.\n\n> Roll: 1d20+3 = 17\n");

        Put put = put(s, presign(s, ann, Map.of("bucket", "exports", "purpose", "export",
                "contentType", "text/markdown; charset=utf-8", "size", md.length, "sha256", sha256(md))));
        assertThat(upload(s, put, md).statusCode()).isEqualTo(200);
        TestServer.Response done = complete(s, ann, put.assetId());

        assertThat(done.json().get("bucket").asText()).isEqualTo("exports");
        HttpResponse<byte[]> file = download(s, done.json().get("url").asText());
        assertThat(new String(file.body(), StandardCharsets.UTF_8)).contains("Roll: 1d20+3 = 17");
        assertThat(file.headers().firstValue("Content-Type")).contains("text/markdown; charset=utf-8");
    }

    // ---------------------------------------------------------------- bad input at presign

    @Test
    void declarations_the_policy_refuses_are_400s_naming_the_field_and_limit_and_record_nothing() {
        TestServer s = server();
        TestServer.Player p = s.player("Pol");
        Map<String, Object> ok = portrait(PNG);
        record Bad(Object body, String field, String says) {
        }
        List<Bad> cases = List.of(
                new Bad(with(ok, "contentType", "image/svg+xml"), "contentType",
                        "must be one of image/png, image/jpeg, image/webp, image/gif for a portrait"),
                new Bad(with(ok, "bucket", "dm-secrets"), "bucket", "must be one of exports, player-assets"),
                new Bad(with(ok, "bucket", "exports"), "bucket", "must be player-assets for a portrait"),
                new Bad(with(ok, "size", 5L * 1024 * 1024 + 1), "size", "must be 1 to 5242880 bytes for a portrait"),
                new Bad(with(ok, "size", 1_000_000_000_000_000L), "size", "must be 1 to 5242880 bytes"),
                new Bad("{\"bucket\":\"player-assets\",\"purpose\":\"portrait\",\"contentType\":\"image/png\","
                        + "\"size\":1e300,\"sha256\":\"" + sha256(PNG) + "\"}", "size", "wrong type"),
                new Bad(with(ok, "size", 0), "size", "must be 1 to"),
                new Bad(with(ok, "sha256", "not-a-hash"), "sha256", "64 hex digits"),
                new Bad(with(ok, "purpose", "avatar"), "purpose", "must be one of export, portrait"),
                new Bad(with(ok, "key", "someone-else/portrait/" + sha256(PNG)), "key", "is not a known field"),
                new Bad(with(ok, "path", "../../etc/passwd"), "path", "is not a known field"));
        for (Bad bad : cases) {
            JsonNode problem = ErrorsTest.problem(presign(s, p, bad.body()), 400, "invalid-input");
            assertThat(problem.get("errors")).as(bad.toString()).hasSize(1);
            assertThat(problem.at("/errors/0/field").asText()).as(bad.toString()).isEqualTo(bad.field());
            assertThat(problem.at("/errors/0/message").asText()).as(bad.toString()).contains(bad.says());
        }
        JsonNode missing = ErrorsTest.problem(presign(s, p, Map.of("bucket", "player-assets")), 400, "invalid-input");
        assertThat(missing.at("/errors/0/field").asText()).isEqualTo("size");
        assertThat(s.get("/api/assets", p.access()).json().get("items")).isEmpty();
    }

    // ---------------------------------------------------------------- bad uploads

    @Test
    void an_upload_with_another_content_type_is_refused_and_never_becomes_ready() {
        TestServer s = server();
        TestServer.Player p = s.player("Cid");
        Put put = put(s, presign(s, p, portrait(PNG)));

        assertRefused(upload(s, put, PNG, Map.of("Content-Type", "text/html")), 400, "contentType");
        assertNeverReady(s, p, put);
    }

    @Test
    void a_body_larger_than_declared_is_refused_and_never_becomes_ready() {
        TestServer s = server();
        TestServer.Player p = s.player("Lars");
        Put put = put(s, presign(s, p, portrait(PNG)));
        byte[] larger = (new String(PNG, StandardCharsets.ISO_8859_1) + " and then some")
                .getBytes(StandardCharsets.ISO_8859_1);

        assertRefused(upload(s, put, larger), 400, "body");
        assertNeverReady(s, p, put);
    }

    @Test
    void a_body_other_than_the_declared_sha256_is_refused_and_never_becomes_ready() {
        TestServer s = server();
        TestServer.Player p = s.player("Shay");
        Put put = put(s, presign(s, p, portrait(PNG)));
        byte[] other = PNG.clone();
        other[PNG.length - 1] ^= 1;

        assertRefused(upload(s, put, other), 400, "body");
        assertNeverReady(s, p, put);
    }

    @Test
    void an_upload_to_a_key_outside_the_players_prefix_is_refused() {
        TestServer s = server();
        TestServer.Player p = s.player("Kay");
        TestServer.Player victim = s.player("Vic");
        Put put = put(s, presign(s, p, portrait(PNG)));
        URI elsewhere = URI.create(put.url().toString().replace(p.id() + "/portrait", victim.id() + "/portrait"));
        assertThat(elsewhere).isNotEqualTo(put.url());

        assertRefused(upload(s, new Put(elsewhere, put.headers(), put.assetId()), PNG), 403, null);
        assertThat(objectExists(s, "player-assets", victim.id() + "/portrait/" + sha256(PNG))).isFalse();
        assertNeverReady(s, p, put);
    }

    @Test
    void an_expired_upload_url_is_refused_and_never_becomes_ready() {
        TestServer s = shortLived();
        TestServer.Player p = s.player("Exa");
        Put put = put(s, presign(s, p, portrait(PNG)));
        Await.pass(Duration.ofMillis(2500)); // the URL lives 1 s; S3 signs whole seconds

        assertRefused(upload(s, put, PNG), 403, null);
        if (status(s, p, put.assetId()).equals("PENDING")) { // not cleaned up yet
            assertNeverReady(s, p, put);
        }
    }

    @Test
    void a_replayed_complete_is_a_409_that_changes_nothing() {
        TestServer s = server();
        TestServer.Player p = s.player("Rita");
        Put put = put(s, presign(s, p, portrait(bytes("replayed"))));
        upload(s, put, bytes("replayed"));
        TestServer.Response first = complete(s, p, put.assetId());
        assertThat(first.status()).isEqualTo(200);

        JsonNode again = ErrorsTest.problem(complete(s, p, put.assetId()), 409, "conflict");

        assertThat(again.get("detail").asText()).contains("already complete");
        TestServer.Response now = s.get("/api/assets/" + put.assetId(), p.access());
        assertThat(now.json().get("updatedAt")).isEqualTo(first.json().get("updatedAt"));
    }

    @Test
    void another_players_asset_is_a_404_for_complete_get_delete_and_portrait() {
        TestServer s = server();
        TestServer.Player owner = s.player("Own");
        TestServer.Player intruder = s.player("Int");
        Put pending = put(s, presign(s, owner, portrait(bytes("pending one"))));
        upload(s, pending, bytes("pending one"));
        Put ready = put(s, presign(s, owner, portrait(bytes("ready one"))));
        upload(s, ready, bytes("ready one"));
        complete(s, owner, ready.assetId());
        String theirCharacter = s.post("/api/characters", intruder.access(), Map.of("name", "Int",
                "characterClass", "rogue")).json().get("id").asText();
        String ownersCharacter = s.post("/api/characters", owner.access(), Map.of("name", "Own",
                "characterClass", "bard")).json().get("id").asText();

        String t = intruder.access();
        for (String id : List.of(pending.assetId(), ready.assetId())) {
            ErrorsTest.problem(complete(s, intruder, id), 404, "not-found");
            ErrorsTest.problem(s.get("/api/assets/" + id, t), 404, "not-found");
            ErrorsTest.problem(s.delete("/api/assets/" + id, t), 404, "not-found");
            ErrorsTest.problem(s.json("PUT", "/api/characters/" + theirCharacter + "/portrait", t,
                    Map.of("assetId", id)), 404, "not-found");
        }
        ErrorsTest.problem(s.json("PUT", "/api/characters/" + ownersCharacter + "/portrait", t,
                Map.of("assetId", ready.assetId())), 404, "not-found");
        ErrorsTest.problem(s.get("/api/characters/" + ownersCharacter + "/portrait", t), 404, "not-found");
        ErrorsTest.problem(s.get("/api/assets/not-a-uuid", t), 404, "not-found");
        // nothing changed for the owner: the pending one still pending, the ready one still there
        assertThat(status(s, owner, pending.assetId())).isEqualTo("PENDING");
        assertThat(status(s, owner, ready.assetId())).isEqualTo("READY");
        assertThat(s.get("/api/assets", t).json().get("items")).isEmpty();
    }

    @Test
    void delete_removes_the_object_and_the_asset() {
        TestServer s = server();
        TestServer.Player p = s.player("Del");
        Put put = put(s, presign(s, p, portrait(bytes("to be deleted"))));
        upload(s, put, bytes("to be deleted"));
        String url = complete(s, p, put.assetId()).json().get("url").asText();
        String key = p.id() + "/portrait/" + sha256(bytes("to be deleted"));
        assertThat(objectExists(s, "player-assets", key)).isTrue();

        assertThat(s.delete("/api/assets/" + put.assetId(), p.access()).status()).isEqualTo(204);

        ErrorsTest.problem(s.get("/api/assets/" + put.assetId(), p.access()), 404, "not-found");
        assertThat(objectExists(s, "player-assets", key)).isFalse();
        assertThat(download(s, url).statusCode()).isBetween(400, 499);
    }

    @Test
    void a_portrait_is_set_on_a_character_and_listed_with_an_image_url() {
        TestServer s = server();
        TestServer.Player p = s.player("Pia");
        String character = s.post("/api/characters", p.access(), Map.of("name", "Pia", "characterClass", "druid"))
                .json().get("id").asText();
        Put put = put(s, presign(s, p, portrait(bytes("pia's face"))));
        upload(s, put, bytes("pia's face"));
        ErrorsTest.problem(s.json("PUT", "/api/characters/" + character + "/portrait", p.access(),
                Map.of("assetId", put.assetId())), 409, "conflict"); // not completed yet
        complete(s, p, put.assetId());

        TestServer.Response set = s.json("PUT", "/api/characters/" + character + "/portrait", p.access(),
                Map.of("assetId", put.assetId()));

        assertThat(set.status()).as(set.body()).isEqualTo(200);
        JsonNode listed = s.get("/api/portraits", p.access()).json().get("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("characterId").asText()).isEqualTo(character);
        assertThat(download(s, listed.get(0).get("url").asText()).body()).isEqualTo(bytes("pia's face"));
        assertThat(s.get("/api/characters/" + character + "/portrait", p.access()).json().get("assetId").asText())
                .isEqualTo(put.assetId());
        assertThat(s.delete("/api/characters/" + character + "/portrait", p.access()).status()).isEqualTo(204);
        ErrorsTest.problem(s.get("/api/characters/" + character + "/portrait", p.access()), 404, "not-found");
    }

    @Test
    void uploads_never_completed_are_cleaned_up_on_the_schedule_with_their_bytes() {
        TestServer s = shortLived();
        TestServer.Player p = s.player("Abe");
        Put put = put(s, presign(s, p, portrait(bytes("abandoned"))));
        assertThat(upload(s, put, bytes("abandoned")).statusCode()).isEqualTo(200);
        String key = p.id() + "/portrait/" + sha256(bytes("abandoned"));
        assertThat(objectExists(s, "player-assets", key)).isTrue();

        // abandoned after 6 s, looked for every second: about 7 s here (the wait allows far more for a loaded machine)
        Await.until("the abandoned upload is removed", Duration.ofSeconds(90),
                () -> s.get("/api/assets/" + put.assetId(), p.access()).status() == 404);
        // the row goes first (so it never names bytes that are gone), the object right after it
        Await.until("its bytes are removed", Duration.ofSeconds(30), () -> !objectExists(s, "player-assets", key));

        ErrorsTest.problem(complete(s, p, put.assetId()), 404, "not-found");
    }

    @Test
    void health_reports_the_object_store() {
        JsonNode checks = server().get("/health", null).json().get("checks");
        assertThat(checks.findValuesAsText("name")).contains(uploadsToServer() ? "local-objects" : "s3");
        for (JsonNode c : checks) {
            assertThat(c.get("status").asText()).as(c.toString()).isEqualTo("UP");
        }
    }
}
