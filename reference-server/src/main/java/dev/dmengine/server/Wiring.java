package dev.dmengine.server;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.auth.AuthConfig;
import dev.dmengine.auth.AuthService;
import dev.dmengine.auth.PasswordHasher;
import dev.dmengine.auth.TokenKeys;
import dev.dmengine.core.inmemory.InMemoryEventBus;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.onnx.MiniLmEmbedder;
import dev.dmengine.openai.OpenAiEmbedder;
import dev.dmengine.openai.OpenAiLanguageModel;
import dev.dmengine.replicate.ReplicateEmbedder;
import dev.dmengine.replicate.ReplicateLanguageModel;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.retrieval.Embedder;
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
    final AuthService auth;
    final List<Check> checks = new ArrayList<>();
    final List<AutoCloseable> closeables = new ArrayList<>();
    final String profile;

    private static LanguageModel languageModel(ServerSettings settings) {
        ServerSettings.Model m = settings.model();
        try {
            return switch (m.provider()) {
                case "openai" -> {
                    OpenAiLanguageModel.Builder b = OpenAiLanguageModel.builder().baseUrl(m.baseUrl().orElseThrow())
                            .model(m.name().orElseThrow());
                    m.apiKey().ifPresent(b::apiKey);
                    m.firstTokenTimeout().ifPresent(b::firstTokenTimeout);
                    m.totalTimeout().ifPresent(b::totalTimeout);
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

    private static Embedder embedder(ServerSettings.EmbedderChoice e) {
        try {
            return switch (e.provider()) {
                case "hashing" -> new HashingEmbedder();
                case "openai" -> {
                    OpenAiEmbedder.Builder b = OpenAiEmbedder.builder().baseUrl(e.baseUrl().orElseThrow())
                            .model(e.name().orElseThrow()).dimension(e.dimension());
                    e.apiKey().ifPresent(b::apiKey);
                    yield b.build();
                }
                case "replicate" -> {
                    ReplicateEmbedder.Builder b = ReplicateEmbedder.builder().version(e.name().orElseThrow())
                            .dimension(e.dimension());
                    if (e.apiKey().isPresent()) {
                        b.apiToken(e.apiKey().get());
                    } else {
                        b.apiTokenFromEnvironment();
                    }
                    yield b.build();
                }
                default -> MiniLmEmbedder.create();
            };
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("dm.embedder (" + e.provider() + "): " + ex.getMessage(), ex);
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
    private static DmEngine rebuild(DmEngine.Ports p, DmEngine wired, ServerSettings settings) {
        return DmEngine.builder().clock(p.clock()).playerStore(p.playerStore()).refreshTokenStore(p.refreshTokenStore())
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
        DmEngine.Builder builder = DmEngine.builder().clock(clock)
                .languageModel(languageModel(settings))
                .embedder(embedder(settings.embedder()));
        String storesProfile;
        if (settings.postgres().isPresent()) {
            PostgresAdapters pg = postgres(settings.postgres().get());
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
        EventBus bus;
        if (settings.redis().isPresent()) {
            RedisAdapters redis = redis(settings.redis().get());
            closeables.add(redis);
            bus = redis.eventBus();
            builder.rateLimiter(redis.rateLimiter()).cache(redis.cache());
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
        builder.eventBus(new MeteredEventBus(bus, observer)).jobWorkers(settings.jobWorkers())
                .jobLease(settings.jobLease()).turnConfig(TurnConfig.defaults().withLockTtl(settings.turnLockTtl()));
        DmEngine wired = builder.build();
        this.engine = decorate == null ? wired : rebuild(decorate.apply(wired.ports()), wired, settings);
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
