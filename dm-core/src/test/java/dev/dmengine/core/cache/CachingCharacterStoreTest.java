package dev.dmengine.core.cache;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.testkit.CharacterStoreContract;

import java.time.Duration;

/** The character store's contract, through the caching decorator on the in-memory store. */
class CachingCharacterStoreTest extends CharacterStoreContract {

    @Override
    protected CharacterStore newStore() {
        return HotReads.builder(new InMemoryCache()).ttl(Duration.ofMinutes(5)).build()
                .characters(new InMemoryCharacterStore());
    }
}
