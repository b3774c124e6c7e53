package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.MessageStoreContract;

class InMemoryMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore newStore() {
        return new InMemoryMessageStore();
    }
}
