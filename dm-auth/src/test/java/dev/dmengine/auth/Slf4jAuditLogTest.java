package dev.dmengine.auth;

import dev.dmengine.spi.Ids;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Slf4jAuditLogTest {

    /** slf4j-simple (the test binding) writes to whatever System.err is at the time. */
    private static String captured(Runnable r) {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writes_one_key_value_line_per_event() {
        UUID player = Ids.newId();
        Instant at = Instant.parse("2030-01-01T00:00:00Z");

        String log = captured(() -> {
            AuditLog.slf4j().record(new AuditEvent(AuditEvent.Type.LOGIN_FAILED, at, null, "203.0.113.7", "unknown_account"));
            AuditLog.slf4j().record(new AuditEvent(AuditEvent.Type.LOGGED_OUT, at, player, "2001:db8::1", null));
        });

        assertThat(log.lines().filter(l -> l.contains(Slf4jAuditLog.LOGGER)).toList()).satisfiesExactly(
                l -> assertThat(l).endsWith("WARN " + Slf4jAuditLog.LOGGER
                        + " - event=LOGIN_FAILED at=2030-01-01T00:00:00Z player=- ip=203.0.113.7 detail=unknown_account"),
                l -> assertThat(l).endsWith("INFO " + Slf4jAuditLog.LOGGER
                        + " - event=LOGGED_OUT at=2030-01-01T00:00:00Z player=" + player + " ip=2001:db8::1 detail=-"));
    }

    @Test
    void input_cannot_forge_a_line() {
        AuditEvent forged = new AuditEvent(AuditEvent.Type.LOGIN_FAILED, Instant.EPOCH, null,
                "1.2.3.4\nINFO dev.dmengine.audit.auth - event=LOGIN_SUCCEEDED", null);

        assertThat(forged.clientIp()).doesNotContain("\n", " ", "=");
        assertThatThrownBy(() -> new AuditEvent(AuditEvent.Type.LOGIN_FAILED, Instant.EPOCH, null, "1.2.3.4",
                "free text with spaces")).isInstanceOf(IllegalArgumentException.class);
    }
}
