package io.duroxide.agent.metrics;

import io.micrometer.core.instrument.Clock;

/**
 * The registry's clock. Micrometer reads the wall clock twice on every timer and histogram record (the
 * rolling {@code _max} and the histogram each check whether their time window must rotate), although those
 * windows are tens of seconds long. A clock read costs about 30 ns on this project's VMs, so those two
 * reads alone were most of the agent's per-call budget of 100 ns. Here the wall time is a field refreshed
 * by one daemon thread every {@value #TICK_MILLIS} ms: a window may rotate up to that much late, which no
 * scrape can notice. Monotonic time (used for nothing on the recording path) stays exact.
 */
public final class CoarseClock implements Clock {
    static final long TICK_MILLIS = 100;

    private static final CoarseClock INSTANCE = new CoarseClock();

    private volatile long wallTime = System.currentTimeMillis();
    private volatile boolean ticking;

    private CoarseClock() {}

    /** The shared clock; its thread starts with the first registry that uses it. */
    public static CoarseClock get() {
        INSTANCE.startTicking();
        return INSTANCE;
    }

    @Override
    public long wallTime() {
        // if the ticker ever stopped, the exact clock keeps the windows rotating
        return ticking ? wallTime : System.currentTimeMillis();
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }

    private synchronized void startTicking() {
        if (ticking) {
            return;
        }
        Thread t = new Thread(new Ticker(), "duroxide-agent-clock");
        t.setDaemon(true);
        t.setContextClassLoader(null);
        t.start();
        ticking = true;
    }

    /** A named class rather than a lambda: lambdas cost start-up time on the agent's first use. */
    private final class Ticker implements Runnable {
        @Override
        public void run() {
            try {
                while (true) {
                    Thread.sleep(TICK_MILLIS);
                    wallTime = System.currentTimeMillis();
                }
            } catch (InterruptedException e) {
                // never interrupted by the agent; if someone does, fall back to reading the clock
                ticking = false;
            } catch (Throwable t) {
                ticking = false;
            }
        }
    }
}
