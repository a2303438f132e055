package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.provider.ActivityCompletion;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The fetcher leases as many work items as there are idle slots (plus the activity worker's items
 * leased ahead: one at first, a bounded window once attempts prove short) in one provider call, never
 * more, no more than the slots run at once, and the activity results reach the store exactly once
 * each, whichever batches they travel in.
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
        Provider recording = ObservedProvider.of(sqlite, (method, args, result) -> {
            if (method.equals("fetchActivities") && !((List<?>) result).isEmpty()) {
                activityFetches.add(new Fetch((Integer) args[1], ((List<?>) result).size()));
            } else if (method.equals("completeActivities")) {
                @SuppressWarnings("unchecked")
                List<ActivityCompletion> batch = (List<ActivityCompletion>) args[0];
                storedBatches.add(batch.size());
            }
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
            // The twelve items appeared in one commit while every slot was idle: one call took three and one ahead.
            int firstBatch = SLOTS + ActivityWorker.PREFETCH;
            assertThat(activityFetches.peek()).isEqualTo(new Fetch(firstBatch, firstBatch));
            release.countDown();

            var done = EngineHarness.await(client, id);
            assertThat(done.status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(done.output()).isEqualTo(String.valueOf(FAN * (FAN - 1) / 2));
        }
        assertThat(mostAtOnce.get()).isEqualTo(SLOTS);
        assertThat(activityFetches).allSatisfy(f -> assertThat(f.leased()).isBetween(1, f.max()))
                .allSatisfy(f -> assertThat(f.max()).isBetween(1, SLOTS + ActivityWorker.MAX_AHEAD_PER_SLOT * SLOTS));
        assertThat(activityFetches.stream().mapToInt(Fetch::leased).sum()).isEqualTo(FAN);
        assertThat(storedBatches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(FAN);
    }

    @Test
    void anAttemptLeasedAheadIsGivenBackWhenTheRuntimeStops() throws Exception {
        AtomicInteger running = new AtomicInteger();
        CountDownLatch never = new CountDownLatch(1);
        Registry registry = new Registry()
                .addActivity("Block", Integer.class, (ctx, n) -> {
                    running.incrementAndGet();
                    never.await(); // interrupted by the stop
                    return n;
                })
                .addOrchestration("Two", Integer.class, (ctx, n) -> ctx.allOf(List.of(
                        ctx.callActivity("Block", 1, Integer.class), ctx.callActivity("Block", 2, Integer.class))).await().size());
        Provider provider = harness.openProvider();
        DuroxideRuntime runtime = DuroxideRuntime.builder(provider, registry)
                .activityConcurrency(1)
                .pollInterval(Duration.ofMillis(10))
                .shutdownGrace(Duration.ofMillis(200))
                .build().start();
        runtime.client().startOrchestration("Two", 0, StartOptions.withInstanceId("two"));
        EngineHarness.eventually("one attempt runs and the other waits leased", () -> running.get() == 1
                && provider.queueDepths().activityReady() == 0);
        runtime.close();

        // Both attempts are free again at once: the running one was abandoned as cancelled by the stop,
        // the waiting one given back; neither is left locked until its 30 s lock expires.
        var leases = harness.openProvider().fetchActivities(Duration.ofSeconds(30), 5);
        assertThat(leases).extracting(l -> l.item().taskId()).containsExactlyInAnyOrder(0, 1);
        assertThat(running).hasValue(1);
    }

    @Test
    void anAttemptLeasedAheadWhoseLockExpiredWhileWaitingIsNotRunAgain() throws Exception {
        Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        Registry registry = new Registry()
                .addActivity("Step", Integer.class, (ctx, n) -> {
                    runs.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
                    if (n == 1) {
                        // holds the only slot of runtime A, with step 2 leased ahead behind it, until runtime B has
                        // run step 2 (a fixed hold could end before a slow-starting B took the expired lease)
                        EngineHarness.eventually("runtime B runs step 2", () -> runs.containsKey(2));
                    }
                    return n;
                })
                .addOrchestration("Steps", Integer.class, (ctx, n) -> ctx.allOf(List.of(
                        ctx.callActivity("Step", 1, Integer.class), ctx.callActivity("Step", 2, Integer.class)))
                        .await().stream().mapToInt(Integer::intValue).sum());
        Provider shared = harness.openProvider();
        DuroxideClient client = harness.runtime(registry, b -> b.activityConcurrency(1)
                .lockTimeouts(Duration.ofSeconds(5), Duration.ofMillis(400))).client();
        String id = client.startOrchestration("Steps", 0, StartOptions.withInstanceId("steps"));
        EngineHarness.eventually("step 1 runs and step 2 waits leased in runtime A",
                () -> runs.containsKey(1) && shared.queueDepths().activityReady() == 0);
        // Runtime B takes step 2 once A's lease on it expires; A must then not run its stale lease.
        harness.runtime(registry, b -> b.activityConcurrency(1).lockTimeouts(Duration.ofSeconds(5), Duration.ofMillis(400)));

        assertThat(EngineHarness.await(client, id).outputAs(Integer.class)).isEqualTo(3);
        assertThat(runs.get(2)).as("runs of step 2").hasValue(1);
    }
}
