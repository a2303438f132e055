package io.duroxide.cli;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.ApplicationException;
import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.SubOrchestrationOptions;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.Provider;
import io.duroxide.provider.validation.ValidationSupport;
import io.duroxide.runtime.DuroxideRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A real workload run by a real runtime: an order that completes after an activity's retries and a
 * sub-orchestration, one that fails, one waiting for an event, one waiting for a timer; and, while a latch
 * holds it, activities running and queued behind one another.
 */
final class Workload {
    static final String CHECKOUT = "checkout-alice";
    static final String SHIPPING = "checkout-alice-ship";
    static final String DOOMED = "doomed-1";
    static final String APPROVAL = "approval-bob";
    static final String SLEEPY = "sleepy-1";
    static final Duration DEADLINE = Duration.ofSeconds(60);

    record Order(String user, int items) {}

    /** Holds every {@code Hold} activity until released. */
    final CountDownLatch release = new CountDownLatch(1);

    Registry registry() {
        return new Registry()
                .addActivity("Charge", Order.class, (ctx, order) -> {
                    if (ctx.attemptNumber() < 3) {
                        throw new IllegalStateException("card declined on attempt " + ctx.attemptNumber());
                    }
                    return "charged " + order.user();
                })
                .addActivity("Pack", String.class, (ctx, user) -> "packed for " + user)
                .addActivity("Explode", String.class, (ctx, in) -> {
                    throw new ApplicationException("E_STOCK", "out of stock: " + in, false);
                })
                .addActivity("Hold", String.class, (ctx, in) -> {
                    release.await();
                    return "held " + in;
                })
                .addOrchestration("Ship", String.class, (ctx, user) -> ctx.callActivity("Pack", user, String.class).await())
                .addOrchestration("Checkout", Order.class, (ctx, order) -> {
                    ctx.setCustomStatus(Map.of("user", order.user(), "step", "charging"));
                    ctx.callActivity("Charge", order, ActivityOptions.retry(RetryPolicy.fixed(3, Duration.ofMillis(20))),
                            String.class).await();
                    String packed = ctx.callSubOrchestration("Ship", order.user(),
                            SubOrchestrationOptions.withInstanceId(ctx.instanceId() + "-ship"), String.class).await();
                    ctx.setCustomStatus(Map.of("user", order.user(), "step", "shipped"));
                    return packed;
                })
                .addOrchestration("Doomed", String.class, (ctx, in) -> ctx.callActivity("Explode", in, String.class).await())
                .addOrchestration("Approval", String.class, (ctx, user) -> {
                    ctx.setCustomStatus(Map.of("user", user, "step", "awaiting approval"));
                    return ctx.waitForExternalEvent("approved", String.class).await();
                })
                .addOrchestration("Sleepy", String.class, (ctx, in) -> {
                    ctx.createTimer(Duration.ofHours(1)).await();
                    return "woke";
                })
                .addOrchestration("Holds", String.class, (ctx, in) -> ctx.callActivity("Hold", in, String.class).await());
    }

    DuroxideRuntime start(Provider provider, int activitySlots) {
        return DuroxideRuntime.builder(provider, registry()).activityConcurrency(activitySlots)
                .pollInterval(Duration.ofMillis(20)).build().start();
    }

    /** Runs the four instances until each is in the state the tests read. */
    void populate(Provider provider) {
        try (DuroxideRuntime runtime = start(provider, 2)) {
            DuroxideClient client = runtime.client();
            client.startOrchestration("Checkout", new Order("alice", 3), StartOptions.withInstanceId(CHECKOUT));
            client.startOrchestration("Doomed", "widgets", StartOptions.withInstanceId(DOOMED));
            client.startOrchestration("Approval", "bob", StartOptions.withInstanceId(APPROVAL));
            client.startOrchestration("Sleepy", "zzz", StartOptions.withInstanceId(SLEEPY));
            client.waitForCompletion(CHECKOUT, DEADLINE);
            client.waitForCompletion(DOOMED, DEADLINE);
            awaitHistory(provider, APPROVAL, e -> e instanceof HistoryEvent.ExecutionStarted);
            awaitHistory(provider, SLEEPY, e -> e instanceof HistoryEvent.TimerCreated);
        }
    }

    /** Waits until the instance's current execution has an event matching {@code wanted}. */
    static void awaitHistory(Provider provider, String id, Predicate<HistoryEvent> wanted) {
        await("history of " + id, () -> provider.getInstance(id)
                .map(s -> provider.readHistory(id, s.executionId()).stream().anyMatch(wanted)).orElse(false));
    }

    static void awaitStatus(Provider provider, String id, RuntimeStatus status) {
        await(id + " " + status, () -> provider.getInstance(id).map(InstanceStatus::status).orElse(null) == status);
    }

    static void await(String what, BooleanSupplier condition) {
        ValidationSupport.await(what, DEADLINE, condition);
    }
}
