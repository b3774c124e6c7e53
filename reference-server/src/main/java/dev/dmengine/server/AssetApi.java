package dev.dmengine.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dmengine.core.assets.AssetService;
import dev.dmengine.core.assets.Download;
import dev.dmengine.core.assets.NewUpload;
import dev.dmengine.core.assets.Portrait;
import dev.dmengine.core.assets.Upload;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.objects.PresignedRequest;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/assets…} and character portraits: players' files (seed flow B) over HTTP.
 *
 * <ul>
 *   <li>{@code POST /api/assets/presign {bucket, contentType, size, sha256, purpose}}: 201 with
 *       {@code {assetId, status: PENDING, url, method, headers, expiresAt}}; the client sends
 *       the file to {@code url} with exactly {@code method} and {@code headers}. The same bytes
 *       declared again answer 200: the same PENDING asset with a new URL, or the READY one with
 *       no {@code url} (nothing to upload).</li>
 *   <li>{@code POST /api/assets/{id}/complete}: 200 with the READY asset and its download URL;
 *       409 when nothing was uploaded yet or the asset is READY already (a replayed complete
 *       changes nothing); 400 naming {@code size}, {@code contentType} or {@code sha256} when
 *       the upload differs from the declaration (it is deleted).</li>
 *   <li>{@code GET /api/assets}, {@code GET /api/assets/{id}} (with a short-lived download
 *       {@code url} once READY), {@code DELETE /api/assets/{id}} (object and asset).</li>
 *   <li>{@code GET /api/portraits}, and {@code GET|PUT|DELETE /api/characters/{id}/portrait}
 *       ({@code PUT {assetId}} with a READY portrait asset).</li>
 * </ul>
 * Another player's asset or character is a 404, as a malformed id is. The upload URLs of the
 * embedded profile are relative to this server ({@link ServedObjects}); with S3 they are the
 * store's. The clean-up of uploads never completed runs every {@code dm.assets.cleanup-interval}.
 */
