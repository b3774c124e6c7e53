package dev.dmengine.core.inmemory;

import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.testkit.CharacterStoreContract;

class InMemoryCharacterStoreTest extends CharacterStoreContract {

    @Override
    protected CharacterStore newStore() {
        return new InMemoryCharacterStore();
    }
}
