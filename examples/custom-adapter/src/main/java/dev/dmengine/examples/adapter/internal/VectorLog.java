package dev.dmengine.examples.adapter.internal;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The file behind {@code FileVectorIndex}: a header, then records appended one after the
 * other, each framed as {@code length, payload, crc32(payload)} so that a record torn by a
 * crash is recognised. Not thread-safe: the index serialises every call.
 *
 * <p>Recovery when opened: a torn record at the end (the process died while appending) is cut
 * off, since its write was never acknowledged; a damaged record anywhere else means the file
 * was damaged after the fact, and opening is refused rather than silently dropping the
 * records after it.
 */
public final class VectorLog implements Closeable {

    /** One change to the index, as stored. */
    public sealed interface Change {
    }

    /** The message's vector in the space, already scaled to length 1. */
    public record Put(EmbeddingSpace space, UUID messageId, UUID sessionId, UUID playerId, float[] unit)
            implements Change {
    }

    /** The message's vectors are gone from every space. */
    public record Delete(UUID messageId) implements Change {
    }

    private static final int MAGIC = 0x444D5658; // "DMVX"
    private static final int FORMAT = 1;
    private static final int HEADER_BYTES = 8;
    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    /** The largest payload a valid record can have: the largest space's vector and a 200-character model id. */
    private static final int MAX_PAYLOAD = 1 + 2 + 4 * 200 + 4 + 48 + 4 * EmbeddingSpace.MAX_DIMENSION;

    private final Path file;
    private final boolean fsync;
    private FileChannel channel;

    private VectorLog(Path file, boolean fsync, FileChannel channel) {
        this.file = file;
        this.fsync = fsync;
        this.channel = channel;
    }

