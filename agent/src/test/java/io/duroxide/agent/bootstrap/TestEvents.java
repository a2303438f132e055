package io.duroxide.agent.bootstrap;

/** Events as the advice would fill them, for tests that drive the bridge or the recorders without weaving. */
public final class TestEvents {
    private TestEvents() {}

    /** A successful attempt. */
    public static ActivityAttempt succeeded(String activityName, int retryAttempt, long durationNanos) {
        ActivityAttempt e = new ActivityAttempt();
        e.instanceId = "i-1";
        e.executionId = 1;
        e.activityName = activityName;
        e.retryAttempt = retryAttempt;
        e.durationNanos = durationNanos;
        return e;
    }

    /** A failed attempt whose failure details have the kind, class, code and message given. */
    public static ActivityAttempt failed(String activityName, int retryAttempt, String failureType, boolean willRetry,
            String failureKind, String errorType, String errorCode, boolean retryable, String errorMessage,
            long durationNanos) {
        ActivityAttempt e = succeeded(activityName, retryAttempt, durationNanos);
        e.failureType = failureType;
        e.willRetry = willRetry;
        e.failureKind = failureKind;
        e.errorType = errorType;
        e.errorCode = errorCode;
        e.retryable = retryable;
        e.errorMessage = errorMessage;
        return e;
    }

    public static ProviderCall call(String method, long durationNanos, Throwable error) {
        ProviderCall e = new ProviderCall();
        e.method = method;
        e.durationNanos = durationNanos;
        e.error = error;
        return e;
    }

    /** A dispatcher loop's event: {@code itemNanos} matters for a processed item, {@code provider} for a start. */
    public static WorkerLoop loop(Object loop, String workerType, String workerId, int slots, Object provider,
            long itemNanos) {
        WorkerLoop e = new WorkerLoop();
        e.loop = loop;
        e.workerType = workerType;
        e.workerId = workerId;
        e.slots = slots;
        e.provider = provider;
        e.itemNanos = itemNanos;
        return e;
    }

    /** What the provider advice does around a call of {@code method} that threw {@code error} (or null). */
    public static void providerCallThroughBridge(String method, Throwable error) {
        ProviderCall call = Bridge.providerEnter();
        call.method = method;
        call.error = error;
        Bridge.providerExit(call);
    }
}
