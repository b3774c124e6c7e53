package dev.dmengine.spi.infra;

import java.time.Duration;
import java.util.Optional;

/**
 * A shared key-value cache with expiry. Also the home of short leases (per-session turn
 * locks): {@link #putIfAbsent} takes one with an owner token as the value,
 * {@link #expireIfEquals} renews it and {@link #deleteIfEquals} releases it, each atomic and
 * only for the owner; a holder that stops renewing (it crashed) loses the lease when it expires.
 */
public interface Cache {

    Optional<String> get(String key);

    void put(String key, String value, Duration ttl);

    /** Stores the value only if the key is absent (or expired); {@code true} if stored. */
    boolean putIfAbsent(String key, String value, Duration ttl);

    boolean delete(String key);

    /** Deletes the key only if it holds {@code expected}; {@code true} if deleted. */
    boolean deleteIfEquals(String key, String expected);

    /**
     * Makes the key expire {@code ttl} from now (longer or shorter than before) only if it holds
     * {@code expected} and has not expired; {@code true} if its expiry was set. An absent or
     * expired key stays absent.
     */
    boolean expireIfEquals(String key, String expected, Duration ttl);
}
