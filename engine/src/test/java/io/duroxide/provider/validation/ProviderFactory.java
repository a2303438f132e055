package io.duroxide.provider.validation;

import io.duroxide.provider.Provider;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * How the validation suite gets the provider under test. The suite asks its subclass for a factory
 * once per test, so a factory may hold per-test resources such as a temporary directory.
 */
public interface ProviderFactory {

    /** A fresh provider on a new, empty store that no other test uses. Closed by the suite. */
    Provider create();

    /**
     * A second provider on the same store as the last {@link #create()}, standing in for another
     * process; the suite closes it. Empty when the implementation cannot open a store twice, in which
     * case the tests that need it use the first provider from several threads instead.
     */
    default Optional<Provider> openSecond() {
        return Optional.empty();
    }

    /**
     * Moves the creation time of an instance in the last {@link #create()}'s store back by {@code age}, as if it
     * had been created that long ago (only the store's own SQL can: the SPI has no such write). The tests call it
     * before they queue the work they look at, since a store may rank queued rows when it writes them. Returns false
     * when the implementation cannot, in which case the tests that need it are skipped.
     */
    default boolean backdateCreation(String instanceId, Duration age) {
        return false;
    }

    /** Runs one update on its own connection to {@code jdbcUrl}: how a factory changes a store behind the SPI. */
    static int updateDirectly(String jdbcUrl, String sql, Object... values) {
        try (Connection c = DriverManager.getConnection(jdbcUrl); PreparedStatement update = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                update.setObject(i + 1, values[i]);
            }
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError("could not change the store directly: " + e.getMessage(), e);
        }
    }
}
