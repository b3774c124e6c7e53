package dev.dmengine.remote.internal;

import dev.dmengine.spi.UnavailableException;
import dev.dmengine.spi.generation.CancellationSignal;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waits before a retry; a cancel of the caller's signal ends the wait at once. */
public final class Pause {

    private Pause() {
    }

    /**
     * Sleeps for {@code wait}, or until {@code cancellation} (nullable) fires.
     *
     * @throws CancellationException when the signal fired
     * @throws UnavailableException  when the thread was interrupted (the flag is kept)
     */
    public static void before(Duration wait, CancellationSignal cancellation) {
        CountDownLatch cancelled = new CountDownLatch(1);
        if (cancellation != null) {
            cancellation.onCancel(cancelled::countDown);
        }
        try {
            if (cancelled.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new CancellationException("cancelled while waiting to retry");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting to retry", e);
        }
    }
}
