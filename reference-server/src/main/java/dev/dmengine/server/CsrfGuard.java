package dev.dmengine.server;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CSRF decision for requests authenticated by cookie, as OWASP's CSRF Prevention Cheat
 * Sheet advises: Fetch Metadata ({@code Sec-Fetch-Site}) first, the {@code Origin} header as
 * the mandatory fallback for browsers that send no Fetch Metadata. Framework-free: the host's
 * middleware passes the method and the two headers and turns a refusal into a 403.
 *
 * <ul>
 *   <li>safe methods (GET, HEAD, OPTIONS) pass — they must not change state;</li>
 *   <li>requests not authenticated by a cookie (a bearer token, or none) pass — a browser
 *       does not attach those on its own;</li>
 *   <li>{@code Sec-Fetch-Site: same-origin} or {@code none} (typed by the user) passes;
 *       {@code same-site} or {@code cross-site} passes only from an allowed origin;</li>
 *   <li>without {@code Sec-Fetch-Site}, the {@code Origin} must be present and allowed.</li>
 * </ul>
 */
final class CsrfGuard {

    /** The answer for one request. */
    public enum Decision {
        ALLOWED,
        /** Sec-Fetch-Site says cross-site or same-site, and the origin is not allowed. */
        REFUSED_CROSS_SITE,
        /** No Sec-Fetch-Site, and no Origin header either. */
        REFUSED_NO_ORIGIN,
        /** No Sec-Fetch-Site, and an Origin that is not allowed. */
        REFUSED_ORIGIN;

        public boolean allowed() {
            return this == ALLOWED;
        }
    }

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final Set<String> allowedOrigins;

    /**
     * @param allowedOrigins the site's own origins ({@code scheme://host[:port]}, e.g.
     *                       {@code https://dm.example}), and any other front end trusted to
     *                       send state-changing requests with the player's cookies
     */
    public CsrfGuard(Set<String> allowedOrigins) {
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        if (allowedOrigins.isEmpty()) {
            throw new IllegalArgumentException("allowedOrigins must name at least the site's own origin");
        }
        this.allowedOrigins = allowedOrigins.stream().map(CsrfGuard::origin).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * @param method               the HTTP method
     * @param cookieAuthenticated  whether the request is authenticated by the access cookie
     *                             (rather than an {@code Authorization} header)
     * @param secFetchSite         the {@code Sec-Fetch-Site} header, {@code null} if absent
     * @param origin               the {@code Origin} header, {@code null} if absent
     */
    public Decision check(String method, boolean cookieAuthenticated, String secFetchSite, String origin) {
        if (method == null || SAFE.contains(method.toUpperCase(Locale.ROOT)) || !cookieAuthenticated) {
            return Decision.ALLOWED;
        }
        boolean originAllowed = origin != null && !origin.isBlank() && !"null".equals(origin.strip())
                && allowedOrigins.contains(originOrEmpty(origin));
        if (secFetchSite != null && !secFetchSite.isBlank()) {
            String site = secFetchSite.strip().toLowerCase(Locale.ROOT);
            if (site.equals("same-origin") || site.equals("none")) {
                return Decision.ALLOWED;
            }
            return originAllowed ? Decision.ALLOWED : Decision.REFUSED_CROSS_SITE;
        }
        if (origin == null || origin.isBlank()) {
            return Decision.REFUSED_NO_ORIGIN;
        }
        return originAllowed ? Decision.ALLOWED : Decision.REFUSED_ORIGIN;
    }

    private static String originOrEmpty(String value) {
        try {
            return origin(value);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** {@code scheme://host[:port]} in lower case, default ports dropped. */
    static String origin(String value) {
        URI uri;
        try {
            uri = URI.create(value.strip());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not an origin: " + value, e);
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + value);
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("https") && port == 443 || scheme.equals("http") && port == 80;
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
