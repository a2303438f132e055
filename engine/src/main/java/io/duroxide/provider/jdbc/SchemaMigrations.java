package io.duroxide.provider.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Schema versioning shared by the SQL providers: a {@code schema_version} table with one row per applied
 * migration. Each dialect reads its own catalogue and supplies its own DDL; the bookkeeping is the same.
 */
public final class SchemaMigrations {
    /** One step of a provider's schema, applied once and recorded in {@code schema_version}. */
    public record Migration(int version, String description, List<String> statements) {}

    private SchemaMigrations() {}

    /**
     * The store's schema version from what the dialect found in its catalogue: 0 for an empty store, -1 for
     * one holding another application's tables only, else the newest applied migration.
     */
    public static int currentVersion(Connection c, boolean hasTables, boolean hasVersionTable) throws SQLException {
        if (!hasVersionTable) {
            return hasTables ? -1 : 0;
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Creates {@code schema_version} when starting from 0, then runs and records every migration newer than
     * {@code from}; the caller holds a transaction.
     *
     * @param recordSql inserts one row: version and description are its first two parameters, then {@code recordArgs}
     */
    public static void apply(Connection c, List<Migration> migrations, int from, String createVersionTable,
            String recordSql, Object... recordArgs) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (from == 0) {
                s.execute(createVersionTable);
            }
            for (Migration m : migrations) {
                if (m.version() <= from) {
                    continue;
                }
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
                try (PreparedStatement p = c.prepareStatement(recordSql)) {
                    p.setInt(1, m.version());
                    p.setString(2, m.description());
                    for (int i = 0; i < recordArgs.length; i++) {
                        p.setObject(3 + i, recordArgs[i]);
                    }
                    p.executeUpdate();
                }
            }
        }
    }
}
