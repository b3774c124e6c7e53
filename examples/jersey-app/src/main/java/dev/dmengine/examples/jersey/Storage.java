package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.postgres.PostgresAdapters;

/**
 * Where the engine keeps its state: in memory (the engine's defaults, gone when the app stops)
 * or, when a JDBC URL is configured, in PostgreSQL through {@code dm-postgres}: every store, the
 * pgvector index, the job queue and the transaction that groups a turn's writes.
 */
final class Storage implements AutoCloseable {

    private final PostgresAdapters postgres; // null in memory
    private final String description;

    private Storage(PostgresAdapters postgres, String description) {
        this.postgres = postgres;
        this.description = description;
    }

    static Storage open(Settings settings) {
        if (settings.postgres().isEmpty()) {
            return new Storage(null, "in memory");
        }
        Settings.Postgres s = settings.postgres().get();
        PostgresAdapters.Builder b = PostgresAdapters.builder().jdbcUrl(s.url()).user(s.user()).password(s.password())
                .poolName("dm-jersey");
        if (s.schemaPrefix() != null) {
            b.schemaPrefix(s.schemaPrefix());
        }
        PostgresAdapters pg = b.build(); // applies pending migrations
        return new Storage(pg, "PostgreSQL " + s.url() + " (schemas " + pg.authSchema() + ", " + pg.gameSchema() + ")");
    }

    /** An engine builder whose stores are this storage's. */
    DmEngine.Builder engineBuilder() {
        DmEngine.Builder builder = DmEngine.builder();
        if (postgres != null) {
            builder.playerStore(postgres.players()).refreshTokenStore(postgres.refreshTokens())
                    .characterStore(postgres.characters()).sessionStore(postgres.sessions())
                    .messageStore(postgres.messages()).turnStore(postgres.turns()).assetStore(postgres.assets())
                    .vectorIndex(postgres.vectorIndex()).jobQueue(postgres.jobQueue())
                    .transactor(postgres.transactor());
        }
        return builder;
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public void close() {
        if (postgres != null) {
            postgres.close();
        }
    }
}
