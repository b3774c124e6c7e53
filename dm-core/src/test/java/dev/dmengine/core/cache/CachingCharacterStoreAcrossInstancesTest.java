package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.testkit.CharacterStoreContract;

/**
 * The character store's contract with every write made through one instance's decorator and every
 * read through another's (one cache, one store): a write is seen by the other instance at once.
 */
class CachingCharacterStoreAcrossInstancesTest extends CharacterStoreContract {

    @Override
    protected CharacterStore newStore() {
        return new TwoInstances(new InMemoryCache(), 9).characters(new InMemoryCharacterStore());
    }
}
