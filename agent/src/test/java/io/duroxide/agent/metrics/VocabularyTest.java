package io.duroxide.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
    @Test
    void initiatedBy() {
        assertThat(Vocabulary.initiatedBy("CLIENT")).isEqualTo("client");
        assertThat(Vocabulary.initiatedBy("SUB_ORCHESTRATION")).isEqualTo("suborchestration");
        assertThat(Vocabulary.initiatedBy("CONTINUE_AS_NEW")).isEqualTo("continueAsNew");
        assertThat(Vocabulary.initiatedBy("SIGNAL")).isEqualTo("signal");
        assertThat(Vocabulary.initiatedBy(null)).isEqualTo("none");
    }

    @Test
    void buckets() {
        assertThat(List.of(1, 5, 6, 10, 11, 50, 51, 1000).stream().map(Vocabulary::turnCountBucket))
                .containsExactly("1-5", "1-5", "6-10", "6-10", "11-50", "11-50", "50+", "50+");
        assertThat(List.of(1L, 2L, 10L, 11L, 100L, 101L, 1000L, 1001L).stream().map(Vocabulary::executionBucket))
                .containsExactly("1", "2-10", "2-10", "11-100", "11-100", "101-1000", "101-1000", "1000+");
        assertThat(List.of(0, 1, 2, 3, 9).stream().map(Vocabulary::retryAttempt)).containsExactly("0", "1", "2", "3+", "3+");
    }

    @Test
    void activityOutcomes() {
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome(null, false)]).isEqualTo("success");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("APPLICATION_ERROR", true)]).isEqualTo("retry");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("TIMEOUT", true)]).isEqualTo("retry");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("APPLICATION_ERROR", false)]).isEqualTo("app_error");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("INFRASTRUCTURE_ERROR", false)]).isEqualTo("infra_error");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("TIMEOUT", false)]).isEqualTo("timeout");
        assertThat(Vocabulary.ACTIVITY_OUTCOMES[Vocabulary.activityOutcome("CANCELLED", false)]).isEqualTo("cancelled");
        assertThat(Vocabulary.activityErrorType("INFRASTRUCTURE_ERROR", "CONFIGURATION")).isEqualTo("config_error");
        assertThat(Vocabulary.activityErrorType("APPLICATION_ERROR", "APPLICATION")).isEqualTo("app_error");
        assertThat(Vocabulary.activityErrorType("TIMEOUT", null)).isEqualTo("timeout");
        assertThat(Vocabulary.activityErrorType("INFRASTRUCTURE_ERROR", "POISON")).isEqualTo("infrastructure_error");
    }

    @Test
    void orchestrationErrorTypes() {
        assertThat(Vocabulary.orchestrationErrorType("APPLICATION")).isEqualTo("app_error");
        assertThat(Vocabulary.orchestrationErrorType("INFRASTRUCTURE")).isEqualTo("infrastructure_error");
        assertThat(Vocabulary.orchestrationErrorType("POISON")).isEqualTo("infrastructure_error");
        assertThat(Vocabulary.orchestrationErrorType("CONFIGURATION")).isEqualTo("config_error");
        assertThat(Vocabulary.orchestrationErrorType("TIMEOUT")).isEqualTo("timeout");
        assertThat(Vocabulary.orchestrationErrorType("NONDETERMINISM")).isEqualTo("nondeterminism");
    }

    @Test
    void providerOperations() {
        assertThat(Vocabulary.providerOperation("fetchOrchestrationItem")).isEqualTo("fetch");
        assertThat(Vocabulary.providerOperation("commitTurn")).isEqualTo("ack");
        assertThat(Vocabulary.providerOperation("completeActivity")).isEqualTo("ack");
        assertThat(Vocabulary.providerOperation("fetchOrchestrationItems")).isEqualTo("fetch");
        assertThat(Vocabulary.providerOperation("fetchActivities")).isEqualTo("fetch");
        assertThat(Vocabulary.providerOperation("completeActivities")).isEqualTo("ack");
        assertThat(Vocabulary.providerOperation("enqueueOrchestratorMessage")).isEqualTo("save_event");
        assertThat(Vocabulary.providerOperation("createInstance")).isEqualTo("create_instance");
        assertThat(Vocabulary.providerOperation("listInstances")).isEqualTo("query");
        assertThat(Vocabulary.providerOperation("somethingNew")).isEqualTo("other");
    }
}
