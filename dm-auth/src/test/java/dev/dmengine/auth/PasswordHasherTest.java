package dev.dmengine.auth;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.UnavailableException;
import dev.dmengine.testkit.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PasswordHasherTest {

    /** One hasher for the class: every hash costs tens of milliseconds. */
    private static final PasswordHasher HASHER = new PasswordHasher();

    /** Made by the reference implementation: {@code echo -n "correct horse battery staple" | argon2 dm-engine-salt16 -id -t 2 -k 19456 -p 1 -l 32 -e}. */
    static final String REFERENCE_HASH =
            "$argon2id$v=19$m=19456,t=2,p=1$ZG0tZW5naW5lLXNhbHQxNg$WfXBJBLUQw8NFSRgWMWOTY++aby2j3J63PPqyCP3mOI";
    /** {@code echo -n "Mallory-Keeps-Dragons-7" | argon2 legacy-salt-0001 -id -t 1 -k 8192 -p 1 -l 32 -e}: below the floor. */
    static final String WEAK_HASH =
            "$argon2id$v=19$m=8192,t=1,p=1$bGVnYWN5LXNhbHQtMDAwMQ$2TZp9sJuPRSZWGG3KITTv02OTJZDQsspeByb6p3JO2c";
    static final String WEAK_HASH_PASSWORD = "Mallory-Keeps-Dragons-7";

    @Test
    void writes_phc_strings_with_the_owasp_minimum_parameters() {
        String hash = HASHER.hash("Mallory-Keeps-Dragons-7");

        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(PasswordHasher.paramsOf(hash)).contains(PasswordHasher.Params.OWASP_MINIMUM);
    }

    @Test
    void verifies_the_right_password_and_refuses_a_wrong_one() {
        String hash = HASHER.hash("Mallory-Keeps-Dragons-7");

        assertThat(HASHER.verify("Mallory-Keeps-Dragons-7", hash)).isTrue();
        assertThat(HASHER.verify("Mallory-Keeps-Dragons-8", hash)).isFalse();
    }

    @Test
    void salts_every_hash() {
        assertThat(HASHER.hash("same password here")).isNotEqualTo(HASHER.hash("same password here"));
    }

    @Test
    void verifies_hashes_made_by_the_reference_implementation() {
        assertThat(HASHER.verify("correct horse battery staple", REFERENCE_HASH)).isTrue();
        assertThat(HASHER.verify("correct horse battery stapler", REFERENCE_HASH)).isFalse();
        assertThat(HASHER.verify(WEAK_HASH_PASSWORD, WEAK_HASH)).isTrue();
    }

    @Test
    void never_truncates_a_password_differing_only_at_character_100() {
        String base = "a sentence long enough to pass any reasonable limit on length, and then some more words ".repeat(2);
        String one = base.substring(0, 99) + "X" + base.substring(100);
        String other = base.substring(0, 99) + "Y" + base.substring(100);
        assertThat(one).hasSize(other.length()).isNotEqualTo(other);

        String hash = HASHER.hash(one);

        assertThat(HASHER.verify(one, hash)).isTrue();
        assertThat(HASHER.verify(other, hash)).isFalse();
    }

    @Test
    void hashes_the_nfkc_form_so_equivalent_spellings_match() {
        String composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
        String decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t";

        assertThat(HASHER.verify(decomposed, HASHER.hash(composed))).isTrue();
    }

    @Test
    void malformed_missing_or_foreign_hashes_never_match() {
        for (String bad : new String[]{null, "", "!", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "$2a$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234", "$argon2id$v=19$m=x,t=2,p=1$AAAA$BBBB",
                REFERENCE_HASH.substring(0, REFERENCE_HASH.length() - 5)}) {
            assertThat(HASHER.verify("correct horse battery staple", bad)).as("%s", bad).isFalse();
            assertThat(HASHER.needsRehash(bad)).as("%s", bad).isTrue();
        }
    }

    @Test
    void the_dummy_hash_is_a_real_hash_at_the_configured_parameters_that_matches_nothing_we_know() {
        assertThat(PasswordHasher.paramsOf(HASHER.dummyHash())).contains(HASHER.params());
        assertThat(HASHER.verify("", HASHER.dummyHash())).isFalse();
        assertThat(HASHER.verify("password", HASHER.dummyHash())).isFalse();
    }

    @Test
    void needs_rehash_when_stored_parameters_are_below_the_configured_ones() {
        assertThat(HASHER.needsRehash(WEAK_HASH)).isTrue();
        assertThat(HASHER.needsRehash(REFERENCE_HASH)).isFalse();

        PasswordHasher stronger = new PasswordHasher(new PasswordHasher.Params(19 * 1024, 3, 1));
        assertThat(stronger.needsRehash(REFERENCE_HASH)).isTrue();
        assertThat(stronger.verify("correct horse battery staple", REFERENCE_HASH)).isTrue();
    }

    @Test
    void refuses_parameters_below_the_owasp_minimum() {
        assertThatThrownBy(() -> new PasswordHasher(new PasswordHasher.Params(8192, 2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the OWASP minimum");
        assertThatThrownBy(() -> new PasswordHasher(new PasswordHasher.Params(19 * 1024, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the OWASP minimum");
        assertThatThrownBy(() -> new PasswordHasher.Params(19 * 1024, 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
    }

    @Test
    void hashes_beyond_the_running_ones_wait_in_the_queue() throws Exception {
        PasswordHasher single = new PasswordHasher(PasswordHasher.Params.OWASP_MINIMUM, 1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < 3; i++) {
                String password = "queued password number " + i;
                futures.add(pool.submit(() -> single.verify(password, single.hash(password))));
            }
            for (var f : futures) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThatThrownBy(() -> new PasswordHasher(PasswordHasher.Params.OWASP_MINIMUM, 0))
                .hasMessageContaining("threads");
    }

    @Test
    void to_string_names_the_scheme_not_a_secret() {
        assertThat(new PasswordHasher(PasswordHasher.Params.OWASP_MINIMUM, new PasswordHasher.Pool(2, 16)))
                .hasToString("PasswordHasher[argon2id, Params[memoryKib=19456, iterations=2, parallelism=1], "
                        + "Pool[threads=2, queue=16]]");
    }

    // ------------------------------------------------------------------ the bound (issue 12, finding 6)

    @Test
    void a_call_finding_the_threads_busy_and_the_queue_full_is_refused_at_once_with_a_retry_delay() throws Exception {
        PasswordHasher small = new PasswordHasher(PasswordHasher.Params.OWASP_MINIMUM, new PasswordHasher.Pool(1, 2));
        String hash = small.hash("Mallory-Keeps-Dragons-7");
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.Callable<Void> blocker = () -> {
            release.await();
            return null;
        };
        try {
            // one running (waited for, so that the two after it surely queue), two waiting: full
            Await.until("the hasher is idle", () -> small.executor().getActiveCount() == 0);
            small.executor().submit(blocker);
            Await.until("the blocker runs", () -> small.executor().getActiveCount() == 1
                    && small.executor().getQueue().isEmpty());
            small.executor().submit(blocker);
            small.executor().submit(blocker);

            UnavailableException busy = catchThrowableOfType(UnavailableException.class,
                    () -> small.verify("Mallory-Keeps-Dragons-7", hash));

            assertThat(busy.getMessage()).contains("try again");
            assertThat(busy.retryAfter()).hasValueSatisfying(d ->
                    assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(60)));
            assertThatThrownBy(() -> small.hash("another password here")).isInstanceOf(UnavailableException.class);
        } finally {
            release.countDown();
        }
        // once the queue drains, the same call succeeds
        Await.until("the hasher accepts work again", () -> small.executor().getQueue().isEmpty()
                && small.executor().getActiveCount() == 0);
        assertThat(small.verify("Mallory-Keeps-Dragons-7", hash)).isTrue();
    }

    @Test
    void hashes_run_on_the_hashers_own_platform_threads() throws Exception {
        PasswordHasher small = new PasswordHasher(PasswordHasher.Params.OWASP_MINIMUM, new PasswordHasher.Pool(1, 1));
        Thread caller = Thread.ofVirtual().start(() -> small.hash("Mallory-Keeps-Dragons-7"));
        caller.join();

        Thread worker = small.executor().submit(Thread::currentThread).get();
        assertThat(worker.isVirtual()).isFalse();
        assertThat(worker.isDaemon()).isTrue();
        assertThat(worker.getName()).startsWith("dm-password-hash-");
    }

    @Test
    void pool_sizes_are_checked_and_the_default_leaves_cores_free() {
        assertThatThrownBy(() -> new PasswordHasher.Pool(0, 1)).hasMessageContaining("threads");
        assertThatThrownBy(() -> new PasswordHasher.Pool(1, -1)).hasMessageContaining("queue");
        PasswordHasher.Pool d = PasswordHasher.Pool.defaults();
        assertThat(d.threads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(d.queue()).isEqualTo(8 * d.threads());
    }

    @Test
    void a_lone_surrogate_is_never_hashed() {
        assertThatThrownBy(() -> HASHER.hash("amber lantern \uD800 over the moor"))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("password:");
        String hash = HASHER.hash("amber lantern ? over the moor");
        assertThatThrownBy(() -> HASHER.verify("amber lantern \uDBFF over the moor", hash))
                .isInstanceOf(InvalidInputException.class);
    }
}
