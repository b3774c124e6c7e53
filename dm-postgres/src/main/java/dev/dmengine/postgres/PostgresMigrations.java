package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.MaintenanceDataSource;
import dev.dmengine.postgres.internal.SqlErrors;

import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The Flyway migrations of the {@code auth} and {@code game} schemas, whose names are
 * placeholders ({@code ${auth}}, {@code ${game}}) so that a host can prefix them and each
 * test class can use schemas of its own. The history table lives in the game schema.
 * Migrations run without the pool's socket timeout: one that rebuilds an index over a large
 * table may take minutes.
 */
public final class PostgresMigrations {

    /** Where the SQL migrations are on the classpath. */
    public static final String LOCATION = "classpath:dev/dmengine/postgres/migration";

    private final DataSource dataSource;
    private final String auth;
    private final String game;

    public PostgresMigrations(DataSource dataSource, String authSchema, String gameSchema) {
        this.dataSource = dataSource;
        this.auth = PostgresAdapters.checkSchema("authSchema", authSchema);
        this.game = PostgresAdapters.checkSchema("gameSchema", gameSchema);
    }

    /** Applies every pending migration; returns the schema version afterwards. */
    public String migrate() {
        return migrateTo(null);
    }

    /** Applies the pending migrations up to and including {@code version} ({@code null}: all). */
    public String migrateTo(String version) {
        try {
            var result = flyway(version).migrate();
            return result.targetSchemaVersion != null ? result.targetSchemaVersion : current();
        } catch (RuntimeException e) {
            throw SqlErrors.translate("migrate schemas " + auth + ", " + game, e);
        }
    }

    /** The version the schemas are at, or {@code null} before the first migration. */
    public String current() {
        MigrationInfo info = flyway(null).info().current();
        return info == null ? null : info.getVersion().getVersion();
    }

    /** The newest version the migrations on the classpath reach. */
    public String latest() {
        MigrationInfo[] all = flyway(null).info().all();
        return all.length == 0 ? null : all[all.length - 1].getVersion().getVersion();
    }

    private Flyway flyway(String target) {
        var config = Flyway.configure(PostgresMigrations.class.getClassLoader())
                .dataSource(new MaintenanceDataSource(dataSource))
                .schemas(game, auth)
                .defaultSchema(game)
                .createSchemas(true)
                .placeholders(Map.of("auth", auth, "game", game))
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .loggers("slf4j");
        if (target != null) {
            config.target(MigrationVersion.fromVersion(target));
        }
        return config.load();
    }
}
