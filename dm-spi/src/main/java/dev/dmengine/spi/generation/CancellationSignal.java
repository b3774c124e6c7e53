package dev.dmengine.spi.generation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Lets the caller of a generation give up on it (the player left, a deadline passed). A
 * model adapter checks {@link #isCancelled()} between tokens and registers a callback to
 * abort a blocked read or cancel the remote prediction.
 */
public final class CancellationSignal {

    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    public boolean isCancelled() {
        return cancelled;
    }

    /** Cancels once; later calls do nothing. Runs the registered callbacks. */
    public void cancel() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
        }
        callbacks.forEach(Runnable::run);
    }

    /** Runs the callback on cancel, or at once if already cancelled. */
    public void onCancel(Runnable callback) {
        synchronized (this) {
            if (!cancelled) {
                callbacks.add(callback);
                return;
            }
        }
        callback.run();
    }
}
