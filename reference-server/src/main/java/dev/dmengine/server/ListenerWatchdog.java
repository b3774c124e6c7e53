package dev.dmengine.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Notices when the listener has stopped while the process lives on. Helidon stops a listener
 * for good when {@code accept()} fails (e.g. "Too many open files"): it logs, unbinds the port
 * and its accept thread then waits on itself, so no event says so. The watchdog connects to the
 * port every {@code period}; two refusals in a row (nobody listens there any more; a busy
 * listener delays a connection, it does not refuse it) run {@code onStopped}, once. A timeout or
 * a failure to make a socket proves nothing and is ignored.
 */
final class ListenerWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerWatchdog.class);

    private final InetAddress address;
    private final int port;
    private final Runnable onStopped;
    private final Duration period;
    private final Thread thread;
    private volatile boolean closed;

    ListenerWatchdog(String host, int port, Duration period, Runnable onStopped) {
        this.address = probeAddress(host);
        this.port = port;
        this.period = period;
        this.onStopped = onStopped;
        this.thread = Thread.ofPlatform().daemon().name("dm-listener-watchdog").start(this::watch);
    }

    private static InetAddress probeAddress(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : a;
        } catch (IOException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    private void watch() {
        int refusals = 0;
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            refusals = refused() ? refusals + 1 : 0;
            if (refusals >= 2 && !closed) {
                onStopped.run();
                return;
            }
        }
    }

    private boolean refused() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("listener probe inconclusive: {}", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
