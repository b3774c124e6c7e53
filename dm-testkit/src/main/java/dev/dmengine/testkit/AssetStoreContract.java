package dev.dmengine.testkit;

import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.Asset;
import dev.dmengine.spi.game.AssetStatus;
import dev.dmengine.spi.game.AssetStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link AssetStore} must do. Extend it and return a fresh, empty store. */
public abstract class AssetStoreContract {

    protected static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    protected AssetStore store;

    protected abstract AssetStore newStore();

    @BeforeEach
    void freshStore() {
        store = newStore();
    }

    protected static Asset asset(UUID owner, Instant createdAt) {
        UUID id = Ids.newId();
        return new Asset(id, owner, "portrait", "dm-assets", "players/" + owner + "/" + id + ".png", "image/png", 0,
                null, AssetStatus.PENDING, createdAt, createdAt);
    }

    @Test
    void created_asset_is_found() {
        Asset a = store.create(asset(Ids.newId(), T0));

        assertThat(store.get(a.id())).contains(a);
        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void duplicate_id_is_a_conflict() {
        Asset a = store.create(asset(Ids.newId(), T0));

        assertThatThrownBy(() -> store.create(a)).isInstanceOf(ConflictException.class);
    }

    @Test
    void update_records_the_upload() {
        Asset a = store.create(asset(Ids.newId(), T0));
        String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Asset ready = new Asset(a.id(), a.ownerId(), a.kind(), a.bucket(), a.key(), a.contentType(), 1234, sha,
                AssetStatus.READY, a.createdAt(), T0.plusSeconds(9));

        store.update(ready);

        assertThat(store.get(a.id())).contains(ready);
    }

    @Test
    void update_of_unknown_asset_is_not_found() {
        Asset ghost = asset(Ids.newId(), T0);

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOf(NotFoundException.class);
        assertThat(store.get(ghost.id())).isEmpty();
    }

    @Test
    void list_by_owner_is_oldest_first_without_deleted_ones() {
        UUID ann = Ids.newId();
        Asset second = store.create(asset(ann, T0.plusSeconds(10)));
        Asset first = store.create(asset(ann, T0));
        Asset gone = store.create(asset(ann, T0.plusSeconds(5)));
        Asset marked = store.create(asset(ann, T0.plusSeconds(6)));
        store.create(asset(Ids.newId(), T0));
        store.delete(gone.id());
        store.update(new Asset(marked.id(), ann, marked.kind(), marked.bucket(), marked.key(), marked.contentType(),
                0, null, AssetStatus.DELETED, marked.createdAt(), T0.plusSeconds(20)));

        assertThat(store.listByOwner(ann)).extracting(Asset::id).containsExactly(first.id(), second.id());
    }

    @Test
    void delete_is_true_once_and_hides_the_asset() {
        Asset a = store.create(asset(Ids.newId(), T0));

        assertThat(store.delete(a.id())).isTrue();
        assertThat(store.delete(a.id())).isFalse();
        assertThat(store.get(a.id())).satisfiesAnyOf(
                found -> assertThat(found).isEmpty(),
                found -> assertThat(found).map(Asset::status).contains(AssetStatus.DELETED));
        assertThat(store.listByOwner(a.ownerId())).isEmpty();
    }

    @Test
    void text_that_is_not_valid_unicode_or_holds_nul_is_refused_and_nothing_is_stored() {
        UUID owner = Ids.newId();
        Asset kept = store.create(asset(owner, T0));
        for (String bad : InvalidText.SAMPLES) {
            Asset a = asset(owner, T0);
            List<Asset> invalid = List.of(
                    new Asset(a.id(), owner, bad, a.bucket(), a.key(), a.contentType(), 0, null, a.status(), T0, T0),
                    new Asset(a.id(), owner, a.kind(), bad, a.key(), a.contentType(), 0, null, a.status(), T0, T0),
                    new Asset(a.id(), owner, a.kind(), a.bucket(), bad, a.contentType(), 0, null, a.status(), T0, T0),
                    new Asset(a.id(), owner, a.kind(), a.bucket(), a.key(), bad, 0, null, a.status(), T0, T0),
                    new Asset(a.id(), owner, a.kind(), a.bucket(), a.key(), a.contentType(), 0, bad, a.status(), T0, T0));
            for (Asset wrong : invalid) {
                InvalidText.assertRefused(bad, () -> store.create(wrong));
                InvalidText.assertRefused(bad, () -> store.update(new Asset(kept.id(), owner, wrong.kind(),
                        wrong.bucket(), wrong.key(), wrong.contentType(), 0, wrong.sha256(), kept.status(), T0, T0)));
            }
        }
        assertThat(store.listByOwner(owner)).containsExactly(kept);
    }
}
