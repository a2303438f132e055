package io.duroxide.provider;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.api.InstanceNotFoundException;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.history.HistoryEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Durable storage for instances, histories and the two peek-lock queues. Implementations must be
 * safe for concurrent use by several runtimes (threads and processes) sharing one store: an instance
 * is processed by at most one holder of its lock at a time, and delivery counts grow on every fetch.
 * Every method reports storage failures as {@link ProviderException}.
 */
public interface Provider extends AutoCloseable {

    /** A short name for logs, e.g. {@code sqlite}. */
    String name();

    /** Creates the instance, its first execution and its start message atomically. */
    void createInstance(NewInstance start) throws InstanceAlreadyExistsException;

    /**
     * Creates the instance as {@link #createInstance} does and, in the same transaction, locks it for the caller as
     * {@link #fetchOrchestrationItem} would: the returned item holds the start message, delivered once, and an empty
     * history, and its token commits, renews and abandons like a fetched one. A runtime in the process that starts
     * the instance then runs its first turn without a fetch (an eager start). Nothing else sees the instance's start
     * until the lock is released or expires; a caller that dies holding it delays the first turn by the lock timeout,
     * as a fetcher that dies does.
     *
     * <p>The default creates the instance unlocked and returns empty, which is always correct: the start is then
     * fetched from the queue like any other.
     *
     * @throws InstanceAlreadyExistsException if the id exists; nothing is written or locked then
     */
    default Optional<OrchestrationWorkItem> createInstanceLocked(NewInstance start, Duration lockTimeout)
            throws InstanceAlreadyExistsException {
        createInstance(start);
        return Optional.empty();
    }

    /**
     * Atomically starts the instance unless it is already running, then enqueues the signal.
     *
     * @return true if this call started the instance
     */
    boolean signalWithStart(NewInstance start, OrchestratorMessage signal);

    /** Enqueues a client message (event, cancel, suspend, resume) for an existing instance. */
    void enqueueOrchestratorMessage(OrchestratorMessage message, Instant visibleAt) throws InstanceNotFoundException;

    /**
     * How far an instance's age can move its work ahead of newer work in the fetch order of both queues ({@link
     * #fetchOrchestrationItem}, {@link #fetchActivity}): a message is passed only by messages that became visible
     * less than this after it, a work item only by work items queued less than this after it.
     */
    Duration SENIORITY_WINDOW = Duration.ofSeconds(30);

    /**
     * Locks the instance whose turn is next and returns its state, or empty when idle. Next is the instance created
     * first among those with a visible message, so that under a backlog an instance that has started finishes before
     * newer ones take its turns; seniority is capped so that nobody starves. Exactly: each visible message ranks by
     * the later of its instance's creation time and its own visible time minus {@link #SENIORITY_WINDOW}, then by
     * visible time, then by enqueue order; the instance of the first message is next. So among instances created at
     * the same time a timer that fires earlier is fetched earlier whenever it was written, and a message is passed
     * only by messages that became visible less than the window after it. The
     * item carries every message of the instance visible at the fetch, in enqueue order, and only those: one that
     * arrives or becomes visible later waits for the next turn. Each fetch adds one to the delivery count of every
     * message it returns; counts are stored with the messages, so they survive restarts and grow across processes,
     * and nothing else (renewal, a failed commit) changes them.
     */
    Optional<OrchestrationWorkItem> fetchOrchestrationItem(Duration lockTimeout);

    /**
     * Locks up to {@code max} instances, for a dispatcher with that many idle slots; each work item is
     * the same as one {@link #fetchOrchestrationItem} would return. A provider that can lock several
     * in one transaction should override this.
     *
     * @return between 0 and {@code max} work items, in {@link #fetchOrchestrationItem}'s order
     */
    default List<OrchestrationWorkItem> fetchOrchestrationItems(Duration lockTimeout, int max) {
        return fetchEach(max, () -> fetchOrchestrationItem(lockTimeout));
    }

    /**
     * Commits a turn: consumes the fetched messages and applies the write, or does nothing at all. A write that
     * cannot be stored in full (a part the store rejects, a continue-as-new to an execution that exists) throws and
     * leaves history, instance, executions, both queues and child instances as they were, with the lock still held,
     * so the turn can be committed again. A token commits once: afterwards it is dead for commit, renew and abandon.
     *
     * @throws LockLostException if the instance lock is no longer held by this token
     */
    void commitTurn(String lockToken, TurnWrite write);

    /**
     * Releases the instance lock; the fetched messages are delivered again after the delay (counted from this call),
     * counted again. The
     * delay holds back the whole instance: a message enqueued meanwhile is not fetched before then, and is then
     * delivered together with (after) the ones put back. Otherwise an event sent while a start waits for a runtime
     * that registers its orchestration would be fetched without the start, and dropped as the event of an
     * instance that never started.
     */
    void abandonOrchestrationItem(String lockToken, Duration delay);

    /**
     * Sets the instance lock to expire {@code lockTimeout} from now (which may also shorten it). A lock that expired
     * but that no other fetch has taken since is still this token's and can be renewed.
     *
     * @throws LockLostException if it is no longer held (committed, abandoned or taken by another fetch)
     */
    void renewOrchestrationLock(String lockToken, Duration lockTimeout);

