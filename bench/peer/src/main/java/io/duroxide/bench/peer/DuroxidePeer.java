package io.duroxide.bench.peer;

import io.duroxide.api.DuroxideClient;
import io.duroxide.api.Registry;
import io.duroxide.api.RuntimeStatus;
import io.duroxide.api.StartOptions;
import io.duroxide.api.Task;
import io.duroxide.provider.Provider;
import io.duroxide.runtime.DuroxideRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Duroxide runtime on the given store, configured by {@link DuroxideSettings}: with local steps off every activity
 * goes through the queue, a turn of its own for each step's result.
 */
final class DuroxidePeer implements Peer {
    static final String WORKFLOW = "peer::Workflow";
    private static final String STEP = "peer::Step";

    private final Provider provider;
    private final DuroxideRuntime runtime;
    private final DuroxideClient client;

    DuroxidePeer(Provider provider, Workload workload, DuroxideSettings settings) {
        this.provider = provider;
        this.runtime = settings.applyTo(DuroxideRuntime.builder(provider, registry(workload))).build().start();
        this.client = runtime.client();
    }

    private static Registry registry(Workload workload) {
        return new Registry()
                .addActivity(STEP, Integer.class, (ctx, n) -> workload.step(n))
                .addOrchestration(WORKFLOW, Integer.class, (ctx, n) -> {
                    if (!workload.fanOut()) {
                        int sum = 0;
                        for (int i = 0; i < Workload.STEPS; i++) {
                            sum += ctx.callActivity(STEP, i, Integer.class).await();
                        }
                        return sum;
                    }
                    List<Task<Integer>> steps = new ArrayList<>(Workload.STEPS);
                    for (int i = 0; i < Workload.STEPS; i++) {
                        steps.add(ctx.callActivity(STEP, i, Integer.class));
                    }
                    return ctx.allOf(steps).await().stream().mapToInt(Integer::intValue).sum();
                });
    }

    @Override
    public void start(String id, int input) {
        client.startOrchestration(WORKFLOW, input, StartOptions.withInstanceId(id));
    }

    @Override
    public void awaitCompletion(String id) {
        RuntimeStatus status = client.waitForCompletion(id, Duration.ofMinutes(5)).status();
        if (status != RuntimeStatus.COMPLETED) {
            throw new IllegalStateException("warm-up workflow " + id + " ended " + status);
        }
    }

    @Override
    public void close() {
        runtime.close();
        provider.close();
    }
}
