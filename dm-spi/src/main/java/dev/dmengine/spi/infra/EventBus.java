package dev.dmengine.spi.infra;

import java.util.List;

/**
 * Per-topic event streams with replay, fanned out to every subscriber (across server
 * instances for distributed adapters).
 *
 * <p>Contract: ids are assigned by {@link #publish} and strictly increase per topic;
 * each subscriber sees a topic's events in id order, without gaps beyond the retention,
 * and without duplicates.
 */
public interface EventBus {

    /** Appends an event to the topic and returns it with its id. */
    Event publish(String topic, String name, String data);

    /**
     * Delivers the retained events after {@code afterId} (0 for all that are retained), then
     * every new one, to the listener, until the subscription is closed.
     */
    Subscription subscribe(String topic, long afterId, EventListener listener);

    /**
     * The id of the topic's latest event (0 when it has none): where a subscriber that wants
     * only new events starts. Shared by every server instance for distributed adapters.
     */
    long lastId(String topic);

    /** The retained events of the topic after {@code afterId}, at most {@code limit}, in order. */
    List<Event> since(String topic, long afterId, int limit);
}
