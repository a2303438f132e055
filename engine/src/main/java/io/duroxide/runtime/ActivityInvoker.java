package io.duroxide.runtime;

import io.duroxide.api.Activity;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.json.JsonConverter;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.runtime.ActivityOutcome.FailureType;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Runs one activity attempt and classifies its outcome. {@link #invoke(ActivityInvocation)} is the
 * observation point for activity executions: it never throws, and its result says whether the
 * attempt succeeded, how it failed, and whether the retry policy will try again.
 */
public final class ActivityInvoker {
    private final Registry registry;
    private final JsonConverter json;
    private final int maxDeliveryAttempts;
    private final ExecutorService timedExecutor;
    private final BooleanSupplier shuttingDown;

    ActivityInvoker(Registry registry, JsonConverter json, int maxDeliveryAttempts, ExecutorService timedExecutor, BooleanSupplier shuttingDown) {
        this.registry = registry;
        this.json = json;
        this.maxDeliveryAttempts = maxDeliveryAttempts;
        this.timedExecutor = timedExecutor;
        this.shuttingDown = shuttingDown;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public ActivityOutcome invoke(ActivityInvocation invocation) {
        ActivityWorkItem item = invocation.item();
        if (invocation.deliveryCount() > maxDeliveryAttempts) {
            return infrastructure(FailureKind.POISON, "io.duroxide.PoisonMessage", "activity '" + item.activityName()
                    + "' was delivered " + invocation.deliveryCount() + " times (max " + maxDeliveryAttempts
                    + ") without completing; the process running it probably crashed or it threw an Error");
        }
        var registered = registry.activity(item.activityName());
        if (registered.isEmpty()) {
            return infrastructure(FailureKind.CONFIGURATION, "io.duroxide.NotRegistered",
                    "activity '" + item.activityName() + "' is not registered in this runtime (registered: " + registry.activityNames() + ")");
        }
        Object input;
        try {
            input = json.fromJson(item.input(), registered.get().inputType());
        } catch (JsonConverter.PayloadException e) {
            return applicationFailure(item, e);
        }
        Activity activity = registered.get().function();
        ActivityContextImpl ctx = new ActivityContextImpl(item, invocation.cancelled(), shuttingDown);
        Object output;
        try {
            output = item.timeoutMs() > 0 ? runWithTimeout(activity, ctx, input, item.timeoutMs()) : activity.run(ctx, input);
        } catch (TimeoutException e) {
            invocation.cancelled().set(true);
            FailureDetails failure = ReplayContext.timeoutFailure("activity '" + item.activityName() + "' attempt "
                    + (item.attempt() + 1) + " timed out after " + item.timeoutMs() + " ms");
            return new ActivityOutcome.Failed(FailureType.TIMEOUT, failure, RetryPolicy.willRetry(item.attempt(), item.maxAttempts(), failure));
        } catch (Exception e) {
            if (shuttingDown.getAsBoolean()) {
                return cancelled(item, "was interrupted by the runtime shutting down (" + e + ")");
            }
            return applicationFailure(item, e);
        } catch (Error e) {
            return new ActivityOutcome.Failed(FailureType.INFRASTRUCTURE_ERROR, FailureDetails.fromThrowable(FailureKind.INFRASTRUCTURE, e), true);
        }
        if (invocation.cancelled().get()) {
            return cancelled(item, "finished after its work was cancelled");
        }
        try {
            return new ActivityOutcome.Succeeded(PayloadTooLargeException.check("output of activity '" + item.activityName() + "'",
                    json.toJson(output), PayloadTooLargeException.MAX_PAYLOAD_BYTES));
        } catch (JsonConverter.PayloadException | PayloadTooLargeException e) {
            return applicationFailure(item, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object runWithTimeout(Activity activity, ActivityContextImpl ctx, Object input, long timeoutMs) throws Exception {
        Future<Object> future = timedExecutor.submit(() -> activity.run(ctx, input));
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        }
    }

    private static ActivityOutcome cancelled(ActivityWorkItem item, String why) {
        return new ActivityOutcome.Failed(FailureType.CANCELLED, FailureDetails.of(FailureKind.CANCELLED, "io.duroxide.Cancelled",
                "activity '" + item.activityName() + "' " + why, false), false);
    }

    private static ActivityOutcome applicationFailure(ActivityWorkItem item, Exception e) {
        FailureDetails failure = FailureDetails.fromThrowable(FailureKind.APPLICATION, e);
        return new ActivityOutcome.Failed(FailureType.APPLICATION_ERROR, failure,
                RetryPolicy.willRetry(item.attempt(), item.maxAttempts(), failure));
    }

    private static ActivityOutcome infrastructure(FailureKind kind, String type, String message) {
        return new ActivityOutcome.Failed(FailureType.INFRASTRUCTURE_ERROR,
                new FailureDetails(kind, type, List.of(type), message, null, false), false);
    }
}
