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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

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

    private static Asset with(Asset a, AssetStatus status, Instant updatedAt) {
        return new Asset(a.id(), a.ownerId(), a.kind(), a.bucket(), a.key(), a.contentType(), a.size(), a.sha256(),
                status, a.createdAt(), updatedAt);
    }

    private static Asset sameObject(Asset a, UUID id) {
        return new Asset(id, a.ownerId(), a.kind(), a.bucket(), a.key(), a.contentType(), a.size(), a.sha256(),
                AssetStatus.PENDING, a.createdAt(), a.updatedAt());
    }

    @Test
    void a_second_live_asset_naming_the_same_object_is_a_conflict_but_a_deleted_one_frees_it() {
        Asset first = store.create(asset(Ids.newId(), T0));

        assertThatThrownBy(() -> store.create(sameObject(first, Ids.newId()))).isInstanceOf(ConflictException.class);

        store.delete(first.id());
        Asset second = store.create(sameObject(first, Ids.newId()));
        assertThat(store.get(second.id())).contains(second);
    }

    @Test
    void the_live_asset_of_an_object_is_found_by_owner_bucket_and_key() {
        UUID owner = Ids.newId();
        Asset a = store.create(asset(owner, T0));
        store.create(asset(owner, T0));

        assertThat(store.findLive(owner, a.bucket(), a.key())).contains(a);
        assertThat(store.findLive(owner, "other-bucket", a.key())).isEmpty();
        assertThat(store.findLive(Ids.newId(), a.bucket(), a.key())).isEmpty();
        store.delete(a.id());
        assertThat(store.findLive(owner, a.bucket(), a.key())).isEmpty();
    }

    @Test
    void conditional_update_applies_only_from_the_expected_status() {
        Asset a = store.create(asset(Ids.newId(), T0));
        Asset ready = with(a, AssetStatus.READY, T0.plusSeconds(5));

        assertThat(store.update(ready, AssetStatus.PENDING)).isEqualTo(ready);
        assertThatThrownBy(() -> store.update(with(a, AssetStatus.READY, T0.plusSeconds(9)), AssetStatus.PENDING))
                .isInstanceOf(ConflictException.class);
        assertThat(store.get(a.id())).contains(ready);
        assertThatThrownBy(() -> store.update(with(asset(Ids.newId(), T0), AssetStatus.READY, T0), AssetStatus.PENDING))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void of_two_concurrent_conditional_updates_exactly_one_wins() {
        Asset a = store.create(asset(Ids.newId(), T0));
        AtomicInteger conflicts = new AtomicInteger();

        List<Boolean> won = Concurrently.run(8, n -> {
            try {
                store.update(with(a, AssetStatus.READY, T0.plusSeconds(n + 1)), AssetStatus.PENDING);
                return true;
            } catch (ConflictException e) {
                conflicts.incrementAndGet();
                return false;
            }
        });

        assertThat(won).containsOnlyOnce(true);
        assertThat(conflicts).hasValue(7);
        assertThat(store.get(a.id())).map(Asset::status).contains(AssetStatus.READY);
    }

    @Test
    void pending_assets_last_updated_before_an_instant_are_listed_least_recently_updated_first() {
        Asset old = store.create(asset(Ids.newId(), T0));
        Asset older = store.create(asset(Ids.newId(), T0.minusSeconds(60)));
        Asset recent = store.create(asset(Ids.newId(), T0.plusSeconds(600)));
        Asset done = store.create(asset(Ids.newId(), T0.minusSeconds(120)));
        store.update(with(done, AssetStatus.READY, T0.minusSeconds(100)));

        assertThat(store.listPending(T0.plusSeconds(1), 10)).extracting(Asset::id).containsExactly(older.id(), old.id());
        assertThat(store.listPending(T0.plusSeconds(1), 1)).extracting(Asset::id).containsExactly(older.id());
        assertThat(store.listPending(T0.minusSeconds(60), 10)).isEmpty();
        assertThat(store.get(recent.id())).isPresent();
    }

    @Test
    void delete_pending_removes_only_a_still_pending_asset_last_updated_before_the_instant() {
        Asset stale = store.create(asset(Ids.newId(), T0));
        Asset renewed = store.create(asset(Ids.newId(), T0));
        store.update(with(renewed, AssetStatus.PENDING, T0.plusSeconds(3600)));
        Asset completed = store.create(asset(Ids.newId(), T0));
        store.update(with(completed, AssetStatus.READY, T0.plusSeconds(1)));
        Instant cutoff = T0.plusSeconds(60);

        assertThat(store.deletePending(stale.id(), cutoff)).isTrue();
        assertThat(store.deletePending(stale.id(), cutoff)).isFalse();
        assertThat(store.deletePending(renewed.id(), cutoff)).isFalse();
        assertThat(store.deletePending(completed.id(), cutoff)).isFalse();
        assertThat(store.deletePending(Ids.newId(), cutoff)).isFalse();

        assertThat(store.get(stale.id())).isEmpty();
        assertThat(store.get(renewed.id())).isPresent();
        assertThat(store.get(completed.id())).isPresent();
    }

    @Test
    void a_portrait_is_set_replaced_listed_for_its_owner_only_and_cleared() {
        UUID ann = Ids.newId();
        UUID bob = Ids.newId();
        UUID hero = Ids.newId();
        UUID sidekick = Ids.newId();
        UUID bobs = Ids.newId();
        Asset first = store.create(asset(ann, T0));
        Asset second = store.create(asset(ann, T0));
        Asset his = store.create(asset(bob, T0));

        store.setPortrait(ann, hero, first.id());
        store.setPortrait(ann, sidekick, first.id());
        store.setPortrait(ann, hero, second.id());
        store.setPortrait(bob, bobs, his.id());

        assertThat(store.portraits(ann)).isEqualTo(Map.of(hero, second.id(), sidekick, first.id()));
        assertThat(store.portraits(bob)).isEqualTo(Map.of(bobs, his.id()));
        assertThat(store.clearPortrait(bob, hero)).isFalse();
        assertThat(store.clearPortrait(ann, hero)).isTrue();
        assertThat(store.clearPortrait(ann, hero)).isFalse();
        assertThat(store.portraits(ann)).isEqualTo(Map.of(sidekick, first.id()));
        assertThat(store.get(second.id())).isPresent();
    }

    @Test
    void deleting_an_asset_removes_the_portraits_it_was() {
        UUID ann = Ids.newId();
        UUID hero = Ids.newId();
        Asset a = store.create(asset(ann, T0));
        store.setPortrait(ann, hero, a.id());

        store.delete(a.id());

        assertThat(store.portraits(ann)).isEmpty();
    }

    @Test
    void a_portrait_of_an_unknown_asset_is_refused() {
        UUID ann = Ids.newId();
        UUID hero = Ids.newId();

        Throwable refused = catchThrowable(() -> store.setPortrait(ann, hero, Ids.newId()));

        assertThat(refused).isInstanceOfAny(NotFoundException.class, dev.dmengine.spi.InvalidInputException.class);
        assertThat(store.portraits(ann)).isEmpty();
    }
}
