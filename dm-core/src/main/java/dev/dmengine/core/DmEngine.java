package dev.dmengine.core;

import dev.dmengine.core.assets.AssetPolicy;
import dev.dmengine.core.assets.AssetService;
import dev.dmengine.core.cache.HotReads;
import dev.dmengine.core.game.CharacterRules;
import dev.dmengine.core.jobs.TurnJobs;
import dev.dmengine.core.game.CharacterService;
import dev.dmengine.core.game.PlayerService;
import dev.dmengine.core.game.SessionService;
import dev.dmengine.core.inmemory.InMemoryAssetStore;
import dev.dmengine.core.inmemory.InMemoryCache;
import dev.dmengine.core.inmemory.InMemoryCharacterStore;
import dev.dmengine.core.inmemory.InMemoryEventBus;
import dev.dmengine.core.inmemory.InMemoryJobQueue;
import dev.dmengine.core.inmemory.InMemoryMessageStore;
import dev.dmengine.core.inmemory.InMemoryPlayerStore;
import dev.dmengine.core.inmemory.InMemoryRateLimiter;
import dev.dmengine.core.inmemory.InMemoryRefreshTokenStore;
import dev.dmengine.core.inmemory.InMemorySessionStore;
import dev.dmengine.core.inmemory.InMemoryTurnStore;
import dev.dmengine.core.inmemory.InMemoryVectorIndex;
import dev.dmengine.core.narrator.OfflineNarrator;
import dev.dmengine.core.prompt.ConservativeTokenCounter;
import dev.dmengine.core.retrieval.HashingEmbedder;
import dev.dmengine.core.rules.SrdCharacterRules;
import dev.dmengine.core.rules.SrdTurnRules;
import dev.dmengine.core.turn.TurnConfig;
import dev.dmengine.core.turn.TurnEngine;
import dev.dmengine.core.turn.TurnRules;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.generation.LanguageModel;
import dev.dmengine.spi.generation.TokenCounter;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.spi.infra.Cache;
import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.spi.infra.JobQueue;
import dev.dmengine.spi.infra.RateLimiter;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.spi.retrieval.Embedder;
import dev.dmengine.spi.retrieval.VectorIndex;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The engine, wired. {@code DmEngine.builder().build()} gives a whole game in memory: every
 * port defaults to its in-memory adapter, the embedder to {@link HashingEmbedder} and the
 * model to the {@link OfflineNarrator}. Pass any adapter to replace the default:
 *
 * <pre>{@code
 * DmEngine engine = DmEngine.builder()
 *         .messageStore(postgres.messageStore())
 *         .vectorIndex(postgres.vectorIndex())
 *         .languageModel(myModel)
 *         .build();
 * }</pre>
 */
public final class DmEngine {

    private final Ports ports;
    private final PlayerService players;
    private final CharacterService characters;
    private final SessionService sessions;
    private final TurnEngine turns;
    private final AssetService assets; // flow B, see Builder#objectStorage
    private final TurnJobs jobs;

    private DmEngine(Builder b) {
        this.ports = new Ports(b.playerStore, b.refreshTokenStore, b.characterStore, b.sessionStore, b.messageStore,
                b.turnStore, b.assetStore, b.embedder, b.vectorIndex, b.languageModel, b.rateLimiter, b.cache,
                b.jobQueue, b.eventBus, b.transactor, b.clock);
        this.players = new PlayerService(b.playerStore, b.clock);
        this.characters = new CharacterService(b.characterStore, b.characterRules, b.clock);
        this.sessions = new SessionService(b.sessionStore, b.messageStore, b.vectorIndex, characters, b.clock);
        this.turns = TurnEngine.builder().sessionStore(b.sessionStore).characterStore(b.characterStore)
                .messageStore(b.messageStore).turnStore(b.turnStore).embedder(b.embedder).vectorIndex(b.vectorIndex)
                .languageModel(b.languageModel).rateLimiter(b.rateLimiter).cache(b.cache).eventBus(b.eventBus)
                .transactor(b.transactor).rules(b.turnRules).tokenCounter(b.tokenCounter).config(b.turnConfig)
                .clock(b.clock).build();
        this.assets = new AssetService(b.assetStore, b.characterStore, b.objectStorages,
                b.assetPolicy == null ? AssetPolicy.defaults() : b.assetPolicy, b.clock);
        this.jobs = new TurnJobs(turns, b.jobQueue, b.jobWorkers, b.jobLease);
    }

    public static Builder builder() {
        return new Builder();
    }

    public PlayerService players() {
        return players;
    }

    public CharacterService characters() {
        return characters;
    }

