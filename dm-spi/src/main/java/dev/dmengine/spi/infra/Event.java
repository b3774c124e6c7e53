package dev.dmengine.spi.infra;

import java.time.Instant;
import java.util.Objects;

/**
 * One event of a topic (a game session's stream).
 *
 * @param id   monotonic per topic, starting at 1; clients resume after it ({@code Last-Event-ID})
 * @param name a stable event name such as {@code token} or {@code turn.completed}
 * @param data the payload, a JSON document
 */
public record Event(String topic, long id, String name, String data, Instant at) {

    public Event {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(at, "at");
        if (id < 1) {
            throw new IllegalArgumentException("event ids start at 1: " + id);
        }
    }
}
