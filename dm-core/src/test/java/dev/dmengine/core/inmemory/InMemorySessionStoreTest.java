package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.testkit.SessionStoreContract;

class InMemorySessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return new InMemorySessionStore();
    }
}
