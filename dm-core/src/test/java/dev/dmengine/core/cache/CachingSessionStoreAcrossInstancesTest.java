package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.testkit.SessionStoreContract;

/**
 * The session store's contract with every write made through one instance's decorator and every
 * read through another's (one cache, one store): a write is seen by the other instance at once.
 */
class CachingSessionStoreAcrossInstancesTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return new TwoInstances(new InMemoryCache(), 9).sessions(new InMemorySessionStore());
    }
}
