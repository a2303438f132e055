package io.duroxide.provider.sqlite;

import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.history.ParentRef;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.Optional;

/** Builders for SPI values, raw SQL access to a store file, and deadline-bounded waiting. */
final class SqliteTestSupport {
    static final Duration LONG_LOCK = Duration.ofSeconds(30);
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private SqliteTestSupport() {}

    static long now() {
        return System.currentTimeMillis();
    }

    static HistoryEvent.ExecutionStarted started(String name, String input) {
        return new HistoryEvent.ExecutionStarted(now(), name, "1.0", input, InitiatedBy.CLIENT, null);
    }

    static NewInstance newInstance(String id, String name) {
        return new NewInstance(id, started(name, "\"input-" + id + "\""));
    }

    static OrchestratorMessage event(String instanceId, String name) {
        return new OrchestratorMessage(instanceId, null, new HistoryEvent.EventRaised(now(), name, "\"" + name + "\""));
    }

    static ActivityWorkItem workItem(String instanceId, long executionId, int taskId) {
        return new ActivityWorkItem(instanceId, executionId, taskId, "Orch", "Act", "\"x\"", null, 0, 1, 0);
    }

    static HistoryEvent.ActivityCompleted activityCompleted(int taskId, String result) {
        return new HistoryEvent.ActivityCompleted(now(), taskId, result);
    }

    /** A fluent {@link TurnWrite}: a running turn with no effects unless told otherwise. */
    static final class Turn {
        long executionId = 1;
        final List<HistoryEvent> events = new ArrayList<>();
        RuntimeStatus status = RuntimeStatus.RUNNING;
        String name;
        String version;
        String output;
        FailureDetails failure;
        boolean customStatusChanged;
        String customStatus;
        final List<ActivityWorkItem> activities = new ArrayList<>();
        final List<TimedMessage> messages = new ArrayList<>();
        Long continueAsNew;
        boolean terminal;

        static Turn of(long executionId) {
            Turn t = new Turn();
            t.executionId = executionId;
            return t;
        }

        Turn events(HistoryEvent... e) {
            events.addAll(List.of(e));
            return this;
        }

        Turn events(List<HistoryEvent> e) {
            events.addAll(e);
            return this;
        }

        Turn status(RuntimeStatus s) {
            status = s;
            return this;
        }

        Turn version(String n, String v) {
            name = n;
            version = v;
            return this;
        }

        Turn completed(String result) {
            status = RuntimeStatus.COMPLETED;
            output = result;
            terminal = true;
            return events(new HistoryEvent.ExecutionCompleted(now(), result));
        }

        Turn failed(FailureDetails f) {
            status = RuntimeStatus.FAILED;
            failure = f;
            terminal = true;
            return events(new HistoryEvent.ExecutionFailed(now(), f));
        }

        Turn customStatus(String s) {
            customStatusChanged = true;
            customStatus = s;
            return this;
        }

        Turn activity(ActivityWorkItem item) {
            activities.add(item);
            return this;
        }

        Turn message(OrchestratorMessage m) {
            messages.add(TimedMessage.now(m));
            return this;
        }

        Turn message(TimedMessage m) {
            messages.add(m);
            return this;
        }

        Turn continueAsNew(long next) {
            continueAsNew = next;
            terminal = true;
            return this;
        }

        TurnWrite build() {
            return new TurnWrite(executionId, events, status, name, version, output, failure, customStatusChanged,
                    customStatus, activities, messages, continueAsNew, terminal);
        }
    }

    static HistoryEvent.ExecutionStarted childStart(String name, String parentId, int taskId) {
        return new HistoryEvent.ExecutionStarted(now(), name, "2.0", "\"child-input\"", InitiatedBy.SUB_ORCHESTRATION,
                new ParentRef(parentId, 1, taskId, "Parent"));
    }

    /** Polls until {@code condition} holds, failing after {@link #DEADLINE}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Polls {@code fetch} until it returns a value, failing after {@link #DEADLINE}. */
    static <T> T awaitPresent(String what, Supplier<Optional<T>> fetch) {
        List<T> box = new ArrayList<>(1);
        await(what, () -> {
            Optional<T> value = fetch.get();
            value.ifPresent(box::add);
            return value.isPresent();
        });
        return box.get(0);
    }

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
