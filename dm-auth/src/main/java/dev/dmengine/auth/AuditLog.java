package dev.dmengine.auth;

/**
 * Where {@link AuthService} reports security events. The default,
 * {@link Slf4jAuditLog}, writes one line each to the {@code dev.dmengine.audit.auth} logger;
 * a host may forward events to its own store instead. Implementations must be thread-safe and
 * should not throw (a failure to audit does not undo the action).
 */
@FunctionalInterface
public interface AuditLog {

    void record(AuditEvent event);

    /** The default: SLF4J, logger {@value Slf4jAuditLog#LOGGER}. */
    static AuditLog slf4j() {
        return new Slf4jAuditLog();
    }
}
