package io.duroxide.bench;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.ApplicationException;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A workload shaped like the telemetry spec's examples: a PostgreSQL-as-a-service control plane that
 * deploys an instance, waits for it to be ready, tests it and configures backups in a sub-orchestration.
 * Activities sleep a few milliseconds and fail now and then, so retries and failures show up in metrics.
 */
final class ToygresWorkload {
    static final String CREATE_INSTANCE = "toygres::CreateInstance";
    static final String CONFIGURE_BACKUPS = "toygres::ConfigureBackups";

    private ToygresWorkload() {}

    /** @param failureRate probability that one activity attempt fails with a retryable error */
    static Registry registry(double failureRate) {
        ActivityOptions deployRetry = ActivityOptions.retry(RetryPolicy.exponential(3, Duration.ofMillis(20), 2.0, Duration.ofSeconds(1)))
                .withTimeout(Duration.ofSeconds(5));
        return new Registry()
                .addActivity("toygres::DeployPostgres", String.class, (ctx, name) -> {
                    work(5, 20);
                    maybeFail(failureRate, "E_DEPLOY", "deployment of " + name + " failed");
                    return "pg-" + name;
                })
                .addActivity("toygres::WaitForReady", String.class, (ctx, server) -> {
                    work(2, 10);
                    return true;
                })
                .addActivity("toygres::TestConnection", String.class, (ctx, server) -> {
                    work(1, 5);
                    if (ThreadLocalRandom.current().nextDouble() < failureRate / 4) {
                        throw new ApplicationException("E_AUTH", "connection to " + server + " refused", false);
                    }
                    return "SELECT 1 -> 1";
                })
                .addActivity("toygres::EnableBackup", String.class, (ctx, target) -> {
                    work(1, 5);
                    return target + ":enabled";
                })
                .addOrchestration(CONFIGURE_BACKUPS, String.class, (ctx, server) -> {
                    List<Task<String>> jobs = new ArrayList<>();
                    for (String kind : List.of("wal", "daily", "weekly")) {
                        jobs.add(ctx.callActivity("toygres::EnableBackup", server + "/" + kind, String.class));
                    }
                    return String.join(",", ctx.allOf(jobs).await());
                })
                .addOrchestration(CREATE_INSTANCE, String.class, (ctx, name) -> {
                    ctx.setCustomStatus("deploying");
                    String server = ctx.callActivity("toygres::DeployPostgres", name, deployRetry, String.class).await();
                    ctx.setCustomStatus("waiting for ready");
                    ctx.createTimer(Duration.ofMillis(20)).await();
                    ctx.callActivity("toygres::WaitForReady", server, Boolean.class).await();
                    ctx.callActivity("toygres::TestConnection", server, String.class).await();
                    ctx.setCustomStatus("configuring backups");
                    String backups = ctx.callSubOrchestration(CONFIGURE_BACKUPS, server, String.class).await();
                    return server + " ready; backups " + backups;
                });
    }

    private static void work(int minMs, int maxMs) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(minMs, maxMs + 1));
    }

    private static void maybeFail(double rate, String code, String message) {
        if (ThreadLocalRandom.current().nextDouble() < rate) {
            throw new ApplicationException(code, message, true);
        }
    }
}
