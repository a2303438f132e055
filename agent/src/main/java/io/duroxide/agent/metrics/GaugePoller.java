package io.duroxide.agent.metrics;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.agent.config.Log;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The agent's own daemon thread that refreshes the polled gauges every poll interval (queue depths,
 * processing rates, active instances). Provider calls it makes are marked through {@link Bridge#agentThread}
 * so they are not measured as application traffic.
 */
public final class GaugePoller implements Runnable {
    private final Duration interval;
    private final WorkerRecorder workers;
    private final ActiveInstancesPoller active;
    private volatile boolean running = true;
    private Thread thread;
    private final CountDownLatch firstPoll = new CountDownLatch(1);

    public GaugePoller(Duration interval, WorkerRecorder workers, ActiveInstancesPoller active) {
        this.interval = interval;
        this.workers = workers;
        this.active = active;
    }

    public synchronized void start() {
        thread = new Thread(this, "duroxide-agent-poller");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        thread.setPriority(Thread.MIN_PRIORITY + 1);
        Bridge.agentThread = thread;
        thread.start();
    }

    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Waits (bounded) until the thread has polled once: the registry is built when a scrape asks for it, and that
     * scrape should see the gauges too, not only the next one.
     */
    public void awaitFirstPoll(Duration timeout) throws InterruptedException {
        firstPoll.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        pollOnce();
        firstPoll.countDown();
        long millis = Math.max(1, interval.toMillis());
        while (running) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            pollOnce();
        }
    }

    public void pollOnce() {
        try {
            if (workers != null) {
                workers.poll(active);
            }
            if (active != null) {
                active.poll();
            }
        } catch (Throwable t) {
            Log.warnOnce("poller", "gauge polling failed, will retry: " + t);
        }
    }
}
