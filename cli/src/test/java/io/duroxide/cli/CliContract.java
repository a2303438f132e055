package io.duroxide.cli;

import static io.duroxide.cli.Workload.APPROVAL;
import static io.duroxide.cli.Workload.CHECKOUT;
import static io.duroxide.cli.Workload.DOOMED;
import static io.duroxide.cli.Workload.SHIPPING;
import static io.duroxide.cli.Workload.SLEEPY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.duroxide.api.InstanceQuery;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.history.AttemptRun;
import io.duroxide.history.HistoryEvent;
import io.duroxide.provider.InstanceWork;
import io.duroxide.provider.InstanceWork.QueuedActivity;
import io.duroxide.provider.Provider;
import io.duroxide.runtime.DuroxideRuntime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@code duroxide.jar} prints, run as a process against a store a real runtime filled, compared with what
 * the store says. Each store (SQLite, PostgreSQL) runs these tests through a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CliContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A store the command line names with {@code args}, and a provider on it for the ground truth. */
    record Store(Provider provider, List<String> args) {}

    private final List<Store> stores = new ArrayList<>();
    /** The workload's store, shared by the tests that only read. */
    private Store shared;
    protected Provider truth;

    /** A fresh, empty store, opened by the providers the runtimes use; {@link #closeStores} closes it. */
    protected abstract Store createStore(String purpose);

    /** A new store filled by the workload, closed after the class. */
    protected Store populatedStore(String purpose) {
        Store store = createStore(purpose);
        stores.add(store);
        new Workload().populate(store.provider());
        return store;
    }

    @BeforeAll
    void populateSharedStore() {
        shared = populatedStore("shared");
        truth = shared.provider();
    }

    @AfterAll
    void closeStores() {
        stores.forEach(s -> s.provider().close());
        removeStores();
    }

    /** Removes what {@link #createStore} made outside a temporary directory, once every provider is closed. */
    protected void removeStores() {}

    /** Runs the jar on the shared store. */
    protected CliProcess.Result cli(String... args) {
        return cli(shared, args);
    }

    protected CliProcess.Result cli(Store store, String... args) {
        List<String> all = new ArrayList<>(store.args());
        all.addAll(List.of(args));
        CliProcess.Result result = CliProcess.run(all.toArray(String[]::new));
        assertThat(result.out() + result.err()).as("a password is never printed").doesNotContain("password=duroxide");
        return result;
    }

    protected JsonNode json(String... args) {
        return json(shared, args);
    }

    protected JsonNode json(Store store, String... args) {
        CliProcess.Result result = cli(store, args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.json();
    }

    private List<InstanceStatus> all() {
        return truth.listInstances(InstanceQuery.all()).stream()
                .sorted(Comparator.comparing(InstanceStatus::createdAt).reversed().thenComparing(InstanceStatus::instanceId))
                .toList();
    }

    private static List<String> ids(JsonNode instances) {
        List<String> ids = new ArrayList<>();
        instances.forEach(i -> ids.add(i.get("instanceId").asText()));
        return ids;
    }

    private static List<String> ids(Stream<InstanceStatus> instances) {
        return instances.map(InstanceStatus::instanceId).toList();
    }

    @Test
    void listShowsTheStoresInstancesNewestFirstFilteredAndPaged() {
        List<InstanceStatus> all = all();
        assertThat(all).hasSize(5);

        JsonNode listing = json("list", "--json");
        assertThat(listing.get("total").asInt()).isEqualTo(all.size());
        assertThat(ids(listing.get("instances"))).isEqualTo(ids(all.stream()));
        JsonNode failed = json("list", "--json", "--status", "FAILED").get("instances");
        assertThat(ids(failed)).containsExactly(DOOMED);
        assertThat(failed.get(0).get("failure").get("errorCode").asText()).isEqualTo("E_STOCK");
        assertThat(ids(json("list", "--json", "--status", "RUNNING,FAILED", "--name", "Approval").get("instances")))
                .containsExactly(APPROVAL);
        assertThat(ids(json("list", "--json", "--text", "ALICE").get("instances"))).isEqualTo(ids(all.stream()
                .filter(s -> Stream.of(s.input(), s.customStatus())
                        .anyMatch(p -> p != null && p.toLowerCase(Locale.ROOT).contains("alice")))))
                .contains(CHECKOUT, SHIPPING);
        String version = truth.getInstance(CHECKOUT).orElseThrow().version();
        assertThat(ids(json("list", "--json", "--version", version).get("instances"))).isEqualTo(ids(all.stream()));
        Instant checkoutCreated = truth.getInstance(CHECKOUT).orElseThrow().createdAt();
        assertThat(ids(json("list", "--json", "--created-after", checkoutCreated.toString()).get("instances")))
                .isEqualTo(ids(all.stream().filter(s -> s.createdAt().isAfter(checkoutCreated))));
        assertThat(ids(json("list", "--json", "--page-size", "2", "--page", "2").get("instances")))
                .isEqualTo(ids(all.stream().skip(2).limit(2)));

        CliProcess.Result table = cli("list", "--page-size", "2");
        assertThat(table.exitCode()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("ID").contains("NAME", "VERSION", "STATUS", "CREATED", "CUSTOM STATUS");
        assertThat(lines.get(1)).startsWith(all.get(0).instanceId() + " ").contains(all.get(0).status().name());
        assertThat(lines.get(1).indexOf(all.get(0).status().name())).as("columns are aligned")
                .isEqualTo(lines.get(0).indexOf("STATUS"));
        assertThat(lines.get(3)).isEqualTo("1-2 of 5 instance(s), newest first; next: --page 2");
    }

    @Test
    void showReportsTheInstanceAsStoredWithItsFailureAndChildren() throws Exception {
        InstanceStatus checkout = truth.getInstance(CHECKOUT).orElseThrow();
        JsonNode shown = json("show", CHECKOUT, "--json");
        JsonNode instance = shown.get("instance");
        assertThat(instance.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(instance.get("version").asText()).isEqualTo(checkout.version());
        assertThat(instance.get("executionId").asLong()).isEqualTo(checkout.executionId());
        assertThat(instance.get("output")).isEqualTo(JSON.readTree(checkout.output()));
        assertThat(instance.get("input")).isEqualTo(JSON.readTree(checkout.input()));
        assertThat(instance.get("customStatus").get("step").asText()).isEqualTo("shipped");
        assertThat(Instant.parse(instance.get("createdAt").asText())).isEqualTo(checkout.createdAt());
        assertThat(shown.get("turns").asInt()).isEqualTo(truth.getExecution(CHECKOUT, 1).orElseThrow().turnCount());
        assertThat(shown.get("subOrchestrations")).singleElement().satisfies(child -> {
            assertThat(child.get("instanceId").asText()).isEqualTo(SHIPPING);
            assertThat(child.get("status").asText()).isEqualTo("COMPLETED");
        });
        assertThat(shown.get("waitingFor").get(0).get("kind").asText()).isEqualTo("nothing");
        assertThat(json("show", SHIPPING, "--json").get("instance").get("parentInstanceId").asText()).isEqualTo(CHECKOUT);

        InstanceStatus doomed = truth.getInstance(DOOMED).orElseThrow();
        JsonNode failure = json("show", DOOMED, "--json").get("instance").get("failure");
        assertThat(failure.get("kind").asText()).isEqualTo(doomed.failure().kind().name());
        assertThat(failure.get("errorCode").asText()).isEqualTo("E_STOCK");
        assertThat(failure.get("message").asText()).isEqualTo(doomed.failure().message());
        assertThat(failure.get("retryable").asBoolean()).isFalse();

        CliProcess.Result human = cli("show", DOOMED);
        assertThat(human.exitCode()).isZero();
        assertThat(human.out()).contains("status         FAILED", "failure        " + doomed.failure().summary(),
                "waiting for    nothing: it ended FAILED");
    }

    @Test
    void historyIsATimelineOfTurnsAttemptsAndChildrenAsRecorded() {
        List<HistoryEvent> history = truth.readHistory(CHECKOUT, 1);
        JsonNode timeline = json("history", CHECKOUT, "--json");
        JsonNode entries = timeline.get("entries");
        assertThat(entries).hasSize(history.size());
        int attempts = 0;
        for (int i = 0; i < history.size(); i++) {
            HistoryEvent event = history.get(i);
            JsonNode entry = entries.get(i);
            assertThat(entry.get("event").asText()).isEqualTo(event.getClass().getSimpleName());
            assertThat(Instant.parse(entry.get("at").asText()).toEpochMilli()).isEqualTo(event.timestampMs());
            AttemptRun run = event instanceof HistoryEvent.ActivityCompleted c ? c.run()
                    : event instanceof HistoryEvent.ActivityFailed f ? f.run() : null;
            if (run != null) {
                JsonNode activity = entry.get("activity");
                assertThat(Instant.parse(activity.get("startedAt").asText()).toEpochMilli()).isEqualTo(run.startedAtMs());
                assertThat(activity.get("ranMs").asLong()).isEqualTo(run.durationMs());
                assertThat(activity.get("deliveryCount").asInt()).isEqualTo(run.deliveryCount());
                if (entry.get("name").asText().equals("Charge")) {
                    attempts++;
                    assertThat(activity.get("attempt").asInt()).isEqualTo(attempts);
                    assertThat(activity.get("maxAttempts").asInt()).isEqualTo(3);
                }
            }
            if (event instanceof HistoryEvent.ActivityFailed f) {
                assertThat(entry.get("failure").get("message").asText()).isEqualTo(f.failure().message());
            }
            if (event instanceof HistoryEvent.SubOrchestrationScheduled s) {
                assertThat(entry.get("childInstanceId").asText()).isEqualTo(s.instanceId()).isEqualTo(SHIPPING);
            }
        }
        assertThat(attempts).as("Charge failed twice, then succeeded").isEqualTo(3);
        assertThat(entries.get(entries.size() - 1).get("turn").asInt()).isGreaterThan(3);

        CliProcess.Result human = cli("history", CHECKOUT);
        assertThat(human.exitCode()).isZero();
        assertThat(human.out()).contains("activity Charge attempt 1/3 (queued ", "failed: APPLICATION",
                "card declined on attempt 2", "activity Charge attempt 3/3 (queued ", "sub-orchestration Ship",
                "started as " + SHIPPING, "WAITING FOR", "nothing: it ended COMPLETED");
    }

    @Test
    void historyEndsWithWhatAWaitingInstanceWaitsForAndSinceWhen() {
        JsonNode approval = json("history", APPROVAL, "--json").get("waitingFor");
        assertThat(approval).singleElement().satisfies(w -> assertThat(w.get("kind").asText()).isEqualTo("external-event"));

        HistoryEvent.TimerCreated timer = truth.readHistory(SLEEPY, 1).stream()
                .filter(HistoryEvent.TimerCreated.class::isInstance).map(HistoryEvent.TimerCreated.class::cast)
                .findFirst().orElseThrow();
        JsonNode sleepy = json("history", SLEEPY, "--json").get("waitingFor");
        assertThat(sleepy).singleElement().satisfies(w -> {
            assertThat(w.get("kind").asText()).isEqualTo("timer");
            assertThat(Instant.parse(w.get("until").asText()).toEpochMilli()).isEqualTo(timer.fireAtMs());
            assertThat(Instant.parse(w.get("since").asText()).toEpochMilli()).isEqualTo(timer.timestampMs());
        });
        assertThat(cli("history", SLEEPY).out()).contains("timer #" + timer.taskId() + " fires at "
                + Text.time(timer.fireAtMs()));
    }

    @Test
    void historyShowsAnActivityHeldByAWorkerAndOnesQueuedBehindOthers() {
        Store store = createStore("live");
        stores.add(store);
        Provider live = store.provider();
        Workload workload = new Workload();
        try (DuroxideRuntime runtime = workload.start(live, 1)) {
            runtime.client().startOrchestration("Holds", "1", StartOptions.withInstanceId("holder-1"));
            Workload.await("holder-1 running", () -> held(live, "holder-1") != null);
            for (int i = 2; i <= 5; i++) {
                runtime.client().startOrchestration("Holds", "" + i, StartOptions.withInstanceId("holder-" + i));
            }
            List<String> waiting = List.of("holder-2", "holder-3", "holder-4", "holder-5");
            Workload.await("holder-2..5 queued", () -> waiting.stream().noneMatch(id -> activities(live, id).isEmpty()));
            // Their turns commit in any order, so the last item in the queue may be any of them: it is the one
            // with the most ready work ahead of it.
            String last = waiting.stream()
                    .max(Comparator.comparingLong(id -> activities(live, id).get(0).readyAhead())).orElseThrow();

            JsonNode running = json(store, "history", "holder-1", "--json").get("waitingFor");
            QueuedActivity held = held(live, "holder-1");
            assertThat(running).singleElement().satisfies(w -> {
                assertThat(w.get("kind").asText()).isEqualTo("activity-running");
                assertThat(w.get("name").asText()).isEqualTo("Hold");
                assertThat(w.get("deliveryCount").asInt()).isEqualTo(held.deliveryCount());
                // the worker renews its lock while the attempt runs: the CLI read it at or before this reading
                assertThat(Instant.parse(w.get("until").asText())).isAfter(Instant.now().minusSeconds(1))
                        .isBeforeOrEqualTo(held.lockedUntil());
            });
            assertThat(cli(store, "history", "holder-1").out()).contains("activity Hold #0 attempt 1/1: held by a worker until ");

            // A lease taken ahead for the busy slot is not renewed until it runs, so it may expire and count as
            // ready again meanwhile: the CLI's count lies between the store's before and after it ran.
            QueuedActivity before = activities(live, last).get(0);
            JsonNode queued = json(store, "history", last, "--json").get("waitingFor");
            QueuedActivity after = activities(live, last).get(0);
            assertThat(after.lockedUntil()).as("one slot: the last in the queue is not leased ahead").isNull();
            assertThat(before.readyAhead()).isGreaterThanOrEqualTo(1);
            assertThat(queued).singleElement().satisfies(w -> {
                assertThat(w.get("kind").asText()).isEqualTo("activity-queued");
                assertThat(w.get("readyAhead").asLong()).isBetween(Math.min(before.readyAhead(), after.readyAhead()),
                        Math.max(before.readyAhead(), after.readyAhead()));
            });
            assertThat(cli(store, "history", last).out()).containsPattern("behind [1-4] ready work item\\(s\\)");
            workload.release.countDown();
            runtime.client().waitForCompletion("holder-5", Workload.DEADLINE);
        } finally {
            workload.release.countDown();
        }
    }

    private static List<QueuedActivity> activities(Provider store, String id) {
        return store.instanceWork(id).map(InstanceWork::activities).orElseThrow();
    }

    private static QueuedActivity held(Provider store, String id) {
        return activities(store, id).stream().filter(a -> a.lockedUntil() != null).findFirst().orElse(null);
    }

    @Test
    void managementCommandsActOnTheInstancesThroughTheStore() {
        Store store = populatedStore("manage");
        Provider truth = store.provider();
        try (DuroxideRuntime runtime = new Workload().start(truth, 2)) {
            assertThat(cli(store, "suspend", APPROVAL, "--reason", "checking").out())
                    .isEqualTo("suspend requested for instance '" + APPROVAL + "' (takes effect at its next turn)\n");
            Workload.awaitStatus(truth, APPROVAL, RuntimeStatus.SUSPENDED);
            assertThat(json(store, "show", APPROVAL, "--json").get("waitingFor").get(0).get("kind").asText()).isEqualTo("resume");
            assertThat(cli(store, "resume", APPROVAL).exitCode()).isZero();
            Workload.awaitStatus(truth, APPROVAL, RuntimeStatus.RUNNING);

            assertThat(cli(store, "raise-event", APPROVAL, "approved", "\"yes, by carol\"").exitCode()).isZero();
            InstanceStatus approved = runtime.client().waitForCompletion(APPROVAL, Workload.DEADLINE);
            assertThat(approved.outputAs(String.class)).isEqualTo("yes, by carol");

            assertThat(cli(store, "cancel", SLEEPY, "--reason", "no longer needed").exitCode()).isZero();
            InstanceStatus cancelled = runtime.client().waitForCompletion(SLEEPY, Workload.DEADLINE);
            assertThat(cancelled.status()).isEqualTo(RuntimeStatus.CANCELLED);
            assertThat(cancelled.failure().message()).contains("no longer needed");
        }
        CliProcess.Result purged = cli(store, "purge", CHECKOUT);
        assertThat(purged.exitCode()).as(purged.toString()).isZero();
        assertThat(purged.out()).isEqualTo("purged instance '" + CHECKOUT + "' and 1 sub-orchestration(s)\n");
        assertThat(truth.getInstance(CHECKOUT)).isEmpty();
        assertThat(truth.getInstance(SHIPPING)).isEmpty();
    }

    @Test
    void refusalsAndUsageErrorsAreOneLineWithTheirExitCodes() {
        assertFails(cli("show", "nobody"), 1, "duroxide: no instance with id 'nobody'");
        assertFails(cli("cancel", CHECKOUT), 1,
                "duroxide: cannot cancel instance '" + CHECKOUT + "': it has already ended with status COMPLETED");
        assertFails(cli("purge", APPROVAL), 1, "duroxide: cannot purge instance '" + APPROVAL + "': it is RUNNING");
        assertFails(cli("history", CHECKOUT, "--execution", "2"), 1,
                "duroxide: instance '" + CHECKOUT + "' has executions 1 to 1, not 2");
        CliProcess.Result badJson = cli("raise-event", APPROVAL, "approved", "{not json");
        assertThat(badJson.exitCode()).isEqualTo(2);
        assertThat(badJson.err()).startsWith("duroxide: event data is not JSON");
        CliProcess.Result badStatus = cli("list", "--status", "SLEEPING");
        assertThat(badStatus.exitCode()).isEqualTo(2);
        assertThat(badStatus.err()).contains("--status", "SLEEPING");
        assertThat(truth.getInstance(APPROVAL).orElseThrow().status()).as("nothing changed").isEqualTo(RuntimeStatus.RUNNING);
        assertThat(truth.instanceWork(APPROVAL).orElseThrow().messages()).as("no event was sent").isEmpty();
    }

    static void assertFails(CliProcess.Result result, int exitCode, String message) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
        assertThat(result.err()).isEqualTo(message + "\n");
        assertThat(result.out()).isEmpty();
    }
}
