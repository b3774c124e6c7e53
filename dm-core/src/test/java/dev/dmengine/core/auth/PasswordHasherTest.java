package dev.dmengine.core.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void hashes_queue_for_the_allowed_number_of_slots() throws Exception {
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
                .hasMessageContaining("maxConcurrent");
    }

    @Test
    void to_string_names_the_scheme_not_a_secret() {
        assertThat(HASHER).hasToString("PasswordHasher[argon2id, Params[memoryKib=19456, iterations=2, parallelism=1]]");
    }
}
