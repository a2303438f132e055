package io.duroxide.bench.jmh;

import io.duroxide.bench.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's ceiling for the store: SQLite write transactions per second (score, ops/s) on a file in
 * WAL mode with synchronous=NORMAL, one connection, no engine. {@code singleInsertTransaction} is the
 * smallest write transaction there is (one row, commit); {@code threeStatementTransaction} is closer to
 * what the engine's transactions do (insert a queue row, update an instance row, insert a history row).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class SqliteCeiling {
    private Path dir;
    private Connection connection;
    private PreparedStatement insertQueue;
    private PreparedStatement updateInstance;
    private PreparedStatement insertHistory;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("duroxide-ceiling-");
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ceiling.db"));
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("CREATE TABLE queue (id INTEGER PRIMARY KEY, instance_id TEXT NOT NULL, payload TEXT NOT NULL)");
            s.execute("CREATE TABLE instances (instance_id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL)");
            s.execute("CREATE TABLE history (instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,"
                    + " PRIMARY KEY (instance_id, seq))");
            for (int i = 0; i < 1000; i++) {
                s.execute("INSERT INTO instances VALUES ('i-" + i + "', 'running', 0)");
            }
        }
        connection.setAutoCommit(false);
        insertQueue = connection.prepareStatement("INSERT INTO queue (instance_id, payload) VALUES (?, ?)");
        updateInstance = connection.prepareStatement("UPDATE instances SET status = ?, updated_at = ? WHERE instance_id = ?");
        insertHistory = connection.prepareStatement("INSERT INTO history VALUES (?, ?, ?)");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        connection.close();
        TempDirs.deleteRecursively(dir);
    }

    @Benchmark
    public void singleInsertTransaction() throws Exception {
        long k = n++;
        insertQueue.setString(1, "i-" + (k % 1000));
        insertQueue.setString(2, "{\"kind\":\"ActivityCompleted\",\"taskId\":" + k + "}");
        insertQueue.executeUpdate();
        connection.commit();
    }

    @Benchmark
    public void threeStatementTransaction() throws Exception {
        long k = n++;
        String instance = "i-" + (k % 1000);
        insertQueue.setString(1, instance);
        insertQueue.setString(2, "{\"kind\":\"ActivityCompleted\",\"taskId\":" + k + "}");
        insertQueue.executeUpdate();
        updateInstance.setString(1, "running");
        updateInstance.setLong(2, k);
        updateInstance.setString(3, instance);
        updateInstance.executeUpdate();
        insertHistory.setString(1, instance);
        insertHistory.setLong(2, k);
        insertHistory.setString(3, "{\"kind\":\"TaskScheduled\",\"seq\":" + k + "}");
        insertHistory.executeUpdate();
        connection.commit();
    }
}
