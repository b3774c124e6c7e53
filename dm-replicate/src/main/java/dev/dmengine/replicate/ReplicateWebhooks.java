package dev.dmengine.replicate;

import dev.dmengine.remote.HttpModelBuilder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies Replicate's webhook deliveries. Replicate signs each delivery the Standard Webhooks way:
 * the headers {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and
 * {@code webhook-signature} (space-separated {@code v1,<base64>} entries) accompany a body whose
 * signature is HMAC-SHA256 over {@code id + "." + timestamp + "." + body}, keyed with the
 * base64-decoded part of the signing secret after {@code whsec_}.
 *
 * <p>A delivery is {@link Status#ACCEPTED} when one signature matches (compared in constant time)
 * and its timestamp is within {@code tolerance} of now; a delivery whose id was accepted before is
 * {@link Status#DUPLICATE} — Replicate resends with the same id, so the host acknowledges it and
 * does nothing. Remembered ids are bounded in number and forgotten once older than the tolerance,
 * after which a replay fails the timestamp check anyway. Thread-safe.
 */
public final class ReplicateWebhooks {

    /** The outcome of a verification. */
    public enum Status {
        /** Authentic and new: process it. */
        ACCEPTED,
        /** Authentic, but this id was accepted before: acknowledge, do nothing. */
        DUPLICATE,
        /** Not authentic, stale or malformed: refuse it (HTTP 401/400) and do nothing. */
        REJECTED
    }

    /** A verification's outcome and, for a rejection, why. */
    public record Verdict(Status status, String reason) {
        public boolean accepted() {
            return status == Status.ACCEPTED;
        }
    }

    private static final int DEFAULT_MAX_REMEMBERED = 10_000;

    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;
    private final int maxRemembered;
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    /** A verifier with a 5-minute tolerance on the system clock. */
    public ReplicateWebhooks(String signingSecret) {
        this(signingSecret, Duration.ofMinutes(5), Clock.systemUTC(), DEFAULT_MAX_REMEMBERED);
    }

    /**
     * @param signingSecret the {@code whsec_…} secret (from {@code GET /v1/webhooks/default/secret})
     * @param tolerance     how far a delivery's timestamp may be from now, either way
     * @param maxRemembered how many accepted ids are kept for replay detection
     */
    public ReplicateWebhooks(String signingSecret, Duration tolerance, Clock clock, int maxRemembered) {
        Objects.requireNonNull(signingSecret, "signingSecret");
        if (!signingSecret.startsWith("whsec_")) {
            throw new IllegalArgumentException("the webhook signing secret must start with whsec_");
        }
        try {
            this.key = Base64.getDecoder().decode(signingSecret.substring("whsec_".length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the webhook signing secret is not whsec_ followed by base64");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("the webhook signing secret is empty after whsec_");
        }
        this.tolerance = HttpModelBuilder.positive(tolerance, "tolerance");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxRemembered < 1) {
            throw new IllegalArgumentException("maxRemembered must be at least 1, was " + maxRemembered);
        }
        this.maxRemembered = maxRemembered;
    }

    /**
     * Verifies one delivery. {@code body} must be the raw bytes as received, before any JSON parsing.
     * Header values may be null when the header was missing.
     */
    public Verdict verify(String webhookId, String webhookTimestamp, String webhookSignature, byte[] body) {
        if (webhookId == null || webhookId.isBlank() || webhookTimestamp == null || webhookSignature == null
                || body == null) {
            return rejected("missing webhook-id, webhook-timestamp or webhook-signature header");
        }
        long seconds;
        try {
            seconds = Long.parseLong(webhookTimestamp.trim());
        } catch (NumberFormatException e) {
            return rejected("webhook-timestamp is not a number of seconds");
        }
        Instant now = clock.instant();
        Instant sent = Instant.ofEpochSecond(seconds);
        if (Duration.between(sent, now).abs().compareTo(tolerance) > 0) {
            return rejected("webhook-timestamp is more than " + tolerance.toSeconds() + " s from now");
        }
        byte[] expected = sign(webhookId, webhookTimestamp.trim(), body);
        boolean match = false;
        for (String entry : webhookSignature.trim().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(expected, given); // constant time; keep checking all entries
        }
        if (!match) {
            return rejected("no webhook-signature matches");
        }
        synchronized (seen) {
            forgetOld(now);
            if (seen.containsKey(webhookId)) {
                return new Verdict(Status.DUPLICATE, "webhook " + webhookId + " was already delivered");
            }
            seen.put(webhookId, now);
            while (seen.size() > maxRemembered) {
                Iterator<String> eldest = seen.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        return new Verdict(Status.ACCEPTED, "");
    }

    /** The {@code v1,<base64>} signature of a delivery: for tests and for fakes that send webhooks. */
    public String signature(String webhookId, String webhookTimestamp, byte[] body) {
        return "v1," + Base64.getEncoder().encodeToString(sign(webhookId, webhookTimestamp, body));
    }

    private byte[] sign(String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private void forgetOld(Instant now) {
        Instant horizon = now.minus(tolerance).minus(tolerance);
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().isBefore(horizon)) {
                it.remove();
            } else {
                break; // insertion order is time order
            }
        }
    }

    private static Verdict rejected(String reason) {
        return new Verdict(Status.REJECTED, reason);
    }

    @Override
    public String toString() {
        return "ReplicateWebhooks[secret=[redacted], tolerance=" + tolerance + "]";
    }
}
