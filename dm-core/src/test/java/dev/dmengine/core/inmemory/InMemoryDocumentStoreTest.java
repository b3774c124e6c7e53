package dev.dmengine.core.inmemory;

import dev.dmengine.spi.retrieval.DocumentStore;
import dev.dmengine.testkit.DocumentStoreContract;

class InMemoryDocumentStoreTest extends DocumentStoreContract {

    @Override
    protected DocumentStore newStore() {
        return new InMemoryDocumentStore();
    }
}
