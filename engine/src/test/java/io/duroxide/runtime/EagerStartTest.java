package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A start from a runtime's own client runs its first turn in that runtime at once, stored with the instance
 * locked ({@code createInstanceLocked}) instead of fetched from the queue, whenever a slot is idle; otherwise, and
 * for orchestrations the runtime does not register, the start goes through the queue as before.
 */
class EagerStartTest extends EngineTestBase {
    /** Which instances the runtime got by a fetch and which it started locked, as the store saw the calls. */
    private final Queue<String> fetched = new ConcurrentLinkedQueue<>();
    private final Queue<String> startedLocked = new ConcurrentLinkedQueue<>();
    private final Queue<String> startedUnlocked = new ConcurrentLinkedQueue<>();

    private final CountDownLatch release = new CountDownLatch(1);
    private final Registry registry = new Registry()
            .addOrchestration("Echo", String.class, (ctx, input) -> input)
            .addOrchestration("Hold", String.class, (ctx, input) -> {
                holdSlot();
                return input;
            });

    /** Keeps the orchestration slot busy until the test lets it go. */
    private void holdSlot() {
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The SQLite store, with the calls this test asserts on noted as they pass. */
    private Provider recording() {
        return ObservedProvider.of(harness.openProvider(), (method, args, result) -> {
            switch (method) {
                case "fetchOrchestrationItems" -> ((List<?>) result)
                        .forEach(item -> fetched.add(((OrchestrationWorkItem) item).instanceId()));
                case "createInstanceLocked" -> ((Optional<?>) result)
                        .ifPresent(item -> startedLocked.add(((OrchestrationWorkItem) item).instanceId()));
                case "createInstance" -> startedUnlocked.add(((NewInstance) args[0]).instanceId());
                default -> { }
            }
        });
    }

    private DuroxideRuntime runtime(Provider provider, Consumer<DuroxideRuntime.Builder> tuning) {
        DuroxideRuntime.Builder builder = DuroxideRuntime.builder(provider, registry).pollInterval(Duration.ofMillis(10))
                .shutdownGrace(Duration.ofSeconds(5));
        tuning.accept(builder);
        return builder.build();
    }

    @Test
    void aStartFromTheRuntimesClientRunsItsFirstTurnThereWithoutAFetch() {
        try (DuroxideRuntime runtime = runtime(recording(), b -> { }).start()) {
            DuroxideClient client = runtime.client();
            for (int i = 0; i < 5; i++) {
                String id = client.startOrchestration("Echo", "in-" + i, StartOptions.withInstanceId("e" + i));
                var done = EngineHarness.await(client, id);
                assertThat(done.status()).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(done.output()).isEqualTo("\"in-" + i + "\"");
                assertThat(runtime.provider().readHistory(id, 1)).extracting(e -> (Object) e.getClass())
                        .containsExactly(HistoryEvent.ExecutionStarted.class, HistoryEvent.ExecutionCompleted.class);
            }
        }
        assertThat(startedLocked).containsExactly("e0", "e1", "e2", "e3", "e4");
        assertThat(fetched).isEmpty();
        assertThat(startedUnlocked).isEmpty();
    }

    @Test
    void withEverySlotBusyAStartGoesThroughTheQueue() {
        try (DuroxideRuntime runtime = runtime(recording(), b -> b.orchestrationConcurrency(1)).start()) {
            DuroxideClient client = runtime.client();
            client.startOrchestration("Hold", "first", StartOptions.withInstanceId("busy"));
            client.startOrchestration("Echo", "second", StartOptions.withInstanceId("queued"));
            release.countDown();

            assertThat(EngineHarness.await(client, "busy").status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(EngineHarness.await(client, "queued").output()).isEqualTo("\"second\"");
        }
        assertThat(startedLocked).containsExactly("busy");
        assertThat(startedUnlocked).containsExactly("queued");
        assertThat(fetched).containsExactly("queued");
    }

    /** Another process may register it (a rolling deploy): the start must stay free for that process to fetch. */
    @Test
    void aStartOfAnOrchestrationThisRuntimeDoesNotRegisterGoesThroughTheQueueToOneThatDoes() {
        Registry withoutEcho = new Registry().addOrchestration("Other", String.class, (ctx, input) -> input);
        try (DuroxideRuntime old = DuroxideRuntime.builder(recording(), withoutEcho).pollInterval(Duration.ofMillis(10))
                .unregisteredBackoff(Duration.ofMillis(20)).build().start()) {
            String id = old.client().startOrchestration("Echo", "x", StartOptions.withInstanceId("rolled"));
            DuroxideRuntime upgraded = harness.runtime(registry);

            assertThat(EngineHarness.await(upgraded.client(), id).output()).isEqualTo("\"x\"");
        }
        assertThat(startedLocked).isEmpty();
        assertThat(startedUnlocked).containsExactly("rolled");
    }

    @Test
    void withEagerStartsOffOrBeforeTheRuntimeRunsEveryStartGoesThroughTheQueue() {
        try (DuroxideRuntime runtime = runtime(recording(), b -> b.eagerStarts(false)).start()) {
            String id = runtime.client().startOrchestration("Echo", "off", StartOptions.withInstanceId("off"));
            assertThat(EngineHarness.await(runtime.client(), id).status()).isEqualTo(RuntimeStatus.COMPLETED);
        }
        DuroxideRuntime notStarted = runtime(recording(), b -> { });
        notStarted.client().startOrchestration("Echo", "early", StartOptions.withInstanceId("early"));
        try (DuroxideRuntime runtime = notStarted.start()) {
            assertThat(EngineHarness.await(runtime.client(), "early").status()).isEqualTo(RuntimeStatus.COMPLETED);
        }
        assertThat(startedLocked).isEmpty();
        assertThat(startedUnlocked).containsExactly("off", "early");
        assertThat(fetched).containsExactly("off", "early");
    }

    /** The runtime died after storing the locked start: the instance is anyone's once the lock expires. */
    @Test
    void aLockedStartWhoseRuntimeDiedBeforeItsTurnIsRunByAnotherWhenTheLockExpires() {
        Provider store = harness.openProvider();
        Optional<OrchestrationWorkItem> orphaned = store.createInstanceLocked(
                new NewInstance("orphan", new HistoryEvent.ExecutionStarted(System.currentTimeMillis(), "Echo", null, "\"left\"",
                        InitiatedBy.CLIENT, null)), Duration.ofMillis(300));
        assertThat(orphaned).isPresent();

        DuroxideRuntime survivor = harness.runtime(registry);

        assertThat(EngineHarness.await(survivor.client(), "orphan").output()).isEqualTo("\"left\"");
        assertThat(survivor.provider().readHistory("orphan", 1)).hasSize(2);
    }
}
