package dev.dmengine.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dmengine.testkit.S3ProxyProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flow B on the production shape: PostgreSQL for the assets, S3Proxy (a real S3 API server,
 * AWS Signature V4, run by {@code scripts/s3proxy.sh}) for the bytes, which the client PUTs to
 * and GETs from directly. Refused uploads are S3Proxy's own answers; {@code complete} then says
 * nothing was uploaded, and no READY row exists for them in the database.
 */
class AssetApiS3IT extends AssetFlowCases {

    static S3ProxyProcess s3;
    static PgServer pg;
    static TestServer shortLived;

    static Map<String, String> s3Settings() {
        Map<String, String> m = new HashMap<>();
        m.put("dm.s3.endpoint", s3.endpoint());
        m.put("dm.s3.access-key", S3ProxyProcess.ACCESS_KEY);
        m.put("dm.s3.secret-key", S3ProxyProcess.SECRET_KEY);
        m.put("dm.s3.region", "garage"); // any region: S3Proxy accepts them all, Garage wants its s3_region
        m.put("dm.s3.bucket-prefix", "it-");
        return m;
    }

    @BeforeAll
    static void start() {
        s3 = S3ProxyProcess.start(List.of("http://localhost:8080"));
        pg = new PgServer(s3Settings());
        Map<String, String> brief = new HashMap<>(s3Settings());
        brief.putAll(AssetApiTest.SHORT);
        shortLived = new TestServer(brief);
    }

    @AfterAll
    static void stop() {
        try {
            if (shortLived != null) {
                shortLived.close();
            }
        } finally {
            try {
                if (pg != null) {
                    pg.close();
                }
            } finally {
                s3.close();
            }
        }
    }

    @Override
    protected TestServer server() {
        return pg.server;
    }

    @Override
    protected TestServer shortLived() {
        return shortLived;
    }

    @Override
    protected boolean uploadsToServer() {
        return false;
    }

    @Override
    protected boolean objectExists(TestServer on, String bucket, String key) {
        return on.server.engine().assets().storages().get(bucket).stat(key).isPresent();
    }

    @Test
    void uploads_go_straight_to_the_prefixed_bucket_on_the_store_and_the_csp_names_it() {
        TestServer.Player p = pg.server.player("Buck");
        Put put = put(pg.server, presign(pg.server, p, portrait(bytes("to the store"))));

        assertThat(put.url().toString()).startsWith(s3.endpoint() + "/it-player-assets/" + p.id() + "/portrait/");
        assertThat(put.url().getRawQuery()).contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
                .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-checksum-sha256")
                .contains("%2Fgarage%2Fs3%2Faws4_request");
        assertThat(put.headers()).containsKeys("Content-Type", "x-amz-checksum-sha256");
        assertThat(upload(pg.server, put, bytes("to the store")).statusCode()).isEqualTo(200);
        assertThat(complete(pg.server, p, put.assetId()).status()).isEqualTo(200);
        assertThat(s3.dataDir().resolve("it-player-assets").resolve(p.id()).resolve("portrait")
                .resolve(sha256(bytes("to the store")))).exists();

        String csp = pg.server.get("/", null).header("Content-Security-Policy");
        assertThat(csp).contains("connect-src 'self' " + s3.endpoint()).contains("img-src 'self' data: " + s3.endpoint())
                .contains("frame-ancestors 'none'");
    }

    @Test
    void no_asset_is_ready_in_the_database_for_bytes_the_store_refused() {
        TestServer s = pg.server;
        TestServer.Player p = s.player("Nora");
        byte[] other = PNG.clone();
        other[0] ^= 1;
        byte[] larger = (new String(PNG, StandardCharsets.ISO_8859_1) + "+").getBytes(StandardCharsets.ISO_8859_1);
        Put put = put(s, presign(s, p, portrait(PNG)));
        URI elsewhere = URI.create(put.url().toString().replace("/" + p.id() + "/", "/" + java.util.UUID.randomUUID()
                + "/"));

        assertRefused(upload(s, put, PNG, Map.of("Content-Type", "image/gif")), 0, null);
        assertRefused(upload(s, put, larger), 0, null);
        assertRefused(upload(s, put, other), 0, null);
        Map<String, String> noChecksum = new HashMap<>();
        noChecksum.put("x-amz-checksum-sha256", null);
        assertRefused(upload(s, put, PNG, noChecksum), 0, null);
        assertRefused(upload(s, new Put(elsewhere, put.headers(), put.assetId()), PNG), 0, null);
        JsonNode problem = ErrorsTest.problem(complete(s, p, put.assetId()), 409, "conflict");

        assertThat(problem.get("detail").asText()).contains("nothing was uploaded");
        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".assets WHERE owner_id = '" + p.id()
                + "' AND status = 'READY'")).isZero();
        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".assets WHERE owner_id = '" + p.id()
                + "' AND status = 'PENDING'")).isEqualTo(1);
        assertThat(objectExists(s, "player-assets", p.id() + "/portrait/" + sha256(PNG))).isFalse();
    }

    @Test
    void a_portrait_survives_in_postgres_with_its_asset_and_goes_with_it() {
        TestServer s = pg.server;
        TestServer.Player p = s.player("Ivo");
        String character = s.post("/api/characters", p.access(), Map.of("name", "Ivo", "characterClass", "monk"))
                .json().get("id").asText();
        Put put = put(s, presign(s, p, portrait(bytes("ivo"))));
        upload(s, put, bytes("ivo"));
        complete(s, p, put.assetId());
        s.json("PUT", "/api/characters/" + character + "/portrait", p.access(), Map.of("assetId", put.assetId()));
        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".character_portraits WHERE owner_id = '"
                + p.id() + "'")).isEqualTo(1);

        s.delete("/api/assets/" + put.assetId(), p.access());

        assertThat(pg.count("SELECT count(*) FROM " + pg.game() + ".character_portraits WHERE owner_id = '"
                + p.id() + "'")).isZero();
        assertThat(s.get("/api/portraits", p.access()).json().get("items")).isEmpty();
    }
}
