package io.duroxide.agent.instrumentation;

import io.duroxide.agent.bootstrap.Bridge;
import io.duroxide.history.FailureDetails;
import io.duroxide.runtime.ActivityInvocation;
import io.duroxide.runtime.ActivityOutcome;
import net.bytebuddy.asm.Advice;

/** Woven into {@code ActivityInvoker#invoke(ActivityInvocation)}: one call = one activity attempt. */
public final class ActivityInvokeAdvice {
    private ActivityInvokeAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter(@Advice.Local("depth") int[] depth) {
        depth = Bridge.activityDepth();
        return Bridge.activityEnter(depth);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    public static void exit(
            @Advice.Enter long start,
            @Advice.Local("depth") int[] depth,
            @Advice.Argument(0) ActivityInvocation invocation,
            @Advice.Return ActivityOutcome outcome,
            @Advice.Thrown Throwable thrown) {
        String name = invocation == null ? null : invocation.activityName();
        int attempt = invocation == null ? 0 : invocation.retryAttempt();
        if (outcome instanceof ActivityOutcome.Failed) {
            ActivityOutcome.Failed failed = (ActivityOutcome.Failed) outcome;
            FailureDetails d = failed.failure();
            Bridge.activityExit(depth, start, name, attempt,
                    failed.type() == null ? "INFRASTRUCTURE_ERROR" : failed.type().name(),
                    failed.willRetry(),
                    d == null || d.kind() == null ? null : d.kind().name(),
                    d == null ? null : d.errorType(),
                    d == null ? null : d.errorCode(),
                    d != null && d.retryable(),
                    d == null ? null : d.message());
        } else if (thrown != null || outcome == null) {
            Bridge.activityExit(depth, start, name, attempt, "INFRASTRUCTURE_ERROR", false, "INFRASTRUCTURE",
                    thrown == null ? null : thrown.getClass().getName(), null, false,
                    thrown == null ? null : thrown.getMessage());
        } else {
            Bridge.activityExit(depth, start, name, attempt, null, false, null, null, null, false, null);
        }
    }
}
