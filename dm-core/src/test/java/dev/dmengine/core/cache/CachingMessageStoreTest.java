package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.MessageStoreContract;

import java.time.Duration;

/**
 * The message store's contract, through the caching decorator on the in-memory store, with a
 * window of 10: the suite's {@code recent(…, 3)}, {@code (…, 5)} and {@code (…, 10)} come from the
 * cache, {@code (…, 50)} from the store.
 */
class CachingMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore newStore() {
        return HotReads.builder(new InMemoryCache()).ttl(Duration.ofMinutes(5)).recentWindow(10).build()
                .messages(new InMemoryMessageStore());
    }
}
