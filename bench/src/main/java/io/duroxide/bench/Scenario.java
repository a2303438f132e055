package io.duroxide.bench;

import io.duroxide.api.ActivityOptions;
import io.duroxide.api.ApplicationException;
import io.duroxide.api.Registry;
import io.duroxide.api.RetryPolicy;
import io.duroxide.api.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** The load scenarios of the telemetry spec (§6.1) plus the toygres-shaped mixed workload. */
public enum Scenario {
    /** 10 orchestrations/s of a small fan-out workload, rare retryable failures. */
    NORMAL(10, 0.02),
    /** 100 orchestrations/s of the same workload. */
    HIGH(100, 0.02),
    /** Half the activity attempts fail (retryable, up to 3 attempts), 20 orchestrations/s. */
    ERROR_SPIKE(20, 0.5),
    /** One orchestration of {@link #LONG_RUNNING_STEPS} sequential activities (one turn each). */
    LONG_RUNNING(0, 0.0),
    /** The existing toygres-shaped workload (deploy, wait, test, backups sub-orchestration). */
    TOYGRES(20, 0.1);

    static final String PROCESS = "bench::ProcessOrder";
    static final String LONG_ACTOR = "bench::LongRunningActor";
    static final int LONG_RUNNING_STEPS = 1_100;

    final int defaultRate;
    final double defaultFailureRate;

    Scenario(int defaultRate, double defaultFailureRate) {
        this.defaultRate = defaultRate;
        this.defaultFailureRate = defaultFailureRate;
    }

    String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Scenario parse(String value) {
        for (Scenario s : values()) {
            if (s.cliName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("--scenario must be one of normal, high, error-spike, long-running, toygres; was '" + value + "'");
    }

    /** Name of the root orchestration this scenario starts. */
    String rootOrchestration() {
        return switch (this) {
            case TOYGRES -> ToygresWorkload.CREATE_INSTANCE;
            case LONG_RUNNING -> LONG_ACTOR;
            default -> PROCESS;
        };
    }

    Registry registry(double failureRate) {
        if (this == TOYGRES) {
            return ToygresWorkload.registry(failureRate);
        }
        ActivityOptions retry = ActivityOptions.retry(RetryPolicy.fixed(3, Duration.ofMillis(10)));
        return new Registry()
                .addActivity("bench::Validate", String.class, (ctx, order) -> {
                    work(1, 3);
                    maybeFail(failureRate, "E_VALIDATE", "validation of " + order + " failed");
                    return order + ":valid";
                })
                .addActivity("bench::Reserve", String.class, (ctx, item) -> {
                    work(1, 5);
                    maybeFail(failureRate, "E_RESERVE", "reservation of " + item + " failed");
                    return item + ":reserved";
                })
                .addActivity("bench::Step", Integer.class, (ctx, n) -> n + 1)
                .addOrchestration(PROCESS, String.class, (ctx, order) -> {
                    ctx.callActivity("bench::Validate", order, retry, String.class).await();
                    List<Task<String>> items = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        items.add(ctx.callActivity("bench::Reserve", order + "/" + i, retry, String.class));
                    }
                    return String.join(",", ctx.allOf(items).await());
                })
                .addOrchestration(LONG_ACTOR, Integer.class, (ctx, steps) -> {
                    int n = 0;
                    for (int i = 0; i < steps; i++) {
                        n = ctx.callActivity("bench::Step", n, Integer.class).await();
                    }
                    return n;
                });
    }

    private static void work(int minMs, int maxMs) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(minMs, maxMs + 1));
    }

    private static void maybeFail(double rate, String code, String message) {
        if (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate) {
            throw new ApplicationException(code, message, true);
        }
    }
}
