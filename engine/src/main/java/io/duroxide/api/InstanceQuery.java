package io.duroxide.api;

import java.util.Set;

/**
 * A filter for listing instances; null fields match everything.
 *
 * @param statuses statuses to include
 * @param name orchestration name
 * @param afterInstanceId paging cursor: only ids sorting after this one
 * @param limit page size
 */
public record InstanceQuery(Set<RuntimeStatus> statuses, String name, String afterInstanceId, int limit) {
    public InstanceQuery {
        statuses = statuses == null ? Set.of() : Set.copyOf(statuses);
        if (limit <= 0) {
            limit = 100;
        }
    }

    public static InstanceQuery all() {
        return new InstanceQuery(null, null, null, 1000);
    }

    public static InstanceQuery byStatus(RuntimeStatus... statuses) {
        return new InstanceQuery(Set.of(statuses), null, null, 1000);
    }

    public static InstanceQuery byName(String name) {
        return new InstanceQuery(null, name, null, 1000);
    }
}
