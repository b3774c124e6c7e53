package dev.dmengine.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.dmengine.postgres.internal.Db;
import dev.dmengine.postgres.internal.SqlErrors;
import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.AssetStore;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.game.TurnStore;
import dev.dmengine.spi.identity.PlayerStore;
import dev.dmengine.spi.identity.RefreshTokenStore;
import dev.dmengine.spi.infra.JobQueue;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * Every PostgreSQL adapter of one database, sharing one pool and one thread-bound
 * transaction ({@link #transactor()}).
 *
 * <pre>{@code
 * PostgresAdapters pg = PostgresAdapters.builder()
 *         .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/dm").user("dm").password(secret)
 *         .build();                        // HikariCP pool owned (and closed) by the adapters
 * PostgresAdapters pg2 = PostgresAdapters.builder()
 *         .dataSource(hostPool).migrate(false).build(); // the host's own pool, left open
 * }</pre>
 */
public final class PostgresAdapters implements AutoCloseable {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final Db db;
    private final String authSchema;
    private final String gameSchema;
    private final PostgresPlayerStore players;
    private final PostgresRefreshTokenStore refreshTokens;
    private final PostgresCharacterStore characters;
    private final PostgresSessionStore sessions;
    private final PostgresMessageStore messages;
    private final PostgresTurnStore turns;
    private final PostgresAssetStore assets;
    private final PostgresDocumentStore documents;
    private final EmbeddingSpaces embeddingSpaces;
    private final PgVectorIndex vectorIndex;
    private final PostgresJobQueue jobQueue;
    private final JdbiTransactor transactor;
    private final Reembedder reembedder;
    private volatile AnnIndexer annIndexer;

    private PostgresAdapters(Builder b) {
        this.authSchema = checkSchema("authSchema", b.authSchema);
        this.gameSchema = checkSchema("gameSchema", b.gameSchema);
        if (authSchema.equals(gameSchema)) {
            throw new IllegalArgumentException("authSchema and gameSchema must differ, both are " + authSchema);
        }
        if (b.dataSource != null) {
            if (b.jdbcUrl != null) {
                throw new IllegalArgumentException("set either jdbcUrl or dataSource, not both");
            }
            this.dataSource = b.dataSource;
            this.ownedPool = null;
        } else {
            if (b.jdbcUrl == null || !b.jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl must be a jdbc:postgresql: URL, was " + b.jdbcUrl);
            }
            this.ownedPool = pool(b);
            this.dataSource = ownedPool;
        }
        Jdbi jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
        jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
        this.db = new Db(jdbi, authSchema, gameSchema, b.maxJsonBytes, b.maxTextChars);
        try {
            if (b.migrate) {
                migrations().migrate();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.players = new PostgresPlayerStore(db);
        this.refreshTokens = new PostgresRefreshTokenStore(db);
        this.characters = new PostgresCharacterStore(db);
        this.sessions = new PostgresSessionStore(db);
        this.messages = new PostgresMessageStore(db);
        this.turns = new PostgresTurnStore(db);
        this.assets = new PostgresAssetStore(db);
        this.documents = new PostgresDocumentStore(db);
        this.embeddingSpaces = new EmbeddingSpaces(db, b.hnswM, b.hnswEfConstruction);
        this.vectorIndex = new PgVectorIndex(db, embeddingSpaces).efSearch(b.hnswEfSearch);
        this.jobQueue = new PostgresJobQueue(db, b.jobRetention);
        this.transactor = new JdbiTransactor(db);
        this.reembedder = new Reembedder(db, embeddingSpaces, vectorIndex);
        this.annIndexer = b.annIndexer ? new AnnIndexer(vectorIndex, b.annIndexerIdle, b.annIndexerDelay).start() : null;
    }

    private static HikariDataSource pool(Builder b) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(b.poolName);
        c.setJdbcUrl(b.jdbcUrl);
        c.setUsername(b.user);
        c.setPassword(b.password);
        c.setMaximumPoolSize(b.maxPoolSize);
        c.setMinimumIdle(Math.min(2, b.maxPoolSize));
        c.setConnectionTimeout(b.connectionTimeout.toMillis());
        c.setValidationTimeout(Math.max(250, Math.min(1_000, b.connectionTimeout.toMillis() - 1)));
        // build even while the database is down; the pool connects when it comes back
        c.setInitializationFailTimeout(-1);
        long connectSeconds = Math.max(1, (b.connectionTimeout.toMillis() + 999) / 1_000);
        c.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
        c.addDataSourceProperty("loginTimeout", Long.toString(connectSeconds));
        c.addDataSourceProperty("socketTimeout", Long.toString(b.socketTimeout.toSeconds()));
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        c.addDataSourceProperty("ApplicationName", "dm-engine");
        // JIT compiles big analytic plans; for these short statements its compile (about 120 ms
        // measured on a player search) costs far more than it saves
        c.addDataSourceProperty("options", "-c jit=off");
        try {
            return new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw SqlErrors.translate("open connection pool", e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    static String checkSchema(String setting, String name) {
        if (name == null || !SCHEMA.matcher(name).matches()) {
            throw new IllegalArgumentException(setting + " must be a lower-case SQL identifier "
                    + "([a-z_][a-z0-9_]{0,62}), was " + name);
        }
        return name;
    }

    public PlayerStore players() {
        return players;
    }

    public RefreshTokenStore refreshTokens() {
        return refreshTokens;
    }

    public CharacterStore characters() {
        return characters;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public MessageStore messages() {
        return messages;
    }

    public TurnStore turns() {
        return turns;
    }

    public AssetStore assets() {
        return assets;
    }

    public PostgresDocumentStore documents() {
        return documents;
    }

    public PgVectorIndex vectorIndex() {
        return vectorIndex;
    }

    public EmbeddingSpaces embeddingSpaces() {
        return embeddingSpaces;
    }

    public Reembedder reembedder() {
        return reembedder;
    }

    public JobQueue jobQueue() {
        return jobQueue;
    }

    /** The transaction every store of these adapters joins when called inside it. */
    public Transactor transactor() {
        return transactor;
    }

    public PostgresMigrations migrations() {
        return new PostgresMigrations(dataSource, authSchema, gameSchema);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String authSchema() {
        return authSchema;
    }

    public String gameSchema() {
        return gameSchema;
    }

    /**
     * Drops both schemas and everything in them, stopping the background ANN indexer first.
     * For tests and uninstalls; there is no undo.
     */
    public void dropSchemas() {
        stopAnnIndexer();
        db.call("drop schemas", h -> {
            h.execute("DROP SCHEMA IF EXISTS " + gameSchema + " CASCADE");
            h.execute("DROP SCHEMA IF EXISTS " + authSchema + " CASCADE");
            return null;
        });
        if (embeddingSpaces != null) {
            embeddingSpaces.forget();
        }
    }

    /** Closes the pool if these adapters opened it; a host's own {@code DataSource} is left open. */
    @Override
    public void close() {
        stopAnnIndexer();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    private void stopAnnIndexer() {
        AnnIndexer indexer = annIndexer;
        annIndexer = null;
        if (indexer != null) {
            indexer.close();
        }
    }

    /** Settings of {@link PostgresAdapters}; only the connection is required. */
    public static final class Builder {
        private String jdbcUrl;
        private String user;
        private String password;
        private DataSource dataSource;
        private boolean migrate = true;
        private String authSchema = "auth";
        private String gameSchema = "game";
        private int maxPoolSize = 10;
        private Duration connectionTimeout = Duration.ofSeconds(2);
        private Duration socketTimeout = Duration.ofSeconds(60);
        private String poolName = "dm-postgres";
        private int maxJsonBytes = 256 * 1024;
        private int maxTextChars = 100_000;
        private int hnswEfSearch = 800;
        private int hnswM = 32;
        private int hnswEfConstruction = 128;
        private boolean annIndexer = true;
        private Duration annIndexerIdle = Duration.ofSeconds(1);
        private Duration annIndexerDelay = Duration.ofMillis(500);
        private Duration jobRetention = Duration.ofDays(1);

        private Builder() {
        }

        /** A {@code jdbc:postgresql:} URL; the adapters open (and close) a HikariCP pool for it. */
        public Builder jdbcUrl(String jdbcUrl) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** The host's own pool instead of a URL; the adapters never close it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Whether to apply pending Flyway migrations when built (default {@code true}). */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        public Builder authSchema(String name) {
            this.authSchema = name;
            return this;
        }

        public Builder gameSchema(String name) {
            this.gameSchema = name;
            return this;
        }

        /** Prefixes both schema names: {@code prefix + "auth"} and {@code prefix + "game"}. */
        public Builder schemaPrefix(String prefix) {
            this.authSchema = prefix + "auth";
            this.gameSchema = prefix + "game";
            return this;
        }

        public Builder maxPoolSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("maxPoolSize must be at least 1, was " + size);
            }
            this.maxPoolSize = size;
            return this;
        }

        /** How long a call waits for a pooled connection before failing as unavailable (default 2 s). */
        public Builder connectionTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 250) {
                throw new IllegalArgumentException("connectionTimeout must be at least 250 ms, was " + timeout);
            }
            this.connectionTimeout = timeout;
            return this;
        }

        /** How long a statement may wait on the network before failing as unavailable (default 60 s). */
        public Builder socketTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("socketTimeout must not be negative, was " + timeout);
            }
            this.socketTimeout = timeout;
            return this;
        }

        public Builder poolName(String name) {
            this.poolName = Objects.requireNonNull(name, "poolName");
            return this;
        }

        /** The largest JSON document (sheet, turn state, job payload) accepted, in bytes (default 256 KiB). */
        public Builder maxJsonBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxJsonBytes must be positive, was " + bytes);
            }
            this.maxJsonBytes = bytes;
            return this;
        }

        /** The longest message text accepted, in characters (default 100,000). */
        public Builder maxTextChars(int chars) {
            if (chars < 1) {
                throw new IllegalArgumentException("maxTextChars must be positive, was " + chars);
            }
            this.maxTextChars = chars;
            return this;
        }

        /**
         * {@code hnsw.ef_search} of player-scope searches (default 800; at least 2·k is used).
         * Higher is slower and closer to exact.
         */
        public Builder hnswEfSearch(int ef) {
            if (ef < 1 || ef > 1_000) {
                throw new IllegalArgumentException("hnswEfSearch must be 1 to 1000, was " + ef);
            }
            this.hnswEfSearch = ef;
            return this;
        }

        /**
         * The HNSW graph of embedding spaces registered from now on: {@code m} (default 32) and
         * {@code ef_construction} (default 128). Larger is closer to exact for player-scope
         * searches and slower to build; writes do not wait for the graph (the background
         * indexer fills it), see the module README for measurements.
         */
        public Builder hnsw(int m, int efConstruction) {
            if (m < 2 || m > 100) {
                throw new IllegalArgumentException("hnsw m must be 2 to 100, was " + m);
            }
            if (efConstruction < 4 || efConstruction > 1_000 || efConstruction < 2 * m) {
                throw new IllegalArgumentException("hnsw ef_construction must be 4 to 1000 and at least 2·m, was "
                        + efConstruction);
            }
            this.hnswM = m;
            this.hnswEfConstruction = efConstruction;
            return this;
        }

        /**
         * Whether these adapters run the background thread that puts written vectors into the
         * HNSW graph (default {@code true}). With several server instances each may run one;
         * they share the work. Without any, call {@link PgVectorIndex#indexPending(int)} or
         * {@link PgVectorIndex#rebuildAnnIndex} yourself: pending vectors are still found, by
         * an exact scan that grows with their number.
         */
        public Builder annIndexer(boolean run) {
            this.annIndexer = run;
            return this;
        }

        /**
         * How long a finished job (a queued turn's outcome) stays readable before it is deleted
         * (default one day, as the in-memory queue; 1 minute to 365 days).
         */
        public Builder jobRetention(Duration retention) {
            if (retention == null || retention.toMinutes() < 1 || retention.toDays() > 365) {
                throw new IllegalArgumentException("jobRetention must be 1 minute to 365 days, was " + retention);
            }
            this.jobRetention = retention;
            return this;
        }

        /** How often the idle indexer looks for vectors written by other instances (default 1 s). */
        public Builder annIndexerIdle(Duration idle) {
            if (idle == null || idle.toMillis() < 10 || idle.toMinutes() > 10) {
                throw new IllegalArgumentException("annIndexerIdle must be 10 ms to 10 min, was " + idle);
            }
            this.annIndexerIdle = idle;
            return this;
        }

        /**
         * How long the indexer waits after a write before it indexes, so that the writes of that
         * moment enter the graph together instead of each on the heels of the turn that
         * wrote it (default 500 ms; 0 indexes at once; at most 1 minute). Searches do not wait for
         * the graph: pending vectors are found by an exact scan meanwhile.
         */
        public Builder annIndexerDelay(Duration delay) {
            if (delay == null || delay.isNegative() || delay.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("annIndexerDelay must be 0 to 1 min, was " + delay);
            }
            this.annIndexerDelay = delay;
            return this;
        }

        public PostgresAdapters build() {
            return new PostgresAdapters(this);
        }
    }
}
