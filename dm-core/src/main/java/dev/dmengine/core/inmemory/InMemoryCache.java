package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.Cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JVM-local cache with per-key expiry on a {@link Clock}. {@link #putIfAbsent},
 * {@link #deleteIfEquals} and {@link #expireIfEquals} are atomic per key. A value is gone from the instant
 * {@code put time + ttl}; expired entries are dropped when touched and swept now and then.
 */
public final class InMemoryCache implements Cache {

    private static final int SWEEP_EVERY = 4_096;

    private record Entry(String value, Instant expiresAt) {
        boolean liveAt(Instant now) {
            return now.isBefore(expiresAt);
        }
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);

    public InMemoryCache(Clock clock) {
        this.clock = Checks.notNull(clock, "clock");
    }

    /** A cache on the system clock. */
    public InMemoryCache() {
        this(Clock.systemUTC());
    }

    @Override
    public Optional<String> get(String key) {
        Checks.notNull(key, "key");
        Instant now = clock.instant();
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.liveAt(now)) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        Entry e = entry(key, value, ttl);
        entries.put(key, e);
        maybeSweep();
    }

    @Override
    public boolean putIfAbsent(String key, String value, Duration ttl) {
        Entry fresh = entry(key, value, ttl);
        Instant now = clock.instant();
        boolean[] stored = new boolean[1];
        entries.compute(key, (k, old) -> {
            if (old != null && old.liveAt(now)) {
                return old;
            }
            stored[0] = true;
            return fresh;
        });
        maybeSweep();
        return stored[0];
    }

    @Override
    public boolean delete(String key) {
        Checks.notNull(key, "key");
        Instant now = clock.instant();
        Entry old = entries.remove(key);
        return old != null && old.liveAt(now);
    }

    @Override
    public boolean deleteIfEquals(String key, String expected) {
        Checks.notNull(key, "key");
        Checks.notNull(expected, "expected");
        Instant now = clock.instant();
        boolean[] deleted = new boolean[1];
        entries.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null; // expired: drop it, but it was not the caller's to delete
            }
            if (old.value().equals(expected)) {
                deleted[0] = true;
                return null;
            }
            return old;
        });
        return deleted[0];
    }

    @Override
    public boolean expireIfEquals(String key, String expected, Duration ttl) {
        Checks.notNull(key, "key");
        Checks.notNull(expected, "expected");
        Checks.positive(ttl, "ttl");
        Instant now = clock.instant();
        boolean[] extended = new boolean[1];
        entries.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null;
            }
            if (old.value().equals(expected)) {
                extended[0] = true;
                return new Entry(old.value(), now.plus(ttl));
            }
            return old;
        });
        return extended[0];
    }

    private Entry entry(String key, String value, Duration ttl) {
        Checks.notNull(key, "key");
        Checks.notNull(value, "value");
        Checks.positive(ttl, "ttl");
        return new Entry(value, clock.instant().plus(ttl));
    }

    private void maybeSweep() {
        if (untilSweep.decrementAndGet() <= 0) {
            untilSweep.set(SWEEP_EVERY);
            Instant now = clock.instant();
            entries.values().removeIf(e -> !e.liveAt(now));
        }
    }
}
