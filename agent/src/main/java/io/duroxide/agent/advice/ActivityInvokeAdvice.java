package io.duroxide.agent.advice;

import io.duroxide.agent.bootstrap.ActivityAttempt;
import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.observe.ActivityInvocation;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.provider.ActivityWorkItem;
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
        ActivityAttempt e = ActivityAttempt.begin();
        ActivityWorkItem item = invocation == null ? null : invocation.item();
        if (item != null) {
            e.instanceId = item.instanceId();
            e.executionId = item.executionId();
            e.activityName = item.activityName();
            e.retryAttempt = item.attempt();
        }
        if (outcome instanceof ActivityOutcome.Failed) {
            ActivityOutcome.Failed failed = (ActivityOutcome.Failed) outcome;
            e.durationNanos = failed.durationNanos();
            e.failureType = (failed.type() == null ? ActivityOutcome.FailureType.INFRASTRUCTURE_ERROR : failed.type()).name();
            e.willRetry = failed.willRetry();
            FailureDetails d = failed.failure();
            if (d != null) {
                e.failureKind = d.kind() == null ? null : d.kind().name();
                e.errorType = d.errorType();
                e.errorCode = d.errorCode();
                e.retryable = d.retryable();
                e.errorMessage = d.message();
            }
        } else if (thrown != null || outcome == null) {
            // invoke never throws nor returns null; if it did, there is no measured duration: the attempt is
            // counted as an infrastructure error with duration 0, so the histogram's _count still equals the
            // executions counter (the 0 lands in the lowest bucket).
            e.failureType = ActivityOutcome.FailureType.INFRASTRUCTURE_ERROR.name();
            e.failureKind = FailureKind.INFRASTRUCTURE.name();
            e.errorType = thrown == null ? null : thrown.getClass().getName();
            e.errorMessage = thrown == null ? null : thrown.getMessage();
        } else {
            e.durationNanos = outcome.durationNanos();
        }
        Bridge.activityAttempted(e);
    }
}
