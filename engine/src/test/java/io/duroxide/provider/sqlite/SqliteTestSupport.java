package io.duroxide.provider.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Raw SQL access to a store file, for the SQLite-specific tests that check tables directly. Builders
 * for SPI values and deadline-bounded waiting live in {@link io.duroxide.provider.validation.ValidationSupport}.
 */
final class SqliteTestSupport {

    private SqliteTestSupport() {}

    /** Raw SQL on the store file, as an independent connection (another process's view). */
    static final class Raw implements AutoCloseable {
        private final Connection connection;

        Raw(Path file) throws SQLException {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (var s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
            }
        }

        Connection connection() {
            return connection;
        }

        long count(String sql, Object... args) throws SQLException {
            try (PreparedStatement p = prepare(sql, args); ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }

        String string(String sql, Object... args) throws SQLException {
            try (PreparedStatement p = prepare(sql, args); ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }

        int update(String sql, Object... args) throws SQLException {
            try (PreparedStatement p = prepare(sql, args)) {
                return p.executeUpdate();
            }
        }

        private PreparedStatement prepare(String sql, Object... args) throws SQLException {
            PreparedStatement p = connection.prepareStatement(sql);
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p;
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
