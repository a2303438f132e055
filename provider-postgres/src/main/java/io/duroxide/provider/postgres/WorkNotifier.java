package io.duroxide.provider.postgres;

import java.lang.System.Logger.Level;

/**
 * Announces new work, and instances put back, to the idle dispatchers of every process (see {@link WorkListener});
 * a turn's commit that queues no orchestrator work is not announced ({@link PostgresProvider#instanceReleased}).
 *
 * <p>Why not a trigger or a NOTIFY inside the work transaction: PostgreSQL serialises the commits of
 * all transactions that notify (they take one lock on the notification queue from before the commit
 * record until after its WAL flush), so every turn and activity commit would wait for every other
 * one's fsync: measured here, that capped a runtime at about 20 orchestrations/s. Instead a commit
 * only raises a flag; one thread per provider sends the flagged kinds in a separate, tiny transaction
 * with {@code synchronous_commit = off} (nothing durable rides on it), coalescing all signals that
 * arrive while one is being sent. A lost notification only delays an idle dispatcher until its next
 * due time or safety poll.
 */
final class WorkNotifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkNotifier.class.getName());
    /** A notification's payload: which queue has new work (the listener wakes that queue's fetchers). */
    static final String ORCHESTRATOR = "o";
    static final String ACTIVITY = "a";

    private final PostgresDatabase db;
    private final String channel;
    private final Thread thread;
    private boolean orchestratorPending;
    private boolean activityPending;
    private boolean closed;

    WorkNotifier(PostgresDatabase db, String channel) {
        this.db = db;
        this.channel = channel;
        this.thread = new Thread(this::run, "duroxide-postgres-notifier-" + channel);
        thread.setDaemon(true);
    }

    WorkNotifier start() {
        thread.start();
        return this;
    }

    synchronized void orchestratorWork() {
        orchestratorPending = true;
        notifyAll();
    }

    synchronized void activityWork() {
        activityPending = true;
        notifyAll();
    }

    private void run() {
        while (true) {
            boolean orchestrator;
            boolean activity;
            synchronized (this) {
                while (!closed && !orchestratorPending && !activityPending) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                orchestrator = orchestratorPending;
                activity = activityPending;
                orchestratorPending = false;
                activityPending = false;
            }
            try {
                db.read("notify", tx -> tx.queryString("SELECT set_config('synchronous_commit', 'off', true),"
                        + " CASE WHEN ? THEN pg_notify(?, '" + ORCHESTRATOR + "') END,"
                        + " CASE WHEN ? THEN pg_notify(?, '" + ACTIVITY + "') END",
                        orchestrator, channel, activity, channel));
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "notify on " + channel + " failed: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
