package io.duroxide.cli;

import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.provider.Provider;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", description = "List instances, newest first, a page at a time.")
final class ListCommand extends StoreCommand {
    private static final int CUSTOM_STATUS_WIDTH = 40;

    @Option(names = "--status", split = ",", paramLabel = "STATUS",
            description = "only these statuses (comma-separated): ${COMPLETION-CANDIDATES}")
    Set<RuntimeStatus> statuses;

    @Option(names = "--name", paramLabel = "NAME", description = "orchestration name")
    String name;

    @Option(names = "--version", paramLabel = "VERSION", description = "orchestration version")
    String version;

    @Option(names = {"--created-after", "--started-after"}, paramLabel = "TIME",
            description = "started (created) after this ISO-8601 instant, e.g. 2026-01-31T08:00:00Z")
    Instant createdAfter;

    @Option(names = {"--created-before", "--started-before"}, paramLabel = "TIME",
            description = "started (created) before this ISO-8601 instant")
    Instant createdBefore;

    @Option(names = "--text", paramLabel = "TEXT", description = "input or custom status contains this text (any case), e.g. a user name")
    String text;

    @Option(names = "--page", paramLabel = "N", defaultValue = "1", description = "page number (default: ${DEFAULT-VALUE})")
    int page;

    @Option(names = "--page-size", paramLabel = "N", defaultValue = "50", description = "instances per page (default: ${DEFAULT-VALUE})")
    int pageSize;

    @Option(names = "--json", description = "print JSON for scripts")
    boolean json;

    @Override
    int run(Provider provider, PrintWriter out) {
        if (page < 1 || pageSize < 1) {
            throw new CliFailure(CliFailure.USAGE, "--page and --page-size must be at least 1");
        }
        List<InstanceStatus> all = new InstanceFilter(statuses, name, version, createdAfter, createdBefore, text).scan(provider);
        int from = (int) Math.min(all.size(), (long) (page - 1) * pageSize);
        List<InstanceStatus> shown = all.subList(from, Math.min(all.size(), from + pageSize));
        if (json) {
            CliJson.print(out, new Listing(all.size(), page, pageSize, shown.stream().map(InstanceView::of).toList()));
            return 0;
        }
        Table table = new Table("ID", "NAME", "VERSION", "STATUS", "CREATED", "UPDATED", "CUSTOM STATUS");
        for (InstanceStatus s : shown) {
            table.row(s.instanceId(), s.name(), s.version(), s.status(), Text.time(s.createdAt()),
                    Text.time(s.lastUpdatedAt()), Text.truncate(s.customStatus(), CUSTOM_STATUS_WIDTH));
        }
        if (!table.isEmpty()) {
            table.print(out);
        }
        out.println(footer(all.size(), from, shown.size()));
        return 0;
    }

    private String footer(int total, int from, int shown) {
        if (total == 0) {
            return "no instances match";
        }
        if (shown == 0) {
            return "page " + page + " is past the end: " + total + " instance(s) match";
        }
        String range = (from + 1) + "-" + (from + shown) + " of " + total + " instance(s), newest first";
        return from + shown < total ? range + "; next: --page " + (page + 1) : range;
    }

    /** {@code list --json}: the page and how many instances match in all. */
    record Listing(int total, int page, int pageSize, List<InstanceView> instances) {}
}
