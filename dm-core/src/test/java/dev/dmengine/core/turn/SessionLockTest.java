package dev.dmengine.core.turn;

import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.spi.ConflictException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionLockTest {

    private final InMemoryCache cache = new InMemoryCache(Clock.systemUTC());
    private final UUID session = UUID.randomUUID();

    @Test
    void a_held_lease_outlives_its_ttl_because_its_holder_renews_it() throws Exception {
        // renewed every third of the TTL: a renewal may be up to two thirds (670 ms) late before it is lost
        SessionLock lock = new SessionLock(cache, Duration.ofSeconds(1));
        SessionLock.Lease lease = lock.acquire(session);
        Thread.sleep(3_000); // three TTLs

        assertThat(cache.get("dm:turn-lock:" + session)).as("still held in the shared cache").isPresent();
        SessionLock elsewhere = new SessionLock(cache, Duration.ofSeconds(1)); // another engine on the same cache
        assertThatThrownBy(() -> elsewhere.acquire(session)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already in progress");

        lease.release();
        lease.release(); // idempotent
        elsewhere.acquire(session).release();
    }

    @Test
    void a_lease_nobody_renews_ends_after_its_ttl() throws Exception {
        // a holder that died: its entry is in the cache, nothing renews it
        cache.putIfAbsent("dm:turn-lock:" + session, "dead-holder", Duration.ofMillis(200));
        SessionLock lock = new SessionLock(cache, Duration.ofMillis(200));
        assertThatThrownBy(() -> lock.acquire(session)).isInstanceOf(ConflictException.class);

        Thread.sleep(400);
        lock.acquire(session).release();
    }

    @Test
    void a_second_turn_in_this_process_is_refused_and_the_session_is_free_after_release() {
        SessionLock lock = new SessionLock(cache, Duration.ofSeconds(30));
        SessionLock.Lease lease = lock.acquire(session);
        assertThatThrownBy(() -> lock.acquire(session)).isInstanceOf(ConflictException.class);
        lock.acquire(UUID.randomUUID()).release(); // other sessions are free
        lease.close();
        lock.acquire(session).release();
    }
}
