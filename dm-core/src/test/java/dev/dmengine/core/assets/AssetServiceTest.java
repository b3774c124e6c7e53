package dev.dmengine.core.assets;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.game.NewCharacter;
import dev.dmengine.core.inmemory.InMemoryAssetStore;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.LocalFolderObjectStorage;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.testkit.Concurrently;
import dev.dmengine.testkit.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Flow B in memory: the asset store in a map, the objects in local folders whose URLs are
 * "sent" by calling the host's handlers (as the reference server does for real), and a store
 * that enforces nothing ({@link LaxObjectStorage}) for what only {@code complete} can catch.
 */
class AssetServiceTest {

    private static final byte[] SECRET = "a test signing key of 32+ bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PNG = "\u0089PNG pretend portrait".getBytes(StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private InMemoryAssetStore store;
    private InMemoryCharacterStore characters;
    private LocalFolderObjectStorage playerAssets;
    private LocalFolderObjectStorage exports;
    private AssetService assets;
    private final UUID ann = Ids.newId();
    private final UUID bob = Ids.newId();

    @BeforeEach
    void wire() {
        store = new InMemoryAssetStore();
        characters = new InMemoryCharacterStore();
        playerAssets = new LocalFolderObjectStorage(dir.resolve("p"), URI.create("/files/player-assets"),
                "player-assets", SECRET, clock);
        exports = new LocalFolderObjectStorage(dir.resolve("e"), URI.create("/files/exports"), "exports", SECRET, clock);
        assets = new AssetService(store, characters, Map.of(AssetPolicy.PLAYER_ASSETS, playerAssets,
                AssetPolicy.EXPORTS, exports), AssetPolicy.defaults(), clock);
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static NewUpload portrait(byte[] body) {
        return new NewUpload("player-assets", "portrait", "image/png", body.length, sha256(body));
    }

    /** What the browser does with the upload URL, as the reference server hands it to the folder. */
    private void upload(PresignedRequest put, String contentType, byte[] body) {
        assertThat(put.method()).isEqualTo("PUT");
        String bucket = put.url().getRawPath().startsWith("/files/exports/") ? "exports" : "player-assets";
        (bucket.equals("exports") ? exports : playerAssets).accept(put.url(), contentType,
                new ByteArrayInputStream(body));
    }

    private byte[] download(PresignedRequest get) {
        LocalFolderObjectStorage folder = get.url().getRawPath().startsWith("/files/exports/") ? exports : playerAssets;
        try (InputStream in = folder.open(get.url()).body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Asset uploaded(UUID owner, byte[] body) {
        Upload u = assets.presign(owner, portrait(body));
        upload(u.put().orElseThrow(), "image/png", body);
        return assets.complete(owner, u.asset().id());
    }

    private static InvalidInputException.FieldError onlyError(InvalidInputException e) {
        assertThat(e.errors()).hasSize(1);
        return e.errors().getFirst();
    }

    // ---------------------------------------------------------------- the flow

    @Test
    void presign_decides_the_key_records_the_asset_pending_and_signs_the_declaration() {
        Upload u = assets.presign(ann, portrait(PNG));

        Asset a = u.asset();
        assertThat(u.created()).isTrue();
        assertThat(a.status()).isEqualTo(AssetStatus.PENDING);
        assertThat(a.key()).isEqualTo(ann + "/portrait/" + sha256(PNG));
        assertThat(a.bucket()).isEqualTo("player-assets");
        assertThat(a.kind()).isEqualTo("portrait");
        assertThat(a.size()).isEqualTo(PNG.length);
        assertThat(store.get(a.id())).contains(a);
        PresignedRequest put = u.put().orElseThrow();
        assertThat(put.headers()).containsEntry("Content-Type", "image/png");
        assertThat(put.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(put.url().getRawQuery()).contains("length=" + PNG.length).contains("sha256=" + sha256(PNG));
    }

    @Test
    void upload_then_complete_makes_the_asset_ready_with_a_download_url_of_the_same_bytes() {
        Upload u = assets.presign(ann, portrait(PNG));
        upload(u.put().orElseThrow(), "image/png", PNG);
        clock.advance(Duration.ofSeconds(3));

        Asset ready = assets.complete(ann, u.asset().id());

        assertThat(ready.status()).isEqualTo(AssetStatus.READY);
        assertThat(ready.updatedAt()).isEqualTo(clock.instant());
        Download d = assets.get(ann, ready.id());
        assertThat(d.asset()).isEqualTo(ready);
        PresignedRequest get = d.get().orElseThrow();
        assertThat(get.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(download(get)).isEqualTo(PNG);
        assertThat(assets.list(ann)).containsExactly(ready);
    }

    @Test
    void a_pending_asset_has_no_download_url() {
        Upload u = assets.presign(ann, portrait(PNG));

        assertThat(assets.get(ann, u.asset().id()).get()).isEmpty();
    }

    @Test
    void an_export_goes_to_the_exports_bucket() {
        byte[] md = "# The sunken keep\n\n**You:** I open the door.\n".getBytes(StandardCharsets.UTF_8);
        Upload u = assets.presign(ann, new NewUpload("exports", "export", "text/markdown; charset=utf-8", md.length,
                sha256(md)));
        upload(u.put().orElseThrow(), "text/markdown; charset=utf-8", md);

        Asset ready = assets.complete(ann, u.asset().id());

        assertThat(ready.bucket()).isEqualTo("exports");
        assertThat(ready.key()).isEqualTo(ann + "/export/" + sha256(md));
        assertThat(download(assets.get(ann, ready.id()).get().orElseThrow())).isEqualTo(md);
        assertThat(exports.stat(ready.key())).isPresent();
        assertThat(playerAssets.stat(ready.key())).isEmpty();
    }

    // ---------------------------------------------------------------- the policy

    @Test
    void each_declaration_the_policy_refuses_names_its_field_and_limit_and_records_nothing() {
        String sha = sha256(PNG);
        record Bad(NewUpload request, String field, String says) {
        }
        List<Bad> cases = List.of(
                new Bad(new NewUpload("player-assets", "portrait", "image/svg+xml", 10, sha), "contentType",
                        "must be one of image/png, image/jpeg, image/webp, image/gif for a portrait"),
                new Bad(new NewUpload("player-assets", "portrait", "text/html", 10, sha), "contentType", "image/png"),
                new Bad(new NewUpload("secrets", "portrait", "image/png", 10, sha), "bucket",
                        "must be one of exports, player-assets"),
                new Bad(new NewUpload("exports", "portrait", "image/png", 10, sha), "bucket",
                        "must be player-assets for a portrait"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", 5L * 1024 * 1024 + 1, sha), "size",
                        "must be 1 to 5242880 bytes for a portrait, was 5242881"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", Long.MAX_VALUE, sha), "size",
                        "must be 1 to 5242880 bytes"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", 0, sha), "size", "must be 1 to"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", -5, sha), "size", "was -5"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", 10, "abc"), "sha256", "64 hex digits"),
                new Bad(new NewUpload("player-assets", "portrait", "image/png", 10, null), "sha256", "is required"),
                new Bad(new NewUpload("player-assets", "avatar", "image/png", 10, sha), "purpose",
                        "must be one of export, portrait"),
                new Bad(new NewUpload("player-assets", null, "image/png", 10, sha), "purpose", "is required"),
                new Bad(new NewUpload(null, "portrait", "image/png", 10, sha), "bucket", "is required"),
                new Bad(new NewUpload("player-assets", "portrait", null, 10, sha), "contentType", "is required"),
                new Bad(new NewUpload("exports", "export", "text/markdown; charset=latin1", 10, sha), "contentType",
                        "text/markdown; charset=utf-8"),
                new Bad(new NewUpload("exports", "export", "application/json", 10L * 1024 * 1024 + 1, sha), "size",
                        "must be 1 to 10485760 bytes for a export"));
        for (Bad bad : cases) {
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                    () -> assets.presign(ann, bad.request()));
            assertThat(e).as(bad.toString()).isNotNull();
            InvalidInputException.FieldError only = onlyError(e);
            assertThat(only.field()).as(bad.toString()).isEqualTo(bad.field());
            assertThat(only.message()).as(bad.toString()).contains(bad.says());
        }
        assertThat(store.listByOwner(ann)).isEmpty();
    }

    @Test
    void every_wrong_field_is_reported_at_once() {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> assets.presign(ann, new NewUpload("secrets", "portrait", "image/svg+xml", 0, "x")));

        assertThat(e.errors()).extracting(InvalidInputException.FieldError::field)
                .containsExactly("bucket", "contentType", "size", "sha256");
    }

    @Test
    void a_player_keeps_at_most_the_policys_number_of_files() {
        AssetPolicy two = new AssetPolicy(AssetPolicy.defaults().purposes(), Duration.ofMinutes(10),
                Duration.ofMinutes(5), Duration.ofHours(1), 2);
        assets = new AssetService(store, characters, Map.of(AssetPolicy.PLAYER_ASSETS, playerAssets), two, clock);
        assets.presign(ann, portrait(bytes("one")));
        assets.presign(ann, portrait(bytes("two")));

        assertThatThrownBy(() -> assets.presign(ann, portrait(bytes("three"))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("at most 2 files");
        assets.presign(bob, portrait(bytes("three"))); // someone else's count
        assertThat(store.listByOwner(ann)).hasSize(2);
    }

    @Test
    void a_bucket_without_object_storage_is_unavailable() {
        assets = new AssetService(store, characters, Map.of(AssetPolicy.PLAYER_ASSETS, playerAssets),
                AssetPolicy.defaults(), clock);
        byte[] md = bytes("# log");

        assertThatThrownBy(() -> assets.presign(ann, new NewUpload("exports", "export", "text/markdown", md.length,
                sha256(md)))).isInstanceOf(UnavailableException.class).hasMessageContaining("bucket exports");
        assertThat(store.listByOwner(ann)).isEmpty();
    }

    // ---------------------------------------------------------------- what the store refuses

    @Test
    void uploads_that_break_the_signed_declaration_are_refused_by_the_store_and_never_become_ready() {
        Upload u = assets.presign(ann, portrait(PNG));
        PresignedRequest put = u.put().orElseThrow();
        byte[] longer = (new String(PNG, StandardCharsets.ISO_8859_1) + "!").getBytes(StandardCharsets.ISO_8859_1);
        byte[] other = PNG.clone();
        other[3] ^= 1;

        assertThatThrownBy(() -> upload(put, "image/jpeg", PNG)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("contentType");
        assertThatThrownBy(() -> upload(put, "image/png", longer)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("longer than the " + PNG.length + " bytes");
        assertThatThrownBy(() -> upload(put, "image/png", other)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("SHA-256");
        String otherKey = put.url().toString().replace("/objects/" + ann, "/objects/" + bob);
        assertThatThrownBy(() -> upload(new PresignedRequest("PUT", URI.create(otherKey), put.headers(),
                put.expiresAt()), "image/png", PNG)).isInstanceOf(PermissionDeniedException.class);

        assertThatThrownBy(() -> assets.complete(ann, u.asset().id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("nothing was uploaded");
        assertThat(store.get(u.asset().id())).map(Asset::status).contains(AssetStatus.PENDING);
        assertThat(playerAssets.stat(bob + "/portrait/" + sha256(PNG))).isEmpty();
    }

    @Test
    void an_expired_upload_url_is_refused_and_the_asset_stays_pending() {
        Upload u = assets.presign(ann, portrait(PNG));
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));

        assertThatThrownBy(() -> upload(u.put().orElseThrow(), "image/png", PNG))
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> assets.complete(ann, u.asset().id())).isInstanceOf(ConflictException.class);
        assertThat(store.get(u.asset().id())).map(Asset::status).contains(AssetStatus.PENDING);
    }

    // ---------------------------------------------------------------- what only complete catches

    @Test
    void on_a_store_that_enforces_nothing_complete_catches_each_difference_deletes_the_object_and_names_the_field() {
        LaxObjectStorage lax = new LaxObjectStorage("player-assets", clock);
        assets = new AssetService(store, characters, Map.of(AssetPolicy.PLAYER_ASSETS, lax), AssetPolicy.defaults(),
                clock);
        byte[] other = PNG.clone();
        other[0] ^= 1;
        record Sent(String contentType, byte[] body, String field, String says) {
        }
        List<Sent> cases = List.of(
                new Sent("image/png", (new String(PNG, StandardCharsets.ISO_8859_1) + "extra")
                        .getBytes(StandardCharsets.ISO_8859_1), "size", "bytes, not the declared " + PNG.length),
                new Sent("image/png", other, "sha256", "SHA-256 is not the declared one"),
                new Sent("text/html", PNG, "contentType", "is text/html, not the declared image/png"));
        for (Sent sent : cases) {
            Upload u = assets.presign(ann, portrait(PNG));
            lax.put(u.asset().key(), sent.contentType(), sent.body());

            InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                    () -> assets.complete(ann, u.asset().id()));

            assertThat(e).as(sent.field()).isNotNull();
            assertThat(onlyError(e).field()).isEqualTo(sent.field());
            assertThat(onlyError(e).message()).contains(sent.says()).contains("the upload was deleted");
            assertThat(lax.stat(u.asset().key())).as("object of a %s mismatch", sent.field()).isEmpty();
            assertThat(store.get(u.asset().id())).map(Asset::status).contains(AssetStatus.PENDING);
        }
        // the declared bytes, at last
        Upload u = assets.presign(ann, portrait(PNG));
        lax.put(u.asset().key(), "image/png", PNG);
        assertThat(assets.complete(ann, u.asset().id()).status()).isEqualTo(AssetStatus.READY);
    }

    // ---------------------------------------------------------------- replays, races, owners

    @Test
    void a_replayed_complete_is_a_conflict_that_changes_nothing() {
        Asset ready = uploaded(ann, PNG);
        clock.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> assets.complete(ann, ready.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already complete");
        assertThat(store.get(ready.id())).contains(ready);
    }

    @Test
    void of_concurrent_completes_of_one_upload_exactly_one_marks_it_ready() {
        Upload u = assets.presign(ann, portrait(PNG));
        upload(u.put().orElseThrow(), "image/png", PNG);

        List<String> outcomes = Concurrently.run(6, n -> {
            try {
                return assets.complete(ann, u.asset().id()).status().name();
            } catch (ConflictException e) {
                return "conflict";
            }
        });

        assertThat(outcomes).containsOnlyOnce("READY").containsOnly("READY", "conflict");
    }

    @Test
    void another_players_asset_is_not_found_whatever_is_asked_and_stays_as_it_was() {
        Upload pending = assets.presign(ann, portrait(PNG));
        upload(pending.put().orElseThrow(), "image/png", PNG);
        Asset ready = uploaded(ann, bytes("another portrait"));
        GameCharacter bobs = characters.create(character(bob));

        for (UUID id : List.of(pending.asset().id(), ready.id(), Ids.newId())) {
            assertThatThrownBy(() -> assets.complete(bob, id)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> assets.get(bob, id)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> assets.delete(bob, id)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> assets.setPortrait(bob, bobs.id(), id)).isInstanceOf(NotFoundException.class);
        }
        assertThat(store.get(pending.asset().id())).map(Asset::status).contains(AssetStatus.PENDING);
        assertThat(store.get(ready.id())).contains(ready);
        assertThat(playerAssets.stat(ready.key())).isPresent();
        assertThat(assets.list(bob)).isEmpty();
    }

    @Test
    void the_same_bytes_declared_again_renew_the_pending_asset_or_answer_the_ready_one() {
        Upload first = assets.presign(ann, portrait(PNG));
        clock.advance(Duration.ofMinutes(4));

        Upload again = assets.presign(ann, portrait(PNG));

        assertThat(again.created()).isFalse();
        assertThat(again.asset().id()).isEqualTo(first.asset().id());
        assertThat(again.asset().updatedAt()).isEqualTo(clock.instant());
        assertThat(again.put().orElseThrow().expiresAt()).isAfter(first.put().orElseThrow().expiresAt());
        upload(again.put().orElseThrow(), "image/png", PNG);
        Asset ready = assets.complete(ann, first.asset().id());

        Upload stored = assets.presign(ann, portrait(PNG));
        assertThat(stored.asset()).isEqualTo(ready);
        assertThat(stored.put()).isEmpty();
        assertThatThrownBy(() -> assets.presign(ann, new NewUpload("player-assets", "portrait", "image/jpeg",
                PNG.length, sha256(PNG)))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already stored as image/png");
        // the same bytes are another object for another player
        assertThat(assets.presign(bob, portrait(PNG)).asset().id()).isNotEqualTo(ready.id());
        assertThat(store.listByOwner(ann)).hasSize(1);
    }

    @Test
    void delete_removes_the_object_and_the_asset() {
        Asset ready = uploaded(ann, PNG);
        PresignedRequest get = assets.get(ann, ready.id()).get().orElseThrow();

        assets.delete(ann, ready.id());

        assertThat(store.get(ready.id())).isEmpty();
        assertThat(playerAssets.stat(ready.key())).isEmpty();
        assertThatThrownBy(() -> download(get)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> assets.get(ann, ready.id())).isInstanceOf(NotFoundException.class);
        // and the same bytes can be uploaded again
        assertThat(uploaded(ann, PNG).status()).isEqualTo(AssetStatus.READY);
    }

    @Test
    void the_clean_up_removes_uploads_abandoned_past_the_policy_delay_with_their_objects_and_keeps_the_rest() {
        Upload abandonedWithBytes = assets.presign(ann, portrait(bytes("uploaded, never completed")));
        upload(abandonedWithBytes.put().orElseThrow(), "image/png", bytes("uploaded, never completed"));
        Upload abandoned = assets.presign(bob, portrait(bytes("never uploaded")));
        Asset ready = uploaded(ann, PNG);
        clock.advance(Duration.ofMinutes(50));
        Upload recent = assets.presign(ann, portrait(bytes("just declared")));
        clock.advance(Duration.ofMinutes(11)); // 61 minutes after the first three

        assertThat(assets.cleanUpAbandoned()).isEqualTo(2);

        assertThat(store.get(abandonedWithBytes.asset().id())).isEmpty();
        assertThat(playerAssets.stat(abandonedWithBytes.asset().key())).isEmpty();
        assertThat(store.get(abandoned.asset().id())).isEmpty();
        assertThat(store.get(ready.id())).isPresent();
        assertThat(store.get(recent.asset().id())).isPresent();
        assertThat(assets.cleanUpAbandoned()).isZero();
        assertThatThrownBy(() -> assets.complete(ann, abandonedWithBytes.asset().id()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void the_clean_up_works_through_more_abandoned_uploads_than_one_batch() {
        for (int i = 0; i < 230; i++) {
            assets.presign(ann, portrait(bytes("declared " + i)));
        }
        clock.advance(Duration.ofHours(2));

        assertThat(assets.cleanUpAbandoned()).isEqualTo(230);
        assertThat(store.listByOwner(ann)).isEmpty();
    }

    // ---------------------------------------------------------------- portraits

    private static GameCharacter character(UUID owner) {
        var now = java.time.Instant.parse("2030-01-01T00:00:00Z");
        return new GameCharacter(Ids.newId(), owner, "Aria", "wizard", 1, "{}", List.of(), 1, now, now);
    }

    @Test
    void a_ready_portrait_is_set_on_the_players_character_shown_with_a_url_and_cleared() {
        GameCharacter hero = characters.create(character(ann));
        GameCharacter sidekick = characters.create(character(ann));
        Asset face = uploaded(ann, PNG);

        Portrait p = assets.setPortrait(ann, hero.id(), face.id());

        assertThat(p.asset()).isEqualTo(face);
        assertThat(download(p.get())).isEqualTo(PNG);
        assertThat(assets.portrait(ann, hero.id())).map(Portrait::asset).contains(face);
        assertThat(assets.portrait(ann, sidekick.id())).isEmpty();
        assertThat(assets.portraits(ann)).extracting(Portrait::characterId).containsExactly(hero.id());
        assets.clearPortrait(ann, hero.id());
        assertThat(assets.portraits(ann)).isEmpty();
        assertThat(store.get(face.id())).isPresent();
    }

    @Test
    void only_a_ready_portrait_of_the_player_goes_on_the_players_own_character() {
        GameCharacter hero = characters.create(character(ann));
        GameCharacter bobs = characters.create(character(bob));
        Asset face = uploaded(ann, PNG);
        Upload pending = assets.presign(ann, portrait(bytes("not yet")));
        byte[] md = bytes("# log");
        Upload export = assets.presign(ann, new NewUpload("exports", "export", "text/markdown", md.length, sha256(md)));
        upload(export.put().orElseThrow(), "text/markdown", md);
        Asset log = assets.complete(ann, export.asset().id());

        assertThatThrownBy(() -> assets.setPortrait(ann, bobs.id(), face.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> assets.setPortrait(ann, Ids.newId(), face.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> assets.setPortrait(ann, hero.id(), pending.asset().id()))
                .isInstanceOf(ConflictException.class).hasMessageContaining("PENDING");
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> assets.setPortrait(ann, hero.id(), log.id()));
        assertThat(onlyError(e).field()).isEqualTo("assetId");
        assertThatThrownBy(() -> assets.portrait(bob, hero.id())).isInstanceOf(NotFoundException.class);
        assertThat(assets.portraits(ann)).isEmpty();
    }

    @Test
    void the_portrait_of_a_deleted_character_or_a_deleted_asset_is_gone() {
        GameCharacter hero = characters.create(character(ann));
        GameCharacter other = characters.create(character(ann));
        Asset face = uploaded(ann, PNG);
        Asset second = uploaded(ann, bytes("second face"));
        assets.setPortrait(ann, hero.id(), face.id());
        assets.setPortrait(ann, other.id(), second.id());

        characters.delete(hero.id());
        assets.delete(ann, second.id());

        assertThat(assets.portraits(ann)).isEmpty();
        assertThat(store.portraits(ann)).isEmpty(); // forgotten, not only hidden
    }

    // ---------------------------------------------------------------- the engine

    @Test
    void the_engine_wires_the_service_with_the_storages_it_is_given() {
        DmEngine engine = DmEngine.builder().clock(clock).assetStore(store)
                .objectStorage(AssetPolicy.PLAYER_ASSETS, playerAssets).build();
        GameCharacter c = engine.characters().create(ann, NewCharacter.of("Aria", "wizard"));
        Upload u = engine.assets().presign(ann, portrait(PNG));
        upload(u.put().orElseThrow(), "image/png", PNG);
        engine.assets().complete(ann, u.asset().id());

        assertThat(engine.assets().setPortrait(ann, c.id(), u.asset().id()).asset().status())
                .isEqualTo(AssetStatus.READY);
        assertThat(engine.assets().storages()).containsOnlyKeys(AssetPolicy.PLAYER_ASSETS);
        assertThatThrownBy(() -> DmEngine.builder().objectStorage("attachments", playerAssets).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attachments");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
