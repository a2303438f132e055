package io.duroxide.provider.postgres;

import io.duroxide.provider.jdbc.Secrets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how a {@link PostgresProvider} connects.
 *
 * @param url a {@code jdbc:postgresql://host[:port]/database} URL; user and password may be given in it
 * @param user the role, or null to take it from the URL or pgjdbc's defaults
 * @param password the password, or null
 * @param schema the schema that holds the tables; created on first use
 * @param poolSize connections in the pool; one more is used to listen for new work
 * @param maxIdleWait the longest an idle dispatcher goes without asking the database (see {@link IdleGate})
 */
public record PostgresOptions(String url, String user, String password, String schema, int poolSize,
        Duration maxIdleWait) {
    public static final String DEFAULT_SCHEMA = "duroxide";
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PostgresOptions {
        Objects.requireNonNull(url, "url");
        PostgresUrl.check(url);
        Objects.requireNonNull(schema, "schema");
        if (!IDENTIFIER.matcher(schema).matches()) {
            // The schema name is put into SQL text (search_path, CREATE SCHEMA), so only plain names are accepted.
            throw new IllegalArgumentException("schema name '" + schema
                    + "' must be lower-case letters, digits and underscores, starting with a letter or underscore");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        Objects.requireNonNull(maxIdleWait, "maxIdleWait");
        if (maxIdleWait.isNegative()) {
            throw new IllegalArgumentException("maxIdleWait must not be negative, was " + maxIdleWait);
        }
    }

    /** The URL with the default schema, a pool of 8 and idle dispatchers asking at least every second. */
    public static PostgresOptions of(String url) {
        return new PostgresOptions(url, null, null, DEFAULT_SCHEMA, 8, Duration.ofSeconds(1));
    }

    public PostgresOptions withCredentials(String user, String password) {
        return new PostgresOptions(url, user, password, schema, poolSize, maxIdleWait);
    }

    public PostgresOptions withSchema(String schema) {
        return new PostgresOptions(url, user, password, schema, poolSize, maxIdleWait);
    }

    public PostgresOptions withPoolSize(int poolSize) {
        return new PostgresOptions(url, user, password, schema, poolSize, maxIdleWait);
    }

    public PostgresOptions withMaxIdleWait(Duration maxIdleWait) {
        return new PostgresOptions(url, user, password, schema, poolSize, maxIdleWait);
    }

    /** The URL with its password masked, for messages. */
    String safeUrl() {
        return Secrets.mask(url);
    }

    @Override
    public String toString() {
        return "PostgresOptions[" + safeUrl() + ", schema=" + schema + ", poolSize=" + poolSize + "]";
    }
}
