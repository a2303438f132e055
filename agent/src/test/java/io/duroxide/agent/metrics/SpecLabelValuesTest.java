package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome(null, false)]).isEqualTo("success");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("APPLICATION_ERROR", true)]).isEqualTo("retry");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("TIMEOUT", true)]).isEqualTo("retry");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("APPLICATION_ERROR", false)]).isEqualTo("app_error");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("INFRASTRUCTURE_ERROR", false)]).isEqualTo("infra_error");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("TIMEOUT", false)]).isEqualTo("timeout");
        assertThat(SpecLabelValues.ACTIVITY_OUTCOMES[SpecLabelValues.activityOutcome("CANCELLED", false)]).isEqualTo("cancelled");
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
}
