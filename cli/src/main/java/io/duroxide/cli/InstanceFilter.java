package io.duroxide.cli;

import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.Provider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which instances {@code list} shows. Status and name are asked of the store ({@link InstanceQuery}); the other
 * filters are applied to what it returns, page by page, since the provider's listing has no such filters.
 *
 * @param text case-insensitive text that the input or the custom status must contain, e.g. a user name
 */
record InstanceFilter(Set<RuntimeStatus> statuses, String name, String version, Instant createdAfter,
        Instant createdBefore, String text) {
    /** Instances per request to the store while scanning. */
    private static final int SCAN_PAGE = 1000;
    /** Newest first; instances created in the same millisecond by id, so pages are stable. */
    static final Comparator<InstanceStatus> NEWEST_FIRST = Comparator.comparing(InstanceStatus::createdAt).reversed()
            .thenComparing(InstanceStatus::instanceId);

    boolean matches(InstanceStatus s) {
        return (version == null || version.equals(s.version()))
                && (createdAfter == null || s.createdAt().isAfter(createdAfter))
                && (createdBefore == null || s.createdAt().isBefore(createdBefore))
                && (text == null || contains(s.input()) || contains(s.customStatus()));
    }

    private boolean contains(String payload) {
        return payload != null && payload.toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT));
    }

    /** Every matching instance of the store, newest first. */
    List<InstanceStatus> scan(Provider provider) {
        List<InstanceStatus> matching = new ArrayList<>();
        String after = null;
        while (true) {
            List<InstanceStatus> page = provider.listInstances(new InstanceQuery(statuses, name, after, SCAN_PAGE));
            page.stream().filter(this::matches).forEach(matching::add);
            if (page.size() < SCAN_PAGE) {
                break;
            }
            after = page.get(page.size() - 1).instanceId();
        }
        matching.sort(NEWEST_FIRST);
        return matching;
    }
}
