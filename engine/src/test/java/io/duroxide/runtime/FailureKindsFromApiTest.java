package io.duroxide.runtime;

import static io.duroxide.runtime.EngineHarness.await;
import static io.duroxide.runtime.EngineHarness.eventuallyStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.SubOrchestrationOptions;
import io.duroxide.api.TaskFailedException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Application code tells failure kinds apart with the API package alone: this file imports nothing from
 * {@code io.duroxide.history}, which is the point (the switches compile on unqualified case labels).
 */
class FailureKindsFromApiTest extends EngineTestBase {
    final CountDownLatch release = new CountDownLatch(1);
    Registry registry;

    @BeforeEach
    void setUp() {
        registry = new Registry()
                .addActivity("Hangs", String.class, (ctx, in) -> {
                    release.await();
                    return "late";
                })
                .addActivity("Throws", String.class, (ctx, in) -> {
                    throw new IllegalArgumentException("bad " + in);
                })
                .addOrchestration("WaitsForever", String.class, (ctx, in) -> ctx.waitForExternalEvent("never", String.class).await());
    }

    @AfterEach
    void releaseHangingActivities() {
        release.countDown();
    }

    /** What the orchestration saw, as one line: isTimeout, isCancelled and the switch's answer. */
    private static String seen(TaskFailedException e) {
        String kind = switch (e.kind()) {
            case APPLICATION -> "application";
            case TIMEOUT -> "timeout";
            case CANCELLED -> "cancelled";
            default -> "other";
        };
        return "timeout=" + e.isTimeout() + " cancelled=" + e.isCancelled() + " kind=" + kind;
    }

    private String run(String orchestration) {
        DuroxideClient client = harness.runtime(registry).client();
        String id = client.startOrchestration(orchestration, "x");
        return await(client, id).outputAs(String.class);
    }

    @Test
    void anActivityThatTimesOutIsATimeout() {
        registry.addOrchestration("Caller", String.class, (ctx, in) -> {
            try {
                return ctx.callActivity("Hangs", in, ActivityOptions.DEFAULT.withTimeout(Duration.ofMillis(200)), String.class).await();
            } catch (TaskFailedException e) {
                return seen(e);
            }
        });

        assertThat(run("Caller")).isEqualTo("timeout=true cancelled=false kind=timeout");
    }

    @Test
    void anActivityThatThrowsIsAnApplicationFailure() {
        registry.addOrchestration("Caller", String.class, (ctx, in) -> {
            try {
                return ctx.callActivity("Throws", in, String.class).await();
            } catch (TaskFailedException e) {
                return seen(e);
            }
        });

        assertThat(run("Caller")).isEqualTo("timeout=false cancelled=false kind=application");
    }

    @Test
    void aChildCancelledByAClientIsCancelled() {
        registry.addOrchestration("Parent", String.class, (ctx, in) -> {
            try {
                return ctx.callSubOrchestration("WaitsForever", in, SubOrchestrationOptions.withInstanceId("child"), String.class).await();
            } catch (TaskFailedException e) {
                return seen(e);
            }
        });
        DuroxideClient client = harness.runtime(registry).client();
        String id = client.startOrchestration("Parent", "x", StartOptions.withInstanceId("parent"));
        eventuallyStatus(client, "child", RuntimeStatus.RUNNING);

        client.cancel("child", "operator");

        assertThat(await(client, id).outputAs(String.class)).isEqualTo("timeout=false cancelled=true kind=cancelled");
    }

    @Test
    void anInstanceTellsWhyItFailed() {
        registry.addOrchestration("LetsTimeoutEscape", String.class, (ctx, in) ->
                ctx.callActivity("Hangs", in, ActivityOptions.DEFAULT.withTimeout(Duration.ofMillis(200)), String.class).await());
        registry.addOrchestration("Succeeds", String.class, (ctx, in) -> in);
        DuroxideClient client = harness.runtime(registry).client();

        InstanceStatus failed = await(client, client.startOrchestration("LetsTimeoutEscape", "x"));
        InstanceStatus completed = await(client, client.startOrchestration("Succeeds", "x"));

        assertThat(failed.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(switch (failed.failureKind()) {
            case TIMEOUT -> "timeout";
            default -> "other: " + failed.failureKind();
        }).isEqualTo("timeout");
        assertThat(completed.failureKind()).isNull();
    }
}
