package io.duroxide.provider.validation;

import static io.duroxide.provider.validation.ValidationSupport.newInstance;
import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.ActiveInstanceCount;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.validation.ValidationSupport.Turn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Management queries with paging: pages are ordered by instance id comparing code points (not a locale's
 * collation), never longer than the limit, and the cursor is a key, not an offset, so that instances created
 * or deleted between pages neither shift nor repeat the rest; filters match names exactly.
 */
public abstract class PagingValidation extends ProviderValidation {

    /** Pages through {@code query} with page size {@code limit}, returning every id seen, in order. */
    private List<String> pageThrough(InstanceQuery query, int limit) {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 1_000; pages++) {
            List<InstanceStatus> page = provider.listInstances(new InstanceQuery(query.statuses(), query.name(), cursor,
                    limit));
            assertThat(page.size()).isLessThanOrEqualTo(limit);
            if (page.isEmpty()) {
                return seen;
            }
            page.forEach(s -> seen.add(s.instanceId()));
            cursor = page.get(page.size() - 1).instanceId();
        }
        throw new AssertionError("paging did not end");
    }

    @Test
    public void idsAreOrderedByCodePointNotByLocaleOrNumber() {
        List<String> ids = List.of("b", "B", "a", "A", "10", "9", "a-b", "a_b", "Z", "\u00e9");
        ids.forEach(id -> provider.createInstance(newInstance(id, "Orch")));
        assertThat(provider.listInstances(InstanceQuery.all())).extracting(InstanceStatus::instanceId)
                .containsExactly("10", "9", "A", "B", "Z", "a", "a-b", "a_b", "b", "\u00e9");
    }

    @Test
    public void pagingVisitsEveryInstanceOnceInOrderWithAShortLastPage() {
        List<String> expected = IntStream.range(0, 47).mapToObj(i -> String.format("i-%03d", i)).toList();
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new Random(7));
        shuffled.forEach(id -> provider.createInstance(newInstance(id, "Orch")));
        assertThat(pageThrough(InstanceQuery.all(), 10)).containsExactlyElementsOf(expected);
        assertThat(provider.listInstances(new InstanceQuery(null, null, "i-039", 10))).hasSize(7);
    }

    @Test
    public void theCursorNeedNotBeAnExistingId() {
        for (String id : List.of("a", "c", "e")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        assertThat(provider.listInstances(new InstanceQuery(null, null, "b", 10))).extracting(InstanceStatus::instanceId)
                .containsExactly("c", "e");
        assertThat(provider.listInstances(new InstanceQuery(null, null, "", 10))).hasSize(3);
        assertThat(provider.listInstances(new InstanceQuery(null, null, "z", 10))).isEmpty();
    }

    /** An offset-based page would skip "c" once "a0" is created before the cursor, and repeat one after a purge. */
    @Test
    public void theCursorIsAKeySoChangesBeforeItDoNotShiftTheNextPage() {
        for (String id : List.of("a", "b", "c", "d", "e", "f")) {
            provider.createInstance(newInstance(id, "Orch"));
        }
        List<InstanceStatus> first = provider.listInstances(new InstanceQuery(null, null, null, 2));
        assertThat(first).extracting(InstanceStatus::instanceId).containsExactly("a", "b");
        provider.createInstance(newInstance("a0", "Orch"));
        List<InstanceStatus> second = provider.listInstances(new InstanceQuery(null, null, "b", 2));
        assertThat(second).extracting(InstanceStatus::instanceId).containsExactly("c", "d");
        provider.createInstance(newInstance("cc", "Orch"));
        assertThat(provider.listInstances(new InstanceQuery(null, null, "d", 2))).extracting(InstanceStatus::instanceId)
                .containsExactly("e", "f");
    }

    @Test
    public void theNameFilterMatchesExactlyNotAsAPatternOrPrefix() {
        for (String name : List.of("Orch", "Orch2", "Or_h", "Or%", "orch")) {
            provider.createInstance(newInstance("id-" + name, name));
        }
        assertThat(provider.listInstances(InstanceQuery.byName("Orch"))).extracting(InstanceStatus::name)
                .containsExactly("Orch");
        assertThat(provider.listInstances(InstanceQuery.byName("Or%"))).extracting(InstanceStatus::name)
                .containsExactly("Or%");
        assertThat(provider.listInstances(InstanceQuery.byName("Or_h"))).extracting(InstanceStatus::name)
                .containsExactly("Or_h");
        assertThat(provider.listInstances(InstanceQuery.byName("Or"))).isEmpty();
    }

    @Test
    public void pagingByStatusFollowsStatusChangesBetweenPages() {
        for (int i = 0; i < 6; i++) {
            provider.createInstance(newInstance("p" + i, "Orch"));
        }
        InstanceQuery pending = new InstanceQuery(Set.of(RuntimeStatus.PENDING), null, null, 3);
        assertThat(provider.listInstances(pending)).extracting(InstanceStatus::instanceId)
                .containsExactly("p0", "p1", "p2");
        // p3 starts running before the second page is read: it no longer matches.
        List<OrchestrationWorkItem> items = List.of(fetch(), fetch(), fetch(), fetch());
        for (OrchestrationWorkItem item : items) {
            if (item.instanceId().equals("p3")) {
                provider.commitTurn(item.lockToken(), Turn.consuming(item).build());
            } else {
                provider.abandonOrchestrationItem(item.lockToken(), null);
            }
        }
        assertThat(provider.listInstances(new InstanceQuery(Set.of(RuntimeStatus.PENDING), null, "p2", 3)))
                .extracting(InstanceStatus::instanceId).containsExactly("p4", "p5");
    }

    @Test
    public void activeCountsLeaveOutTerminalInstancesAndGroupByName() {
        for (String id : List.of("a1", "a2", "b1")) {
            provider.createInstance(newInstance(id, id.substring(0, 1).toUpperCase()));
        }
        OrchestrationWorkItem a1 = fetch();
        provider.commitTurn(a1.lockToken(), Turn.consuming(a1).completed("1").build());
        assertThat(provider.countActiveInstances()).containsExactly(new ActiveInstanceCount("A", "pending", 1),
                new ActiveInstanceCount("B", "pending", 1));
        assertThat(provider.listInstances(InstanceQuery.byStatus(RuntimeStatus.COMPLETED)))
                .extracting(InstanceStatus::instanceId).containsExactly("a1");
    }
}
