package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationTest {
    @Test
    void errorCategoriesFromKindThenRootCauseFirst() {
        assertThat(ErrorCategories.categorize("NONDETERMINISM", List.of("x.Y"), "m")).isEqualTo("nondeterminism");
        assertThat(ErrorCategories.categorize("CONFIGURATION", List.of(), "m")).isEqualTo("configuration");
        assertThat(ErrorCategories.categorize("TIMEOUT", List.of(), "m")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.lang.RuntimeException", "java.sql.SQLException"), "m")).isEqualTo("database");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.lang.RuntimeException", "java.net.ConnectException"), "m")).isEqualTo("network");
        assertThat(ErrorCategories.categorize("APPLICATION",
                List.of("java.io.UncheckedIOException", "java.net.SocketTimeoutException"), "m")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("java.lang.IllegalArgumentException"), "m")).isEqualTo("validation");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("com.fasterxml.jackson.core.JsonParseException"), "m"))
                .isEqualTo("serialization");
        assertThat(ErrorCategories.categorize("APPLICATION", List.of("java.lang.NullPointerException"), "m")).isEqualTo("logic");
        assertThat(ErrorCategories.categorize("INFRASTRUCTURE", List.of("io.duroxide.provider.ProviderException"), "m"))
                .isEqualTo("database");
        assertThat(ErrorCategories.categorize("INFRASTRUCTURE", List.of("com.example.Weird"), "m")).isEqualTo("internal");
        assertThat(ErrorCategories.categorize("POISON", List.of(), "m")).isEqualTo("poison");
    }

    @Test
    void aFailedTaskIsClassifiedByTheTaskFailureInsideIt() {
        List<String> chain = List.of("io.duroxide.api.TaskFailedException");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "Charge failed: APPLICATION java.net.ConnectException: refused")).isEqualTo("network");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "SlowOp failed: TIMEOUT io.duroxide.Timeout: too slow")).isEqualTo("timeout");
        assertThat(ErrorCategories.categorize("APPLICATION", chain,
                "Ship failed: APPLICATION io.duroxide.api.ApplicationException [OUT]: gone")).isEqualTo("logic");
        assertThat(ErrorCategories.ALL).hasSize(15);
    }

    static final class FakeSqliteException extends SQLException {
        FakeSqliteException(String message, int code) {
            super(message, null, code);
        }
    }

    @Test
    void sqliteResultCodes() {
        assertThat(ProviderErrors.classifySqlite(5, -1, null)).isEqualTo("timeout");
        assertThat(ProviderErrors.classifySqlite(5, 517, null)).isEqualTo("deadlock");
        assertThat(ProviderErrors.classifySqlite(6, -1, null)).isEqualTo("deadlock");
        assertThat(ProviderErrors.classifySqlite(11, -1, null)).isEqualTo("corruption");
        assertThat(ProviderErrors.classifySqlite(26, -1, null)).isEqualTo("corruption");
        assertThat(ProviderErrors.classifySqlite(19, -1, null)).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classifySqlite(14, -1, null)).isEqualTo("connection");
        assertThat(ProviderErrors.classifySqlite(10, -1, null)).isEqualTo("connection");
        assertThat(ProviderErrors.classifySqlite(1, -1, "[SQLITE_BUSY] database is locked")).isEqualTo("timeout");
    }

    @Test
    void providerExceptionsAreClassifiedThroughTheCauseChain() {
        RuntimeException busy = new RuntimeException("commitTurn: failed",
                new FakeSqliteException("[SQLITE_BUSY] The database file is locked (database is locked)", 5));
        assertThat(ProviderErrors.classify(busy)).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "08006")))).isEqualTo("connection");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "40P01")))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "40001")))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "57014")))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "23505")))).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classify(new RuntimeException(new SQLException("x", "XX001")))).isEqualTo("corruption");
        assertThat(ProviderErrors.classify(new java.sql.SQLTimeoutException("t"))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(new io.duroxide.provider.LockLostException("commitTurn", "gone"))).isEqualTo("lock_lost");
        assertThat(ProviderErrors.classify(new io.duroxide.api.InstanceAlreadyExistsException("i", io.duroxide.api.RuntimeStatus.RUNNING))).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classify(new RuntimeException("?"))).isEqualTo("other");
    }

    @Test
    void realSqliteJdbcExceptionsWrappedByTheProvider() {
        org.sqlite.SQLiteException busy = new org.sqlite.SQLiteException("[SQLITE_BUSY] database is locked",
                org.sqlite.SQLiteErrorCode.SQLITE_BUSY);
        org.sqlite.SQLiteException snapshot = new org.sqlite.SQLiteException("[SQLITE_BUSY_SNAPSHOT] stale",
                org.sqlite.SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT);
        org.sqlite.SQLiteException corrupt = new org.sqlite.SQLiteException("[SQLITE_CORRUPT] malformed",
                org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT);
        org.sqlite.SQLiteException notadb = new org.sqlite.SQLiteException("[SQLITE_NOTADB] not a database",
                org.sqlite.SQLiteErrorCode.SQLITE_NOTADB);
        org.sqlite.SQLiteException unique = new org.sqlite.SQLiteException("[SQLITE_CONSTRAINT_UNIQUE] unique",
                org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
        org.sqlite.SQLiteException cantopen = new org.sqlite.SQLiteException("[SQLITE_CANTOPEN] cannot open",
                org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN);
        org.sqlite.SQLiteException ioerr = new org.sqlite.SQLiteException("[SQLITE_IOERR_WRITE] disk",
                org.sqlite.SQLiteErrorCode.SQLITE_IOERR_WRITE);
        org.sqlite.SQLiteException locked = new org.sqlite.SQLiteException("[SQLITE_LOCKED] table locked",
                org.sqlite.SQLiteErrorCode.SQLITE_LOCKED);
        java.util.function.Function<Throwable, Throwable> wrap =
                e -> new io.duroxide.provider.ProviderException("commitTurn", e.getMessage(), true, e);
        assertThat(ProviderErrors.classify(wrap.apply(busy))).isEqualTo("timeout");
        assertThat(ProviderErrors.classify(wrap.apply(snapshot))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(wrap.apply(locked))).isEqualTo("deadlock");
        assertThat(ProviderErrors.classify(wrap.apply(corrupt))).isEqualTo("corruption");
        assertThat(ProviderErrors.classify(wrap.apply(notadb))).isEqualTo("corruption");
        assertThat(ProviderErrors.classify(wrap.apply(unique))).isEqualTo("constraint_violation");
        assertThat(ProviderErrors.classify(wrap.apply(cantopen))).isEqualTo("connection");
        assertThat(ProviderErrors.classify(wrap.apply(ioerr))).isEqualTo("connection");
    }

    @Test
    void messagesAreNormalisedAndTruncated() {
        MessageNormalizer n = new MessageNormalizer(40);
        assertThat(n.normalize("item fail-12 is out of stock")).isEqualTo("item fail-<n> is out of stock");
        assertThat(n.normalize("instance 3f2a9c1e-1111-2222-3333-444455556666 not found"))
                .isEqualTo("instance <uuid> not found");
        assertThat(n.normalize("user 'bob' has   42 items\nstack...")).isEqualTo("user <str> has <n> items");
        assertThat(n.normalize("token deadbeef00 rejected")).isEqualTo("token <hex> rejected");
        assertThat(n.normalize("a very long message that certainly exceeds the configured length"))
                .hasSize(40).endsWith("...");
        assertThat(n.normalize(null)).isEqualTo("none");
    }
}