    public SessionService sessions() {
        return sessions;
    }

    public TurnEngine turns() {
        return turns;
    }

    /** Players' files (portraits, exports): see {@link Builder#objectStorage}. */
    public AssetService assets() {
        return assets;
    }

    /**
     * Turns as a host runs them: streamed on the caller's thread or queued as jobs, with
     * idempotency, owner-checked status and the worker loop ({@link TurnJobs#start()}).
     */
    public TurnJobs jobs() {
        return jobs;
    }

    /** The adapters this engine runs on, for hosts that serve them (event streams, jobs…). */
    public Ports ports() {
        return ports;
    }

    /** Every port the engine uses, as wired. */
    public record Ports(PlayerStore playerStore, RefreshTokenStore refreshTokenStore, CharacterStore characterStore,
                        SessionStore sessionStore, MessageStore messageStore, TurnStore turnStore,
                        AssetStore assetStore, Embedder embedder, VectorIndex vectorIndex,
                        LanguageModel languageModel, RateLimiter rateLimiter, Cache cache, JobQueue jobQueue,
                        EventBus eventBus, Transactor transactor, Clock clock) {
    }

    /** Every setter replaces one default; {@code null} is refused. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private PlayerStore playerStore;
        private RefreshTokenStore refreshTokenStore;
        private CharacterStore characterStore;
        private SessionStore sessionStore;
        private MessageStore messageStore;
        private TurnStore turnStore;
        private AssetStore assetStore;
        private Embedder embedder;
        private VectorIndex vectorIndex;
        private LanguageModel languageModel;
        private RateLimiter rateLimiter;
        private Cache cache;
        private JobQueue jobQueue;
        private EventBus eventBus;
        private Transactor transactor;
        private TurnRules<?> turnRules;
        private CharacterRules characterRules;
        private TokenCounter tokenCounter;
        private TurnConfig turnConfig;
        private int jobWorkers = 16;
        private Duration jobLease = Duration.ofSeconds(60);
        private HotReads.Builder hotReads;

        private Builder() {
        }

        /**
         * Serves what every turn reads — the session, the character, the recent window — from
         * {@code cache} (shared by every instance: Redis), updated by the writes themselves and
         * never stale after a committed turn; {@code ttl} bounds how long an entry lives. Off by
         * default. Wraps the character, session and message stores and the transactor, so
         * {@link DmEngine#ports()} gives the wrapped ones: write through those. See {@link HotReads}.
         */
        public Builder hotReads(Cache cache, Duration ttl) {
            hotReads = HotReads.builder(Objects.requireNonNull(cache, "hotReads cache")).ttl(ttl);
            return this;
        }

        /** How many queued turns this instance plays at once (default 16). */
        public Builder jobWorkers(int value) {
            if (value < 1 || value > 1_000) {
                throw new IllegalArgumentException("jobWorkers must be 1 to 1000, was " + value);
            }
            jobWorkers = value;
            return this;
        }

        /**
         * How long a claimed turn job stays this instance's without renewal (default 60 s; renewed
         * every third of it while the turn runs, so it bounds how soon another instance replays the
         * job of one that died, not how long a turn may take).
         */
        public Builder jobLease(Duration value) {
            Objects.requireNonNull(value, "jobLease");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("jobLease must be positive, was " + value);
            }
            jobLease = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder playerStore(PlayerStore value) {
            playerStore = Objects.requireNonNull(value, "playerStore");
            return this;
        }

        public Builder refreshTokenStore(RefreshTokenStore value) {
            refreshTokenStore = Objects.requireNonNull(value, "refreshTokenStore");
            return this;
        }

        public Builder characterStore(CharacterStore value) {
            characterStore = Objects.requireNonNull(value, "characterStore");
            return this;
        }

        public Builder sessionStore(SessionStore value) {
            sessionStore = Objects.requireNonNull(value, "sessionStore");
            return this;
        }

        public Builder messageStore(MessageStore value) {
            messageStore = Objects.requireNonNull(value, "messageStore");
            return this;
        }

        public Builder turnStore(TurnStore value) {
            turnStore = Objects.requireNonNull(value, "turnStore");
            return this;
        }

        public Builder assetStore(AssetStore value) {
            assetStore = Objects.requireNonNull(value, "assetStore");
            return this;
        }

        public Builder embedder(Embedder value) {
            embedder = Objects.requireNonNull(value, "embedder");
            return this;
        }

        public Builder vectorIndex(VectorIndex value) {
            vectorIndex = Objects.requireNonNull(value, "vectorIndex");
            return this;
        }

        public Builder languageModel(LanguageModel value) {
            languageModel = Objects.requireNonNull(value, "languageModel");
            return this;
        }

