package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.FailureKind;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.HistoryEvent;
import org.junit.jupiter.api.Test;

class VersioningAndErrorsTest extends EngineTestBase {

    private static Registry withEcho() {
        return new Registry().addActivity("Echo", String.class, (ctx, in) -> in);
    }

    private static void awaitEventWait(ProviderClient client, String id) {
        eventually(id + " reached its wait", () -> client.getStatus(id).map(s -> s.status() == RuntimeStatus.RUNNING).orElse(false)
                && client.getHistory(id).stream().anyMatch(e -> e instanceof HistoryEvent.ActivityCompleted));
    }

    @Test
    void runningInstanceKeepsItsVersionWhenANewerOneIsRegistered() {
        Registry v1 = withEcho().addOrchestration("Flow", "1.0.0", String.class, (ctx, in) -> {
            ctx.callActivity("Echo", in, String.class).await();
            return "v1:" + ctx.waitForExternalEvent("go", String.class).await();
        });
        DuroxideRuntime first = harness.runtime(v1);
        String old = first.client().startOrchestration("Flow", "a");
        awaitEventWait(first.client(), old);
        first.close();

        Registry both = withEcho()
                .addOrchestration("Flow", "1.0.0", String.class, (ctx, in) -> {
                    ctx.callActivity("Echo", in, String.class).await();
                    return "v1:" + ctx.waitForExternalEvent("go", String.class).await();
                })
                .addOrchestration("Flow", "2.0.0", String.class, (ctx, in) -> "v2:" + in);
        ProviderClient client = harness.runtime(both).client();
        client.raiseEvent(old, "go", "kept");
        String fresh = client.startOrchestration("Flow", "b");

        InstanceStatus oldStatus = await(client, old);
        assertThat(oldStatus.outputAs(String.class)).isEqualTo("v1:kept");
        assertThat(oldStatus.version()).isEqualTo("1.0.0");
        InstanceStatus freshStatus = await(client, fresh);
        assertThat(freshStatus.outputAs(String.class)).isEqualTo("v2:b");
        assertThat(freshStatus.version()).isEqualTo("2.0.0");
        String pinned = client.startOrchestration("Flow", "c", new StartOptions(null, "1.0.0"));
        client.raiseEvent(pinned, "go", "explicit");
        assertThat(await(client, pinned).outputAs(String.class)).isEqualTo("v1:explicit");
    }

    @Test
    void changedCodeIsReportedAsNondeterminismWithExpectedAndActualSteps() {
        DuroxideRuntime first = harness.runtime(withEcho().addOrchestration("Flow", String.class, (ctx, in) -> {
            ctx.callActivity("Echo", in, String.class).await();
            return ctx.waitForExternalEvent("go", String.class).await();
        }));
        String id = first.client().startOrchestration("Flow", "a");
        awaitEventWait(first.client(), id);
        first.close();

        Registry changed = withEcho().addActivity("Other", String.class, (ctx, in) -> in)
                .addOrchestration("Flow", String.class, (ctx, in) -> {
                    ctx.callActivity("Other", in, String.class).await();
                    return ctx.waitForExternalEvent("go", String.class).await();
                });
        ProviderClient client = harness.runtime(changed).client();
        client.raiseEvent(id, "go", "x");

        InstanceStatus status = await(client, id);
        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.NONDETERMINISM);
        assertThat(status.failure().message())
                .contains("expected activity 'Echo' (task 0)")
                .contains("scheduled activity 'Other' (task 0)");
    }

    @Test
    void unknownOrchestrationFailsClearlyAfterTheDeliveryLimit() {
        ProviderClient client = harness.runtime(withEcho(), b -> b.maxDeliveryAttempts(3)).client();
        String id = client.startOrchestration("DoesNotExist", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(status.failure().message()).contains("orchestration 'DoesNotExist' is not registered").contains("gave up after 3 deliveries");
    }

    @Test
    void unknownOrchestrationWaitsForARuntimeThatKnowsIt() {
        DuroxideRuntime without = harness.runtime(withEcho(), b -> b.maxDeliveryAttempts(1000));
        String id = without.client().startOrchestration("Later", "x");
        eventually("a delivery was attempted", () -> without.provider().getInstance(id).isPresent());
        without.close();

        ProviderClient client = harness.runtime(withEcho().addOrchestration("Later", String.class, (ctx, in) -> "ran " + in)).client();
        assertThat(await(client, id).outputAs(String.class)).isEqualTo("ran x");
    }

    @Test
    void unknownActivityFailsTheOrchestrationClearly() {
        Registry registry = withEcho().addOrchestration("CallsMissing", String.class,
                (ctx, in) -> ctx.callActivity("Missing", in, String.class).await());
        ProviderClient client = harness.runtime(registry, b -> b.maxDeliveryAttempts(3)).client();
        String id = client.startOrchestration("CallsMissing", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(status.failure().message()).contains("activity 'Missing' is not registered");
    }

    @Test
    void malformedInputFailsWithTheTargetType() {
        Registry registry = withEcho().addOrchestration("NeedsNumber", Integer.class, (ctx, n) -> n + 1);
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("NeedsNumber", "not a number");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().message()).contains("java.lang.Integer").contains("not a number");
        assertThat(status.failure().retryable()).isFalse();
    }

    @Test
    void swallowedSuspensionIsDetected() {
        Registry registry = withEcho().addOrchestration("Swallows", String.class, (ctx, in) -> {
            try {
                return ctx.callActivity("Echo", in, String.class).await();
            } catch (Throwable t) {
                return "swallowed";
            }
        });
        ProviderClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Swallows", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().message()).contains("caught the engine's suspension signal");
    }

    @Test
    void orchestrationThatThrowsAnErrorIsPoisonedAfterTheDeliveryLimit() {
        Registry registry = withEcho().addOrchestration("Crashes", String.class, (ctx, in) -> {
            throw new AssertionError("bug in orchestration");
        });
        ProviderClient client = harness.runtime(registry, b -> b.maxDeliveryAttempts(2)).client();
        String id = client.startOrchestration("Crashes", "x");

        InstanceStatus status = await(client, id);

        assertThat(status.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(status.failure().kind()).isEqualTo(FailureKind.POISON);
        assertThat(status.failure().message()).contains("bug in orchestration");
    }
}
