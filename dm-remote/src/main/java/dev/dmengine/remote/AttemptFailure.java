package dev.dmengine.remote;

import dev.dmengine.spi.DmException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one attempt of a remote call failed: the exception to report if no retry follows, whether
 * a retry may follow, the wait the server asked for, and whether the failure says the provider
 * is unwell (it then counts towards the {@link CircuitBreaker}). Thrown by an {@link Attempt};
 * {@link RemoteEndpoint#call} decides what happens next.
 */
public final class AttemptFailure extends Exception {

    private final DmException error;
    private final boolean retriable;
    private final boolean providerFault;
    private final Duration serverDelay;

    private AttemptFailure(DmException error, boolean retriable, boolean providerFault, Duration serverDelay) {
        super(Objects.requireNonNull(error, "error").getMessage(), error, false, false);
        this.error = error;
        this.retriable = retriable;
        this.providerFault = providerFault;
        this.serverDelay = serverDelay;
    }

    /** A failure that another attempt may cure (the provider is unwell). */
    public static AttemptFailure retriable(DmException error) {
        return new AttemptFailure(error, true, true, null);
    }

    /** A failure reported as it is: no other attempt follows (the provider answered, badly). */
    public static AttemptFailure fatal(DmException error) {
        return new AttemptFailure(error, false, true, null);
    }

    /** Every field spelled out; {@code serverDelay} may be null. */
    public static AttemptFailure of(DmException error, boolean retriable, boolean providerFault, Duration serverDelay) {
        return new AttemptFailure(error, retriable, providerFault, serverDelay);
    }

    /** The same failure, saying nothing about the provider's health (a rate limit, a conflict). */
    public AttemptFailure neutral() {
        return new AttemptFailure(error, retriable, false, serverDelay);
    }

    /** The same failure, never retried (e.g. a stream that had already shown text to the player). */
    public AttemptFailure notRetriable() {
        return new AttemptFailure(error, false, providerFault, serverDelay);
    }

    public DmException error() {
        return error;
    }

    public boolean retriable() {
        return retriable;
    }

    public boolean providerFault() {
        return providerFault;
    }

    public Optional<Duration> serverDelay() {
        return Optional.ofNullable(serverDelay);
    }
}
