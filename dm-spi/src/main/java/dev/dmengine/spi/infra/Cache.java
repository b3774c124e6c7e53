package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Optional;

/**
 * A shared key-value cache with expiry. Also the home of short leases (per-session turn
 * locks): {@link #putIfAbsent} and {@link #deleteIfEquals} are atomic.
 */
public interface Cache {

    Optional<String> get(String key);

    void put(String key, String value, Duration ttl);

    /** Stores the value only if the key is absent (or expired); {@code true} if stored. */
    boolean putIfAbsent(String key, String value, Duration ttl);

    boolean delete(String key);

    /** Deletes the key only if it holds {@code expected}; {@code true} if deleted. */
    boolean deleteIfEquals(String key, String expected);
}
