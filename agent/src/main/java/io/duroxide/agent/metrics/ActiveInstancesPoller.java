package io.duroxide.agent.metrics;

import io.duroxide.agent.config.Log;
import io.micrometer.core.instrument.Gauge;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code duroxide_orchestration_active_instances{orchestration_name,state}}: polled from
 * {@code Provider#countActiveInstances()} of every provider a runtime in this JVM uses (distinct
 * providers are summed; one store shared by several runtimes is counted once per JVM). States are the
 * provider's: running, waiting, suspended and pending (started, no turn run yet). A combination that
 * disappears from the result is set to 0.
 */
public final class ActiveInstancesPoller {
    static final String ACTIVE = "duroxide.orchestration.active.instances";

    private final Metrics metrics;
    private final LabelLimiter names;
    private final LabelLimiter states;
    private final Set<Object> providers = Collections.newSetFromMap(new WeakHashMap<>());
    private final Map<List<String>, double[]> values = new ConcurrentHashMap<>();

    public ActiveInstancesPoller(Metrics metrics) {
        this.metrics = metrics;
        this.names = metrics.limiter("orchestration_name");
        this.states = metrics.limiter("state");
    }

    public void addProvider(Object provider) {
        if (provider == null) {
            return;
        }
        synchronized (providers) {
            providers.add(provider);
        }
    }

    public void poll() {
        Object[] current;
        synchronized (providers) {
            current = providers.toArray();
        }
        if (current.length == 0) {
            return;
        }
        Map<List<String>, Long> totals = new HashMap<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean anyOk = false;
        for (Object p : current) {
            if (!seen.add(p)) {
                continue;
            }
            try {
                for (ProviderProbe.ActiveCount c : ProviderProbe.activeInstances(p)) {
                    totals.merge(List.of(names.apply(c.orchestrationName()), states.apply(c.state())), c.count(), Long::sum);
                }
                anyOk = true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                Log.debug("countActiveInstances failed: " + e);
            }
        }
        if (!anyOk) {
            return; // keep the last values rather than report a store we could not read as empty
        }
        for (Map.Entry<List<String>, Long> e : totals.entrySet()) {
            holder(e.getKey())[0] = e.getValue();
        }
        for (Map.Entry<List<String>, double[]> e : values.entrySet()) {
            if (!totals.containsKey(e.getKey())) {
                e.getValue()[0] = 0;
            }
        }
    }

    private double[] holder(List<String> key) {
        return values.computeIfAbsent(key, k -> {
            double[] h = new double[1];
            Gauge.builder(ACTIVE, h, a -> a[0])
                    .description("Non-terminal orchestration instances in the store, by state")
                    .tags("orchestration_name", k.get(0), "state", k.get(1))
                    .strongReference(true)
                    .register(metrics.registry);
            return h;
        });
    }
}