    /**
     * Locks the next visible activity work item, or returns empty when idle. Next is by seniority, as in {@link
     * #fetchOrchestrationItem}: each work item ranks by the later of its instance's creation time and the time it was
     * queued minus {@link #SENIORITY_WINDOW}, then by enqueue order. So the activities of an instance that has started
     * run before a newer instance's, a work item is passed only by ones queued less than the window after it, and one
     * put back with a delay keeps its place once visible again.
     */
    Optional<ActivityLease> fetchActivity(Duration lockTimeout);

    /**
     * Deletes the work item and enqueues its completion, atomically: a completion that cannot be stored throws and
     * leaves the item leased to this token.
     *
     * @throws LockLostException if the item is gone (completed, cancelled, or taken after its lock expired)
     */
    void completeActivity(String lockToken, OrchestratorMessage completion);

    /**
     * Locks up to {@code max} visible work items, the first ones in {@link #fetchActivity}'s order, for a worker with
     * that many idle slots.
     * Each lease is the same as one {@link #fetchActivity} would return; a provider that can take
     * several in one round trip or transaction should override this, since per-activity transactions
     * are what bounds the throughput of fan-outs.
     *
     * @return between 0 and {@code max} leases
     */
    default List<ActivityLease> fetchActivities(Duration lockTimeout, int max) {
        return fetchEach(max, () -> fetchActivity(lockTimeout));
    }

    /** The batch fetches' default: single fetches until {@code max} or until one comes back empty. */
    private static <T> List<T> fetchEach(int max, Supplier<Optional<T>> fetchOne) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        List<T> items = new ArrayList<>(max);
        for (Optional<T> next; items.size() < max && (next = fetchOne.get()).isPresent(); ) {
            items.add(next.get());
        }
        return items;
    }

    /**
     * Stores several completions, each atomically with the deletion of its work item, as
     * {@link #completeActivity} does for one. A completion whose lock was lost is skipped, not
     * stored, and reported in the result; the others are stored. A provider that can store them in
     * one transaction should override this.
     *
     * @return the lock tokens of the completions that were skipped because their lock was lost
     * @throws ProviderException if storage failed; completions not yet stored are redelivered when their locks expire
     */
    default Set<String> completeActivities(List<ActivityCompletion> completions) {
        Set<String> lost = new HashSet<>();
        for (ActivityCompletion c : completions) {
            try {
                completeActivity(c.lockToken(), c.completion());
            } catch (LockLostException e) {
                lost.add(c.lockToken());
            }
        }
        return lost;
    }

    /** Unlocks the work item; it becomes visible again after the delay, counted from this call. */
    void abandonActivity(String lockToken, Duration delay);

    /**
     * Sets an activity lock to expire {@code lockTimeout} from now, as {@link #renewOrchestrationLock} does.
     *
     * @throws LockLostException if the item is gone or taken
     */
    void renewActivityLock(String lockToken, Duration lockTimeout);

    Optional<InstanceStatus> getInstance(String instanceId);

    List<HistoryEvent> readHistory(String instanceId, long executionId);

    /** The durable facts of an execution, or empty if it does not exist. */
    Optional<ExecutionRecord> getExecution(String instanceId, long executionId);

    /**
     * Instances matching the query, at most {@code limit}, ordered by instance id comparing code points (not by a
     * locale's collation: {@code "B"} before {@code "a"}). The name filter matches exactly. The cursor is a key: a page
     * holds ids greater than {@code afterInstanceId}, which need not exist, so instances created or deleted before
     * the cursor do not shift the next page.
     */
    List<InstanceStatus> listInstances(InstanceQuery query);

    /**
     * Deletes a terminal instance with its history, executions, queued work (also delayed messages) and its
     * sub-orchestrations at every depth, all or nothing; an id created again afterwards starts clean.
     *
     * @return the number of instances deleted, 0 if it did not exist
     * @throws IllegalStateException if it or one of its children is not terminal
     */
    int purgeInstance(String instanceId);

    /**
     * Deletes the history of old executions of a continued-as-new instance, keeping the current one
     * and the {@code keepLast - 1} before it. The current execution is never pruned.
     *
     * @return executions deleted
     * @throws InstanceNotFoundException if there is no such instance
     * @throws IllegalArgumentException if {@code keepLast} is less than 1
     */
    int pruneExecutions(String instanceId, int keepLast);

    QueueDepths queueDepths();

    /**
     * Work held under unexpired locks and the age of the oldest lock, per queue: what is in flight, or held
     * by a process that died until its locks expire. Ages are measured since a lock was taken or last
     * renewed, by the store's clock; holders renew their locks well before they expire, so an age close to
     * the lock timeout is a lock whose holder stopped renewing it.
     *
     * @return empty if this provider cannot tell (the default, for providers written before this query)
     */
    default Optional<LockedWork> lockedWork() {
        return Optional.empty();
    }

    /**
     * The work of one instance still queued or held, read by the store's clock: what it waits for, as a
     * command-line tool shows it. A read only, for people and scripts; the runtimes never call it.
     *
     * @return empty if this provider cannot tell (the default, for providers written before this query); an
     *     instance that does not exist has no work
     */
    default Optional<InstanceWork> instanceWork(String instanceId) {
        return Optional.empty();
    }

    List<ActiveInstanceCount> countActiveInstances();

    @Override
    void close();
}
