package io.duroxide.agent.export;

/**
 * Where one HTTP exchange is, so that a watchdog can free a handler thread held by a slow client and never
 * disturb anything else. The JDK server hands a connection to a handler thread as soon as its first bytes arrive
 * and the thread then reads the request in blocking mode with no timeout; a blocking channel read (or write) is
 * interruptible, and the interrupt closes that connection only. So the thread may be interrupted while it reads
 * the request (until {@link #requestComplete}) or writes the response (after {@link #writing}), each past its
 * deadline, but never while the scrape waits for or renders the registry.
 *
 * <p>The request's deadline counts from the hand-over ({@link #ExchangeDeadline}), not from when a thread is free:
 * connections queued behind stalled ones are then dropped as soon as they get a thread, instead of each holding
 * it a full timeout again. A connection that got its thread late still has {@link #LATE_START_GRACE_NANOS} to read
 * what its client sent long ago. Times are {@link System#nanoTime()} values passed in, so the states are tested
 * without waiting.
 */
final class ExchangeDeadline {
    /** How long a connection that waited for a thread past its deadline still has to read a request already sent. */
    static final long LATE_START_GRACE_NANOS = 250_000_000L;

    enum Phase {
        /** queued, or reading the request line and headers: interruptible past the deadline */
        READING,
        /** the handler has the request and waits for or renders the registry: never interrupted */
        PREPARING,
        /** sending the response: interruptible past the deadline (a client that does not read) */
        WRITING,
        /** the thread was interrupted: the connection is being closed */
        EXPIRED,
        /** the exchange has returned its thread */
        DONE
    }

    private final long timeoutNanos;
    private Phase phase = Phase.READING;
    private long deadline;
    private Thread thread;

    /** A connection whose first bytes arrived at {@code now}. */
    ExchangeDeadline(long now, long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.deadline = now + timeoutNanos;
    }

    /** A handler thread begins the exchange (reads the request). */
    synchronized void started(Thread handlerThread, long now) {
        thread = handlerThread;
        if (deadline - now < Math.min(LATE_START_GRACE_NANOS, timeoutNanos)) {
            deadline = now + Math.min(LATE_START_GRACE_NANOS, timeoutNanos);
        }
    }

    /** The handler was called with the whole request; false when the thread was already interrupted for it. */
    synchronized boolean requestComplete() {
        if (phase != Phase.READING) {
            return false;
        }
        phase = Phase.PREPARING;
        return true;
    }

    /** The response is ready; from {@code now} the client has one timeout to take it. */
    synchronized void writing(long now) {
        if (phase == Phase.PREPARING) {
            phase = Phase.WRITING;
            deadline = now + timeoutNanos;
        }
    }

    /**
     * The watchdog's check: interrupts the handler thread if the exchange is reading or writing past its deadline.
     * Under this object's lock, so the interrupt cannot land after {@link #finished} (on the thread's next exchange).
     */
    synchronized boolean expireIfLate(long now) {
        if ((phase == Phase.READING || phase == Phase.WRITING) && thread != null && now - deadline >= 0) {
            phase = Phase.EXPIRED;
            thread.interrupt();
            return true;
        }
        return false;
    }

    /** The exchange returned its thread; the caller then clears the thread's interrupt flag. */
    synchronized void finished() {
        phase = Phase.DONE;
        thread = null;
    }

    synchronized Phase phase() {
        return phase;
    }
}
