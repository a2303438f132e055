package io.duroxide.agent.metrics;

import static io.duroxide.agent.bootstrap.TestEvents.loop;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.config.AgentConfig;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.Provider;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.sqlite.SqliteProvider;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The locked-work gauges read the provider's {@code lockedWork()} per queue, and exist only where it is known. */
class LockedWorkGaugesTest {
    @TempDir
    Path dir;

    private static Metrics metrics() {
        return new Metrics(AgentConfig.from(null, Map.of(), Map.of()));
    }

    @Test
    void eachWorkerReportsTheLockedWorkOfItsQueue() {
        Metrics m = metrics();
        WorkerRecorder workers = new WorkerRecorder(m);
        try (Provider store = SqliteProvider.open(dir.resolve("store.db"))) {
            store.createInstance(new NewInstance("a", new HistoryEvent.ExecutionStarted(System.currentTimeMillis(), "A",
                    "1.0", "1", InitiatedBy.CLIENT, null)));
            store.fetchOrchestrationItem(Duration.ofMinutes(1)).orElseThrow();
            workers.started(loop(new Object(), "orchestration", "orch-1", 2, store, 0));
            workers.started(loop(new Object(), "activity", "work-1", 2, store, 0));

            workers.poll();
            Scrape s = Scrape.parse(m.scrape("text/plain"));
            assertThat(s.value("duroxide_worker_locked_items", "worker_type", "orchestration", "worker_id", "orch-1"))
                    .isEqualTo(1.0);
            assertThat(s.value("duroxide_worker_locked_items", "worker_type", "activity", "worker_id", "work-1"))
                    .isEqualTo(0.0);
            assertThat(s.value("duroxide_worker_oldest_lock_age_seconds", "worker_type", "activity", "worker_id", "work-1"))
                    .isEqualTo(0.0);
            double age = s.value("duroxide_worker_oldest_lock_age_seconds", "worker_type", "orchestration", "worker_id",
                    "orch-1");
            assertThat(age).isGreaterThanOrEqualTo(0.0).isEqualTo(workers.find("orchestration", "orch-1").oldestLockAgeSeconds());
            assertThat(store.lockedWork().orElseThrow().orchestratorOldestLockAge().toNanos() / 1e9).isGreaterThanOrEqualTo(age);

            workers.stopped(loop(null, "orchestration", "orch-1", 0, null, 0));
            assertThat(Scrape.parse(m.scrape("text/plain")).series("duroxide_worker_locked_items")).hasSize(1);
        }
    }

    @Test
    void aProviderThatCannotTellGetsNoLockedWorkGauges() {
        Metrics m = metrics();
        WorkerRecorder workers = new WorkerRecorder(m);
        workers.started(loop(new Object(), "activity", "work-1", 2, providerWithoutLockedWork(), 0));
        workers.poll();
        Scrape s = Scrape.parse(m.scrape("text/plain"));
        assertThat(s.has("duroxide_worker_queue_depth", "worker_id", "work-1")).isTrue();
        assertThat(s.series("duroxide_worker_locked_items")).isEmpty();
        assertThat(s.series("duroxide_worker_oldest_lock_age_seconds")).isEmpty();
    }

    /** A third-party provider written before {@code lockedWork()}: it inherits the SPI's default. */
    private static Provider providerWithoutLockedWork() {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("queueDepths")) {
                return new QueueDepths(3, 4);
            }
            throw new UnsupportedOperationException(method.getName());
        };
        return (Provider) Proxy.newProxyInstance(Provider.class.getClassLoader(), new Class<?>[] {Provider.class}, handler);
    }
}
