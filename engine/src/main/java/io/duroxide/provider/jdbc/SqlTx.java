package io.duroxide.provider.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One unit of work on one connection, as the SQL providers' shared row code ({@link SqlRows}) sees it.
 * Statements returned by {@link #bind} belong to the unit of work: callers close only their result sets.
 */
public interface SqlTx {

    /** The connection the unit of work runs on (for what statements cannot do, such as migrating a schema). */
    Connection connection();

    /** A prepared statement for {@code sql} with the arguments bound in order (null allowed). */
    PreparedStatement bind(String sql, Object... args) throws SQLException;

    default int update(String sql, Object... args) throws SQLException {
        return bind(sql, args).executeUpdate();
    }

    /** The first column of the first row, or null. */
    default String queryString(String sql, Object... args) throws SQLException {
        try (ResultSet rs = bind(sql, args).executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
