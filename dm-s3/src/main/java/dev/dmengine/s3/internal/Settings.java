package dev.dmengine.s3.internal;

import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.objects.PresignedRequest;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks of the adapter's settings. Each failure is an {@link IllegalArgumentException} whose
 * message starts with the setting's name, so a host can point at its own configuration key.
 * No message ever repeats a secret.
 */
public final class Settings {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Settings() {
    }

    public static IllegalArgumentException wrong(String setting, String problem) {
        return new IllegalArgumentException(setting + ": " + problem);
    }

    /** An absolute http(s) URL with a host and no path, query or fragment; returned without a trailing slash. */
    public static String endpoint(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw wrong(setting, "is required (the S3 endpoint URL, e.g. http://127.0.0.1:3900)");
        }
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw wrong(setting, "is not a URL: " + value);
        }
        String path = uri.getRawPath();
        if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw wrong(setting, "must be an http:// or https:// URL with a host, was " + value);
        }
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            // a signature covers the path: a store behind a gateway that rewrites it cannot check one
            throw wrong(setting, "must have no path, query or fragment (S3 signs the path the store sees), was "
                    + value);
        }
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /** An S3 bucket name: 3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP. */
    public static String bucket(String value) {
        if (value == null || !BUCKET.matcher(value).matches() || value.contains("..") || IP.matcher(value).matches()) {
            throw wrong("bucket", "must be 3 to 63 characters of a-z 0-9 . - starting and ending with a letter or"
                    + " digit, not an IP address, was " + value);
        }
        return value;
    }

    public static String region(String value) {
        if (value == null || !REGION.matcher(value).matches()) {
            throw wrong("region", "must be 1 to 64 characters of A-Z a-z 0-9 . _ - (on Garage: its s3_region),"
                    + " was " + value);
        }
        return value;
    }

    public static String required(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw wrong(setting, "is required");
        }
        return value;
    }

    public static Duration ttl(String setting, Duration value) {
        try {
            return PresignedRequest.checkTtl(value);
        } catch (InvalidInputException e) {
            throw wrong(setting, "must be more than 0 and at most " + PresignedRequest.MAX_TTL + ", was " + value);
        }
    }

    public static Duration positive(String setting, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw wrong(setting, "must be positive, was " + value);
        }
        return value;
    }

    /** An origin as browsers send it ({@code scheme://host[:port]}), or {@code *}. */
    public static String origin(String value) {
        if ("*".equals(value)) {
            return value;
        }
        String setting = "corsAllowedOrigins";
        if (value == null) {
            throw wrong(setting, "must not contain null");
        }
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null || uri.getRawPath() == null
                    || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || uri.getRawUserInfo() != null) {
                throw wrong(setting, "must hold origins such as https://game.example.org (scheme, host and port"
                        + " only) or *, was " + value);
            }
        } catch (URISyntaxException e) {
            throw wrong(setting, "must hold origins such as https://game.example.org or *, was " + value);
        }
        return value;
    }
}
