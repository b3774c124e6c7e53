package dev.dmengine.core.inmemory;

import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.testkit.RefreshTokenStoreContract;

class InMemoryRefreshTokenStoreTest extends RefreshTokenStoreContract {

    @Override
    protected RefreshTokenStore newStore() {
        return new InMemoryRefreshTokenStore();
    }
}
