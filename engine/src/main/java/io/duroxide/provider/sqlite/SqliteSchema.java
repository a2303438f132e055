package io.duroxide.provider.sqlite;

import io.duroxide.provider.jdbc.FetchRank;
import io.duroxide.provider.jdbc.SchemaMigrations;
import io.duroxide.provider.jdbc.SchemaMigrations.Migration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema as an ordered list of migrations. {@code schema_version} holds one row per applied
 * migration; a store is at the highest version listed there. New versions are appended to
 * {@link #MIGRATIONS} and applied on open, inside the same write transaction that checks the version.
 */
final class SqliteSchema {

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "initial schema", List.of(
            """
            CREATE TABLE instances (
                instance_id           TEXT PRIMARY KEY NOT NULL,
                orchestration_name    TEXT NOT NULL,
                orchestration_version TEXT,
                status                TEXT NOT NULL,
                current_execution_id  INTEGER NOT NULL DEFAULT 1,
                input                 TEXT,
                output                TEXT,
                failure_json          TEXT,
                custom_status         TEXT,
                parent_instance_id    TEXT,
                created_at            INTEGER NOT NULL,
                updated_at            INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX idx_instances_parent ON instances(parent_instance_id) WHERE parent_instance_id IS NOT NULL",
            "CREATE INDEX idx_instances_status ON instances(status, orchestration_name)",
            """
            CREATE TABLE executions (
                instance_id   TEXT NOT NULL,
                execution_id  INTEGER NOT NULL,
                status        TEXT NOT NULL,
                initiated_by  TEXT NOT NULL,
                started_at    INTEGER NOT NULL,
                completed_at  INTEGER,
                turn_count    INTEGER NOT NULL DEFAULT 0,
                history_size  INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (instance_id, execution_id)
            ) WITHOUT ROWID""",
            """
            CREATE TABLE history (
                instance_id   TEXT NOT NULL,
                execution_id  INTEGER NOT NULL,
                event_id      INTEGER NOT NULL CHECK (event_id > 0),
                event_type    TEXT NOT NULL,
                event_json    TEXT NOT NULL,
                PRIMARY KEY (instance_id, execution_id, event_id)
            ) WITHOUT ROWID""",
            """
            CREATE TABLE orchestrator_queue (
                id            INTEGER PRIMARY KEY,
                instance_id   TEXT NOT NULL,
                execution_id  INTEGER,
                message_json  TEXT NOT NULL,
                visible_at    INTEGER NOT NULL,
                lock_token    TEXT,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                created_at    INTEGER NOT NULL
            )""",
            "CREATE INDEX idx_orchestrator_queue_instance ON orchestrator_queue(instance_id, visible_at)",
            // Fetches scan this in (visible_at, id) order, so messages that are not yet visible (timers)
            // are never in their way.
            "CREATE INDEX idx_orchestrator_queue_visible ON orchestrator_queue(visible_at)",
            """
            CREATE TABLE instance_locks (
                instance_id   TEXT PRIMARY KEY NOT NULL,
                lock_token    TEXT NOT NULL,
                locked_until  INTEGER NOT NULL
            ) WITHOUT ROWID""",
            "CREATE UNIQUE INDEX idx_instance_locks_token ON instance_locks(lock_token)",
            """
            CREATE TABLE worker_queue (
                id            INTEGER PRIMARY KEY,
                instance_id   TEXT NOT NULL,
                execution_id  INTEGER NOT NULL,
                task_id       INTEGER NOT NULL,
                item_json     TEXT NOT NULL,
                visible_at    INTEGER NOT NULL,
                lock_token    TEXT,
                locked_until  INTEGER,
                attempt_count INTEGER NOT NULL DEFAULT 0,
                created_at    INTEGER NOT NULL
            )""",
            "CREATE INDEX idx_worker_queue_instance ON worker_queue(instance_id)",
            "CREATE INDEX idx_worker_queue_token ON worker_queue(lock_token) WHERE lock_token IS NOT NULL")),
            // Lock tokens carry the key of the row they lock (SqliteDialect#TOKEN_KEY_START): their indexes
            // only cost an extra page write on every fetch and every commit. Locks held across the upgrade
            // (tokens without a key) are lost and their work redelivered when they expire.
            new Migration(2, "lock tokens carry their row's key", List.of(
                    "DROP INDEX idx_instance_locks_token",
                    "DROP INDEX idx_worker_queue_token")),
            // When a lock was taken or last renewed, for the age of the oldest held lock (Provider#lockedWork).
            // Locks held across the upgrade have none and count as just renewed until their holder renews them.
            new Migration(3, "locks record when they were taken or last renewed", List.of(
                    "ALTER TABLE instance_locks ADD COLUMN locked_at INTEGER",
                    "ALTER TABLE worker_queue ADD COLUMN locked_at INTEGER")),
            // Both queues are fetched by seniority (Provider#SENIORITY_WINDOW), stored per row so that a fetch walks an
            // index (FetchRank); rows queued before the upgrade get theirs here.
            new Migration(4, "queues are fetched by seniority",
                    FetchRank.migration(SqliteDialect.INSTANCE, "INTEGER NOT NULL DEFAULT 0")));

    static int latestVersion() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }

    private SqliteSchema() {}

    /** The store's schema version: 0 for an empty database, -1 for a database with foreign tables only. */
    static int currentVersion(Connection c) throws SQLException {
        boolean hasVersionTable;
        boolean hasTables;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(name = 'schema_version'), 0) FROM sqlite_master"
                        + " WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
            rs.next();
            hasTables = rs.getInt(1) > 0;
            hasVersionTable = rs.getInt(2) > 0;
        }
        return SchemaMigrations.currentVersion(c, hasTables, hasVersionTable);
    }

    /** Applies the migrations after {@code from}; the caller holds a write transaction. */
    static void migrate(Connection c, int from, long now) throws SQLException {
        SchemaMigrations.apply(c, MIGRATIONS, from, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
                        + " description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                "INSERT INTO schema_version(version, description, applied_at) VALUES (?, ?, ?)", now);
    }
}
