package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.Provider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The fetcher leases as many work items as there are idle slots in one provider call, never more, and
 * the activity results reach the store exactly once each, whichever batches they travel in.
 */
class FetcherBatchingTest extends EngineTestBase {
    private static final int SLOTS = 3;
    private static final int FAN = 12;

    /** One provider call the runtime made: the {@code max} it asked for and the items it got. */
    record Fetch(int max, int leased) {}

    @Test
    void aBurstIsLeasedInOneCallUpToTheIdleSlotsAndEveryResultIsStoredOnce() throws Exception {
        Queue<Fetch> activityFetches = new ConcurrentLinkedQueue<>();
        Queue<Integer> storedBatches = new ConcurrentLinkedQueue<>();
        Provider sqlite = harness.openProvider();
        Provider recording = (Provider) Proxy.newProxyInstance(Provider.class.getClassLoader(), new Class<?>[] {Provider.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(sqlite, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("fetchActivities") && !((List<?>) result).isEmpty()) {
                        activityFetches.add(new Fetch((Integer) args[1], ((List<?>) result).size()));
                    } else if (method.getName().equals("completeActivities")) {
                        @SuppressWarnings("unchecked")
                        List<ActivityCompletion> batch = (List<ActivityCompletion>) args[0];
                        storedBatches.add(batch.size());
                    }
                    return result;
                });

        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Registry registry = new Registry()
                .addActivity("Hold", Integer.class, (ctx, n) -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } finally {
                        running.decrementAndGet();
                    }
                    return n;
                })
                .addOrchestration("FanOut", Integer.class, (ctx, n) -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    for (int i = 0; i < FAN; i++) {
                        tasks.add(ctx.callActivity("Hold", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
                });
        DuroxideRuntime runtime = DuroxideRuntime.builder(recording, registry)
                .activityConcurrency(SLOTS)
                .pollInterval(Duration.ofMillis(10))
                .build();
        try (runtime) {
            runtime.start();
            DuroxideClient client = runtime.client();
            String id = client.startOrchestration("FanOut", 0, StartOptions.withInstanceId("burst"));

            EngineHarness.eventually("all slots are busy", () -> running.get() == SLOTS);
            // The twelve items appeared in one commit while every slot was idle: one call took three.
            assertThat(activityFetches.peek()).isEqualTo(new Fetch(SLOTS, SLOTS));
            release.countDown();

            var done = EngineHarness.await(client, id);
            assertThat(done.status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(done.output()).isEqualTo(String.valueOf(FAN * (FAN - 1) / 2));
        }
        assertThat(mostAtOnce.get()).isEqualTo(SLOTS);
        assertThat(activityFetches).allSatisfy(f -> assertThat(f.leased()).isBetween(1, f.max()))
                .allSatisfy(f -> assertThat(f.max()).isBetween(1, SLOTS));
        assertThat(activityFetches.stream().mapToInt(Fetch::leased).sum()).isEqualTo(FAN);
        assertThat(storedBatches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(FAN);
    }
}
