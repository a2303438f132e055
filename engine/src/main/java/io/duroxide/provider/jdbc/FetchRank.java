package io.duroxide.provider.jdbc;

import io.duroxide.provider.Provider;
import java.util.List;

/**
 * The order both queues are fetched in ({@link Provider#fetchOrchestrationItem}, {@link Provider#fetchActivity}) as a
 * stored column, {@code fetch_rank}: the later of the row's instance's creation time and a time of the row's own
 * (a message's visible time, a work item's enqueue time) less {@link Provider#SENIORITY_WINDOW}. It is computed once,
 * when the row is written, so a fetch walks an index in rank order instead of ranking every ready row each time.
 *
 * <p>Rows written before the column existed (or by a runtime of that version during an upgrade) have the column's
 * default, the lowest rank, and are fetched first: a bounded one-off, and never later than they were due.
 */
public final class FetchRank {
    private FetchRank() {}

    /**
     * An expression for a new row's rank, from its instance's id and its own time (both SQL expressions, in a
     * statement of this dialect); a row of an instance that does not exist ranks by its own time.
     */
    public static String of(SqlDialect dialect, String instanceId, String time) {
        return dialect.laterOf("coalesce((SELECT created_at FROM instances WHERE instance_id = " + instanceId + "), "
                + time + ")", dialect.minusMillis(time, Provider.SENIORITY_WINDOW.toMillis()));
    }

    /**
     * The schema change that adds the column to both queues ({@code column}: its type, not null, with a default that
     * is the lowest rank), ranks the rows already queued and indexes both queues in fetch order.
     */
    public static List<String> migration(SqlDialect dialect, String column) {
        return List.of(
                "ALTER TABLE orchestrator_queue ADD COLUMN fetch_rank " + column,
                "ALTER TABLE worker_queue ADD COLUMN fetch_rank " + column,
                "UPDATE orchestrator_queue SET fetch_rank = "
                        + of(dialect, "orchestrator_queue.instance_id", "orchestrator_queue.visible_at"),
                "UPDATE worker_queue SET fetch_rank = " + of(dialect, "worker_queue.instance_id", "worker_queue.created_at"),
                "CREATE INDEX idx_orchestrator_queue_rank ON orchestrator_queue(fetch_rank, visible_at, id)",
                "CREATE INDEX idx_worker_queue_rank ON worker_queue(fetch_rank, id)");
    }

    /** The fetch order of messages {@code q}: rank, then visible time, then enqueue order. */
    public static final String MESSAGE_ORDER = " ORDER BY q.fetch_rank, q.visible_at, q.id";

    /** The lease order of work items {@code w}: rank, then enqueue order. */
    public static final String WORK_ITEM_ORDER = " ORDER BY w.fetch_rank, w.id";
}
