package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.assets.AssetPolicy;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.auth.AuthConfig;
import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.PasswordHasher;
import dev.dmengine.auth.TokenKeys;
import dev.dmengine.core.inmemory.InMemoryEventBus;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.openai.OpenAiLanguageModel;
import dev.dmengine.replicate.ReplicateLanguageModel;
import dev.dmengine.replicate.ReplicateWebhookInbox;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.postgres.PostgresAdapters;
import dev.dmengine.redis.RedisAdapters;
import dev.dmengine.spi.infra.Event;
import dev.dmengine.spi.infra.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds the engine and the auth service from the settings: the embedded profile (every port
 * in memory, the offline narrator paced for people, the hashing embedder, JVM-local limits)
 * unless an adapter is configured.
 */
final class Wiring {

    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    /** A readiness check: {@code null} when healthy, else what is wrong. */
    record Check(String name, Supplier<String> probe) {
    }

    final DmEngine engine;
    final EventBus events;
    final Vectors vectors;
    final AuthService auth;
    final List<Check> checks = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();
    final String profile;
    final ObjectStores objects;
    /** {@code POST /webhooks/replicate}, when {@code dm.model.webhook-url} is set. */
    final Optional<ReplicateWebhookApi> replicateWebhooks;

    private static LanguageModel languageModel(ServerSettings settings, ReplicateWebhookInbox inbox) {
        ServerSettings.Model m = settings.model();
        try {
            return switch (m.provider()) {
                case "openai" -> {
                    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.builder().baseUrl(m.baseUrl().orElseThrow())
                            .model(m.name().orElseThrow());
                    m.apiKey().ifPresent(b::apiKey);
                    m.firstTokenTimeout().ifPresent(b::firstTokenTimeout);
                    m.totalTimeout().ifPresent(b::totalTimeout);
                    m.idleTimeout().ifPresent(b::idleTimeout);
                    m.circuitBreakerCoolDown().ifPresent(b::circuitBreakerCoolDown);
                    yield b.build();
                }
                case "replicate" -> {
                    ReplicateLanguageModel.Builder b = ReplicateLanguageModel.builder().model(m.name().orElseThrow());
                    if (m.apiKey().isPresent()) {
                        b.apiToken(m.apiKey().get());
                    } else {
                        b.apiTokenFromEnvironment();
                    }
                    m.baseUrl().ifPresent(b::baseUrl);
                    if (inbox != null) {
                        b.webhook(m.webhook().orElseThrow().url(), inbox);
                    }
                    m.firstTokenTimeout().ifPresent(b::firstTokenTimeout);
                    m.totalTimeout().ifPresent(b::totalTimeout);
                    m.circuitBreakerCoolDown().ifPresent(b::circuitBreakerCoolDown);
                    yield b.build();
                }
                default -> new OfflineNarrator(settings.narratorPacing());
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("dm.model (" + m.provider() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Redis for what instances must share: event streams, rate limits, the cache and its turn
     * locks. While Redis is unreachable the turn rate limit admits players (fail-open: a turn
     * still needs its session lock, which cannot be taken without Redis, so nothing runs twice);
     * login and refresh limits refuse (fail-closed: an attacker gains nothing from an outage).
     */
    private static RedisAdapters redis(ServerSettings.Redis s) {
        RedisAdapters.Builder b = RedisAdapters.builder().url(s.url()).tls(s.tls()).keyPrefix(s.keyPrefix())
                .poolSize(s.poolSize()).clientName("dm-server").failOpen("turn:");
        s.user().ifPresent(b::user);
        s.password().ifPresent(b::password);
        try {
            RedisAdapters redis = b.build(); // connects lazily: start-up does not wait for Redis
            LOG.info("Redis adapters on {}", s);
            return redis;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("dm.redis.url: " + e.getMessage(), e);
        }
    }

    private static PostgresAdapters postgres(ServerSettings.Postgres s) {
        PostgresAdapters.Builder b = PostgresAdapters.builder().jdbcUrl(s.url()).user(s.user()).password(s.password())
                .maxPoolSize(s.maxPoolSize()).poolName("dm-server");
        s.schemaPrefix().ifPresent(b::schemaPrefix);
        try {
            PostgresAdapters pg = b.build(); // applies pending migrations
            LOG.info("Postgres adapters on {} (schemas {}, {})", s.url(), pg.authSchema(), pg.gameSchema());
            return pg;
        } catch (RuntimeException e) {
            throw new IllegalStateException("dm.postgres.url: cannot open or migrate the database at " + s.url() + " as "
                    + s.user() + ": " + e.getMessage(), e);
        }
    }

    /** The engine again on other ports, with everything else as {@code wired} has it (its rules are the defaults). */
    private static DmEngine rebuild(DmEngine.Ports p, DmEngine wired, ServerSettings settings,
                                    java.util.function.Consumer<DmEngine.Builder> assets) {
        DmEngine.Builder b = DmEngine.builder();
        assets.accept(b);
        return b.clock(p.clock()).playerStore(p.playerStore()).refreshTokenStore(p.refreshTokenStore())
                .characterStore(p.characterStore()).sessionStore(p.sessionStore()).messageStore(p.messageStore())
                .turnStore(p.turnStore()).assetStore(p.assetStore()).embedder(p.embedder())
                .vectorIndex(p.vectorIndex()).languageModel(p.languageModel()).rateLimiter(p.rateLimiter())
                .cache(p.cache()).jobQueue(p.jobQueue()).eventBus(p.eventBus()).transactor(p.transactor())
                .jobWorkers(settings.jobWorkers()).jobLease(settings.jobLease()).turnConfig(wired.turns().config())
                .build();
    }

    Wiring(ServerSettings settings, Consumer<Event> observer) {
        this(settings, observer, null);
    }

    /**
     * {@code decorate} (benchmarks and tests only, {@code null} otherwise) gets every port the engine
     * was wired with, defaults included, and returns the ports to use instead — the same adapters
     * wrapped, e.g. in timing decorators (FullStackTurnBench) — and the engine is built again on
     * them; the auth service and the event streams use the decorated ports too.
     */
    Wiring(ServerSettings settings, Consumer<Event> observer, UnaryOperator<DmEngine.Ports> decorate) {
        Clock clock = Clock.systemUTC();
        Optional<ReplicateWebhookInbox> inbox = settings.model().webhook().map(w -> new ReplicateWebhookInbox());
        DmEngine.Builder builder = DmEngine.builder().clock(clock)
                .languageModel(languageModel(settings, inbox.orElse(null)));
        Embedders embedders = new Embedders(settings.embedder()); // a wrong setting fails before the pool opens
        Optional<PostgresAdapters> database = Optional.empty();
        String storesProfile;
        if (settings.postgres().isPresent()) {
            PostgresAdapters pg = postgres(settings.postgres().get());
            database = Optional.of(pg);
            closeables.add(pg);
            builder.playerStore(pg.players()).refreshTokenStore(pg.refreshTokens()).characterStore(pg.characters())
                    .sessionStore(pg.sessions()).messageStore(pg.messages()).turnStore(pg.turns())
                    .assetStore(pg.assets()).vectorIndex(pg.vectorIndex()).jobQueue(pg.jobQueue())
                    .transactor(pg.transactor());
            checks.add(new Check("postgres", () -> {
                try (Connection c = pg.dataSource().getConnection()) {
                    return c.isValid(2) ? null : "the connection is not valid";
                } catch (SQLException e) {
                    return "cannot connect: " + e.getMessage();
                }
            }));
            storesProfile = "postgres";
        } else {
            checks.add(new Check("stores", () -> null));
            storesProfile = "embedded";
        }
        // ---- players' files (flow B): an S3 store, or local folders this server serves; see ObjectStores
        AssetSettings files = settings.assets();
        AssetPolicy policy = AssetPolicy.defaults().withTimes(files.uploadTtl(), files.downloadTtl(),
                files.abandonAfter());
        this.objects = ObjectStores.create(files, policy, DmServer.allowedOrigins(settings), clock);
        closeables.add(objects);
        objects.buckets.forEach(builder::objectStorage);
        builder.assetPolicy(policy);
        checks.add(objects.check);
        // ----
        EventBus bus;
        if (settings.redis().isPresent()) {
            RedisAdapters redis = redis(settings.redis().get());
            closeables.add(redis);
            bus = redis.eventBus();
            builder.rateLimiter(redis.rateLimiter()).cache(redis.cache());
            if (settings.redis().get().hotReads()) { // the session, character and recent window of every turn
                builder.hotReads(redis.cache(), java.time.Duration.ofMinutes(10));
            }
            checks.add(new Check("redis", () -> {
                try {
                    redis.ping();
                    return null;
                } catch (RuntimeException e) {
                    return e.getMessage();
                }
            }));
            storesProfile = storesProfile + "+redis";
        } else {
            bus = new InMemoryEventBus(clock);
        }
        this.profile = storesProfile;
        MeteredEventBus metered = new MeteredEventBus(bus, observer);
        // Replicate's webhooks: relayed between instances over the shared bus, when there is one (Redis)
        Optional<EventBus> relay = settings.redis().isPresent() ? Optional.of(bus) : Optional.empty();
        this.replicateWebhooks = settings.model().webhook()
                .map(w -> new ReplicateWebhookApi(w, inbox.orElseThrow(), relay));
        replicateWebhooks.ifPresent(api -> closeables.add(0, api)); // before the bus it follows
        builder.eventBus(metered).jobWorkers(settings.jobWorkers()).jobLease(settings.jobLease())
                .turnConfig(TurnConfig.defaults().withLockTtl(settings.turnLockTtl()));

        // the embedder follows the database's active embedding space; re-embedding and documents
        this.vectors = new Vectors(settings.embedder(), embedders, database);
        closeables.add(0, vectors); // a re-embedding run stops before the database closes
        builder.embedder(vectors.embedder);
        vectors.start();

        DmEngine wired = builder.build();
        this.engine = decorate == null ? wired : rebuild(decorate.apply(wired.ports()), wired, settings,
                b -> {
                    objects.buckets.forEach(b::objectStorage);
                    b.assetPolicy(policy);
                });
        this.events = engine.ports().eventBus();
        checks.add(new Check("event-bus", () -> {
            events.lastId("health");
            return null;
        }));

        TokenKeys keys;
        if (settings.signingKeyPem().isPresent()) {
            PrivateKey priv;
            PublicKey pub;
            try {
                priv = TokenKeys.privateKeyFromPem(settings.signingKeyPem().get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dm.auth.signing-key: " + e.getMessage(), e);
            }
            try {
                pub = TokenKeys.publicKeyFromPem(settings.publicKeyPem().orElseThrow());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dm.auth.public-key: " + e.getMessage(), e);
            }
            try {
                keys = TokenKeys.builder().signingKey(TokenKeys.thumbprint(pub), priv, pub).build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dm.auth.signing-key / dm.auth.public-key: " + e.getMessage(), e);
            }
        } else {
            keys = TokenKeys.generate();
            LOG.warn("dm.auth.signing-key is not set: access tokens are signed with a key made at start-up, so every "
                    + "player is logged out when the server stops. Set dm.auth.signing-key and dm.auth.public-key "
                    + "(Ed25519 PEM) for a deployment.");
        }
        ServerSettings.AuthSettings a = settings.auth();
        DmEngine.Ports ports = engine.ports(); // the engine's player store, limiter, transactor and clock
        this.auth = AuthService.builder().playerStore(ports.playerStore()).refreshTokenStore(ports.refreshTokenStore())
                .rateLimiter(ports.rateLimiter()).transactor(ports.transactor()).clock(ports.clock())
                .tokenKeys(keys)
                .config(AuthConfig.builder().issuer(settings.issuer())
                        .clockSkew(a.clockSkew())
                        .refreshLeeway(a.refreshLeeway())
                        .deviceTokenLifetime(java.time.Duration.ofDays(a.deviceTokenDays()))
                        .hashingPool(new PasswordHasher.Pool(a.hashingThreads(), a.hashingQueue()))
                        .build())
                .build();
    }
}
