package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Agent-Class: loading the agent into a running JVM retransforms the engine classes already loaded. */
class DynamicAttachIT {
    @Test
    void attachingToARunningRuntimeMeasuresWhatHappensAfterwards() throws Exception {
        Path db = Ports.newDb("attach");
        try (ChildJvm child = ChildJvm.builder().name("attach").noAgent().args("attach", db.toString(), "3", "1").start()) {
            child.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
            // The JDK gives a target 10 s to open its attach socket; a loaded two-core machine can take longer.
            System.setProperty("sun.tools.attach.attachTimeout", "60000");
            VirtualMachine vm = VirtualMachine.attach(Long.toString(child.pid()));
            try {
                vm.loadAgent(ChildJvm.AGENT_JAR.toString(), "port=0,poll.interval=200ms");
            } finally {
                vm.detach();
            }
            int port = child.metricsPort();
            child.send("go");
            child.awaitDone(Duration.ofSeconds(120));
            GroundTruth truth = GroundTruth.read(db);
            Scrape s = Scrape.until(port, x -> KnownWorkloadIT.tuples(x, "duroxide_orchestration_completions_total",
                    "orchestration_name", "version", "status", "final_turn_count").equals(truth.of("completions")), Duration.ofSeconds(30));
            assertThat(KnownWorkloadIT.tuples(s, "duroxide_orchestration_starts_total", "orchestration_name", "version", "initiated_by"))
                    .isEqualTo(truth.of("starts"));
            assertThat(KnownWorkloadIT.tuples(s, "duroxide_activity_executions_total", "activity_name", "outcome", "retry_attempt"))
                    .isEqualTo(truth.of("executions"));
            assertThat(s.sum("duroxide_provider_operations_total")).isPositive();
            assertThat(s.sum("duroxide_worker_items_processed_total")).isPositive();
            assertThat(s.value("duroxide_orchestration_active_instances", "orchestration_name", "Waiter", "state", "suspended"))
                    .isEqualTo(1.0);
            assertThat(child.finish(Duration.ofSeconds(30))).isZero();
        }
    }
}
