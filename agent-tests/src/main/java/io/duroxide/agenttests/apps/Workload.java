package io.duroxide.agenttests.apps;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.ApplicationException;
import io.duroxide.api.DuroxideClient;
import io.duroxide.api.InstanceStatus;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.TaskFailedException;
import io.duroxide.provider.Provider;
import io.duroxide.provider.postgres.PostgresOptions;
import io.duroxide.provider.postgres.PostgresProvider;
import io.duroxide.provider.sqlite.SqliteProvider;
import io.duroxide.runtime.DuroxideRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The workload the agent tests run in child JVMs (no agent code here: the agent is attached with
 * -javaagent). Usage: {@code Workload <mode> <db-file | postgresql-jdbc-url> [args]}. Every mode prints {@code DONE ...} when
 * its work is finished, then waits for a line on stdin (or EOF) before closing the runtime and exiting,
 * so the test can scrape the endpoint while the runtime is still up.
 *
 * <ul>
 *   <li>{@code known N K}: N orders of which K fail, retries, a timeout, sub-orchestrations,
 *       continue-as-new, a suspended, a completed, a cancelled and a signal-started waiter.</li>
 *   <li>{@code attach N K}: starts the runtime, prints READY, waits for a line, then runs {@code known}
 *       (the test loads the agent into the running JVM in between).</li>
 *   <li>{@code names COUNT}: COUNT distinct activity names, each called once (fan-out).</li>
 *   <li>{@code steady}: runs "Child" instances one after another (an orchestration of one activity), prints
 *       RUNNING after the first, and stops at the first line on stdin (the test scrapes while work flows).</li>
 *   <li>{@code hold N}: starts N instances that wait for an event, then stops (restart test, phase 1).</li>
 *   <li>{@code release}: raises the event for every waiting instance and waits for them (phase 2).</li>
 *   <li>{@code takeover ID}: runs instance ID of "Takeover"; with env STALL_TURN=FILE the first turn
 *       prints IN_TURN and stalls until FILE exists (the test freezes this process so its lock expires).</li>
 *   <li>{@code hang N}: starts N instances of "Hang", whose activity prints HANGING and blocks: the test kills
 *       this process while it holds their locks (activity lock timeout {@link #HANG_ACTIVITY_LOCK}).</li>
 *   <li>{@code observe}: runs the runtime and starts nothing (its agent reports what is in the store).</li>
 * </ul>
 */
public final class Workload {
    private Workload() {}

    /**
     * Long enough that a process started after this one is killed sees its locks before they expire, even on
     * a loaded machine; a live holder renews them at half of it.
     */
    private static final Duration HANG_ACTIVITY_LOCK = Duration.ofSeconds(90);

    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    /**
     * A SQLite file, or a {@code jdbc:postgresql:} URL whose schema is the system property
     * {@code duroxide.pg.schema}: the agent must measure any provider through the SPI.
     */
    static Provider openStore(String store) {
        if (store.startsWith("jdbc:postgresql:")) {
            return PostgresProvider.open(PostgresOptions.of(store).withSchema(System.getProperty("duroxide.pg.schema",
                    PostgresOptions.DEFAULT_SCHEMA)));
        }
        return SqliteProvider.open(Path.of(store));
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Registry registry = registry(mode, args);
        Duration orchestrationLock = "takeover".equals(mode) ? Duration.ofSeconds(1) : Duration.ofSeconds(30);
        Duration activityLock = "hang".equals(mode) ? HANG_ACTIVITY_LOCK : Duration.ofSeconds(30);
        try (Provider store = openStore(args[1]);
             DuroxideRuntime runtime = DuroxideRuntime.builder(store, registry)
                     .pollInterval(Duration.ofMillis(20))
                     .orchestrationConcurrency(2)
                     .activityConcurrency(4)
                     .lockTimeouts(orchestrationLock, activityLock)
                     .build()
                     .start()) {
            DuroxideClient client = runtime.client();
            String done;
            switch (mode) {
                case "known":
                    done = known(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                    break;
                case "attach":
                    // the runtime is up; the test attaches the agent now, then says go
                    System.out.println("READY pid=" + ProcessHandle.current().pid());
                    System.out.flush();
                    STDIN.readLine();
                    done = known(client, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                    break;
                case "names":
                    done = names(client, Integer.parseInt(args[2]));
                    break;
                case "steady":
                    done = steady(client);
                    break;
                case "hold":
                    done = hold(client, Integer.parseInt(args[2]));
                    break;
                case "release":
                    done = release(client);
                    break;
                case "takeover":
                    done = takeover(client, args[2]);
                    break;
                case "hang":
                    done = hang(client, Integer.parseInt(args[2]));
                    break;
                case "observe":
                    done = "observing";
                    break;
                default:
                    throw new IllegalArgumentException(mode);
            }
            System.out.println("DONE " + done);
            System.out.flush();
            if (!Boolean.getBoolean("workload.noWait")) {
                STDIN.readLine();
            }
        }
        System.out.println("EXITED");
    }

    static Registry registry(String mode, String[] args) {
        Registry r = new Registry();
        r.addActivity("Validate", String.class, (ctx, in) -> in);
        r.addActivity("Charge", String.class, (ctx, in) -> {
            if (ctx.attemptNumber() < 3) {
                throw new ApplicationException("CARD_DECLINED", "card declined on attempt " + ctx.attemptNumber(), true);
            }
            return "charged";
        });
        r.addActivity("Ship", String.class, (ctx, in) -> {
            if (in.startsWith("fail")) {
                throw new ApplicationException("OUT_OF_STOCK", "item " + in + " is out of stock", false);
            }
            return "shipped";
        });
        r.addActivity("SlowOp", String.class, (ctx, in) -> {
            // runs until its 200 ms timeout cancels it; the bound only ends it should cancelling break
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < end && !ctx.isCancelled()) {
                Thread.sleep(10);
            }
            return "slow";
        });
        r.addOrchestration("Order", "2.0.0", String.class, (ctx, in) -> {
            ctx.callActivity("Validate", in, String.class).await();
            ctx.callActivity("Charge", in, ActivityOptions.retry(RetryPolicy.fixed(4, Duration.ofMillis(20))), String.class)
                    .await();
            return ctx.callActivity("Ship", in, String.class).await();
        });
        r.addOrchestration("Slow", String.class, (ctx, in) ->
                ctx.callActivity("SlowOp", in, ActivityOptions.DEFAULT.withTimeout(Duration.ofMillis(200)), String.class).await());
        r.addOrchestration("Child", String.class, (ctx, in) -> ctx.callActivity("Validate", in, String.class).await());
        r.addOrchestration("FailingChild", String.class, (ctx, in) -> {
            throw new IllegalStateException("child " + in + " cannot proceed");
        });
        r.addOrchestration("Parent", String.class, (ctx, in) -> {
            String a = ctx.callSubOrchestration("Child", in, String.class).await();
            try {
                ctx.callSubOrchestration("FailingChild", in, String.class).await();
            } catch (TaskFailedException expected) {
                a = a + "+handled";
            }
            return a;
        });
        r.addOrchestration("Counter", Integer.class, (ctx, n) -> {
            if (n < 3) {
                ctx.continueAsNew(n + 1);
                return null;
            }
            return n;
        });
        r.addOrchestration("Waiter", String.class, (ctx, in) -> ctx.waitForExternalEvent("go", String.class).await());
        r.addOrchestration("Takeover", String.class, (ctx, in) -> {
            String release = System.getenv("STALL_TURN");
            if (release != null && !ctx.isReplaying()) {
                System.out.println("IN_TURN");
                System.out.flush();
                awaitFile(Path.of(release));
            }
            return ctx.callActivity("Validate", in, String.class).await();
        });
        r.addActivity("Block", String.class, (ctx, in) -> {
            System.out.println("HANGING " + in);
            System.out.flush();
            while (!ctx.isCancelled()) {
                Thread.sleep(50);
            }
            return "cancelled";
        });
        r.addOrchestration("Hang", String.class, (ctx, in) -> ctx.callActivity("Block", in, String.class).await());
        if ("names".equals(mode)) {
            int count = Integer.parseInt(args[2]);
            for (int i = 0; i < count; i++) {
                r.addActivity("act-" + i, String.class, (ctx, in) -> in);
            }
            r.addOrchestration("FanOut", Integer.class, (ctx, start) -> {
                List<io.duroxide.api.Task<String>> tasks = new ArrayList<>();
                for (int i = start; i < start + 100 && i < count; i++) {
                    tasks.add(ctx.callActivity("act-" + i, "x", String.class));
                }
                return ctx.allOf(tasks).await().size();
            });
        }
        return r;
    }

    static String known(DuroxideClient client, int n, int k) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(client.startOrchestration("Order", (i < k ? "fail-" : "ok-") + i));
        }
        ids.add(client.startOrchestration("Parent", "p1"));
        ids.add(client.startOrchestration("Parent", "p2"));
        ids.add(client.startOrchestration("Counter", 0));
        ids.add(client.startOrchestration("Counter", 0));
        String completedWaiter = client.startOrchestration("Waiter", "w1");
        String suspendedWaiter = client.startOrchestration("Waiter", "w2");
        String cancelledWaiter = client.startOrchestration("Waiter", "w3");
        awaitStatus(client, suspendedWaiter, RuntimeStatus.RUNNING);
        client.suspend(suspendedWaiter, "test");
        client.raiseEvent(completedWaiter, "go", "now");
        client.cancel(cancelledWaiter, "test");
        ids.add(completedWaiter);
        ids.add(cancelledWaiter);
        // signal-with-start: the execution is initiated by the signal
        client.signalWithStart("Waiter", "w4", StartOptions.withInstanceId("signalled-" + n + "-" + k), "go", "now");
        ids.add("signalled-" + n + "-" + k);
        for (String id : ids) {
            client.waitForCompletion(id, Duration.ofSeconds(60));
        }
        // the timeout case runs alone, so an idle worker starts the attempt before the engine's timeout
        // timer can end the orchestration (otherwise the attempt might never run at all)
        String slow = client.startOrchestration("Slow", "s");
        client.waitForCompletion(slow, Duration.ofSeconds(60));
        ids.add(slow);
        awaitStatus(client, suspendedWaiter, RuntimeStatus.SUSPENDED);
        return "instances=" + (ids.size() + 1);
    }

    static String names(DuroxideClient client, int count) {
        List<String> ids = new ArrayList<>();
        for (int start = 0; start < count; start += 100) {
            ids.add(client.startOrchestration("FanOut", start));
        }
        for (String id : ids) {
            InstanceStatus s = client.waitForCompletion(id, Duration.ofSeconds(120));
            if (s.status() != RuntimeStatus.COMPLETED) {
                throw new IllegalStateException(id + " " + s.status());
            }
        }
        return "fanouts=" + ids.size();
    }

    static String steady(DuroxideClient client) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try {
                STDIN.readLine();
            } catch (IOException ignored) {
                // EOF or closed: stop as well
            }
            stop.countDown();
        }, "steady-stdin");
        stdin.setDaemon(true);
        stdin.start();
        int completed = 0;
        while (stop.getCount() > 0) {
            String id = client.startOrchestration("Child", "c" + completed);
            InstanceStatus s = client.waitForCompletion(id, Duration.ofSeconds(60));
            if (s.status() != RuntimeStatus.COMPLETED) {
                throw new IllegalStateException(id + " " + s.status());
            }
            if (completed++ == 0) {
                System.out.println("RUNNING");
                System.out.flush();
            }
        }
        stdin.join(); // main reads the next line only after this thread has read its own
        return "completed=" + completed;
    }

    static String hold(DuroxideClient client, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(client.startOrchestration("Waiter", "h" + i, StartOptions.withInstanceId("held-" + i)));
        }
        for (String id : ids) {
            awaitStatus(client, id, RuntimeStatus.RUNNING);
        }
        return "held=" + n;
    }

    static String release(DuroxideClient client) {
        List<InstanceStatus> waiting = client.listInstances(io.duroxide.api.InstanceQuery.byStatus(RuntimeStatus.RUNNING));
        for (InstanceStatus s : waiting) {
            client.raiseEvent(s.instanceId(), "go", "later");
        }
        for (InstanceStatus s : waiting) {
            client.waitForCompletion(s.instanceId(), Duration.ofSeconds(60));
        }
        return "released=" + waiting.size();
    }

    static String takeover(DuroxideClient client, String id) {
        if (System.getenv("STALL_TURN") != null) {
            client.startOrchestration("Takeover", "t", StartOptions.withInstanceId(id));
        }
        InstanceStatus s = client.waitForCompletion(id, Duration.ofSeconds(60));
        return "status=" + s.status();
    }

    static String hang(DuroxideClient client, int n) {
        for (int i = 0; i < n; i++) {
            client.startOrchestration("Hang", "h" + i, StartOptions.withInstanceId("hang-" + i));
        }
        return "hanging=" + n;
    }

    /**
     * Stalls until the test creates {@code file}, however long the test takes to freeze this process (a fixed
     * stall could end, and the turn commit, before a loaded machine delivers the SIGSTOP). Gives up after two
     * minutes, so a test that died never leaves this JVM behind.
     */
    private static void awaitFile(Path file) {
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            while (!Files.exists(file) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void awaitStatus(DuroxideClient client, String id, RuntimeStatus status) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            InstanceStatus s = client.getStatus(id).orElse(null);
            if (s != null && s.status() == status) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException(id + " never reached " + status);
    }
}
