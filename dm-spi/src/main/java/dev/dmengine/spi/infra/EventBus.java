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
     * Appends the events to the topic in list order and returns them with their ids, which
     * increase in that order. A bus that reaches a server appends them in one round trip, which
     * is what makes a streamed turn's tokens cheap to publish. Adapters check every event before
     * appending any, and append them with no other publisher's event in between (the contract
     * suite holds them to both); this default, for buses written before it, cannot, and
     * publishes them one by one.
     */
    default List<Event> publishAll(String topic, List<NewEvent> events) {
        List<Event> published = new java.util.ArrayList<>(events.size());
        for (NewEvent e : events) {
            published.add(publish(topic, e.name(), e.data()));
        }
        return List.copyOf(published);
    }

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
