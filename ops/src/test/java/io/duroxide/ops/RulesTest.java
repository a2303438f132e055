package io.duroxide.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The rules file is valid and its promtool unit tests pass, with a firing and a silent case for every alert. */
class RulesTest {
    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Prometheus.ProcessResult r = Prometheus.promtool(OpsFiles.RULES.getParent(), "check", "rules", OpsFiles.RULES.getFileName().toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + OpsFiles.rules().size() + " rules found");
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        Prometheus.ProcessResult r = Prometheus.promtool(OpsFiles.RULES_TEST.getParent(), "test", "rules", OpsFiles.RULES_TEST.getFileName().toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsTestedFiringAndNotFiring() {
        Set<String> alerts = new TreeSet<>();
        for (JsonNode rule : OpsFiles.rules()) {
            if (rule.has("alert")) {
                alerts.add(rule.path("alert").asText());
            }
        }
        assertThat(alerts).containsExactlyInAnyOrder("DuroxideSuccessRateBelowSLA", "DuroxideNondeterminism",
                "DuroxideInfrastructureErrors", "DuroxideBacklog", "DuroxidePoisonMessage");
        Map<String, Set<String>> cases = new TreeMap<>();
        for (JsonNode test : OpsFiles.yaml(OpsFiles.RULES_TEST).path("tests")) {
            for (JsonNode c : test.path("alert_rule_test")) {
                cases.computeIfAbsent(c.path("alertname").asText(), k -> new TreeSet<>())
                        .add(c.path("exp_alerts").isEmpty() ? "silent" : "firing");
            }
        }
        for (String alert : alerts) {
            assertThat(cases.get(alert)).as(alert).containsExactly("firing", "silent");
        }
    }
}