final class AssetApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AssetApi.class);

    private final AssetService assets;
    private final Authn authn;
    private final int maxPayload;
    private final Duration cleanupInterval;
    private ScheduledExecutorService cleanup;

    AssetApi(AssetService assets, Authn authn, int maxPayload, Duration cleanupInterval) {
        this.assets = assets;
        this.authn = authn;
        this.maxPayload = maxPayload;
        this.cleanupInterval = cleanupInterval;
    }

    void routes(Routes r) {
        r.post("/api/assets/presign", this::presign)
                .get("/api/assets", this::list)
                .get("/api/assets/{id}", this::get)
                .post("/api/assets/{id}/complete", this::complete)
                .delete("/api/assets/{id}", this::delete)
                .get("/api/portraits", this::portraits)
                .get("/api/characters/{id}/portrait", this::portrait)
                .put("/api/characters/{id}/portrait", this::setPortrait)
                .delete("/api/characters/{id}/portrait", this::clearPortrait);
    }

    // ---------------------------------------------------------------- the clean-up

    /** Starts removing abandoned uploads every {@code dm.assets.cleanup-interval}. */
    synchronized void start() {
        if (cleanup != null) {
            return;
        }
        cleanup = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dm-asset-cleanup")
                .factory());
        long every = cleanupInterval.toMillis();
        cleanup.scheduleWithFixedDelay(this::cleanUp, every, every, TimeUnit.MILLISECONDS);
    }

    private void cleanUp() {
        try {
            assets.cleanUpAbandoned();
        } catch (RuntimeException e) { // the next round tries again
            LOG.warn("the clean-up of abandoned uploads failed: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (cleanup != null) {
            cleanup.shutdownNow();
            cleanup = null;
        }
    }

    // ---------------------------------------------------------------- bodies and views

    record PresignBody(String bucket, String contentType, Long size, String sha256, String purpose) {
    }

    record PortraitBody(UUID assetId) {
    }

    record UploadView(String assetId, String status, @JsonInclude(JsonInclude.Include.NON_NULL) String url,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String method,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> headers,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt, AssetView asset) {
        static UploadView of(Upload u) {
            PresignedRequest put = u.put().orElse(null);
            return new UploadView(u.asset().id().toString(), u.asset().status().name(),
                    put == null ? null : put.url().toString(), put == null ? null : put.method(),
                    put == null ? null : put.headers(), put == null ? null : put.expiresAt().toString(),
                    AssetView.of(u.asset(), null));
        }
    }

    /** An asset; {@code url} and {@code expiresAt} (a download) only when READY and asked for. */
    record AssetView(String id, String purpose, String bucket, String contentType, long size, String sha256,
                     String status, String createdAt, String updatedAt,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String url,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String expiresAt) {
        static AssetView of(Asset a, PresignedRequest get) {
            return new AssetView(a.id().toString(), a.kind(), a.bucket(), a.contentType(), a.size(), a.sha256(),
                    a.status().name(), a.createdAt().toString(), a.updatedAt().toString(),
                    get == null ? null : get.url().toString(), get == null ? null : get.expiresAt().toString());
        }

        static AssetView of(Download d) {
            return of(d.asset(), d.get().orElse(null));
        }
    }

    record PortraitView(String characterId, String assetId, String contentType, String url, String expiresAt) {
        static PortraitView of(Portrait p) {
            return new PortraitView(p.characterId().toString(), p.asset().id().toString(), p.asset().contentType(),
                    p.get().url().toString(), p.get().expiresAt().toString());
        }
    }

    // ---------------------------------------------------------------- handlers

    private UUID player(ServerRequest req) {
        return authn.caller(req.prologue().method().text(), req.headers()).player().id();
    }

    private static UUID id(ServerRequest req) {
        String raw = req.path().pathParameters().get("id");
        try {
            return Ids.parse("id", raw);
        } catch (InvalidInputException e) {
            throw new NotFoundException("resource", raw); // a malformed id names nothing
        }
    }

    private void presign(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        PresignBody b = Http.body(req, PresignBody.class, maxPayload);
        long size = Bodies.require(b.size(), "size");
        Upload u = assets.presign(owner, new NewUpload(b.bucket(), b.purpose(), b.contentType(), size,
                b.sha256()));
        if (u.created()) {
            res.header(HeaderNames.LOCATION, "/api/assets/" + u.asset().id());
        }
        Http.json(res, u.created() ? Status.CREATED_201 : Status.OK_200, UploadView.of(u));
    }

    private void list(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        Http.json(res, new Views.ListView<>(assets.list(owner).stream().map(a -> AssetView.of(a, null)).toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        Http.json(res, AssetView.of(assets.get(owner, id(req))));
    }

    private void complete(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        UUID id = id(req);
        Http.raw(req, maxPayload); // no body expected; a large one is still refused
        Asset ready = assets.complete(owner, id);
        Http.json(res, AssetView.of(assets.get(owner, ready.id())));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        assets.delete(owner, id(req));
        Http.noContent(res);
    }

    private void portraits(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        Http.json(res, new Views.ListView<>(assets.portraits(owner).stream().map(PortraitView::of).toList()));
    }

    private void portrait(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        UUID character = id(req);
        Portrait p = assets.portrait(owner, character).orElseThrow(() -> new NotFoundException(
                "portrait of character", character));
        Http.json(res, PortraitView.of(p));
    }

    private void setPortrait(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        UUID character = id(req);
        PortraitBody b = Http.body(req, PortraitBody.class, maxPayload);
        Http.json(res, PortraitView.of(assets.setPortrait(owner, character, Bodies.require(b.assetId(), "assetId"))));
    }

    private void clearPortrait(ServerRequest req, ServerResponse res) {
        UUID owner = player(req);
        assets.clearPortrait(owner, id(req));
        Http.noContent(res);
    }

    @Override
    public String toString() {
        return "AssetApi[" + String.join(", ", assets.storages().keySet()).toLowerCase(Locale.ROOT) + "]";
    }
}
