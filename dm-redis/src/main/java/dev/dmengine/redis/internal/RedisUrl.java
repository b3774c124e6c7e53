package dev.dmengine.redis.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A parsed {@code redis://[user[:password]@]host[:port][/database]} or {@code rediss://…} (TLS)
 * URL. {@link #toString()} never shows the password.
 */
public record RedisUrl(String host, int port, boolean tls, String user, String password, int database) {

    public static final int DEFAULT_PORT = 6379;

    public static RedisUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url must be a redis:// or rediss:// URL, was empty");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url is not a valid redis:// URL: " + redact(url), e);
        }
        String scheme = uri.getScheme();
        if (!"redis".equalsIgnoreCase(scheme) && !"rediss".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("url must start with redis:// or rediss://, was " + redact(url));
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("url names no host: " + redact(url));
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo); // redis://secret@host: a password alone, as redis-cli reads it
            } else {
                user = colon == 0 ? null : decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("url path must be a database number, was " + path);
            }
            if (database < 0) {
                throw new IllegalArgumentException("url database must not be negative, was " + database);
            }
        }
        return new RedisUrl(uri.getHost(), port, "rediss".equalsIgnoreCase(scheme), user, password, database);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}, for messages and logs. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("(?<=://)([^@/]*)@", "***@");
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + (user != null || password != null ? "***@" : "") + host + ":" + port
                + (database == 0 ? "" : "/" + database);
    }
}
