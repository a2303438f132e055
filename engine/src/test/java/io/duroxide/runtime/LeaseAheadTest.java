package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * When attempts are short the activity worker leases several ahead of its slots, refills only when
 * half of them are used up (so a finishing slot goes on to the next attempt without waking the
 * fetcher), and still stores finished results promptly while the fetcher has nothing to fetch.
 */
class LeaseAheadTest extends EngineTestBase {
    /** Quick attempts that teach the worker how short its attempts are. */
    private static final int WARM_UP = 40;
    private static final int BURST = 12;

    private final AtomicInteger holding = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger gated = new AtomicInteger();
    private final CountDownLatch gate = new CountDownLatch(1);

    private Registry registry() {
        return new Registry()
                .addActivity("Quick", Integer.class, (ctx, n) -> n)
                .addActivity("Hold", Integer.class, (ctx, n) -> {
                    holding.incrementAndGet();
                    release.await(30, TimeUnit.SECONDS);
                    return n;
                })
                .addActivity("Gate", Integer.class, (ctx, n) -> {
                    gated.incrementAndGet();
                    gate.await(30, TimeUnit.SECONDS);
                    return n;
                })
                .addOrchestration("Quicks", Integer.class, (ctx, n) -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        tasks.add(ctx.callActivity("Quick", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().size();
                })
                // An attempt the test lets finish, then attempts that hold the only slot until released.
                .addOrchestration("GateThenHolds", Integer.class, (ctx, n) -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    tasks.add(ctx.callActivity("Gate", 0, Integer.class));
                    for (int i = 1; i < n; i++) {
                        tasks.add(ctx.callActivity("Hold", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().size();
                });
    }

    /** Teaches the worker that its attempts are short, then starts the burst. */
    private static String warmUpThenStartTheBurst(ProviderClient client) {
        assertThat(EngineHarness.await(client, client.startOrchestration("Quicks", WARM_UP,
                StartOptions.withInstanceId("warm-up"))).status()).isEqualTo(RuntimeStatus.COMPLETED);
        return client.startOrchestration("GateThenHolds", BURST, StartOptions.withInstanceId("burst"));
    }

    @Test
    void afterShortAttemptsTheWorkerLeasesAWindowOfThemAhead() {
        Provider provider = harness.openProvider();
        DuroxideRuntime runtime = harness.runtime(registry(), b -> b.activityConcurrency(1));
        ProviderClient client = runtime.client();
        gate.countDown();
        String id = warmUpThenStartTheBurst(client);
        EngineHarness.eventually("a Hold attempt occupies the slot", () -> holding.get() == 1);

        // The burst found the slot idle: one fetch leased the slot's attempt and the most allowed ahead.
        int leased = 1 + ActivityWorker.MAX_AHEAD_PER_SLOT;
        EngineHarness.eventually("the worker holds " + leased + " attempts of the burst",
                () -> provider.queueDepths().activityReady() == BURST - leased);
        assertThat(holding).hasValue(1);

        release.countDown();
        var done = EngineHarness.await(client, id);
        assertThat(done.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(done.outputAs(Integer.class)).isEqualTo(BURST);
    }

    @Test
    void aResultIsStoredWhileTheSlotIsBusyAndNothingNeedsFetching() {
        DuroxideRuntime runtime = harness.runtime(registry(), b -> b.activityConcurrency(1));
        ProviderClient client = runtime.client();
        String id = warmUpThenStartTheBurst(client);
        // The Gate attempt runs with the others leased ahead, and the fetcher, done with that fetch (and
        // the store that follows it), waits for room: from now on no fetch comes before half are used up.
        Thread fetcher = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("work-" + runtime.runtimeId() + "-fetch")).findFirst().orElseThrow();
        EngineHarness.eventually("the Gate attempt runs and the fetcher waits for room", () -> gated.get() == 1
                && Arrays.stream(fetcher.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitRoom"))
                && Arrays.stream(fetcher.getStackTrace()).anyMatch(f -> f.getMethodName().startsWith("await")
                        && f.getClassName().contains("ConditionObject")));
        gate.countDown();

        // Its result must not wait for the next fetch: the fetcher stores it on its own within a few ms.
        EngineHarness.eventually("the Gate attempt's result reached the orchestration", () -> client.getHistory(id).stream()
                .anyMatch(e -> e instanceof HistoryEvent.ActivityCompleted));
        EngineHarness.eventually("a Hold attempt occupies the slot", () -> holding.get() == 1);

        release.countDown();
        assertThat(EngineHarness.await(client, id).status()).isEqualTo(RuntimeStatus.COMPLETED);
    }

    @Test
    void aFinishingSlotTakesTheNextLeasedItemAndTheFetcherRefillsOnlyAtHalf() throws Exception {
        final int ahead = 8;
        final int items = 30;
        Queue<Integer> source = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < items; i++) {
            source.add(i);
        }
        Queue<Integer> fetchMax = new ConcurrentLinkedQueue<>();
        Queue<Integer> processed = new ConcurrentLinkedQueue<>();
        Semaphore go = new Semaphore(0);
        DispatcherLoop<Integer> loop = new DispatcherLoop<>("activity", "lease-ahead-test", 1, 0, null, Duration.ofMillis(10), new Wakeup()) {
            @Override
            protected int leaseAhead() {
                return ahead;
            }

            @Override
            protected List<Integer> fetch(int max) {
                fetchMax.add(max);
                List<Integer> out = new ArrayList<>();
                for (Integer i; out.size() < max && (i = source.poll()) != null; ) {
                    out.add(i);
                }
                return out;
            }

            @Override
            public void process(Integer item) {
                try {
                    if (go.tryAcquire(30, TimeUnit.SECONDS)) {
                        processed.add(item);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        loop.start();
        try {
            EngineHarness.eventually("the first fetch", () -> !fetchMax.isEmpty());
            for (int k = 1; k <= items; k++) {
                go.release();
                int done = k;
                EngineHarness.eventually(done + " items processed", () -> processed.size() == done);
            }
        } finally {
            loop.stop(Duration.ofSeconds(5));
        }
        assertThat(processed).containsExactlyElementsOf(java.util.stream.IntStream.range(0, items).boxed().toList());
        // The slot idle at first: the slot's item and all eight ahead in one call. After that the fetcher
        // was woken only with half of those ahead used up, so every call asked for at least four.
        assertThat(fetchMax.peek()).isEqualTo(1 + ahead);
        assertThat(fetchMax).allSatisfy(max -> assertThat(max).isGreaterThanOrEqualTo(ahead - ahead / 2));
    }
}
