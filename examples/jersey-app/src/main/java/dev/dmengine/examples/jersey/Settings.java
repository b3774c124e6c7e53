package dev.dmengine.examples.jersey;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the app is told from outside. Each key is read from a system property, else from the
 * environment variable beside it, else it takes its default.
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><td>{@code dm.host} / {@code DM_HOST}</td><td>{@code localhost}</td></tr>
 *   <tr><td>{@code dm.port} / {@code DM_PORT}</td><td>{@code 8090}; {@code 0} picks a free port</td></tr>
 *   <tr><td>{@code dm.narrator.pacing-ms} / {@code DM_NARRATOR_PACING_MS}</td><td>{@code 30}</td></tr>
 *   <tr><td>{@code dm.postgres.url} / {@code DM_POSTGRES_URL}</td><td>none: everything in memory</td></tr>
 *   <tr><td>{@code dm.postgres.user} / {@code DM_POSTGRES_USER}</td><td>required with a URL</td></tr>
 *   <tr><td>{@code dm.postgres.password} / {@code DM_POSTGRES_PASSWORD}</td><td>empty</td></tr>
 *   <tr><td>{@code dm.postgres.schema-prefix} / {@code DM_POSTGRES_SCHEMA_PREFIX}</td><td>none</td></tr>
 * </table>
 */
public record Settings(String host, int port, Duration narratorPacing, Optional<Postgres> postgres) {

    /** A PostgreSQL database; {@code schemaPrefix} (may be null) puts the tables in {@code <prefix>auth/game}. */
    public record Postgres(String url, String user, String password, String schemaPrefix) {
        public Postgres {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(user, "user");
            password = password == null ? "" : password;
        }

        @Override
        public String toString() { // never the password
            return "Postgres[" + url + " as " + user + "]";
        }
    }

    public Settings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(narratorPacing, "narratorPacing");
        Objects.requireNonNull(postgres, "postgres");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("dm.port must be 0 to 65535, was " + port);
        }
    }

    /** In memory on {@code localhost}, on the given port, with an unpaced narrator. */
    public static Settings inMemory(int port) {
        return new Settings("localhost", port, Duration.ZERO, Optional.empty());
    }

    public Settings withPostgres(Postgres value) {
        return new Settings(host, port, narratorPacing, Optional.of(value));
    }

    public static Settings fromEnvironment() {
        String host = setting("dm.host", "DM_HOST").orElse("localhost");
        int port = number("dm.port", "DM_PORT", 8090);
        Duration pacing = Duration.ofMillis(number("dm.narrator.pacing-ms", "DM_NARRATOR_PACING_MS", 30));
        Optional<String> url = setting("dm.postgres.url", "DM_POSTGRES_URL");
        Optional<String> user = setting("dm.postgres.user", "DM_POSTGRES_USER");
        if (url.isPresent() != user.isPresent()) {
            throw new IllegalArgumentException("dm.postgres.url (DM_POSTGRES_URL) and dm.postgres.user "
                    + "(DM_POSTGRES_USER) go together: set both for PostgreSQL, or neither for memory");
        }
        Optional<Postgres> postgres = url.map(u -> new Postgres(u, user.orElseThrow(),
                setting("dm.postgres.password", "DM_POSTGRES_PASSWORD").orElse(""),
                setting("dm.postgres.schema-prefix", "DM_POSTGRES_SCHEMA_PREFIX").orElse(null)));
        return new Settings(host, port, pacing, postgres);
    }

    private static Optional<String> setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    private static int number(String property, String env, int fallback) {
        String v = setting(property, env).orElse(null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " (" + env + ") must be a whole number of at least 0, was '"
                    + v + "'");
        }
    }
}
