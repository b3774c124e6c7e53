package dev.dmengine.core.cache;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A warning at most once per interval and topic, saying how many like it were held back: a cache
 * that is down fails every call, and one line a minute says so as well as ten thousand.
 */
final class QuietLog {

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, AtomicLong> lastByTopic = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> heldBack = new ConcurrentHashMap<>();
    private final AtomicLong written = new AtomicLong();

    QuietLog(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    void warn(String topic, String message, Throwable cause) {
        long now = nanoTime.getAsLong();
        AtomicLong last = lastByTopic.computeIfAbsent(topic, t -> new AtomicLong(now - intervalNanos));
        long previous = last.get();
        AtomicLong held = heldBack.computeIfAbsent(topic, t -> new AtomicLong());
        if (now - previous < intervalNanos || !last.compareAndSet(previous, now)) {
            held.incrementAndGet();
            return;
        }
        long more = held.getAndSet(0);
        written.incrementAndGet();
        log.warn("{}: {}{}", message, cause.toString(),
                more == 0 ? "" : " (and " + more + " more like it since the last warning)");
    }

    /** Warnings written so far (not those held back). */
    long written() {
        return written.get();
    }
}
