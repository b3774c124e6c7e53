package dev.dmengine.examples.adapter.internal;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.retrieval.EmbeddingSpace;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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
    private static final int MAX_PAYLOAD = 1 + 2 + 3 * 200 + 4 + 48 + 4 * EmbeddingSpace.MAX_DIMENSION;

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
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
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
                ByteBuffer bytes = ByteBuffer.wrap(frame(live));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.position(channel.size());
        } catch (IOException e) {
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
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(FORMAT).flip();
        while (header.hasRemaining()) {
            channel.write(header);
        }
    }

    /** Reads every whole record; returns the offset where the last whole record ends. */
    private static long replay(Path file, FileChannel channel, Consumer<Change> replay) throws IOException {
        long size = channel.size();
        var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel.position(0))));
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
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        try {
            for (Change change : changes) {
                byte[] payload = encode(change);
                out.writeInt(payload.length);
                out.write(payload);
                out.writeInt(crc(payload));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static byte[] encode(Change change) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        switch (change) {
            case Put p -> {
                out.writeByte(PUT);
                out.writeUTF(p.space().modelId());
                out.writeInt(p.space().dimension());
                writeId(out, p.messageId());
                writeId(out, p.sessionId());
                writeId(out, p.playerId());
                for (float x : p.unit()) {
                    out.writeFloat(x);
                }
            }
            case Delete d -> {
                out.writeByte(DELETE);
                writeId(out, d.messageId());
            }
        }
        return bytes.toByteArray();
    }

    private static Change decode(Path file, long offset, byte[] payload) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(payload));
        try {
            byte kind = in.readByte();
            if (kind == DELETE) {
                return new Delete(readId(in));
            }
            if (kind != PUT) {
                throw new IllegalArgumentException(file + ": unknown record kind " + kind + " at byte " + offset);
            }
            EmbeddingSpace space = new EmbeddingSpace(in.readUTF(), in.readInt());
            UUID message = readId(in);
            UUID session = readId(in);
            UUID player = readId(in);
            float[] unit = new float[space.dimension()];
            for (int i = 0; i < unit.length; i++) {
                unit[i] = in.readFloat();
            }
            return new Put(space, message, session, player, unit);
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + ": a record at byte " + offset + " is shorter than its kind", e);
        }
    }

    private static void writeId(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID readId(DataInputStream in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
    }

    private static int crc(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }
}
