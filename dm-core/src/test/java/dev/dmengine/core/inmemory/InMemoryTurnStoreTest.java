package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.testkit.TurnStoreContract;

class InMemoryTurnStoreTest extends TurnStoreContract {

    @Override
    protected TurnStore newStore() {
        return new InMemoryTurnStore();
    }
}
