package dev.dmengine.examples.adapter;

import dev.dmengine.spi.retrieval.VectorIndex;
import dev.dmengine.testkit.VectorIndexContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The whole {@link VectorIndexContract}, run against {@link FileVectorIndex}: what proves that
 * the engine can use it in place of the in-memory index. The suite calls {@link #newIndex()}
 * before every test and wants an empty index, so each test gets a file of its own.
 */
class FileVectorIndexTest extends VectorIndexContract {

    @TempDir
    Path dir;

    private FileVectorIndex opened;

    @Override
    protected VectorIndex newIndex() {
        opened = FileVectorIndex.open(dir.resolve("vectors.log"));
        return opened;
    }

    @AfterEach
    void closeTheFile() {
        opened.close();
    }
}
