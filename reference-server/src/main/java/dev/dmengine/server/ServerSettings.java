package dev.dmengine.server;

import io.helidon.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything the server reads from configuration, checked once at start-up. Keys live under
 * {@code dm:} in kebab-case; every value can be overridden by an environment variable
 * ({@code dm.server.port} is {@code DM_SERVER_PORT}, a dash is {@code _dash_}:
 * {@code dm.auth.signing-key} is {@code DM_AUTH_SIGNING_dash_KEY}). A wrong or half-given
 * setting stops start-up with an {@link IllegalArgumentException} naming the key.
 *
 * @param insecureCookies whether auth cookies drop {@code Secure}; {@code null} in the
 *                        configuration means "only in the embedded profile bound to localhost"
 * @param assets          where players' files go: an S3 store or local folders ({@link AssetSettings})
 */
public record ServerSettings(String host, int port, int maxPayloadBytes, Duration heartbeat, Duration shutdownGrace,
                             List<Cidr> trustedProxies, Set<String> allowedOrigins, Duration narratorPacing,
                             Optional<String> serviceToken, Optional<String> signingKeyPem, Optional<String> publicKeyPem, String issuer,
                             boolean insecureCookies, Optional<Postgres> postgres, int jobWorkers, Model model,
                             EmbedderChoice embedder, AuthSettings auth, Limits limits, Optional<Redis> redis,
                             Duration jobLease, Duration turnLockTtl,
                             AssetSettings assets) {

    /**
     * The Redis adapters' settings; present when {@code dm.redis.url} is set. Event bus, rate
     * limits and the cache (turn locks) are then shared by every instance on the same Redis.
     *
     * @param url       {@code redis://[user[:password]@]host[:port][/db]} or {@code rediss://…} (TLS)
     * @param password  overrides the URL's; never logged
     * @param keyPrefix prefix of every key, so deployments can share one Redis
     * @param hotReads  {@code dm.redis.hot-reads}: the session, character and recent window every
     *                  turn reads are cached in Redis (see the README's "Hot reads")
     */
    public record Redis(String url, Optional<String> user, Optional<String> password, boolean tls, String keyPrefix,
                        int poolSize, boolean hotReads) {
        @Override
        public String toString() {
            return "Redis[url=" + url.replaceAll("//[^@/]*@", "//***@") + ", tls=" + tls + ", keyPrefix=" + keyPrefix
                    + ", poolSize=" + poolSize + ", hotReads=" + hotReads + "]";
        }
    }

    /**
     * What one client, and all of them together, may hold of the server: connections, the time
     * each phase of a request may take, and event streams (SSE {@code /events} and WebSockets).
     * An empty {@code maxConnections} or {@code maxStreams} is chosen at start-up from the
     * open-file limit in force (see {@link ConnectionGuard}).
     *
     * @param maxConnections       connections served at once ({@code dm.server.max-connections})
     * @param idleTimeout          a connection waiting for (or halfway through) a request line is closed after this
     * @param headerTimeout        the headers after the request line must all arrive within this
     * @param bodyTimeout          a request body must arrive within this once the server reads it
     * @param maxStreams           event streams open at once on this server
     * @param maxStreamsPerPlayer  event streams one player may hold open, over all their sessions
     * @param maxStreamsPerSession event streams open at once on one session
     */
    public record Limits(OptionalInt maxConnections, Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout,
                         OptionalInt maxStreams, int maxStreamsPerPlayer, int maxStreamsPerSession) {
    }

    /**
     * The tuning of accounts ({@code dm.auth.*} besides keys and cookies): see the README's
     * configuration table and {@link dev.dmengine.auth.AuthConfig}.
     *
     * @param clockSkew         {@code dm.auth.clock-skew}: other hosts' clocks, for an access
     *                          token's {@code exp}, {@code iat} and {@code nbf}; 0 to 5 minutes
     * @param refreshLeeway     {@code dm.auth.refresh-leeway}: concurrent refreshes with one token
     *                          within this get the same successor; 0 (off) to 60 s
     * @param deviceTokenDays   {@code dm.auth.device-token-days}: how long a device cookie marks
     *                          its browser as known to the account; 1 to 400
     * @param hashingThreads    {@code dm.auth.hashing.threads}: password hashes at once
     * @param hashingQueue      {@code dm.auth.hashing.queue}: hashes waiting; beyond it, 503
     */
    public record AuthSettings(Duration clockSkew, Duration refreshLeeway, int deviceTokenDays, int hashingThreads,
                               int hashingQueue) {
    }

    /**
     * The language model: {@code offline} (the narrator), {@code openai} (any OpenAI-compatible
     * server: base-url and name required, api-key optional) or {@code replicate} (name required,
     * api-key or REPLICATE_API_TOKEN). The timeouts and the circuit breaker's cool-down are the
     * adapter's own defaults unless set. {@code webhook} is Replicate's, when
     * {@code dm.model.webhook-url} and {@code dm.model.webhook-secret} are set.
     */
    public record Model(String provider, Optional<String> baseUrl, Optional<String> name, Optional<String> apiKey,
                        Optional<Duration> firstTokenTimeout, Optional<Duration> totalTimeout,
                        Optional<Duration> idleTimeout, Optional<Duration> circuitBreakerCoolDown,
                        Optional<Webhook> webhook) {
        @Override
        public String toString() {
            return "Model[" + provider + ", " + name.orElse("-") + "]";
        }
    }

    /**
     * Replicate's webhooks ({@code dm.model.webhook-url}, {@code dm.model.webhook-secret}): the
     * public URL Replicate calls, and the {@code whsec_…} secret its deliveries are signed with.
     */
    public record Webhook(java.net.URI url, String secret) {
        @Override
        public String toString() { // never the secret
            return "Webhook[" + url + ", secret=[redacted]]";
        }
    }

    /**
     * The embedder: {@code minilm} (local all-MiniLM-L6-v2, the default), {@code hashing} (the
     * engine's deterministic hashing embedder; dimension optional, 384 by default), {@code openai}
     * or {@code replicate} (name and dimension required).
     *
     * @param refresh {@code dm.embedder.refresh}: how often the server looks up the database's
     *                active embedding space (another instance may have switched it)
     * @param reembed {@code dm.reembed.*}: how re-embedding runs
     */
    public record EmbedderChoice(String provider, Optional<String> baseUrl, Optional<String> name, int dimension,
                                 Optional<String> apiKey, Duration refresh, Reembed reembed) {
        @Override
        public String toString() {
            return "Embedder[" + provider + ", " + name.orElse("-") + "]";
        }
    }

    /**
     * How a re-embedding run goes ({@code dm.reembed.*}).
     *
     * @param batchSize     texts embedded and committed together ({@code batch-size}, 1 to 10000)
     * @param pause         a rest after each batch, to leave the database and the model to the
     *                      players ({@code pause}, 0 to 1 minute)
     * @param resumeOnStart whether a server that starts goes on with an unfinished run
     *                      ({@code resume-on-start})
     * @param settle        how long after the switch the last pass waits for turns that began
     *                      before it ({@code settle}, 0 to 1 hour)
     */
    public record Reembed(int batchSize, Duration pause, boolean resumeOnStart, Duration settle) {
    }

    /** The Postgres adapter's settings; present when {@code dm.postgres.url} is set. */
    public record Postgres(String url, String user, String password, Optional<String> schemaPrefix, int maxPoolSize) {
        @Override
        public String toString() { // never the password
            return "Postgres[url=" + url + ", user=" + user + ", schemaPrefix=" + schemaPrefix.orElse("") + ", maxPoolSize=" + maxPoolSize + "]";
        }
    }

    @Override
    public String toString() { // never the service token or the signing key
        return "ServerSettings[host=" + host + ", port=" + port + ", profile=" + (postgres.isPresent() ? "postgres" : "embedded")
                + ", insecureCookies=" + insecureCookies + ", trustedProxies=" + trustedProxies + "]";
    }

    /** Whether a database adapter is configured (else the embedded, in-memory profile). */
    public boolean embedded() {
        return postgres.isEmpty();
    }

    /** The settings with nothing configured: the embedded profile on localhost:8080. */
    public static ServerSettings defaults() {
        return from(Config.empty());
    }

    /** Reads the {@code dm} tree of a Helidon config. */
    public static ServerSettings from(Config root) {
        Config dm = root.get("dm");
        String host = text(dm, "server.host").orElse("localhost");
        int port = integer(dm, "server.port", 8080, 0, 65535);
        int maxPayload = integer(dm, "server.max-payload", 64 * 1024, 1024, 16 * 1024 * 1024);
        Duration heartbeat = duration(dm, "server.heartbeat", Duration.ofSeconds(15));
        Duration grace = duration(dm, "server.shutdown-grace", Duration.ofSeconds(10));
        List<Cidr> proxies = new ArrayList<>();
        for (String c : list(dm, "server.trusted-proxies")) {
            try {
                proxies.add(Cidr.parse(c));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dm.server.trusted-proxies: " + e.getMessage(), e);
            }
        }
        Set<String> origins = new LinkedHashSet<>(list(dm, "server.allowed-origins"));
        Duration pacing = duration(dm, "narrator.pacing", Duration.ofMillis(30));
        Optional<String> serviceToken = text(dm, "service.token");
        if (serviceToken.isPresent() && serviceToken.get().length() < 16) {
            throw new IllegalArgumentException("dm.service.token must be at least 16 characters (use a random secret)");
        }
        Optional<String> signingKey = text(dm, "auth.signing-key");
        Optional<String> publicKey = text(dm, "auth.public-key");
        if (signingKey.isPresent() != publicKey.isPresent()) {
            throw new IllegalArgumentException(signingKey.isPresent()
                    ? "dm.auth.signing-key is set but dm.auth.public-key is missing (env DM_AUTH_PUBLIC_dash_KEY): "
                    + "give the Ed25519 key pair as two PEM values"
                    : "dm.auth.public-key is set but dm.auth.signing-key is missing (env DM_AUTH_SIGNING_dash_KEY): "
                    + "give the Ed25519 key pair as two PEM values");
        }
        String issuer = text(dm, "auth.issuer").orElse("dm-engine");

        Optional<Postgres> postgres = Optional.empty();
        Optional<String> pgUrl = text(dm, "postgres.url");
        Optional<String> pgUser = text(dm, "postgres.user");
        Optional<String> pgPassword = dm.get("postgres.password").asString().asOptional();
        if (pgUrl.isPresent()) {
            if (!pgUrl.get().startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("dm.postgres.url must be a JDBC URL like "
                        + "jdbc:postgresql://host:5432/db, was " + pgUrl.get());
            }
            if (pgUser.isEmpty()) {
                throw new IllegalArgumentException("dm.postgres.url is set but dm.postgres.user is missing "
                        + "(env DM_POSTGRES_USER); set it, or remove dm.postgres.url for the embedded profile");
            }
            Optional<String> prefix = text(dm, "postgres.schema-prefix");
            if (prefix.isPresent() && !prefix.get().matches("[a-z_][a-z0-9_]{0,40}")) {
                throw new IllegalArgumentException("dm.postgres.schema-prefix must be lower-case letters, digits and _, "
                        + "was " + prefix.get());
            }
            postgres = Optional.of(new Postgres(pgUrl.get(), pgUser.get(), pgPassword.orElse(""), prefix,
                    integer(dm, "postgres.max-pool-size", 10, 1, 200)));
        } else if (pgUser.isPresent() || pgPassword.isPresent()) {
            throw new IllegalArgumentException("dm.postgres.user/password are set but dm.postgres.url is missing "
                    + "(env DM_POSTGRES_URL); set it, or remove the other dm.postgres keys");
        }

        Optional<String> insecure = text(dm, "auth.insecure-localhost-cookies");
        boolean insecureCookies;
        if (insecure.isPresent()) {
            insecureCookies = bool("dm.auth.insecure-localhost-cookies", insecure.get());
        } else {
            insecureCookies = postgres.isEmpty() && isLoopback(host);
        }
        int workers = integer(dm, "jobs.workers", 16, 1, 1024);
        return new ServerSettings(host, port, maxPayload, heartbeat, grace, List.copyOf(proxies), Set.copyOf(origins),
                pacing, serviceToken, signingKey, publicKey, issuer, insecureCookies, postgres, workers, model(dm),
                embedder(dm), authSettings(dm), limits(dm), redis(dm),
                duration(dm, "jobs.lease", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1)),
                duration(dm, "turns.lock-ttl", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
                AssetSettings.from(dm)); // dm.s3.*, dm.assets.*: see AssetSettings
    }

    private static Optional<Redis> redis(Config dm) {
        Optional<String> url = text(dm, "redis.url");
        Optional<String> user = text(dm, "redis.user");
        Optional<String> password = dm.get("redis.password").asString().asOptional();
        Optional<String> prefix = text(dm, "redis.key-prefix");
        Optional<String> tls = text(dm, "redis.tls");
        Optional<String> hot = text(dm, "redis.hot-reads");
        if (url.isEmpty()) {
            if (user.isPresent() || password.isPresent() || prefix.isPresent() || tls.isPresent() || hot.isPresent()) {
                throw new IllegalArgumentException("dm.redis.user/password/key-prefix/tls are set but dm.redis.url is "
                        + "missing (env DM_REDIS_URL); set it, or remove the other dm.redis keys");
            }
            return Optional.empty();
        }
        if (!url.get().startsWith("redis://") && !url.get().startsWith("rediss://")) {
            throw new IllegalArgumentException("dm.redis.url must look like redis://host:6379 or rediss://host:6380 "
                    + "(TLS), was " + url.get().replaceAll("//[^@/]*@", "//***@"));
        }
        String keyPrefix = prefix.orElse("dm:");
        if (!keyPrefix.matches("[A-Za-z0-9_.:{}-]{1,64}")) {
            throw new IllegalArgumentException("dm.redis.key-prefix must be 1 to 64 of A-Z a-z 0-9 _ . : { } -, was "
                    + keyPrefix);
        }
        return Optional.of(new Redis(url.get(), user, password, tls.map(v -> bool("dm.redis.tls", v)).orElse(false),
                keyPrefix, integer(dm, "redis.pool-size", 16, 1, 1_000),
                hot.map(v -> bool("dm.redis.hot-reads", v)).orElse(false)));
    }

    private static AuthSettings authSettings(Config dm) {
        Duration skew = duration(dm, "auth.clock-skew", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5));
        Duration leeway = duration(dm, "auth.refresh-leeway", Duration.ofSeconds(15), Duration.ZERO,
                Duration.ofSeconds(60));
        int deviceDays = integer(dm, "auth.device-token-days", 90, 1, 400);
        int threads = integer(dm, "auth.hashing.threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                1, 256);
        int queue = integer(dm, "auth.hashing.queue", 8 * threads, 0, 10_000);
        return new AuthSettings(skew, leeway, deviceDays, threads, queue);
    }

    static Limits limits(Config dm) {
        OptionalInt maxConnections = autoOrInteger(dm, "server.max-connections", 16, 1_000_000);
        Duration idle = positive(dm, "server.idle-timeout", Duration.ofSeconds(75));
        Duration header = positive(dm, "server.header-timeout", Duration.ofSeconds(20));
        Duration body = positive(dm, "server.body-timeout", Duration.ofSeconds(30));
        OptionalInt maxStreams = autoOrInteger(dm, "server.max-streams", 1, 1_000_000);
        int perPlayer = integer(dm, "server.max-streams-per-player", 8, 1, 100_000);
        int perSession = integer(dm, "server.max-streams-per-session", 4, 1, 100_000);
        if (perSession > perPlayer) {
            throw new IllegalArgumentException("dm.server.max-streams-per-session (" + perSession + ") must not exceed "
                    + "dm.server.max-streams-per-player (" + perPlayer + ")");
        }
        if (maxStreams.isPresent() && maxConnections.isPresent() && maxStreams.getAsInt() >= maxConnections.getAsInt()) {
            throw new IllegalArgumentException("dm.server.max-streams (" + maxStreams.getAsInt() + ") must be below "
                    + "dm.server.max-connections (" + maxConnections.getAsInt() + "): every stream holds a connection, "
                    + "and plain requests (logins, turns, /health) need some too");
        }
        return new Limits(maxConnections, idle, header, body, maxStreams, perPlayer, perSession);
    }

    /** A whole number in {@code [min, max]}, or {@code auto} (also when unset): empty. */
    private static OptionalInt autoOrInteger(Config dm, String key, int min, int max) {
        Optional<String> v = text(dm, key);
        if (v.isEmpty() || v.get().equalsIgnoreCase("auto")) {
            return OptionalInt.empty();
        }
        if (!v.get().matches("-?\\d{1,10}")) {
            throw new IllegalArgumentException("dm." + key + " must be auto or a whole number, was " + v.get());
        }
        return OptionalInt.of(integer(dm, key, 0, min, max));
    }

    private static Duration positive(Config dm, String key, Duration def) {
        Duration d = duration(dm, key, def);
        if (d.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("dm." + key + " must be at least 100ms, was " + d.toMillis() + "ms");
        }
        return d;
    }

    private static Duration duration(Config dm, String key, Duration def, Duration min, Duration max) {
        Duration d = duration(dm, key, def);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("dm." + key + " must be " + min.toSeconds() + "s to " + max.toSeconds()
                    + "s, was " + text(dm, key).orElse(""));
        }
        return d;
    }

    private static Model model(Config dm) {
        String provider = text(dm, "model.provider").orElse("offline").toLowerCase(Locale.ROOT);
        Optional<String> baseUrl = text(dm, "model.base-url");
        Optional<String> name = text(dm, "model.name");
        Optional<String> apiKey = text(dm, "model.api-key");
        Optional<Duration> firstToken = positiveDuration(dm, "model.first-token-timeout");
        Optional<Duration> total = positiveDuration(dm, "model.total-timeout");
        Optional<Duration> idle = positiveDuration(dm, "model.idle-timeout");
        Optional<Duration> coolDown = positiveDuration(dm, "model.circuit-breaker-cool-down");
        switch (provider) {
            case "offline" -> {
                if (baseUrl.isPresent() || name.isPresent() || apiKey.isPresent()) {
                    throw new IllegalArgumentException("dm.model.base-url/name/api-key are set but dm.model.provider is "
                            + "missing (env DM_MODEL_PROVIDER): set it to openai or replicate");
                }
                if (firstToken.isPresent() || total.isPresent() || idle.isPresent() || coolDown.isPresent()) {
                    throw new IllegalArgumentException("dm.model.first-token-timeout/total-timeout/idle-timeout/"
                            + "circuit-breaker-cool-down are set but dm.model.provider is offline: they are settings "
                            + "of the openai and replicate adapters");
                }
            }
            case "openai" -> {
                requirePresent(baseUrl, "dm.model.base-url", "dm.model.provider=openai", "DM_MODEL_BASE_dash_URL");
                requirePresent(name, "dm.model.name", "dm.model.provider=openai", "DM_MODEL_NAME");
            }
            case "replicate" -> {
                requirePresent(name, "dm.model.name", "dm.model.provider=replicate", "DM_MODEL_NAME");
                if (idle.isPresent()) {
                    throw new IllegalArgumentException("dm.model.idle-timeout is a setting of the openai adapter; "
                            + "Replicate's stream falls back to polling the prediction when it goes quiet");
                }
            }
            default -> throw new IllegalArgumentException("dm.model.provider must be offline, openai or replicate, was "
                    + provider);
        }
        return new Model(provider, baseUrl, name, apiKey, firstToken, total, idle, coolDown, webhook(dm, provider));
    }

    /** Both webhook keys or neither, and only for Replicate; the secret is checked, never shown. */
    private static Optional<Webhook> webhook(Config dm, String provider) {
        Optional<String> url = text(dm, "model.webhook-url");
        Optional<String> secret = text(dm, "model.webhook-secret");
        if (url.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (!provider.equals("replicate")) {
            throw new IllegalArgumentException("dm.model.webhook-url/webhook-secret are set but dm.model.provider is "
                    + provider + ": webhooks are Replicate's (dm.model.provider=replicate)");
        }
        requirePresent(url, "dm.model.webhook-url", "dm.model.webhook-secret", "DM_MODEL_WEBHOOK_dash_URL: the public "
                + "URL Replicate calls, e.g. https://game.example.org/webhooks/replicate");
        requirePresent(secret, "dm.model.webhook-secret", "dm.model.webhook-url", "DM_MODEL_WEBHOOK_dash_SECRET: the "
                + "whsec_… signing secret from GET /v1/webhooks/default/secret");
        java.net.URI uri;
        try {
            uri = new java.net.URI(url.get());
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
            throw new IllegalArgumentException("dm.model.webhook-url must be an absolute http(s) URL like "
                    + "https://game.example.org/webhooks/replicate, was " + url.get());
        }
        try {
            new dev.dmengine.replicate.ReplicateWebhooks(secret.get()); // its messages never hold the secret
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dm.model.webhook-secret: " + e.getMessage(), e);
        }
        return Optional.of(new Webhook(uri, secret.get()));
    }

    private static EmbedderChoice embedder(Config dm) {
        String provider = text(dm, "embedder.provider").orElse("minilm").toLowerCase(Locale.ROOT);
        Optional<String> baseUrl = text(dm, "embedder.base-url");
        Optional<String> name = text(dm, "embedder.name");
        Optional<String> apiKey = text(dm, "embedder.api-key");
        int dimension = integer(dm, "embedder.dimension", 0, 0, 16_000);
        switch (provider) {
            case "minilm", "hashing" -> {
                if (baseUrl.isPresent() || name.isPresent() || apiKey.isPresent()) {
                    throw new IllegalArgumentException("dm.embedder.base-url/name/api-key are set but "
                            + "dm.embedder.provider is " + provider + ": set it to openai or replicate");
                }
            }
            case "openai", "replicate" -> {
                if (provider.equals("openai")) {
                    requirePresent(baseUrl, "dm.embedder.base-url", "dm.embedder.provider=openai",
                            "DM_EMBEDDER_BASE_dash_URL");
                }
                requirePresent(name, "dm.embedder.name", "dm.embedder.provider=" + provider, "DM_EMBEDDER_NAME");
                if (dimension < 1) {
                    throw new IllegalArgumentException("dm.embedder.provider=" + provider + " needs "
                            + "dm.embedder.dimension (env DM_EMBEDDER_DIMENSION): the size of the model's vectors");
                }
            }
            default -> throw new IllegalArgumentException("dm.embedder.provider must be minilm, hashing, openai or "
                    + "replicate, was " + provider);
        }
        if (provider.equals("hashing") && dimension != 0 && (dimension < 16 || dimension > 4096)) {
            throw new IllegalArgumentException("dm.embedder.dimension of the hashing embedder must be 16 to 4096, was "
                    + dimension);
        }
        Duration refresh = duration(dm, "embedder.refresh", Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMinutes(5));
        Reembed reembed = new Reembed(integer(dm, "reembed.batch-size", 256, 1, 10_000),
                duration(dm, "reembed.pause", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)),
                bool("dm.reembed.resume-on-start", text(dm, "reembed.resume-on-start").orElse("true")),
                // a turn that began before the switch writes its reply's vector up to two model
                // rounds later (5 minutes each by default)
                duration(dm, "reembed.settle", Duration.ofMinutes(10), Duration.ZERO, Duration.ofHours(1)));
        return new EmbedderChoice(provider, baseUrl, name, dimension, apiKey, refresh, reembed);
    }

    private static void requirePresent(Optional<String> value, String key, String because, String env) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(because + " needs " + key + " (env " + env + ")");
        }
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static Optional<String> text(Config dm, String key) {
        return dm.get(key).asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }

    private static List<String> list(Config dm, String key) {
        Config node = dm.get(key);
        if (!node.exists()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        if (node.isLeaf()) {
            node.asString().asOptional().ifPresent(s -> values.addAll(List.of(s.split(","))));
        } else {
            values.addAll(node.asList(String.class).orElse(List.of()));
        }
        return values.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int integer(Config dm, String key, int def, int min, int max) {
        Optional<String> v = text(dm, key);
        if (v.isEmpty()) {
            return def;
        }
        int n;
        try {
            n = Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("dm." + key + " must be a whole number, was " + v.get());
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("dm." + key + " must be " + min + " to " + max + ", was " + n);
        }
        return n;
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, was " + v);
        };
    }

    private static Optional<Duration> positiveDuration(Config dm, String key) {
        if (text(dm, key).isEmpty()) {
            return Optional.empty();
        }
        Duration d = duration(dm, key, null);
        if (d.isZero()) {
            throw new IllegalArgumentException("dm." + key + " must be longer than zero");
        }
        return Optional.of(d);
    }

    /** ISO-8601 ({@code PT15S}) or a number with {@code ms}, {@code s} or {@code m}. */
    static Duration duration(Config dm, String key, Duration def) {
        Optional<String> v = text(dm, key);
        if (v.isEmpty()) {
            return def;
        }
        String s = v.get().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.startsWith("p")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } else if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).strip()));
            } else if (s.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).strip()) * 1000));
            } else if (s.endsWith("m")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).strip()) * 60);
            } else {
                throw new IllegalArgumentException();
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("dm." + key + " must be a duration like 15s, 250ms or PT15S, was " + v.get());
        }
    }
}
