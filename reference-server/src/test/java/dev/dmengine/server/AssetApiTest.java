package dev.dmengine.server;

import dev.dmengine.spi.objects.ObjectStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flow B on the embedded profile: no S3 anywhere, the server keeps the files in local folders
 * and answers the URLs it signs itself, so a refused upload is a problem+json of its own.
 */
class AssetApiTest extends AssetFlowCases {

    static TestServer server;
    static TestServer shortLived;

    static final Map<String, String> SHORT = Map.of("dm.assets.upload-ttl", "1s", "dm.assets.abandon-after", "6s",
            "dm.assets.cleanup-interval", "1s");

    @BeforeAll
    static void start() {
        server = new TestServer();
        shortLived = new TestServer(SHORT);
    }

    @AfterAll
    static void stop() {
        try {
            server.close();
        } finally {
            shortLived.close();
        }
    }

    @Override
    protected TestServer server() {
        return server;
    }

    @Override
    protected TestServer shortLived() {
        return shortLived;
    }

    @Override
    protected boolean uploadsToServer() {
        return true;
    }

    @Override
    protected boolean objectExists(TestServer on, String bucket, String key) {
        ObjectStorage storage = on.server.engine().assets().storages().get(bucket);
        return storage.stat(key).isPresent();
    }

    @Test
    void upload_urls_are_relative_to_this_server_and_no_cookie_or_csrf_check_applies_to_them() {
        TestServer.Player p = server.player("Rel");
        TestServer.Response presigned = presign(server, p, portrait(bytes("relative")));

        String url = presigned.json().get("url").asText();
        assertThat(url).startsWith("/files/player-assets/objects/" + p.id() + "/portrait/");
        // a cross-site page could not forge one: the signature is the credential, not the cookie
        HttpResponse<String> r = upload(server, put(server, presigned), bytes("relative"),
                Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void a_forged_or_truncated_object_url_is_a_403_problem_and_an_unknown_path_a_404() throws Exception {
        TestServer.Player p = server.player("Forge");
        String url = presign(server, p, portrait(bytes("forged"))).json().get("url").asText();
        String forged = url.replaceAll("sig=[^&]+", "sig=AAAA");

        for (String target : new String[] {forged, url.substring(0, url.indexOf('?')),
                "/files/player-assets/objects/..%2F..%2Fetc%2Fpasswd?method=GET&expires=9999999999&sig=x"}) {
            HttpResponse<String> r = server.http.send(HttpRequest.newBuilder(URI.create(server.base() + target))
                    .GET().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(target).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                    assertThat(t).startsWith("application/problem+json"));
        }
        ErrorsTest.problem(server.get("/files/nowhere/objects/x", null), 404, "not-found");
    }

    @Test
    void the_content_security_policy_names_no_other_origin() {
        assertThat(server.get("/", null).header("Content-Security-Policy"))
                .isEqualTo(SecurityHeaders.CONTENT_SECURITY_POLICY);
    }

    @Test
    void an_upload_larger_than_the_listeners_usual_limit_goes_through_to_the_served_folder() {
        TestServer.Player p = server.player("Big");
        byte[] big = new byte[3 * 1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Put put = put(server, presign(server, p, portrait(big)));

        assertThat(upload(server, put, big).statusCode()).isEqualTo(200);
        assertThat(complete(server, p, put.assetId()).json().get("status").asText()).isEqualTo("READY");
    }
}
