package io.duroxide.provider.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL server the tests use, and a fresh schema per test that is dropped after it.
 *
 * <p>The server is named by {@code DUROXIDE_TEST_PG_URL} (a JDBC URL with user and password
 * parameters). Without it the tests are skipped with one line saying how to enable them; with
 * {@code DUROXIDE_REQUIRE_POSTGRES=1} (set by {@code .ci/run}) they fail instead, so CI cannot
 * silently skip them. Register it as a static {@code @RegisterExtension} field; nested classes inherit it.
 */
public final class PostgresTestDatabase implements ExecutionCondition, BeforeAllCallback, AfterEachCallback {
    public static final String URL_VARIABLE = "DUROXIDE_TEST_PG_URL";
    public static final String REQUIRE_VARIABLE = "DUROXIDE_REQUIRE_POSTGRES";
    static final String HOW_TO_ENABLE = "PostgreSQL tests skipped: set " + URL_VARIABLE
            + "=jdbc:postgresql://localhost:5432/duroxide?user=duroxide&password=duroxide (.ci/run shows how to"
            + " start a local server)";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile boolean announced;
    private final List<String> created = new ArrayList<>();

    /** The server URL, or null when none is configured. */
    public static String url() {
        String url = System.getenv(URL_VARIABLE);
        return url == null || url.isBlank() ? null : url.trim();
    }

    static boolean required() {
        return "1".equals(System.getenv(REQUIRE_VARIABLE));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (url() != null || required()) {
            return ConditionEvaluationResult.enabled("PostgreSQL configured or required");
        }
        if (!announced) {
            announced = true;
            System.err.println(HOW_TO_ENABLE);
        }
        return ConditionEvaluationResult.disabled(HOW_TO_ENABLE);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String url = url();
        if (url == null) {
            throw new AssertionError(REQUIRE_VARIABLE + "=1 but " + URL_VARIABLE + " is not set");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL at " + URL_VARIABLE + " is not reachable: " + e.getMessage(), e);
        }
    }

    /**
     * A new schema name for this test, unique across runs and processes; the schema itself is created by
     * the provider (its first-use path is under test too) and dropped after the test.
     */
    public synchronized String newSchema(String purpose) {
        String name = ("dxt_" + purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") + "_"
                + COUNTER.incrementAndGet() + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)));
        if (name.length() > 60) {
            name = "dxt_" + name.substring(name.length() - 50);
        }
        created.add(name);
        return name;
    }

    /** Options for {@link #url()} on {@code schema}: the defaults (a pool of 8), so tests run what users run. */
    public static PostgresOptions options(String schema) {
        return PostgresOptions.of(url()).withSchema(schema);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> drop;
        synchronized (this) {
            drop = List.copyOf(created);
            created.clear();
        }
        dropSchemas(drop);
    }

    private static void dropSchemas(List<String> schemas) {
        for (String schema : schemas) {
            PostgresProvider.dropSchema(options(schema));
        }
    }
}
