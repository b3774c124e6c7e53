package dev.dmengine.remote;

/** Keeps credentials out of messages: provider error bodies may echo the key they were sent. */
public final class Secrets {

    private static final int MAX_DETAIL = 300;

    private Secrets() {
    }

    /** {@code text} without any occurrence of {@code secret}, cut to a readable length. */
    public static String scrub(String text, String secret) {
        if (text == null) {
            return "";
        }
        String t = text;
        if (secret != null && !secret.isEmpty()) {
            t = t.replace(secret, "[redacted]");
            if (secret.length() >= 12) {
                // providers often echo a shortened key such as sk-abc...xyz; drop any long prefix too
                t = t.replace(secret.substring(0, 8), "[redacted]");
            }
        }
        t = t.replaceAll("\\s+", " ").trim();
        return t.length() > MAX_DETAIL ? t.substring(0, MAX_DETAIL) + "…" : t;
    }
}
