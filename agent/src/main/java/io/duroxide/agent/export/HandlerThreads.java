package io.duroxide.agent.export;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server's executor: {@link #THREADS} daemon threads and a watchdog that interrupts a thread held past
 * its deadline by a client too slow to send its request or to take the response (see {@link ExchangeDeadline}).
 * The interrupt closes that client's connection, and the JDK server goes on with the next one. Nothing here sets
 * a JVM-wide property: the application may use the JDK server too.
 */
final class HandlerThreads implements Executor {
    /** Enough for Prometheus (one scrape at a time per server, a few servers) beside a few slow clients. */
    static final int THREADS = 4;

    /**
     * Connections waiting for a thread. When it is full the JDK server closes the new connection at once: a flood
     * of connections costs them a refusal instead of the agent unbounded memory.
     */
    static final int QUEUED = 64;

    private final long timeoutNanos;
    private final ThreadPoolExecutor threads;
    private final Thread watchdog;
    private final Set<ExchangeDeadline> open = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<ExchangeDeadline> current = new ThreadLocal<>();

    HandlerThreads(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        threads = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED),
                r -> daemon(r, "duroxide-agent-http"));
        watchdog = daemon(this::watch, "duroxide-agent-http-watchdog");
        watchdog.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setContextClassLoader(null);
        return t;
    }

    /** Called by the server's dispatcher thread when a connection's first bytes arrive. */
    @Override
    public void execute(Runnable exchange) {
        ExchangeDeadline deadline = new ExchangeDeadline(System.nanoTime(), timeoutNanos);
        open.add(deadline);
        try {
            threads.execute(() -> run(exchange, deadline));
        } catch (RejectedExecutionException e) {
            open.remove(deadline);
            throw e; // the server closes the connection
        }
    }

    private void run(Runnable exchange, ExchangeDeadline deadline) {
        deadline.started(Thread.currentThread(), System.nanoTime());
        current.set(deadline);
        try {
            exchange.run();
        } finally {
            current.remove();
            deadline.finished();
            open.remove(deadline);
            Thread.interrupted(); // an interrupt meant for this exchange must not reach the next one
        }
    }

    /** The deadline of the exchange this handler thread serves. */
    ExchangeDeadline current() {
        return current.get();
    }

    /** Checks every open exchange a few times per timeout (at most every 250 ms, at least every 10 ms). */
    private void watch() {
        long tickMillis = Math.max(10, Math.min(250, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 8));
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(tickMillis);
                long now = System.nanoTime();
                for (ExchangeDeadline d : open) {
                    d.expireIfLate(now);
                }
            }
        } catch (InterruptedException e) {
            // stopped
        }
    }

    void shutdown() {
        watchdog.interrupt();
        threads.shutdownNow();
        try {
            threads.awaitTermination(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
