package dev.dmengine.core.cache;

import dev.dmengine.spi.Transactor;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.MessageStore;
import dev.dmengine.spi.game.SessionStore;
import dev.dmengine.spi.infra.Cache;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * Hot reads: what every turn reads — the session ({@link SessionStore#get}), its character
 * ({@link CharacterStore#get}) and the recent window ({@link MessageStore#recent}) — served from
 * a shared {@link Cache} (Redis in a deployment, so every server instance sees one copy), and
 * updated by the very calls that write them. Wrap the three stores <em>and the transactor</em>
 * with the same instance; {@code DmEngine.builder().hotReads(cache, ttl)} does it.
 *
 * <pre>{@code
 * HotReads hot = HotReads.builder(redis.cache()).ttl(Duration.ofMinutes(10)).build();
 * CharacterStore characters = hot.characters(pg.characters());
 * Transactor transactor = hot.transactor(pg.transactor());
 * }</pre>
 *
 * <p><b>Never stale after a committed write, on any instance.</b> Each entry is a state key and
 * a data key. The state holds a random token; cached data counts only while it is tagged with
 * the token the state holds <em>now</em>. A write puts a fresh token of its own in the state
 * before it writes the store; once the store write has committed it looks at the state again:
 * if its token is still there (no other write began meanwhile), it puts the new value under that
 * token (write-through); otherwise, or if the write failed, it puts yet another token, which
 * matches no data (invalidation). Readers fill data only under a token a reader created, noting
 * it <em>before</em> they read the store. So a reader on instance B that read the old row while
 * A's write committed files it under a token A's write has since replaced: it can never be
 * served. No window lets an old value be filled after a commit, and nothing relies on clocks or
 * on the order in which the cache receives the calls of different instances.
 *
 * <p><b>Transactions.</b> The turn writes the character, the session and the messages inside
 * {@link Transactor#inTransaction}; a database transaction makes them visible only at its
 * commit. The transactor returned by {@link #transactor} defers the end of every write made on
 * the thread until the outermost transaction returns: after a commit the entries are written
 * through, after a rollback they are invalidated (a compensation that writes the old values back
 * goes through the stores again, so it is cached like any write). The writer's token, put before
 * the write, keeps every reader on the store until then (nobody fills under a writer's token),
 * and a reader that saw the entry before it filled it under a token that is gone.
 *
 * <p><b>When the cache fails.</b> A read never fails because of the cache: it reads the store
 * (and a warning is logged at most once a minute per kind of failure). A write whose token
 * cannot be put first is refused with {@link dev.dmengine.spi.UnavailableException} before the
 * store is touched, because a write made behind the cache's back could leave a copy that other
 * instances go on serving. If the cache fails <em>after</em> the store write (the step that
 * writes through or invalidates), the write stands and the writer's token stays, without data,
 * until it expires: no instance trusts or fills the entry meanwhile, so nobody reads a stale
 * value; it only costs store reads for at most the TTL.
 *
 * <p><b>What the TTL bounds.</b> Every key expires after the TTL, so a cache that is never
 * cleaned holds only live sessions. The TTL is also the backstop for the cases the protocol does
 * not cover: a writer that bypasses these decorators (another program writing the database), and
 * two writes of one entry that overlap in time when the one that committed last fails to end
 * (the other's data may then be served until its TTL). Everything the engine writes goes through
 * the decorators: use {@code engine.ports()} in a host, not the raw adapters.
 *
 * <p><b>Cost.</b> A warm read is one round trip when this instance holds a copy filed under the
 * current token (a bounded local map of decoded values, {@link Builder#localCopies}), two
 * otherwise; a write adds one before and two after (a window appended to from a current local
 * copy: two before). Figures for a turn on PostgreSQL and Redis are in the project README.
 */
public final class HotReads {

    private final HotEntries entries;
    private final int window;
    private final QuietLog log;

    private HotReads(Builder b) {
        this.log = new QuietLog(LoggerFactory.getLogger(HotReads.class), b.failureLogInterval, System::nanoTime);
        this.entries = new HotEntries(b.cache, b.ttl, b.localCopies, log);
        this.window = b.window;
    }

    /** Hot reads on {@code cache} (required: {@link Builder#ttl}). */
    public static Builder builder(Cache cache) {
        return new Builder(cache);
    }

    /** The character store, with {@link CharacterStore#get} cached. */
    public CharacterStore characters(CharacterStore store) {
        return new CachingCharacterStore(store, entries);
    }

    /** The session store, with {@link SessionStore#get} cached. */
    public SessionStore sessions(SessionStore store) {
        return new CachingSessionStore(store, entries);
    }

    /** The message store, with {@link MessageStore#recent} cached up to {@link Builder#recentWindow} messages. */
    public MessageStore messages(MessageStore store) {
        return new CachingMessageStore(store, entries, window);
    }

    /**
     * The transactor the decorated stores must be written under: it ends their writes when the
     * outermost transaction of the thread has committed or rolled back.
     */
    public Transactor transactor(Transactor transactor) {
        return entries.transactor(Objects.requireNonNull(transactor, "transactor"));
    }

    /** What the cache did so far, for metrics and benchmarks. */
    public Stats stats() {
        HotEntries.Counters c = entries.counters;
        return new Stats(c.hits.sum(), c.misses.sum(), c.bypasses.sum(), c.writeThroughs.sum(),
                c.invalidations.sum(), c.failures.sum(), c.refusedWrites.sum());
    }

    /** Warnings logged (held-back repeats not counted); for tests. */
    long warningsLogged() {
        return log.written();
    }

    /**
     * Counts since the decorators were made.
     *
     * @param hits          reads served from the cache (each a store read saved)
     * @param misses        reads that went to the store and filled the cache
     * @param bypasses      reads that went to the store without filling it (a write was under way)
     * @param writeThroughs writes whose new value was put in the cache
     * @param invalidations writes (or failed writes) that only invalidated the entry
     * @param cacheFailures calls to the cache that failed (reads then used the store)
     * @param refusedWrites writes refused because the cache could not be marked first
     */
    public record Stats(long hits, long misses, long bypasses, long writeThroughs, long invalidations,
                        long cacheFailures, long refusedWrites) {
    }

    /** Settings of {@link HotReads}. */
    public static final class Builder {
        private final Cache cache;
        private Duration ttl;
        private int window = 9;
        private int localCopies = 1_024;
        private Duration failureLogInterval = Duration.ofMinutes(1);

        private Builder(Cache cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
        }

        /**
         * How long an entry lives unread-or-not (required; at least a second): the bound on what
         * the cache holds and on the rare cases the protocol leaves to expiry (see the class).
         */
        public Builder ttl(Duration value) {
            Objects.requireNonNull(value, "ttl");
            if (value.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("ttl must be at least 1 second, was " + value);
            }
            ttl = value;
            return this;
        }

        /**
         * How many of a session's last messages are cached (default 9: the engine's default
         * recent window of 8 and the player message; {@code DmEngine} sets it from its
         * {@code TurnConfig}); {@code recent(session, n)} with a larger {@code n} reads the store.
         */
        public Builder recentWindow(int messages) {
            if (messages < 1 || messages > 1_000) {
                throw new IllegalArgumentException("recentWindow must be 1 to 1000, was " + messages);
            }
            window = messages;
            return this;
        }

        /**
         * How many decoded entries this instance keeps beside the cache, filed under their token
         * (default 1,024; 0 for none): a read whose token matches costs one round trip, and
         * appending to a window does not read it back first.
         */
        public Builder localCopies(int entries) {
            if (entries < 0 || entries > 1_000_000) {
                throw new IllegalArgumentException("localCopies must be 0 to 1000000, was " + entries);
            }
            localCopies = entries;
            return this;
        }

        Builder failureLogInterval(Duration value) {
            failureLogInterval = Objects.requireNonNull(value, "failureLogInterval");
            return this;
        }

        public HotReads build() {
            if (ttl == null) {
                throw new IllegalStateException("ttl is required: how long a cached entry may live");
            }
            return new HotReads(this);
        }
    }
}
