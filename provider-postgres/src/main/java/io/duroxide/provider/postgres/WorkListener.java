package io.duroxide.provider.postgres;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on the schema's notification channel with one dedicated connection and wakes the
 * {@link IdleGate}s of this provider. The schema's triggers notify at commit of every transaction that
 * adds work to a queue or releases an instance lock, in any process. If the connection breaks, both
 * gates are woken (notifications may have been missed) and it reconnects after a pause.
 */
final class WorkListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkListener.class.getName());
    private static final int RECEIVE_TIMEOUT_MS = 500;
    private static final long RECONNECT_PAUSE_MS = 1000;

    /** Opens the listening connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String channel;
    private final IdleGate orchestrations;
    private final IdleGate activities;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Connection connection;
    private volatile boolean listening;

    WorkListener(Connector connector, String channel, IdleGate orchestrations, IdleGate activities) {
        this.connector = connector;
        this.channel = channel;
        this.orchestrations = orchestrations;
        this.activities = activities;
        this.thread = new Thread(this::run, "duroxide-postgres-listener-" + channel);
        thread.setDaemon(true);
    }

    WorkListener start() {
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            try (Connection c = connector.connect()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN \"" + channel + "\"");
                }
                listening = true;
                // Work may have been added while nobody listened.
                wakeAll();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = pg.getNotifications(RECEIVE_TIMEOUT_MS);
                    if (received == null) {
                        continue;
                    }
                    for (PGNotification n : received) {
                        if (WorkNotifier.ACTIVITY.equals(n.getParameter())) {
                            activities.wake();
                        } else {
                            orchestrations.wake();
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                wakeAll();
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "listening for new work on " + channel + " failed (" + e.getMessage()
                        + "); idle dispatchers poll until it reconnects");
                try {
                    Thread.sleep(RECONNECT_PAUSE_MS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                listening = false;
                connection = null;
            }
        }
    }

    /** Whether notifications are being received, so that an idle verdict can be trusted. */
    boolean listening() {
        return listening;
    }

    private void wakeAll() {
        orchestrations.wake();
        activities.wake();
    }

    @Override
    public void close() {
        running = false;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a listener connection that already failed
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
