package dev.dmengine.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each {@link AuditEvent} as one {@code key=value} line to the logger
 * {@value #LOGGER}: failures, reuse and rate limiting at WARN, the rest at INFO. Every value
 * is an enum name, an id, a sanitised IP or a checked code, so no line can be forged by input.
 */
public final class Slf4jAuditLog implements AuditLog {

    public static final String LOGGER = "dev.dmengine.audit.auth";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    @Override
    public void record(AuditEvent e) {
        boolean warn = switch (e.type()) {
            case LOGIN_FAILED, REFRESH_REUSE_DETECTED, RATE_LIMITED, ACCOUNT_DISABLED -> true;
            default -> false;
        };
        String line = "event={} at={} player={} ip={} detail={}";
        Object[] args = {e.type(), e.at(), e.playerId() == null ? "-" : e.playerId(), e.clientIp(),
                e.detail() == null ? "-" : e.detail()};
        if (warn) {
            LOG.warn(line, args);
        } else {
            LOG.info(line, args);
        }
    }
}
