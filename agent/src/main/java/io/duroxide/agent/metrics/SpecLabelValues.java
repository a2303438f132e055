package io.duroxide.agent.metrics;

/** Maps the engine's enum names to the fixed label values of the telemetry spec. */
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

    // activity outcomes, in index order
    public static final String[] ACTIVITY_OUTCOMES = {"success", "app_error", "infra_error", "timeout", "retry", "cancelled"};
    public static final int SUCCESS = 0;
    public static final int RETRY_OUTCOME = 4;

    /** Index into {@link #ACTIVITY_OUTCOMES}; failureType null = success. */
    public static int activityOutcome(String failureType, boolean willRetry) {
        if (failureType == null) {
            return SUCCESS;
        }
        if (willRetry) {
            return RETRY_OUTCOME;
        }
        switch (failureType) {
            case "APPLICATION_ERROR":
                return 1;
            case "TIMEOUT":
                return 3;
            case "CANCELLED":
                return 5;
            case "INFRASTRUCTURE_ERROR":
            default:
                return 2;
        }
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
