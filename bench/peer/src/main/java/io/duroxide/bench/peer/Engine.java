package io.duroxide.bench.peer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The engines compared, and what the parent process reads from each one's store after a round. */
enum Engine {
    DBOS("DBOS"),
    DUROXIDE_PG("Duroxide-PG"),
    DUROXIDE_SQLITE("Duroxide-SQLite");

    private final String label;

    Engine(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    boolean onPostgres() {
        return this != DUROXIDE_SQLITE;
    }

    /** The id of the round's n-th workflow, the same on every engine. */
    static String instanceId(int n) {
        return "w-" + n;
    }

    /** The id of a warm-up workflow, run before the round and left out of its figures. */
    static String warmupId(int first, int k) {
        return "warm-" + first + "-" + k;
    }

    /** The condition that keeps the round's own workflows (ids {@code w-n}) and leaves the warm-up out. */
    private String timed(String alias) {
        return " AND " + alias + (this == DBOS ? ".workflow_uuid" : ".instance_id") + " LIKE 'w-%'";
    }

    /** How many of the round's workflows completed. */
    int completed(Connection c, String schema) throws SQLException {
        String sql = switch (this) {
            case DBOS -> "SELECT count(*) FROM \"" + schema + "\".workflow_status w WHERE parent_workflow_id IS NULL"
                    + " AND status = 'SUCCESS'";
            case DUROXIDE_PG -> "SELECT count(*) FROM \"" + schema + "\".instances w WHERE status = 'COMPLETED'";
            case DUROXIDE_SQLITE -> "SELECT count(*) FROM instances w WHERE status = 'COMPLETED'";
        } + timed("w");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * Each completed workflow's start and end as its store recorded them, epoch milliseconds: DBOS's
     * {@code created_at}/{@code updated_at}, Duroxide's instance {@code created_at} and execution {@code completed_at}.
     */
    List<Span> spans(Connection c, String schema) throws SQLException {
        String sql = switch (this) {
            case DBOS -> "SELECT created_at, updated_at FROM \"" + schema + "\".workflow_status i"
                    + " WHERE parent_workflow_id IS NULL AND status = 'SUCCESS'";
            case DUROXIDE_PG -> "SELECT (extract(epoch FROM i.created_at) * 1000)::bigint,"
                    + " (extract(epoch FROM e.completed_at) * 1000)::bigint FROM \"" + schema + "\".instances i"
                    + " JOIN \"" + schema + "\".executions e ON e.instance_id = i.instance_id AND e.execution_id = 1"
                    + " WHERE i.status = 'COMPLETED'";
            case DUROXIDE_SQLITE -> "SELECT i.created_at, e.completed_at FROM instances i JOIN executions e"
                    + " ON e.instance_id = i.instance_id AND e.execution_id = 1 WHERE i.status = 'COMPLETED'";
        } + timed("i");
        List<Span> spans = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                spans.add(new Span(rs.getLong(1), rs.getLong(2)));
            }
        }
        return spans;
    }

    /** The parent's own connection to a round's store (not counted as the engine's PostgreSQL CPU). */
    static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }
}
