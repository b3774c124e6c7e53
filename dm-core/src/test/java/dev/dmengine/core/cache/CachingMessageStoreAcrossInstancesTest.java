package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.testkit.MessageStoreContract;

/**
 * The message store's contract with every write made through one instance's decorator and every
 * read through another's (one cache, one store): a write is seen by the other instance at once.
 */
class CachingMessageStoreAcrossInstancesTest extends MessageStoreContract {

    @Override
    protected MessageStore newStore() {
        return new TwoInstances(new InMemoryCache(), 10).messages(new InMemoryMessageStore());
    }
}
