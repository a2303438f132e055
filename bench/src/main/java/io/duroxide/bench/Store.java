package io.duroxide.bench;

import io.duroxide.provider.Provider;
import io.duroxide.provider.postgres.PostgresOptions;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Which store a benchmark or the load generator runs on: a SQLite file, or a schema of a PostgreSQL
 * database. Several processes given the same store share one backlog.
 *
 * @param kind {@code sqlite} or {@code postgres}
 * @param file the SQLite file (sqlite only)
 * @param pgUrl the JDBC URL (postgres only)
 * @param pgSchema the schema (postgres only)
 */
public record Store(String kind, Path file, String pgUrl, String pgSchema) {
    public static final String SQLITE = "sqlite";
    public static final String POSTGRES = "postgres";

    public Store {
        Objects.requireNonNull(kind, "kind");
        kind = kind.toLowerCase(Locale.ROOT);
        if (kind.equals(SQLITE)) {
            Objects.requireNonNull(file, "SQLite file");
        } else if (kind.equals(POSTGRES)) {
            if (pgUrl == null || pgUrl.isBlank()) {
                throw new IllegalArgumentException("--provider postgres needs --pg-url jdbc:postgresql://host:port/db"
                        + "?user=...&password=...");
            }
            // PostgresOptions checks the URL and the schema name and says what is wrong with them.
            PostgresOptions.of(pgUrl).withSchema(pgSchema == null ? PostgresOptions.DEFAULT_SCHEMA : pgSchema);
        } else {
            throw new IllegalArgumentException("--provider must be sqlite or postgres, was '" + kind + "'");
        }
    }

    public static Store sqlite(Path file) {
        return new Store(SQLITE, file, null, null);
    }

    public static Store postgres(String url, String schema) {
        return new Store(POSTGRES, null, url, schema);
    }

    public boolean isPostgres() {
        return kind.equals(POSTGRES);
    }

    public PostgresOptions pgOptions() {
        return PostgresOptions.of(pgUrl).withSchema(pgSchema == null ? PostgresOptions.DEFAULT_SCHEMA : pgSchema);
    }

    public Provider open() {
        return isPostgres() ? PostgresProvider.open(pgOptions()) : SqliteProvider.open(file);
    }

    /** For progress lines; never shows a password. */
    public String describe() {
        return isPostgres() ? "PostgreSQL " + pgOptions().toString() : "SQLite " + file;
    }
}
