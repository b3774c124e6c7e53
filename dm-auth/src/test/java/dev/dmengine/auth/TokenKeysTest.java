package dev.dmengine.auth;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenKeysTest {

    @Test
    void pem_round_trip_keeps_the_keys() {
        KeyPair pair = TokenKeys.generateKeyPair();

        TokenKeys keys = TokenKeys.builder()
                .signingKey("k", TokenKeys.privateKeyFromPem(TokenKeys.toPem(pair.getPrivate())),
                        TokenKeys.publicKeyFromPem(TokenKeys.toPem(pair.getPublic())))
                .build();

        assertThat(keys.verificationKey("k")).contains(pair.getPublic());
        assertThat(TokenKeys.toPem(pair.getPrivate())).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void refuses_a_private_and_public_key_that_are_not_a_pair() {
        KeyPair a = TokenKeys.generateKeyPair();
        KeyPair b = TokenKeys.generateKeyPair();

        assertThatThrownBy(() -> TokenKeys.builder().signingKey("k", a.getPrivate(), b.getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a pair");
    }

    @Test
    void refuses_keys_that_are_not_ed25519() throws Exception {
        KeyPair ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();

        assertThatThrownBy(() -> TokenKeys.builder().verificationKey("ec", ec.getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an Ed25519");
        assertThatThrownBy(() -> TokenKeys.builder().signingKey("ed448", ed448))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refuses_one_key_id_for_two_keys_and_bad_key_ids() {
        KeyPair a = TokenKeys.generateKeyPair();
        KeyPair b = TokenKeys.generateKeyPair();

        assertThatThrownBy(() -> TokenKeys.builder().signingKey("k", a).verificationKey("k", b.getPublic()))
                .hasMessageContaining("two different keys");
        assertThatThrownBy(() -> TokenKeys.builder().verificationKey("bad kid\n", a.getPublic()))
                .hasMessageContaining("key id");
        assertThatThrownBy(() -> TokenKeys.builder().verificationKey("old", a.getPublic()).build())
                .hasMessageContaining("signing key");
    }

    @Test
    void generated_keys_are_named_by_their_rfc_7638_thumbprint() {
        TokenKeys keys = TokenKeys.generate();

        assertThat(keys.signingKeyId()).matches("[A-Za-z0-9_-]{43}");
        assertThat(keys.signingKeyId()).isEqualTo(TokenKeys.thumbprint(keys.verificationKey(keys.signingKeyId()).orElseThrow()));
        assertThat(keys.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void thumbprint_matches_the_rfc_8037_example_key() {
        // RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key
        String x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        byte[] raw = java.util.Base64.getUrlDecoder().decode(x);
        byte[] spki = new byte[44];
        System.arraycopy(new byte[]{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}, 0, spki, 0, 12);
        System.arraycopy(raw, 0, spki, 12, 32);

        String pem = java.util.Base64.getEncoder().encodeToString(spki);

        assertThat(TokenKeys.thumbprint(TokenKeys.publicKeyFromPem(pem)))
                .isEqualTo("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}
