package dev.dmengine.spi;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * Time-ordered ids: RFC 9562 UUID version 7.
 *
 * <p>48 bits of Unix milliseconds, then a 12-bit counter (method 1 of RFC 9562 §6.2) so
 * that ids made in the same millisecond by this JVM still sort in creation order, then 62
 * random bits. Comparing two ids with {@link #compare(UUID, UUID)} (unsigned, big-endian)
 * orders them by creation time.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object LOCK = new Object();
    private static long lastMillis = -1;
    private static int counter;

    private Ids() {
    }

    /** A new version 7 UUID, strictly greater than every one this JVM made before. */
    public static UUID newId() {
        long millis;
        int seq;
        synchronized (LOCK) {
            long now = System.currentTimeMillis();
            if (now > lastMillis) {
                lastMillis = now;
                counter = RANDOM.nextInt(1 << 10); // leave head-room before the counter overflows
            } else if (++counter > 0xFFF) {
                lastMillis++; // counter exhausted: borrow the next millisecond
                counter = 0;
            }
            millis = lastMillis;
            seq = counter;
        }
        long msb = (millis << 16) | 0x7000L | seq;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** The creation instant encoded in a version 7 UUID. */
    public static Instant timestamp(UUID id) {
        if (id.version() != 7) {
            throw new IllegalArgumentException("not a version 7 UUID: " + id);
        }
        return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
    }

    /** Orders ids as unsigned 128-bit numbers, which for version 7 ids is creation order. */
    public static int compare(UUID a, UUID b) {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** Parses an id given by a client, naming the field when it is not a UUID. */
    public static UUID parse(String field, String value) {
        if (value == null || value.length() != 36) {
            throw new InvalidInputException(field, "must be a UUID");
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "must be a UUID");
        }
    }
}
