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

    String prometheus() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP dm_http_requests_total HTTP requests answered, by status.\n");
        b.append("# TYPE dm_http_requests_total counter\n");
        new TreeMap<>(requests).forEach((k, v) -> b.append("dm_http_requests_total{status=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        b.append("# HELP dm_events_total Session events published, by name.\n");
        b.append("# TYPE dm_events_total counter\n");
        new TreeMap<>(events).forEach((k, v) -> b.append("dm_events_total{name=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        gauge(b, "dm_turns_in_flight", "Turns being played now.", turnsInFlight.getAsLong());
        gauge(b, "dm_sse_streams", "Open server-sent event streams.", sseStreams.get());
        gauge(b, "dm_websockets", "Open WebSocket connections.", webSockets.get());
        gauge(b, "dm_jvm_heap_used_bytes", "Heap in use.",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(value).append('\n');
    }
}