    /**
     * Opens (or creates) the log and hands every stored change to {@code replay}, oldest first.
     *
     * @param fsync whether each append is forced to the disk before it returns (survives a power
     *              loss) rather than left to the operating system (survives a process crash)
     * @throws IllegalArgumentException the file is not a vector log, or is damaged before its end
     * @throws UnavailableException     it cannot be read or written
     */
    public static VectorLog open(Path file, boolean fsync, Consumer<Change> replay) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                if (channel.size() == 0) {
                    writeHeader(channel);
                    channel.force(true);
                    syncDirectory(file);
                } else {
                    long end = replay(file, channel, replay);
                    if (end < channel.size()) {
                        channel.truncate(end); // the torn tail of an append that never returned
                    }
                }
                channel.position(channel.size());
                return new VectorLog(file, fsync, channel);
            } catch (RuntimeException | IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UnavailableException("cannot open the vector log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends the changes in one write; on failure the log is cut back to where it was. */
    public void append(List<? extends Change> changes) {
        ByteBuffer bytes = ByteBuffer.wrap(frame(changes));
        long before = -1;
        try {
            before = channel.size();
            writeFully(channel, bytes);
            if (fsync) {
                channel.force(false);
            }
        } catch (IOException e) {
            cutBack(before, e);
            throw new UnavailableException("cannot append to the vector log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the whole log by {@code live} (compaction): written beside it, forced to disk,
     * then moved over it atomically, so a crash leaves either the old log or the new one.
     */
    public void rewrite(List<? extends Change> live) {
        Path tmp = file.resolveSibling(file.getFileName() + ".compacting");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeHeader(out);
                for (Change change : live) { // one record at a time: no second copy of the index in memory
                    writeFully(out, ByteBuffer.wrap(frame(List.of(change))));
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file);
            FileChannel fresh = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            fresh.position(fresh.size());
            channel.close();
            channel = fresh;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new UnavailableException("cannot compact the vector log " + file + ": " + e.getMessage(), e);
        }
    }

    /** The log's length in bytes. */
    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UnavailableException("cannot close the vector log " + file + ": " + e.getMessage(), e);
        }
    }

    private void cutBack(long size, IOException cause) {
        try {
            if (size >= 0) {
                channel.truncate(size);
                channel.position(size);
            }
        } catch (IOException again) {
            cause.addSuppressed(again);
        }
    }

    private static void writeHeader(FileChannel channel) throws IOException {
        writeFully(channel, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(FORMAT).flip());
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Makes a created or renamed file's directory entry durable, where the platform allows it. */
    private static void syncDirectory(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can open a directory (Windows cannot); the file itself is forced
        }
    }

    /** Reads every whole record; returns the offset where the last whole record ends. */
    private static long replay(Path file, FileChannel channel, Consumer<Change> replay) throws IOException {
        long size = channel.size();
        var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16));
        if (size < HEADER_BYTES || in.readInt() != MAGIC || in.readInt() != FORMAT) {
            throw new IllegalArgumentException(file + " is not a vector log of this format (a damaged or foreign file)");
        }
        long offset = HEADER_BYTES;
        while (offset < size) {
            long left = size - offset;
            if (left < 4) {
                return offset;
            }
            int length = in.readInt();
            if (length < 1 || length > MAX_PAYLOAD) {
                throw damaged(file, offset, "its length field reads " + length);
            }
            if (left < 4L + length + 4) {
                return offset; // torn: the append that wrote it never finished
            }
            byte[] payload = in.readNBytes(length);
            int crc = in.readInt();
            if (crc != crc(payload)) {
                if (left == 4L + length + 4) {
                    return offset; // the last record, torn: its bytes never all reached the disk
                }
                throw damaged(file, offset, "it fails its checksum");
            }
            replay.accept(decode(file, offset, payload));
            offset += 4L + length + 4;
        }
        return offset;
    }

    private static IllegalArgumentException damaged(Path file, long offset, String why) {
        return new IllegalArgumentException(file + " is damaged at byte " + offset + " (" + why
                + ", and it is not the last record); restore the file from a backup or rebuild the index");
    }

    private static byte[] frame(List<? extends Change> changes) {
        List<byte[]> payloads = changes.stream().map(VectorLog::encode).toList();
        ByteBuffer out = ByteBuffer.allocate(payloads.stream().mapToInt(p -> 4 + p.length + 4).sum());
        for (byte[] payload : payloads) {
            out.putInt(payload.length).put(payload).putInt(crc(payload));
        }
        return out.array();
    }

    private static byte[] encode(Change change) {
        return switch (change) {
            case Put p -> {
                byte[] model = p.space().modelId().getBytes(StandardCharsets.UTF_8);
                ByteBuffer out = ByteBuffer.allocate(1 + 2 + model.length + 4 + 48 + 4 * p.unit().length)
                        .put(PUT).putShort((short) model.length).put(model).putInt(p.space().dimension());
                putId(out, p.messageId());
                putId(out, p.sessionId());
                putId(out, p.playerId());
                out.asFloatBuffer().put(p.unit());
                yield out.array();
            }
            case Delete d -> putId(ByteBuffer.allocate(1 + 16).put(DELETE), d.messageId()).array();
        };
    }

    private static Change decode(Path file, long offset, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            byte kind = in.get();
            if (kind == DELETE) {
                return new Delete(getId(in));
            }
            if (kind != PUT) {
                throw new IllegalArgumentException(file + ": unknown record kind " + kind + " at byte " + offset);
            }
            byte[] model = new byte[in.getShort()];
            in.get(model);
            EmbeddingSpace space = new EmbeddingSpace(new String(model, StandardCharsets.UTF_8), in.getInt());
            UUID message = getId(in);
            UUID session = getId(in);
            UUID player = getId(in);
            float[] unit = new float[space.dimension()];
            in.asFloatBuffer().get(unit);
            return new Put(space, message, session, player, unit);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException(file + ": a record at byte " + offset + " is shorter than its kind", e);
        }
    }

    private static ByteBuffer putId(ByteBuffer out, UUID id) {
        return out.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }

    private static UUID getId(ByteBuffer in) {
        return new UUID(in.getLong(), in.getLong());
    }

    private static int crc(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }
}
