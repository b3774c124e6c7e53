package dev.dmengine.core.inmemory;

import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.testkit.PlayerStoreContract;

class InMemoryPlayerStoreTest extends PlayerStoreContract {

    @Override
    protected PlayerStore newStore() {
        return new InMemoryPlayerStore();
    }
}
