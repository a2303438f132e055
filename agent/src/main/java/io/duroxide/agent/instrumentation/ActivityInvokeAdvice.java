package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.history.FailureDetails;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.runtime.ActivityInvocation;
import io.duroxide.runtime.ActivityOutcome;
import net.bytebuddy.asm.Advice;

/**
 * Woven into {@code ActivityInvoker#invoke(ActivityInvocation)}: one call = one activity attempt. Exit only:
 * the engine times the attempt itself ({@code ActivityOutcome#durationNanos()}, which its worker uses to
 * size the lease-ahead), so the advice reads that duration instead of reading the clock again.
 */
public final class ActivityInvokeAdvice {
    private ActivityInvokeAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(
            @Advice.Argument(0) ActivityInvocation invocation,
            @Advice.Return ActivityOutcome outcome,
            @Advice.Thrown Throwable thrown) {
        ActivityWorkItem item = invocation == null ? null : invocation.item();
        String instanceId = item == null ? null : item.instanceId();
        long executionId = item == null ? 0L : item.executionId();
        String name = invocation == null ? null : invocation.activityName();
        int attempt = invocation == null ? 0 : invocation.retryAttempt();
        if (outcome instanceof ActivityOutcome.Failed) {
            ActivityOutcome.Failed failed = (ActivityOutcome.Failed) outcome;
            FailureDetails d = failed.failure();
            Bridge.activityExit(failed.durationNanos(), instanceId, executionId, name, attempt,
                    failed.type() == null ? "INFRASTRUCTURE_ERROR" : failed.type().name(),
                    failed.willRetry(),
                    d == null || d.kind() == null ? null : d.kind().name(),
                    d == null ? null : d.errorType(),
                    d == null ? null : d.errorCode(),
                    d != null && d.retryable(),
                    d == null ? null : d.message());
        } else if (thrown != null || outcome == null) {
            // invoke never throws nor returns null; if it did, there is no measured duration: the attempt is
            // counted as an infrastructure error with duration 0, so the histogram's _count still equals the
            // executions counter (the 0 lands in the lowest bucket).
            Bridge.activityExit(0L, instanceId, executionId, name, attempt, "INFRASTRUCTURE_ERROR", false, "INFRASTRUCTURE",
                    thrown == null ? null : thrown.getClass().getName(), null, false,
                    thrown == null ? null : thrown.getMessage());
        } else {
            Bridge.activityExit(outcome.durationNanos(), instanceId, executionId, name, attempt, null, false, null, null, null, false, null);
        }
    }
}
