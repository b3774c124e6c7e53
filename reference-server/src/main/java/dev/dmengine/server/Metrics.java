package dev.dmengine.server;

import dev.dmengine.core.turn.TurnEvent;
import dev.dmengine.spi.infra.Event;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** A few counters and gauges, served as Prometheus text at {@code /metrics}. */
final class Metrics {

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
    final AtomicLong sseStreams = new AtomicLong();
    final AtomicLong webSockets = new AtomicLong();
    private volatile LongSupplier turnsInFlight = () -> 0;
    private volatile LongSupplier connections = () -> 0;
    private volatile long maxConnections;
    private final LongAdder connectionsEvicted = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final Map<String, LongAdder> connectionTimeouts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> streamsRefused = new ConcurrentHashMap<>();

    void request(int status) {
        requests.computeIfAbsent(Integer.toString(status), k -> new LongAdder()).increment();
    }

    void event(Event e) {
        if (!e.name().equals(TurnEvent.TOKEN)) {
            events.computeIfAbsent(e.name(), k -> new LongAdder()).increment();
        } else {
            events.computeIfAbsent(TurnEvent.TOKEN, k -> new LongAdder()).increment();
        }
    }

    void turnsInFlight(LongSupplier supplier) {
        turnsInFlight = supplier;
    }

    void connections(LongSupplier open, long max) {
        connections = open;
        maxConnections = max;
    }

    /** An idle connection closed to make way for a new one at the connection limit. */
    void connectionEvicted() {
        connectionsEvicted.increment();
    }

    /** A connection beyond the limit with no idle one to give way: answered 503. */
    void connectionRefused() {
        connectionsRefused.increment();
    }

    /** A connection closed by a timeout: {@code idle}, {@code header} or {@code body}. */
    void connectionTimedOut(String phase) {
        connectionTimeouts.computeIfAbsent(phase, k -> new LongAdder()).increment();
    }

    /** An event stream refused by a cap: {@code session}, {@code player} or {@code server}. */
    void streamRefused(String limit) {
        streamsRefused.computeIfAbsent(limit, k -> new LongAdder()).increment();
    }

    String prometheus() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP dm_http_requests_total HTTP requests answered, by status (499: the client went away first).\n");
        b.append("# TYPE dm_http_requests_total counter\n");
        new TreeMap<>(requests).forEach((k, v) -> b.append("dm_http_requests_total{status=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        b.append("# HELP dm_events_total Session events published, by name.\n");
        b.append("# TYPE dm_events_total counter\n");
        new TreeMap<>(events).forEach((k, v) -> b.append("dm_events_total{name=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        b.append("# HELP dm_connections_timed_out_total Connections closed by a timeout, by phase (idle, header, body).\n");
        b.append("# TYPE dm_connections_timed_out_total counter\n");
        new TreeMap<>(connectionTimeouts).forEach((k, v) -> b.append("dm_connections_timed_out_total{phase=\"")
                .append(k).append("\"} ").append(v.sum()).append('\n'));
        b.append("# HELP dm_event_streams_refused_total Event streams refused by a cap (session, player, server).\n");
        b.append("# TYPE dm_event_streams_refused_total counter\n");
        new TreeMap<>(streamsRefused).forEach((k, v) -> b.append("dm_event_streams_refused_total{limit=\"")
                .append(k).append("\"} ").append(v.sum()).append('\n'));
        counter(b, "dm_connections_evicted_total", "Idle connections closed to make way at the connection limit.",
                connectionsEvicted.sum());
        counter(b, "dm_connections_refused_total", "Connections beyond the limit answered 503.", connectionsRefused.sum());
        gauge(b, "dm_connections", "Connections being served.", connections.getAsLong());
        gauge(b, "dm_connections_max", "Connections served at most at once (dm.server.max-connections).", maxConnections);
        gauge(b, "dm_turns_in_flight", "Turns being played now.", turnsInFlight.getAsLong());
        gauge(b, "dm_sse_streams", "Open server-sent event streams.", sseStreams.get());
        gauge(b, "dm_websockets", "Open WebSocket connections.", webSockets.get());
        gauge(b, "dm_jvm_heap_used_bytes", "Heap in use.",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" counter\n");
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(value).append('\n');
    }
}
