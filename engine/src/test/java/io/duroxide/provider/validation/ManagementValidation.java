package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.LONG_LOCK;
import static io.duroxide.provider.validation.ValidationSupport.event;
import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static io.duroxide.provider.validation.ValidationSupport.now;
import static io.duroxide.provider.validation.ValidationSupport.workItem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.LockLostException;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.QueueDepths;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reads for operators: get and list with paging and filters, purge (cascading to
 * sub-orchestrations, refusing instances that are still running), queue depths and active counts.
 */
public abstract class ManagementValidation extends ProviderValidation {

    @Test
    public void unknownInstancesReadAsEmpty() {
        assertThat(provider.getInstance("nobody")).isEmpty();
        assertThat(provider.getExecution("nobody", 1)).isEmpty();
        assertThat(provider.readHistory("nobody", 1)).isEmpty();
        assertThat(provider.listInstances(InstanceQuery.all())).isEmpty();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 0));
        assertThat(provider.countActiveInstances()).isEmpty();
        assertThat(provider.purgeInstance("nobody")).isZero();
    }

    @Test
    public void listInstancesFiltersAndPages() {
        for (String id : List.of("c", "a", "e", "b", "d")) {
            provider.createInstance(newInstance(id, id.compareTo("c") < 0 ? "Early" : "Late"));
        }
        OrchestrationWorkItem c = fetch();
        provider.commitTurn(c.lockToken(), Turn.of(1).events(c.messages().get(0).event()).completed("1").build());

        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b", "c", "d", "e");
        assertThat(provider.listInstances(InstanceQuery.byName("Early"))).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b");
        assertThat(provider.listInstances(InstanceQuery.byStatus(RuntimeStatus.COMPLETED)))
                .extracting(InstanceStatus::instanceId).containsExactly("c");
        assertThat(provider.listInstances(new InstanceQuery(Set.of(RuntimeStatus.PENDING, RuntimeStatus.RUNNING),
                "Late", null, 10))).extracting(InstanceStatus::instanceId).containsExactly("d", "e");
        assertThat(provider.listInstances(new InstanceQuery(null, null, null, 2))).extracting(InstanceStatus::instanceId)
                .containsExactly("a", "b");
        assertThat(provider.listInstances(new InstanceQuery(null, null, "b", 2))).extracting(InstanceStatus::instanceId)
                .containsExactly("c", "d");
        assertThat(provider.listInstances(new InstanceQuery(null, null, "e", 2))).isEmpty();
        // Listed statuses are the same as single reads.
        for (InstanceStatus listed : provider.listInstances(InstanceQuery.all())) {
            assertThat(listed).isEqualTo(provider.getInstance(listed.instanceId()).orElseThrow());
        }
    }

    @Test
    public void pagingWithAFilterVisitsEveryMatchOnce() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String id = String.format("p-%02d", i);
            provider.createInstance(newInstance(id, i % 3 == 0 ? "Skip" : "Keep"));
            if (i % 3 != 0) {
                expected.add(id);
            }
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        while (true) {
            List<InstanceStatus> page = provider.listInstances(new InstanceQuery(Set.of(RuntimeStatus.PENDING), "Keep",
                    cursor, 4));
            if (page.isEmpty()) {
                break;
            }
            assertThat(page.size()).isLessThanOrEqualTo(4);
            page.forEach(s -> seen.add(s.instanceId()));
            cursor = page.get(page.size() - 1).instanceId();
            assertThat(++pages).isLessThanOrEqualTo(10);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(4);
    }

    @Test
    public void queueDepthsAndActiveCounts() {
        provider.createInstance(newInstance("p1", "A"));
        provider.createInstance(newInstance("p2", "A"));
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(2, 0));
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("A", "pending", 2));

        OrchestrationWorkItem p1 = fetch();
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        provider.commitTurn(p1.lockToken(), Turn.of(1).events(p1.messages().get(0).event())
                .events(new HistoryEvent.TimerCreated(now(), 1, now() + 60_000))
                .message(new TimedMessage(new OrchestratorMessage("p1", 1L,
                        new HistoryEvent.TimerFired(now(), 1, now() + 60_000)), Instant.ofEpochMilli(now() + 60_000)))
                .build());
        OrchestrationWorkItem p2 = fetch();
        provider.commitTurn(p2.lockToken(), Turn.of(1).events(p2.messages().get(0).event()).status(RuntimeStatus.SUSPENDED)
                .build());
        provider.createInstance(newInstance("b1", "B"));
        OrchestrationWorkItem b1 = fetch();
        provider.commitTurn(b1.lockToken(), Turn.of(1).events(b1.messages().get(0).event())
                .activity(workItem("b1", 1, 1)).build());
        provider.createInstance(newInstance("b2", "B"));
        OrchestrationWorkItem b2 = fetch();
        provider.commitTurn(b2.lockToken(), Turn.of(1).events(b2.messages().get(0).event()).completed("1").build());

        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(0, 1));
        assertThat(provider.countActiveInstances()).containsExactly(
                new ActiveInstanceCount("A", "suspended", 1),
                new ActiveInstanceCount("A", "waiting", 1),
                new ActiveInstanceCount("B", "running", 1));
    }

    protected void startTree() {
        scenarios().startTree();
    }

    protected void completedTree() {
        scenarios().completedTree();
    }

    @Test
    public void purgeRefusesNonTerminalInstancesAndDescendants() {
        startTree();
        assertThatThrownBy(() -> provider.purgeInstance("root"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'root'")
                .hasMessageContaining("RUNNING");

        completeNext("grandchild", "1");
        provider.enqueueOrchestratorMessage(event("root", "stop"), null);
        completeNext("root", "2");

        assertThatThrownBy(() -> provider.purgeInstance("root"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'child'")
                .hasMessageContaining("RUNNING");
        assertThat(provider.getInstance("root")).isPresent();
        assertThat(provider.getInstance("child")).isPresent();
        assertThat(provider.readHistory("root", 1)).isNotEmpty();
        assertThat(provider.purgeInstance("grandchild")).isEqualTo(1);
        assertThat(provider.getInstance("grandchild")).isEmpty();
        assertThat(provider.readHistory("grandchild", 1)).isEmpty();
        assertThat(provider.purgeInstance("nobody")).isZero();
    }

    @Test
    public void purgeCascadesToSubOrchestrationsAndLeavesOthersAlone() {
        completedTree();
        provider.createInstance(newInstance("bystander", "Orch"));

        OrchestrationWorkItem late = fetch();
        assertThat(late.instanceId()).isEqualTo("root");
        assertThat(provider.purgeInstance("root")).isEqualTo(3);
        assertThatThrownBy(() -> provider.commitTurn(late.lockToken(), Turn.of(1).build()))
                .isInstanceOf(LockLostException.class);

        for (String id : List.of("root", "child", "grandchild")) {
            assertThat(provider.getInstance(id)).as(id).isEmpty();
            assertThat(provider.getExecution(id, 1)).as(id).isEmpty();
            assertThat(provider.readHistory(id, 1)).as(id).isEmpty();
        }
        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("bystander");
        assertThat(provider.queueDepths()).isEqualTo(new QueueDepths(1, 0));
        assertThat(provider.fetchActivity(LONG_LOCK)).isEmpty();
        assertThat(fetch().instanceId()).isEqualTo("bystander");
        assertThat(provider.fetchOrchestrationItem(LONG_LOCK)).isEmpty();
        // The id is free again.
        provider.createInstance(newInstance("root", "Orch"));
        assertThat(provider.getInstance("root").orElseThrow().status()).isEqualTo(RuntimeStatus.PENDING);
    }
}
