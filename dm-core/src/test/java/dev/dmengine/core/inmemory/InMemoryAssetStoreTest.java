package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.testkit.AssetStoreContract;

class InMemoryAssetStoreTest extends AssetStoreContract {

    @Override
    protected AssetStore newStore() {
        return new InMemoryAssetStore();
    }
}
