package io.duroxide.agent.startup;

import io.duroxide.agent.export.MetricsHttpServer;
import io.duroxide.agent.metrics.Metrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When the agent builds its metrics registry and recorders: on the first scrape of the endpoint, or when the
 * bridge holds {@link io.duroxide.agent.bootstrap.Bridge#BACKLOG_SIGNAL} calls, whichever comes first. Until then
 * the woven engine's calls are held by the bridge and replayed in order into the recorders, so every count is
 * there at the first scrape. Building the registry is about 100 ms of class loading and linking on a small
 * machine; done at premain it competed with the application's own start-up for the CPU.
 *
 * <p>The build itself runs on the agent's init thread, which {@link #awaitRequest} parks: a scrape waits for it
 * (bounded), an application thread that reaches the backlog only signals.
 */
final class RegistryOnDemand implements MetricsHttpServer.Source, Runnable {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch built = new CountDownLatch(1);
    private final long scrapeWaitMillis;
    private volatile Metrics metrics;
    private volatile String requestedBy;

    RegistryOnDemand(long scrapeWaitMillis) {
        this.scrapeWaitMillis = scrapeWaitMillis;
    }

    /** The bridge's backlog signal: called under the bridge's lock on an application thread, so it only counts down. */
    @Override
    public void run() {
        request("held calls");
    }

    private void request(String by) {
        if (requested.getCount() > 0) {
            requestedBy = by;
            requested.countDown();
        }
    }

    /** Parks the init thread until a scrape or the backlog asks for the registry; returns what asked. */
    String awaitRequest() throws InterruptedException {
        requested.await();
        return requestedBy;
    }

    /** The registry, or null when building it failed. */
    void built(Metrics m) {
        metrics = m;
        built.countDown();
    }

    @Override
    public Metrics metrics() throws InterruptedException {
        Metrics m = metrics;
        if (m != null || built.getCount() == 0) {
            return m;
        }
        request("first scrape");
        built.await(scrapeWaitMillis, TimeUnit.MILLISECONDS);
        return metrics;
    }
}
