package io.duroxide.provider.jdbc;

import io.duroxide.api.JsonConverter;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.TurnWrite;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * How SQL providers store engine values as JSON text and read them back, and the checks and errors
 * they share, so that every SQL store behaves the same for unreadable rows and lost locks.
 */
public final class StoredForm {
    private static final System.Logger LOG = System.getLogger(StoredForm.class.getName());
    private static final JsonConverter JSON = JsonConverter.DEFAULT;

    private StoredForm() {}

    /** One stored history row: its event id (for error messages) and its JSON. */
    public record HistoryRow(long eventId, String json) {}

    /** Rejects a start that lacks what the instance row needs. */
    public static void checkStart(NewInstance start) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(start.instanceId(), "instanceId");
        Objects.requireNonNull(start.start(), "start event");
        Objects.requireNonNull(start.start().name(), "orchestration name");
    }

    /**
     * Deserialises history rows. A row that cannot be read is reported in {@code errors} and voids the
     * whole history: replaying a history with a hole would take wrong decisions.
     */
    public static List<HistoryEvent> parseHistory(String instanceId, long executionId, List<HistoryRow> rows,
            List<String> errors) {
        List<HistoryEvent> history = new ArrayList<>(rows.size());
        for (HistoryRow row : rows) {
            try {
                history.add(JSON.fromJson(row.json(), HistoryEvent.class));
            } catch (RuntimeException e) {
                errors.add("history event " + row.eventId() + " of execution " + executionId + " of instance '"
                        + instanceId + "' cannot be read: " + e.getMessage());
                return List.of();
            }
        }
        return List.copyOf(history);
    }

    /** A stored history for a reader: any unreadable row is an error, as a partial history would mislead. */
    public static List<HistoryEvent> historyOrThrow(String instanceId, long executionId, List<HistoryRow> rows) {
        List<String> errors = new ArrayList<>(1);
        List<HistoryEvent> history = parseHistory(instanceId, executionId, rows, errors);
        if (!errors.isEmpty()) {
            throw new io.duroxide.provider.ProviderException("readHistory", errors.get(0), false, null);
        }
        return history;
    }

    /** Stored failure details; unreadable ones become an infrastructure failure rather than hiding the instance. */
    public static FailureDetails failureFrom(Class<?> provider, String instanceId, String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.fromJson(json, FailureDetails.class);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "instance ''{0}'': stored failure details cannot be read: {1}", instanceId,
                    e.getMessage());
            return FailureDetails.of(FailureKind.INFRASTRUCTURE, provider.getName() + ".UnreadableFailure",
                    "stored failure details cannot be read: " + e.getMessage(), false);
        }
    }

    /** The failure an orchestration receives for an activity work item that cannot be deserialised. */
    public static FailureDetails unreadableWorkItem(Class<?> provider, String message) {
        return FailureDetails.of(FailureKind.INFRASTRUCTURE, provider.getName() + ".UnreadableWorkItem", message,
                false);
    }

    /** The stored initiator of the execution a start begins: a start that names none is a client's. */
    public static String initiatedBy(HistoryEvent.ExecutionStarted start) {
        return (start.initiatedBy() == null ? InitiatedBy.CLIENT : start.initiatedBy()).name();
    }

    /** The stored parent instance of a start: its parent's id, or null for a top-level instance. */
    public static String parentId(HistoryEvent.ExecutionStarted start) {
        return start.parent() == null ? null : start.parent().instanceId();
    }

    /** The stored status of the execution a turn wrote. */
    public static String executionStatus(TurnWrite write) {
        if (write.continueAsNewExecutionId() != null) {
            return "CONTINUED_AS_NEW";
        }
        return switch (write.status()) {
            case COMPLETED, FAILED, CANCELLED, SUSPENDED -> write.status().name();
            case PENDING, RUNNING -> "RUNNING";
        };
    }

    /**
     * Marks the token of a put-back hold: an abandon with a delay keeps the instance's lock row until the delay
     * ends, under a token nobody holds, so that the instance is not fetched before then. Such a row is not work
     * in flight, so {@code lockedWork()} leaves it out ({@link #NOT_A_HOLD}) rather than report the instance as
     * locked, ageing since the fetch like the work of a dead process.
     */
    private static final String HOLD_PREFIX = "held:";

    /** A condition on {@code lock_token} of {@code instance_locks}: the row is a lock someone holds, not a hold. */
    public static final String NOT_A_HOLD = "lock_token NOT LIKE '" + HOLD_PREFIX + "%'";

    /** A fresh token for a put-back hold, unique like every lock token and recognisable by {@link #NOT_A_HOLD}. */
    public static String holdToken() {
        return HOLD_PREFIX + UUID.randomUUID();
    }

    public static LockLostException lockLost(String operation, String token) {
        return new LockLostException(operation, "lock " + token + " is no longer held: it expired and was taken by"
                + " another fetch, or its work was removed");
    }

    /**
     * A turn's values serialised before any transaction starts, so that the time spent holding locks
     * is spent on SQL only.
     */
    public record TurnJson(List<String> events, List<String> activities, List<String> messages, String failure) {

        public static TurnJson of(TurnWrite write) {
            Objects.requireNonNull(write, "write");
            Objects.requireNonNull(write.status(), "write.status");
            List<String> events = write.newEvents().stream().map(JSON::toJson).toList();
            List<String> activities = write.activities().stream().map(JSON::toJson).toList();
            List<String> messages = write.messages().stream().map(m -> JSON.toJson(m.message().event())).toList();
            return new TurnJson(events, activities, messages, write.failure() == null ? null : JSON.toJson(write.failure()));
        }
    }
}
