package dev.dmengine.replicate.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicateApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void an_input_stored_with_numbers_in_another_form_is_the_same_input() throws Exception {
        var sent = JSON.readTree("{\"prompt\":\"Hi\",\"max_tokens\":20,\"temperature\":0.5,\"stop\":[\"a\"]}");

        assertThat(ReplicateApi.sameInput(sent,
                JSON.readTree("{\"temperature\":0.50,\"max_tokens\":20.0,\"prompt\":\"Hi\",\"stop\":[\"a\"]}"))).isTrue();
        assertThat(ReplicateApi.sameInput(sent,
                JSON.readTree("{\"prompt\":\"Hi!\",\"max_tokens\":20,\"temperature\":0.5,\"stop\":[\"a\"]}"))).isFalse();
        assertThat(ReplicateApi.sameInput(sent,
                JSON.readTree("{\"prompt\":\"Hi\",\"max_tokens\":20,\"temperature\":0.5}"))).isFalse();
        assertThat(ReplicateApi.sameInput(sent, null)).isFalse();
    }
}
