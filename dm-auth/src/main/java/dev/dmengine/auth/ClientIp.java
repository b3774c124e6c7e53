package dev.dmengine.auth;

/** Client addresses as the auth logic uses them: in rate-limit keys and audit events. */
final class ClientIp {

    static final String UNKNOWN = "unknown";
    private static final int MAX = 64;

    private ClientIp() {
    }

    /**
     * The address with anything that is not part of an IPv4/IPv6 literal (or a zone id)
     * replaced, at most 64 characters; {@value #UNKNOWN} when absent. The host is trusted to
     * pass the real client address (from the edge proxy), not a client-supplied header.
     */
    static String sanitise(String ip) {
        if (ip == null || ip.isBlank()) {
            return UNKNOWN;
        }
        String s = ip.strip();
        if (s.length() > MAX) {
            s = s.substring(0, MAX);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                    || c == '.' || c == ':' || c == '%' || c == '-' || c == '_';
            out.append(ok ? c : '_');
        }
        return out.toString();
    }
}
