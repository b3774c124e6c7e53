package dev.dmengine.redis.internal;

import java.time.Duration;

/**
 * The event bus's tunables, as set on {@code RedisAdapters.Builder} (defaults and meaning there).
 *
 * @param retention      approximate number of events kept per topic ({@code XADD MAXLEN ~})
 * @param streamExpiry   a topic's stream is dropped after this long without a publish or a subscriber
 * @param idExpiry       a topic's id counter is dropped after this long without a publish or a subscriber
 * @param maxEventChars  the largest event data accepted
 * @param readBatch      at most this many events per stream and read
 * @param maxPending     events queued for one subscriber before it falls back to reading the stream itself
 * @param blockTimeout   how long one blocking read waits on the server
 * @param catchUpReads   subscribers reading the stream to catch up at once (an eighth of the pool)
 */
public record EventBusSettings(int retention, Duration streamExpiry, Duration idExpiry, int maxEventChars,
                               int readBatch, int maxPending, Duration blockTimeout, int catchUpReads) {
}
