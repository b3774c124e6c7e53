package dev.dmengine.spi.infra;

import java.util.Objects;

/**
 * An event to append with {@link EventBus#publishAll}: what {@link EventBus#publish} takes,
 * without the topic.
 *
 * @param name a stable event name such as {@code token} or {@code turn.completed}
 * @param data the payload, a JSON document
 */
public record NewEvent(String name, String data) {

    public NewEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
    }
}
