package dev.dmengine.examples.adapter;

import dev.dmengine.examples.adapter.FileVectorIndex.Durability;
import dev.dmengine.spi.Ids;
import dev.dmengine.spi.retrieval.EmbeddingSpace;
import dev.dmengine.spi.retrieval.VectorMatch;
import dev.dmengine.spi.retrieval.VectorQuery;
import dev.dmengine.spi.retrieval.VectorRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the contract suite cannot see: what is on the disk. Reopening gives the same answers,
 * a crash in the middle of an append loses only that append, damage is refused, compaction
 * keeps what is live.
 */
class FileVectorIndexFileTest {

    private static final EmbeddingSpace SPACE = new EmbeddingSpace("test-model", 3);
    private static final float[] QUERY = {1f, 0f, 0f};

    @TempDir
    Path dir;

    private final UUID session = Ids.newId();
    private final UUID player = Ids.newId();

    private Path file() {
        return dir.resolve("vectors.log");
    }

    private static float[] at(double degrees) {
        double r = Math.toRadians(degrees);
        return new float[]{(float) Math.cos(r), (float) Math.sin(r), 0f};
    }

    private UUID put(FileVectorIndex index, double degrees) {
        UUID id = Ids.newId();
        index.upsert(SPACE, new VectorRecord(id, session, player, at(degrees)));
        return id;
    }

    private List<VectorMatch> search(FileVectorIndex index) {
        return index.search(VectorQuery.session(SPACE, session, QUERY, 100, Set.of()));
    }

    @Test
    void a_reopened_index_answers_exactly_as_before_it_was_closed() {
        List<VectorMatch> before;
        try (FileVectorIndex index = FileVectorIndex.open(file())) {
            for (int i = 0; i < 20; i++) {
                put(index, i * 9);
            }
            before = search(index);
        }

        try (FileVectorIndex reopened = FileVectorIndex.open(file())) {
            assertThat(search(reopened)).containsExactlyElementsOf(before);
            assertThat(reopened.count(SPACE, session)).isEqualTo(20);
        }
    }

    @Test
    void replaced_and_deleted_vectors_stay_so_after_reopening() {
        UUID moved;
        UUID deleted;
        UUID kept;
        try (FileVectorIndex index = FileVectorIndex.open(file(), Durability.POWER_LOSS)) {
            moved = put(index, 90);
            deleted = put(index, 0);
            kept = put(index, 45);
            index.upsert(SPACE, new VectorRecord(moved, session, player, at(10)));
            assertThat(index.delete(deleted)).isTrue();
        }

        try (FileVectorIndex reopened = FileVectorIndex.open(file())) {
            assertThat(search(reopened)).extracting(VectorMatch::messageId).containsExactly(moved, kept);
            assertThat(reopened.delete(deleted)).isFalse();
        }
    }

    @Test
    void an_append_torn_by_a_crash_is_dropped_and_the_file_stays_writable() throws IOException {
        UUID first;
        try (FileVectorIndex index = FileVectorIndex.open(file())) {
            first = put(index, 0);
        }
        long whole = Files.size(file());
        try (FileVectorIndex index = FileVectorIndex.open(file())) {
            put(index, 30);
        }
        cutTo(file(), Files.size(file()) - 7); // the process died with 7 bytes of the last record unwritten

        UUID after;
        try (FileVectorIndex recovered = FileVectorIndex.open(file())) {
            assertThat(Files.size(file())).isEqualTo(whole);
            assertThat(search(recovered)).extracting(VectorMatch::messageId).containsExactly(first);
            after = put(recovered, 60);
        }
        try (FileVectorIndex again = FileVectorIndex.open(file())) {
            assertThat(search(again)).extracting(VectorMatch::messageId).containsExactly(first, after);
        }
    }

    @Test
    void a_damaged_record_before_the_end_is_refused_naming_the_file_and_the_byte() throws IOException {
        try (FileVectorIndex index = FileVectorIndex.open(file())) {
            put(index, 0);
            put(index, 10);
        }
        flipByte(file(), 20); // inside the first record's payload (the header is 8 bytes, the length 4)

        assertThatThrownBy(() -> FileVectorIndex.open(file()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("damaged at byte 8");
    }

    @Test
    void a_file_that_is_not_a_vector_log_is_refused() throws IOException {
        Files.writeString(file(), "{\"this\": \"is some other file\"}");

        assertThatThrownBy(() -> FileVectorIndex.open(file()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("not a vector log");
        assertThat(Files.readString(file())).isEqualTo("{\"this\": \"is some other file\"}");
    }

    @Test
    void compaction_keeps_the_live_vectors_and_shrinks_the_file() {
        List<VectorMatch> live;
        long compacted;
        try (FileVectorIndex index = FileVectorIndex.open(file())) {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ids.add(put(index, i));
            }
            for (int round = 0; round < 5; round++) { // each replacement appends a record
                for (UUID id : ids.subList(0, 10)) {
                    index.upsert(SPACE, new VectorRecord(id, session, player, at(45 + round)));
                }
            }
            ids.subList(40, 50).forEach(index::delete);
            live = search(index);
            long before = index.fileSize();

            index.compact();
            compacted = index.fileSize();

            assertThat(compacted).isLessThan(before / 2);
            assertThat(search(index)).containsExactlyElementsOf(live);
            put(index, 89); // still appendable after the file was swapped
        }

        try (FileVectorIndex reopened = FileVectorIndex.open(file())) {
            assertThat(reopened.count(SPACE, session)).isEqualTo(41);
            assertThat(search(reopened)).containsAll(live);
        }
    }

    private static void cutTo(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, position);
        }
    }
}
