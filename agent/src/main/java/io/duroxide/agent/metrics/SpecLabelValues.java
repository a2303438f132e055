package io.duroxide.agent.metrics;

/**
 * The one place that maps the engine's values to the fixed label values of the telemetry spec. The events of the
 * bootstrap package carry the engine's enums by their constant names (the agent cannot link the engine's types: an
 * engine may be loaded by a class loader the agent does not see); the recorders pass those names here.
 */
public final class SpecLabelValues {
    private SpecLabelValues() {}

    public static String initiatedBy(String engineName) {
        if (engineName == null) {
            return LabelLimiter.NONE;
        }
        switch (engineName) {
            case "CLIENT":
                return "client";
            case "SUB_ORCHESTRATION":
                return "suborchestration";
            case "CONTINUE_AS_NEW":
                return "continueAsNew";
            case "SIGNAL":
                return "signal";
            default:
                return "other";
        }
    }

    /** Whether the {@code TurnOutcome} name is the end of an execution that continues as new. */
    public static boolean continuesAsNew(String outcome) {
        return "CONTINUED_AS_NEW".equals(outcome);
    }

    /** The completion status of a turn outcome, or null when the turn did not end the orchestration. */
    public static String completionStatus(String outcome) {
        if (outcome == null) {
            return null;
        }
        switch (outcome) {
            case "COMPLETED":
                return "success";
            case "FAILED":
                return "failed";
            case "CANCELLED":
                return "cancelled";
            default:
                return null;
        }
    }

    /** {@code final_turn_count}: 1-5, 6-10, 11-50, 50+ (more than 50). */
    public static String turnCountBucket(int turns) {
        if (turns <= 5) {
            return "1-5";
        }
        if (turns <= 10) {
            return "6-10";
        }
        if (turns <= 50) {
            return "11-50";
        }
        return "50+";
    }

    /** {@code execution_id} of continue_as_new: 1, 2-10, 11-100, 101-1000, 1000+ (more than 1000). */
    public static String executionBucket(long executionId) {
        if (executionId <= 1) {
            return "1";
        }
        if (executionId <= 10) {
            return "2-10";
        }
        if (executionId <= 100) {
            return "11-100";
        }
        if (executionId <= 1000) {
            return "101-1000";
        }
        return "1000+";
    }

    private static final String[] RETRY = {"0", "1", "2", "3+"};

    public static int retryAttemptIndex(int attempt) {
        return attempt <= 0 ? 0 : Math.min(attempt, 3);
    }

    public static String retryAttempt(int attempt) {
        return RETRY[retryAttemptIndex(attempt)];
    }

    /** The orchestration failure's {@code error_type} from the engine's FailureKind. */
    public static String orchestrationErrorType(String failureKind) {
        if (failureKind == null) {
            return "infrastructure_error";
        }
        switch (failureKind) {
            case "APPLICATION":
            case "CANCELLED":
                return "app_error";
            case "TIMEOUT":
                return "timeout";
            case "NONDETERMINISM":
                return "nondeterminism";
            case "CONFIGURATION":
                return "config_error";
            case "INFRASTRUCTURE":
            case "POISON":
            default:
                return "infrastructure_error";
        }
    }

    /** The activity {@code outcome} label values; the ordinal indexes the recorder's meters. */
    public enum ActivityOutcomeLabel {
        SUCCESS("success"),
        APP_ERROR("app_error"),
        INFRA_ERROR("infra_error"),
        TIMEOUT("timeout"),
        RETRY("retry"),
        CANCELLED("cancelled");

        public final String label;

        ActivityOutcomeLabel(String label) {
            this.label = label;
        }
    }

    /** The outcome of an attempt from its {@code ActivityOutcome.FailureType} name; null = success. */
    public static ActivityOutcomeLabel activityOutcome(String failureType, boolean willRetry) {
        if (failureType == null) {
            return ActivityOutcomeLabel.SUCCESS;
        }
        if (willRetry) {
            return ActivityOutcomeLabel.RETRY;
        }
        switch (failureType) {
            case "APPLICATION_ERROR":
                return ActivityOutcomeLabel.APP_ERROR;
            case "TIMEOUT":
                return ActivityOutcomeLabel.TIMEOUT;
            case "CANCELLED":
                return ActivityOutcomeLabel.CANCELLED;
            case "INFRASTRUCTURE_ERROR":
            default:
                return ActivityOutcomeLabel.INFRA_ERROR;
        }
    }

    /** Whether an attempt with this {@code FailureType} name counts as an activity error: a failure, not a cancellation. */
    public static boolean isActivityError(String failureType) {
        return failureType != null && !"CANCELLED".equals(failureType);
    }

    /** The activity error's {@code error_type}: from the failure kind when known, else from the outcome type. */
    public static String activityErrorType(String failureType, String failureKind) {
        if (failureKind != null) {
            switch (failureKind) {
                case "APPLICATION":
                    return "app_error";
                case "TIMEOUT":
                    return "timeout";
                case "CONFIGURATION":
                    return "config_error";
                case "CANCELLED":
                    return "cancelled";
                case "NONDETERMINISM":
                case "INFRASTRUCTURE":
                case "POISON":
                    return "infrastructure_error";
                default:
                    break;
            }
        }
        if (failureType == null) {
            return "infrastructure_error";
        }
        switch (failureType) {
            case "APPLICATION_ERROR":
                return "app_error";
            case "TIMEOUT":
                return "timeout";
            case "CANCELLED":
                return "cancelled";
            default:
                return "infrastructure_error";
        }
    }

    /** The provider {@code operation} label of an SPI method. */
    public static String providerOperation(String method) {
        if (method == null) {
            return "other";
        }
        switch (method) {
            case "fetchOrchestrationItem":
            case "fetchOrchestrationItems":
            case "fetchActivity":
            case "fetchActivities":
                return "fetch";
            case "commitTurn":
            case "completeActivity":
            case "completeActivities":
                return "ack";
            case "abandonOrchestrationItem":
            case "abandonActivity":
                return "abandon";
            case "renewOrchestrationLock":
            case "renewActivityLock":
                return "renew_lock";
            case "enqueueOrchestratorMessage":
                return "save_event";
            case "createInstance":
            case "createInstanceLocked":
            case "signalWithStart":
                return "create_instance";
            case "getInstance":
            case "readHistory":
            case "getExecution":
            case "listInstances":
            case "queueDepths":
            case "lockedWork":
            case "instanceWork":
            case "countActiveInstances":
                return "query";
            case "purgeInstance":
            case "pruneExecutions":
                return "purge";
            default:
                return "other";
        }
    }
}
