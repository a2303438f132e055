package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.history.FailureKind;
import io.duroxide.history.InitiatedBy;
import io.duroxide.observe.ActivityOutcome;
import io.duroxide.observe.TurnOutcome;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecLabelValuesTest {
    @Test
    void initiatedBy() {
        assertThat(SpecLabelValues.initiatedBy("CLIENT")).isEqualTo("client");
        assertThat(SpecLabelValues.initiatedBy("SUB_ORCHESTRATION")).isEqualTo("suborchestration");
        assertThat(SpecLabelValues.initiatedBy("CONTINUE_AS_NEW")).isEqualTo("continueAsNew");
        assertThat(SpecLabelValues.initiatedBy("SIGNAL")).isEqualTo("signal");
        assertThat(SpecLabelValues.initiatedBy(null)).isEqualTo("none");
    }

    @Test
    void buckets() {
        assertThat(List.of(1, 5, 6, 10, 11, 50, 51, 1000).stream().map(SpecLabelValues::turnCountBucket))
                .containsExactly("1-5", "1-5", "6-10", "6-10", "11-50", "11-50", "50+", "50+");
        assertThat(List.of(1L, 2L, 10L, 11L, 100L, 101L, 1000L, 1001L).stream().map(SpecLabelValues::executionBucket))
                .containsExactly("1", "2-10", "2-10", "11-100", "11-100", "101-1000", "101-1000", "1000+");
        assertThat(List.of(0, 1, 2, 3, 9).stream().map(SpecLabelValues::retryAttempt)).containsExactly("0", "1", "2", "3+", "3+");
    }

    @Test
    void activityOutcomes() {
        assertThat(SpecLabelValues.activityOutcome(null, false).label).isEqualTo("success");
        assertThat(SpecLabelValues.activityOutcome("APPLICATION_ERROR", true).label).isEqualTo("retry");
        assertThat(SpecLabelValues.activityOutcome("TIMEOUT", true).label).isEqualTo("retry");
        assertThat(SpecLabelValues.activityOutcome("APPLICATION_ERROR", false).label).isEqualTo("app_error");
        assertThat(SpecLabelValues.activityOutcome("INFRASTRUCTURE_ERROR", false).label).isEqualTo("infra_error");
        assertThat(SpecLabelValues.activityOutcome("TIMEOUT", false).label).isEqualTo("timeout");
        assertThat(SpecLabelValues.activityOutcome("CANCELLED", false).label).isEqualTo("cancelled");
        assertThat(SpecLabelValues.activityErrorType("INFRASTRUCTURE_ERROR", "CONFIGURATION")).isEqualTo("config_error");
        assertThat(SpecLabelValues.activityErrorType("APPLICATION_ERROR", "APPLICATION")).isEqualTo("app_error");
        assertThat(SpecLabelValues.activityErrorType("TIMEOUT", null)).isEqualTo("timeout");
        assertThat(SpecLabelValues.activityErrorType("INFRASTRUCTURE_ERROR", "POISON")).isEqualTo("infrastructure_error");
    }

    @Test
    void orchestrationErrorTypes() {
        assertThat(SpecLabelValues.orchestrationErrorType("APPLICATION")).isEqualTo("app_error");
        assertThat(SpecLabelValues.orchestrationErrorType("INFRASTRUCTURE")).isEqualTo("infrastructure_error");
        assertThat(SpecLabelValues.orchestrationErrorType("POISON")).isEqualTo("infrastructure_error");
        assertThat(SpecLabelValues.orchestrationErrorType("CONFIGURATION")).isEqualTo("config_error");
        assertThat(SpecLabelValues.orchestrationErrorType("TIMEOUT")).isEqualTo("timeout");
        assertThat(SpecLabelValues.orchestrationErrorType("NONDETERMINISM")).isEqualTo("nondeterminism");
    }

    @Test
    void providerOperations() {
        assertThat(SpecLabelValues.providerOperation("fetchOrchestrationItem")).isEqualTo("fetch");
        assertThat(SpecLabelValues.providerOperation("commitTurn")).isEqualTo("ack");
        assertThat(SpecLabelValues.providerOperation("completeActivity")).isEqualTo("ack");
        assertThat(SpecLabelValues.providerOperation("fetchOrchestrationItems")).isEqualTo("fetch");
        assertThat(SpecLabelValues.providerOperation("fetchActivities")).isEqualTo("fetch");
        assertThat(SpecLabelValues.providerOperation("completeActivities")).isEqualTo("ack");
        assertThat(SpecLabelValues.providerOperation("enqueueOrchestratorMessage")).isEqualTo("save_event");
        assertThat(SpecLabelValues.providerOperation("createInstance")).isEqualTo("create_instance");
        assertThat(SpecLabelValues.providerOperation("listInstances")).isEqualTo("query");
        assertThat(SpecLabelValues.providerOperation("instanceWork")).isEqualTo("query");
        assertThat(SpecLabelValues.providerOperation("somethingNew")).isEqualTo("other");
    }

    /**
     * The events carry the engine's enums by name and this mapping switches on those names: a constant renamed or
     * added in the engine must not fall through to a default label unnoticed.
     */
    @Test
    void everyEngineEnumConstantHasItsOwnLabel() {
        assertThat(Arrays.stream(InitiatedBy.values()).map(i -> SpecLabelValues.initiatedBy(i.name())))
                .containsExactly("client", "suborchestration", "continueAsNew", "signal");
        assertThat(Arrays.stream(TurnOutcome.values()).map(o -> o.name() + "=" + SpecLabelValues.completionStatus(o.name())
                        + (SpecLabelValues.continuesAsNew(o.name()) ? " continues as new" : "")))
                .containsExactly("CONTINUES=null", "SUSPENDED=null", "COMPLETED=success", "FAILED=failed",
                        "CANCELLED=cancelled", "CONTINUED_AS_NEW=null continues as new");
        assertThat(Arrays.stream(ActivityOutcome.FailureType.values())
                        .map(t -> SpecLabelValues.activityOutcome(t.name(), false).label + "/" + SpecLabelValues.isActivityError(t.name())))
                .containsExactly("app_error/true", "infra_error/true", "timeout/true", "cancelled/false");
        assertThat(Arrays.stream(FailureKind.values()).map(k -> SpecLabelValues.orchestrationErrorType(k.name())
                        + "/" + SpecLabelValues.activityErrorType(null, k.name())))
                .containsExactly("app_error/app_error", "timeout/timeout", "app_error/cancelled",
                        "nondeterminism/infrastructure_error", "config_error/config_error",
                        "infrastructure_error/infrastructure_error", "infrastructure_error/infrastructure_error");
    }
}
