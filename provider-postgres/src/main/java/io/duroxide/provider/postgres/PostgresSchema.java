package io.duroxide.provider.postgres;

import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.SchemaMigrations;
import io.duroxide.provider.jdbc.SchemaMigrations.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema as an ordered list of migrations, applied on first use inside one transaction that holds
 * an advisory lock on the schema name, so that runtimes starting together migrate it once.
 * {@code schema_version} holds one row per applied migration.
 */
final class PostgresSchema {

    /** The notification channel on which providers of a schema announce new or released work. */
    static String channel(String schema) {
        return "duroxide_work_" + schema;
    }

    static List<Migration> migrations(String schema) {
        return List.of(new Migration(1, "initial schema", List.of(
                // Ids and names order by code point (COLLATE "C"), as in SQLite and Java, whatever the
                // database's locale: listing pages by instance id rely on it.
                """
                CREATE TABLE instances (
                    instance_id           TEXT COLLATE "C" PRIMARY KEY,
                    orchestration_name    TEXT COLLATE "C" NOT NULL,
                    orchestration_version TEXT,
                    status                TEXT NOT NULL,
                    current_execution_id  BIGINT NOT NULL DEFAULT 1,
                    input                 TEXT,
                    output                TEXT,
                    failure_json          TEXT,
                    custom_status         TEXT,
                    parent_instance_id    TEXT,
                    created_at            TIMESTAMPTZ NOT NULL,
                    updated_at            TIMESTAMPTZ NOT NULL
                )""",
                "CREATE INDEX idx_instances_parent ON instances(parent_instance_id) WHERE parent_instance_id IS NOT NULL",
                "CREATE INDEX idx_instances_status ON instances(status, orchestration_name)",
                """
                CREATE TABLE executions (
                    instance_id   TEXT NOT NULL,
                    execution_id  BIGINT NOT NULL,
                    status        TEXT NOT NULL,
                    initiated_by  TEXT NOT NULL,
                    started_at    TIMESTAMPTZ NOT NULL,
                    completed_at  TIMESTAMPTZ,
                    turn_count    INTEGER NOT NULL DEFAULT 0,
                    history_size  INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (instance_id, execution_id)
                )""",
                """
                CREATE TABLE history (
                    instance_id   TEXT NOT NULL,
                    execution_id  BIGINT NOT NULL,
                    event_id      BIGINT NOT NULL CHECK (event_id > 0),
                    event_type    TEXT NOT NULL,
                    event_json    TEXT NOT NULL,
                    PRIMARY KEY (instance_id, execution_id, event_id)
                )""",
                """
                CREATE TABLE orchestrator_queue (
                    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    instance_id   TEXT NOT NULL,
                    execution_id  BIGINT,
                    message_json  TEXT NOT NULL,
                    visible_at    TIMESTAMPTZ NOT NULL,
                    lock_token    TEXT,
                    attempt_count INTEGER NOT NULL DEFAULT 0,
                    created_at    TIMESTAMPTZ NOT NULL
                )""",
                "CREATE INDEX idx_orchestrator_queue_instance ON orchestrator_queue(instance_id, visible_at)",
                // Fetches scan in (visible_at, id) order, so timers not yet due are never in their way.
                "CREATE INDEX idx_orchestrator_queue_visible ON orchestrator_queue(visible_at, id)",
                """
                CREATE TABLE instance_locks (
                    instance_id   TEXT PRIMARY KEY,
                    lock_token    TEXT NOT NULL UNIQUE,
                    locked_until  TIMESTAMPTZ NOT NULL
                )""",
                """
                CREATE TABLE worker_queue (
                    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    instance_id   TEXT NOT NULL,
                    execution_id  BIGINT NOT NULL,
                    task_id       INTEGER NOT NULL,
                    item_json     TEXT NOT NULL,
                    visible_at    TIMESTAMPTZ NOT NULL,
                    lock_token    TEXT,
                    locked_until  TIMESTAMPTZ,
                    attempt_count INTEGER NOT NULL DEFAULT 0,
                    created_at    TIMESTAMPTZ NOT NULL
                )""",
                "CREATE INDEX idx_worker_queue_instance ON worker_queue(instance_id)",
                "CREATE INDEX idx_worker_queue_token ON worker_queue(lock_token) WHERE lock_token IS NOT NULL",
                "CREATE INDEX idx_worker_queue_visible ON worker_queue(visible_at, id)")),
                // When a lock was taken or last renewed, for the age of the oldest held lock (Provider#lockedWork).
                // Locks held across the upgrade have none and count as just renewed until their holder renews them.
                new Migration(2, "locks record when they were taken or last renewed", List.of(
                        "ALTER TABLE instance_locks ADD COLUMN locked_at TIMESTAMPTZ",
                        "ALTER TABLE worker_queue ADD COLUMN locked_at TIMESTAMPTZ")),
                // Both queues are fetched by seniority (Provider#SENIORITY_WINDOW), stored per row so that a fetch walks
                // an index (FetchRank); rows queued before the upgrade get theirs here.
                new Migration(3, "queues are fetched by seniority",
                        FetchRank.migration(PostgresDialect.INSTANCE, "TIMESTAMPTZ NOT NULL DEFAULT '-infinity'")));
    }

    static int latestVersion(String schema) {
        List<Migration> all = migrations(schema);
        return all.get(all.size() - 1).version();
    }

    private PostgresSchema() {}

    /**
     * Creates the schema if needed and applies missing migrations, in one transaction on {@code c}.
     *
     * @throws IllegalStateException if the schema holds tables but no duroxide schema_version, or a newer version
     */
    static void migrate(Connection c, String schema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            try (PreparedStatement p = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                p.setString(1, "duroxide-schema:" + schema);
                p.executeQuery().close();
            }
            s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
            s.execute("SET LOCAL search_path TO \"" + schema + "\"");
            int version = currentVersion(c, schema);
            int latest = latestVersion(schema);
            if (version < 0) {
                throw new IllegalStateException("schema '" + schema + "' holds tables of another application (it has"
                        + " no duroxide schema_version table); refusing to add tables to it");
            }
            if (version > latest) {
                throw new IllegalStateException("schema '" + schema + "' has duroxide schema version " + version
                        + ", newer than the newest this version knows (" + latest + "); upgrade duroxide");
            }
            SchemaMigrations.apply(c, migrations(schema), version, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                    + " description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                    "INSERT INTO schema_version(version, description) VALUES (?, ?)");
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** 0 for an empty (or new) schema, -1 for a schema with foreign tables only, else the applied version. */
    private static int currentVersion(Connection c, String schema) throws SQLException {
        boolean hasTables;
        boolean hasVersionTable;
        try (PreparedStatement p = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE table_name = 'schema_version')"
                + " FROM information_schema.tables WHERE table_schema = ?")) {
            p.setString(1, schema);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                hasTables = rs.getLong(1) > 0;
                hasVersionTable = rs.getLong(2) > 0;
            }
        }
        return SchemaMigrations.currentVersion(c, hasTables, hasVersionTable);
    }
}
