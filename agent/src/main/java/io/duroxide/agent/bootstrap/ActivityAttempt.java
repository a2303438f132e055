package io.duroxide.agent.bootstrap;

/**
 * One finished activity attempt, as the activity advice read it from the engine's {@code ActivityInvocation} and
 * {@code ActivityOutcome}: engine values under their own names, enums by their constant name, JDK types only
 * (this class lives in the bootstrap loader). The recorder turns them into label values ({@code SpecLabelValues}).
 *
 * <p>Filled field by field and handed on, like a JFR event: {@link #begin} gives the calling thread's one instance,
 * cleared, so an attempt allocates nothing. Whoever receives it reads it during the call and keeps nothing: the
 * thread's next attempt overwrites it (the bridge keeps a {@link #copy} of an attempt it holds while the agent starts).
 */
public final class ActivityAttempt {
    public String instanceId;
    public long executionId;
    public String activityName;
    /** 0 for the first try, 1 for the first retry, and so on. */
    public int retryAttempt;
    /** The engine's own measurement of the attempt ({@code ActivityOutcome#durationNanos()}). */
    public long durationNanos;
    /** {@code ActivityOutcome.FailureType} name; null for a success, and then every failure field is unset. */
    public String failureType;
    /** Whether the retry policy schedules another attempt. */
    public boolean willRetry;
    /** The failure's {@code FailureKind} name, when the engine gave failure details. */
    public String failureKind;
    public String errorType;
    public String errorCode;
    public boolean retryable;
    public String errorMessage;

    private static final ActivityAttempt CLEAR = new ActivityAttempt();
    private static final ThreadLocal<ActivityAttempt> THREAD = ThreadLocal.withInitial(ActivityAttempt::new);

    /** The calling thread's event, every field cleared. */
    public static ActivityAttempt begin() {
        return THREAD.get().set(CLEAR);
    }

    /** A new event with this one's values (a held attempt must survive the thread's next one). */
    public ActivityAttempt copy() {
        return new ActivityAttempt().set(this);
    }

    /** Every field from {@code from}: the one list of the fields besides their declarations. */
    private ActivityAttempt set(ActivityAttempt from) {
        instanceId = from.instanceId;
        executionId = from.executionId;
        activityName = from.activityName;
        retryAttempt = from.retryAttempt;
        durationNanos = from.durationNanos;
        failureType = from.failureType;
        willRetry = from.willRetry;
        failureKind = from.failureKind;
        errorType = from.errorType;
        errorCode = from.errorCode;
        retryable = from.retryable;
        errorMessage = from.errorMessage;
        return this;
    }
}
