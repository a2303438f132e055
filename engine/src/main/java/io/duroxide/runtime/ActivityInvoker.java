package io.duroxide.runtime;

import io.duroxide.api.Activity;
import io.duroxide.api.JsonConverter;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.observe.ActivityInvocation;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.observe.ActivityOutcome.FailureType;
import io.duroxide.provider.ActivityWorkItem;
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
 * attempt succeeded, how it failed, whether the retry policy will try again, and how long the attempt
 * took ({@link ActivityOutcome#durationNanos()}, measured here once for the worker's lease-ahead and
 * for anyone observing attempts).
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

    /**
     * Runs one attempt. Never throws. Each return site builds its outcome with {@code since(started)}, so
     * {@link ActivityOutcome#durationNanos()} covers the attempt up to its outcome and costs no extra object.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public ActivityOutcome invoke(ActivityInvocation invocation) {
        long started = System.nanoTime();
        ActivityWorkItem item = invocation.item();
        if (invocation.deliveryCount() > maxDeliveryAttempts) {
            return infrastructure(FailureKind.POISON, "io.duroxide.PoisonMessage", "activity '" + item.activityName()
                    + "' was delivered " + invocation.deliveryCount() + " times (max " + maxDeliveryAttempts
                    + ") without completing; the process running it probably crashed or it threw an Error", started);
        }
        var registered = registry.activity(item.activityName());
        if (registered.isEmpty()) {
            return infrastructure(FailureKind.CONFIGURATION, "io.duroxide.NotRegistered", "activity '" + item.activityName()
                    + "' is not registered in this runtime (registered: " + registry.activityNames() + ")", started);
        }
        Object input;
        try {
            input = json.fromJson(item.input(), registered.get().inputType());
        } catch (JsonConverter.PayloadException e) {
            return applicationFailure(item, e, started);
        }
        Activity activity = registered.get().function();
        ActivityContextImpl ctx = new ActivityContextImpl(item, invocation.cancelled(), shuttingDown);
        Object result;
        try {
            result = item.timeoutMs() > 0 ? runWithTimeout(activity, ctx, input, item.timeoutMs()) : activity.run(ctx, input);
        } catch (TimeoutException e) {
            invocation.cancelled().set(true);
            FailureDetails failure = ReplayContext.timeoutFailure("activity '" + item.activityName() + "' attempt "
                    + (item.attempt() + 1) + " timed out after " + item.timeoutMs() + " ms");
            return new ActivityOutcome.Failed(FailureType.TIMEOUT, failure, RetryPolicy.willRetry(item.attempt(), item.maxAttempts(), failure.retryable()),
                    since(started));
        } catch (Exception e) {
            if (shuttingDown.getAsBoolean()) {
                return cancelled(item, "was interrupted by the runtime shutting down (" + e + ")", started);
            }
            return applicationFailure(item, e, started);
        } catch (Error e) {
            return new ActivityOutcome.Failed(FailureType.INFRASTRUCTURE_ERROR, FailureDetails.fromThrowable(FailureKind.INFRASTRUCTURE, e), true,
                    since(started));
        }
        if (invocation.cancelled().get()) {
            return cancelled(item, "finished after its work was cancelled", started);
        }
        String output;
        try {
            output = PayloadTooLargeException.check("output of activity '" + item.activityName() + "'",
                    json.toJson(result), PayloadTooLargeException.MAX_PAYLOAD_BYTES);
        } catch (JsonConverter.PayloadException | PayloadTooLargeException e) {
            return applicationFailure(item, e, started);
        }
        return new ActivityOutcome.Succeeded(output, since(started));
    }

    /** The attempt's duration so far, taken when its outcome is built (after any failure details). */
    private static long since(long started) {
        return System.nanoTime() - started;
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

    private static ActivityOutcome cancelled(ActivityWorkItem item, String why, long started) {
        return new ActivityOutcome.Failed(FailureType.CANCELLED, FailureDetails.of(FailureKind.CANCELLED, "io.duroxide.Cancelled",
                "activity '" + item.activityName() + "' " + why, false), false, since(started));
    }

    private static ActivityOutcome applicationFailure(ActivityWorkItem item, Exception e, long started) {
        FailureDetails failure = FailureDetails.fromThrowable(FailureKind.APPLICATION, e);
        return new ActivityOutcome.Failed(FailureType.APPLICATION_ERROR, failure,
                RetryPolicy.willRetry(item.attempt(), item.maxAttempts(), failure.retryable()), since(started));
    }

    private static ActivityOutcome infrastructure(FailureKind kind, String type, String message, long started) {
        return new ActivityOutcome.Failed(FailureType.INFRASTRUCTURE_ERROR,
                new FailureDetails(kind, type, List.of(type), message, null, false), false, since(started));
    }
}
