package dev.dmengine.redis;

import dev.dmengine.redis.internal.Checks;
import dev.dmengine.redis.internal.EventBusSettings;
import dev.dmengine.redis.internal.RedisCall;
import dev.dmengine.redis.internal.RedisUrl;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import javax.net.ssl.SSLParameters;

/**
 * Every Redis adapter of one Redis, sharing one pooled client: {@link #eventBus()},
 * {@link #rateLimiter()}, {@link #cache()}.
 *
 * <pre>{@code
 * RedisAdapters redis = RedisAdapters.builder()
 *         .url("rediss://redis.internal:6380").password(secret)   // a pool owned (and closed) by the adapters
 *         .keyPrefix("dm:").failOpen("turn:")
 *         .build();
 * RedisAdapters shared = RedisAdapters.builder()
 *         .client(hostsRedisClient)                                // the host's client, never closed here
 *         .build();
 * }</pre>
 *
 * Building never connects: the adapters can be built while Redis is down and work once it is
 * up; {@link #ping()} tells whether it is reachable now (for a health check).
 */
public final class RedisAdapters implements AutoCloseable {

    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:{}\\-]{1,64}");

    private final UnifiedJedis client;
    private final RedisClient ownedClient;
    private final ExecutorService ownedDelivery;
    private final String keyPrefix;
    private final RedisCall redis;
    private final RedisEventBus eventBus;
    private final RedisRateLimiter rateLimiter;
    private final RedisCache cache;

    private RedisAdapters(Builder b) {
        this.keyPrefix = b.keyPrefix;
        if (b.client != null) {
            if (b.url != null) {
                throw new IllegalArgumentException("set either url or client, not both");
            }
            this.client = b.client;
            this.ownedClient = null;
        } else {
            if (b.url == null) {
                throw new IllegalArgumentException("url is required (redis://host:port or rediss://host:port), "
                        + "or pass the host's own client");
            }
            this.ownedClient = ownClient(b);
            this.client = ownedClient;
        }
        this.redis = new RedisCall(client, ownedClient);
        Executor delivery = b.deliveryExecutor;
        this.ownedDelivery = delivery == null
                ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dm-redis-delivery-", 0).factory())
                : null;
        EventBusSettings events = new EventBusSettings(b.eventRetention, b.eventStreamExpiry, b.eventIdExpiry,
                b.maxEventChars, b.eventReadBatch, b.maxPendingEvents, b.eventBlockTimeout,
                Math.max(1, b.poolSize / 8)); // a crowd of reconnecting subscribers leaves the pool to turns
        this.eventBus = new RedisEventBus(redis, keyPrefix, UUID.randomUUID().toString(), events,
                delivery == null ? ownedDelivery : delivery);
        this.rateLimiter = new RedisRateLimiter(redis, keyPrefix, b.failOpen);
        this.cache = new RedisCache(redis, keyPrefix, b.maxCacheValueChars);
    }

    private static RedisClient ownClient(Builder b) {
        RedisUrl url = RedisUrl.parse(b.url);
        int socketMillis = (int) b.socketTimeout.toMillis();
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) b.connectTimeout.toMillis())
                .socketTimeoutMillis(socketMillis)
                // a blocking read returns within its block time; past that plus the socket timeout the
                // connection is dead (a silent network loss), not waiting
                .blockingSocketTimeoutMillis(socketMillis + (int) b.eventBlockTimeout.toMillis())
                .database(url.database())
                .clientName(b.clientName);
        String user = b.user != null ? b.user : url.user();
        String password = b.password != null ? b.password : url.password();
        if (user != null) {
            config.user(user);
        }
        if (password != null) {
            config.password(password);
        }
        if (b.tls || url.tls()) {
            SSLParameters ssl = new SSLParameters();
            ssl.setEndpointIdentificationAlgorithm("HTTPS"); // check the server's name, not only its chain
            config.ssl(true).sslParameters(ssl);
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(b.poolSize);
        pool.setMaxIdle(b.poolSize);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(b.connectTimeout);
        return RedisClient.builder().hostAndPort(url.host(), url.port()).clientConfig(config.build())
                .poolConfig(pool).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public RedisEventBus eventBus() {
        return eventBus;
    }

    public RedisRateLimiter rateLimiter() {
        return rateLimiter;
    }

    public RedisCache cache() {
        return cache;
    }

    /** The client the adapters use (the host's own, or the pool they opened). */
    public UnifiedJedis client() {
        return client;
    }

    /** The prefix of every key the adapters write. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Answers if Redis is reachable now; throws {@link dev.dmengine.spi.UnavailableException} if not. */
    public void ping() {
        redis.run("answer a ping", UnifiedJedis::ping);
    }

    /**
     * Closes the event bus (its subscriptions end), the delivery executor and the pool, if these
     * adapters made them; a host's client and executor are left open.
     */
    @Override
    public void close() {
        eventBus.close();
        if (ownedDelivery != null) {
            ownedDelivery.shutdownNow();
        }
        if (ownedClient != null) {
            ownedClient.close();
        }
    }

    /** Settings of {@link RedisAdapters}; only the connection ({@link #url} or {@link #client}) is required. */
    public static final class Builder {
        private String url;
        private String user;
        private String password;
        private boolean tls;
        private UnifiedJedis client;
        private String keyPrefix = "dm:";
        private String clientName = "dm-engine";
        private int poolSize = 16;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration socketTimeout = Duration.ofSeconds(5);
        private int eventRetention = 10_000;
        private Duration eventStreamExpiry = Duration.ofHours(1);
        private Duration eventIdExpiry = Duration.ofDays(7);
        private int maxEventChars = 1 << 20;
        private int eventReadBatch = 500;
        private int maxPendingEvents = 10_000;
        private Duration eventBlockTimeout = Duration.ofSeconds(2);
        private Executor deliveryExecutor;
        private final List<String> failOpen = new ArrayList<>();
        private int maxCacheValueChars = 1 << 20;

        private Builder() {
        }

        /**
         * {@code redis://[user[:password]@]host[:port][/database]}, or {@code rediss://…} for TLS;
         * the adapters open (and close) a pool for it.
         */
        public Builder url(String url) {
            RedisUrl.parse(url); // fail here, naming the setting, rather than in build()
            this.url = url;
            return this;
        }

        /** The ACL user (overrides one in the URL). */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** The password (overrides one in the URL). Never logged. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** TLS even for a {@code redis://} URL (default: only for {@code rediss://}); the server's name is verified. */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /**
         * The host's own client instead of a URL (a {@link RedisClient}, or any standalone or
         * Sentinel-managed {@link UnifiedJedis}; not a cluster client). The adapters never close it;
         * give it a {@code blockingSocketTimeoutMillis} so that a dead connection under the event
         * dispatcher's blocking read is noticed.
         */
        public Builder client(UnifiedJedis client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Prefix of every key (default {@code dm:}); 1 to 64 of {@code A-Z a-z 0-9 _ . : { } -}. */
        public Builder keyPrefix(String prefix) {
            if (prefix == null || !KEY_PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("keyPrefix must be 1 to 64 of A-Z a-z 0-9 _ . : { } -, was "
                        + prefix);
            }
            this.keyPrefix = prefix;
            return this;
        }

        /** The name the pool's connections give themselves ({@code CLIENT SETNAME}; default {@code dm-engine}). */
        public Builder clientName(String name) {
            if (name == null || !name.matches("[!-~]{1,64}")) {
                throw new IllegalArgumentException("clientName must be 1 to 64 printable characters without spaces, was "
                        + name);
            }
            this.clientName = name;
            return this;
        }

        /** Connections of the owned pool (default 16). */
        public Builder poolSize(int size) {
            this.poolSize = Checks.between(size, 2, 1_000, "poolSize");
            return this;
        }

        /** How long to connect, and to wait for a free pooled connection, before failing as unavailable (default 2 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.between(timeout, Duration.ofMillis(100), Duration.ofMinutes(1),
                    "connectTimeout");
            return this;
        }

        /** How long a command may wait for its reply before failing as unavailable (default 5 s). */
        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = Checks.between(timeout, Duration.ofMillis(100), Duration.ofMinutes(5),
                    "socketTimeout");
            return this;
        }

        /**
         * About how many of its latest events each topic keeps for replay (default 10,000; at least
         * 100). {@code XADD MAXLEN ~}: Redis trims whole internal nodes, so a stream may hold up to
         * about a hundred more.
         */
        public Builder eventRetention(int events) {
            this.eventRetention = Checks.between(events, 100, 10_000_000, "eventRetention");
            return this;
        }

        /**
         * A topic's stream (its retained events) is dropped after this long with no publish and no
         * subscriber on any instance (default 1 h).
         */
        public Builder eventStreamExpiry(Duration expiry) {
            this.eventStreamExpiry = Checks.between(expiry, Duration.ofSeconds(10), Duration.ofDays(365),
                    "eventStreamExpiry");
            return this;
        }

        /**
         * A topic's id counter is dropped after this long with no publish and no subscriber (default
         * 7 days, at least the stream expiry); a topic idle longer starts again at id 1.
         */
        public Builder eventIdExpiry(Duration expiry) {
            this.eventIdExpiry = Checks.between(expiry, Duration.ofSeconds(10), Duration.ofDays(3_650),
                    "eventIdExpiry");
            return this;
        }

        /** The largest event data accepted, in characters (default 1 Mi). */
        public Builder maxEventChars(int chars) {
            this.maxEventChars = Checks.between(chars, 1, 64 << 20, "maxEventChars");
            return this;
        }

        /** At most this many events per topic in one read or replay step (default 500). */
        public Builder eventReadBatch(int events) {
            this.eventReadBatch = Checks.between(events, 1, 100_000, "eventReadBatch");
            return this;
        }

        /**
         * Events queued in memory for one subscriber (default 10,000); a subscriber further behind
         * reads the stream itself until it is level again.
         */
        public Builder maxPendingEvents(int events) {
            this.maxPendingEvents = Checks.between(events, 1, 10_000_000, "maxPendingEvents");
            return this;
        }

        /**
         * How long one blocking read of the event dispatcher waits on the server (default 2 s). New
         * topics wake it at once; this only bounds how long a closing bus waits.
         */
        public Builder eventBlockTimeout(Duration timeout) {
            this.eventBlockTimeout = Checks.between(timeout, Duration.ofMillis(10), Duration.ofMinutes(1),
                    "eventBlockTimeout");
            return this;
        }

        /**
         * Runs subscribers' deliveries (default: a virtual thread per busy subscriber, made and shut
         * down by the adapters). A host's executor is never shut down here; it must not run tasks
         * on the calling thread.
         */
        public Builder deliveryExecutor(Executor executor) {
            this.deliveryExecutor = Objects.requireNonNull(executor, "deliveryExecutor");
            return this;
        }

        /**
         * Rate-limit keys starting with one of these prefixes are admitted while Redis is
         * unreachable (fail open); all others are refused with {@code UnavailableException}
         * (fail closed, the default).
         */
        public Builder failOpen(String... keyPrefixes) {
            for (String p : keyPrefixes) {
                if (p == null || p.isEmpty()) {
                    throw new IllegalArgumentException("failOpen prefixes must not be empty");
                }
                failOpen.add(p);
            }
            return this;
        }

        /** The largest cached value accepted, in characters (default 1 Mi). */
        public Builder maxCacheValueChars(int chars) {
            this.maxCacheValueChars = Checks.between(chars, 1, 512 << 20, "maxCacheValueChars");
            return this;
        }

        public RedisAdapters build() {
            if (eventIdExpiry.compareTo(eventStreamExpiry) < 0) {
                throw new IllegalArgumentException("eventIdExpiry (" + eventIdExpiry
                        + ") must be at least eventStreamExpiry (" + eventStreamExpiry + ")");
            }
            return new RedisAdapters(this);
        }
    }
}
