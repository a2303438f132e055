package io.duroxide.cli;

import io.duroxide.provider.Provider;
import io.duroxide.provider.ProviderException;
import io.duroxide.provider.jdbc.Secrets;
import io.duroxide.provider.postgres.PostgresOptions;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Opens the store a command names: a SQLite file or a {@code jdbc:postgresql:} URL, with the same providers the
 * runtimes use. It never creates a store: opening a provider on a path or schema that does not exist would
 * create an empty one, so the target is checked first and a missing one is a one-line failure.
 */
final class StoreOpener {
    static final String POSTGRES_PREFIX = "jdbc:postgresql:";
    /** A command runs a few queries one after another; the runtimes' default pool of 8 would be idle. */
    private static final int POSTGRES_POOL = 2;

    private StoreOpener() {}

    static Provider open(String target, String schema) {
        if (target == null || target.isBlank()) {
            throw new CliFailure(CliFailure.USAGE, "no store given: pass --store FILE or --store "
                    + POSTGRES_PREFIX + "//HOST:PORT/DB with user and password as URL parameters (or set DUROXIDE_STORE)");
        }
        try {
            return target.startsWith(POSTGRES_PREFIX) ? openPostgres(target, schema) : openSqlite(Path.of(target));
        } catch (ProviderException e) {
            throw new CliFailure(CliFailure.STORE_UNAVAILABLE, Secrets.mask(e.getMessage()));
        }
    }

    private static Provider openSqlite(Path file) {
        if (!Files.exists(file)) {
            throw new CliFailure(CliFailure.STORE_UNAVAILABLE, "no store at " + file + ": the file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new CliFailure(CliFailure.STORE_UNAVAILABLE, "no store at " + file + ": it is not a file");
        }
        return SqliteProvider.open(file);
    }

    private static Provider openPostgres(String url, String schema) {
        PostgresOptions options;
        try {
            options = PostgresOptions.of(url).withSchema(schema).withPoolSize(POSTGRES_POOL);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(CliFailure.USAGE, Secrets.mask(e.getMessage()));
        }
        requireSchema(url, schema);
        return PostgresProvider.open(options);
    }

    /** Fails unless the schema holds a duroxide store; the provider would otherwise create one. */
    private static void requireSchema(String url, String schema) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement p = c.prepareStatement("SELECT count(*) FROM information_schema.tables"
                        + " WHERE table_schema = ? AND table_name = 'instances'")) {
            p.setString(1, schema);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    throw new CliFailure(CliFailure.STORE_UNAVAILABLE, "no store in schema '" + schema + "' at "
                            + Secrets.mask(url) + " (--schema names another)");
                }
            }
        } catch (SQLException e) {
            throw new CliFailure(CliFailure.STORE_UNAVAILABLE, "cannot read the store at " + Secrets.mask(url) + ": "
                    + Secrets.mask(e.getMessage()));
        }
    }
}
