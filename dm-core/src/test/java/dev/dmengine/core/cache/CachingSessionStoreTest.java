package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.testkit.SessionStoreContract;

import java.time.Duration;

/** The session store's contract, through the caching decorator on the in-memory store. */
class CachingSessionStoreTest extends SessionStoreContract {

    @Override
    protected SessionStore newStore() {
        return HotReads.builder(new InMemoryCache()).ttl(Duration.ofMinutes(5)).build()
                .sessions(new InMemorySessionStore());
    }
}
