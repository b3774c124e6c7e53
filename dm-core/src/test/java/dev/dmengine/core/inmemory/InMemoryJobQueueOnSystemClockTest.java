package dev.dmengine.core.inmemory;

import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.testkit.JobQueueContract;
import dev.dmengine.testkit.MutableClock;

/** Runs the contract the way a queue on a server's clock (Redis) does: real time, short leases. */
class InMemoryJobQueueOnSystemClockTest extends JobQueueContract {

    @Override
    protected JobQueue newQueue(MutableClock ignored) {
        return new InMemoryJobQueue();
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }
}