        public Builder rateLimiter(RateLimiter value) {
            rateLimiter = Objects.requireNonNull(value, "rateLimiter");
            return this;
        }

        public Builder cache(Cache value) {
            cache = Objects.requireNonNull(value, "cache");
            return this;
        }

        public Builder jobQueue(JobQueue value) {
            jobQueue = Objects.requireNonNull(value, "jobQueue");
            return this;
        }

        public Builder eventBus(EventBus value) {
            eventBus = Objects.requireNonNull(value, "eventBus");
            return this;
        }

        /** How store writes of one turn are grouped; pass the database adapter's transactor. */
        public Builder transactor(Transactor value) {
            transactor = Objects.requireNonNull(value, "transactor");
            return this;
        }

        public Builder turnRules(TurnRules<?> value) {
            turnRules = Objects.requireNonNull(value, "turnRules");
            return this;
        }

        public Builder characterRules(CharacterRules value) {
            characterRules = Objects.requireNonNull(value, "characterRules");
            return this;
        }

        public Builder tokenCounter(TokenCounter value) {
            tokenCounter = Objects.requireNonNull(value, "tokenCounter");
            return this;
        }

        public Builder turnConfig(TurnConfig value) {
            turnConfig = Objects.requireNonNull(value, "turnConfig");
            return this;
        }

        // ---- assets (seed flow B): the object storage of each bucket and the upload policy
        private final Map<String, ObjectStorage> objectStorages = new LinkedHashMap<>();
        private AssetPolicy assetPolicy;

        /**
         * The object storage of one bucket of the asset policy ({@link AssetPolicy#PLAYER_ASSETS},
         * {@link AssetPolicy#EXPORTS}); {@code bucket} is the policy's name for it, whatever the
         * store calls it. A bucket left without one answers uploads to it as unavailable: there is
         * no in-memory default, because its URLs must be served by a host.
         */
        public Builder objectStorage(String bucket, ObjectStorage value) {
            objectStorages.put(Objects.requireNonNull(bucket, "bucket"), Objects.requireNonNull(value, "objectStorage"));
            return this;
        }

        /** What players may upload; {@link AssetPolicy#defaults()} unless set. */
        public Builder assetPolicy(AssetPolicy value) {
            assetPolicy = Objects.requireNonNull(value, "assetPolicy");
            return this;
        }

        public DmEngine build() {
            if (playerStore == null) {
                playerStore = new InMemoryPlayerStore();
            }
            if (refreshTokenStore == null) {
                refreshTokenStore = new InMemoryRefreshTokenStore();
            }
            if (characterStore == null) {
                characterStore = new InMemoryCharacterStore();
            }
            if (sessionStore == null) {
                sessionStore = new InMemorySessionStore();
            }
            if (messageStore == null) {
                messageStore = new InMemoryMessageStore();
            }
            if (turnStore == null) {
                turnStore = new InMemoryTurnStore();
            }
            if (assetStore == null) {
                assetStore = new InMemoryAssetStore();
            }
            if (embedder == null) {
                embedder = new HashingEmbedder();
            }
            if (vectorIndex == null) {
                vectorIndex = new InMemoryVectorIndex();
            }
            if (languageModel == null) {
                languageModel = new OfflineNarrator();
            }
            if (rateLimiter == null) {
                rateLimiter = new InMemoryRateLimiter(clock);
            }
            if (cache == null) {
                cache = new InMemoryCache(clock);
            }
            if (jobQueue == null) {
                jobQueue = new InMemoryJobQueue(clock);
            }
            if (eventBus == null) {
                eventBus = new InMemoryEventBus(clock);
            }
            if (transactor == null) {
                transactor = Transactor.none();
            }
            if (turnRules == null) {
                turnRules = new SrdTurnRules();
            }
            if (characterRules == null) {
                characterRules = new SrdCharacterRules();
            }
            if (tokenCounter == null) {
                tokenCounter = ConservativeTokenCounter.INSTANCE;
            }
            if (turnConfig == null) {
                turnConfig = TurnConfig.defaults();
            }
            if (hotReads != null) { // the recent window as the turn asks for it: recentWindow + the player message
                HotReads hot = hotReads.recentWindow(turnConfig.recentWindow() + 1).build();
                characterStore = hot.characters(characterStore);
                sessionStore = hot.sessions(sessionStore);
                messageStore = hot.messages(messageStore);
                transactor = hot.transactor(transactor);
                hotReads = null; // a second build() reuses the wrapped stores rather than wrapping them twice
            }
            return new DmEngine(this);
        }
    }
}
