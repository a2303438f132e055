package io.duroxide.bench;

import io.duroxide.api.Registry;
import io.duroxide.api.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The throughput workload of the JMH fan-out benchmark and the scale-out run: one orchestration calls
 * {@value #FAN} activities and joins them. With {@code activityMillis} 0 the activities do nothing, so
 * the store decides the throughput; with a few milliseconds they stand for I/O-bound work.
 */
public final class FanOutWorkload {
    public static final String FAN_OUT = "bench::FanOut";
    public static final int FAN = 5;

    private FanOutWorkload() {}

    /** How long the activities' sleeps really took: the OS may wake a sleeping thread late. */
    public static final class Sleeps {
        private final LongAdder nanos = new LongAdder();
        private final LongAdder count = new LongAdder();

        void add(long sleptNanos) {
            nanos.add(sleptNanos);
            count.increment();
        }

        public long count() {
            return count.sum();
        }

        /** NaN before the first sleep. */
        public double meanMillis() {
            long n = count.sum();
            return n == 0 ? Double.NaN : nanos.sum() / 1e6 / n;
        }
    }

    public static Registry registry(long activityMillis) {
        return registry(activityMillis, new Sleeps());
    }

    public static Registry registry(long activityMillis, Sleeps sleeps) {
        return new Registry()
                .addActivity("bench::Noop", Integer.class, (ctx, n) -> {
                    if (activityMillis > 0) {
                        long start = System.nanoTime();
                        Thread.sleep(activityMillis);
                        sleeps.add(System.nanoTime() - start);
                    }
                    return n;
                })
                .addOrchestration(FAN_OUT, Integer.class, (ctx, n) -> {
                    List<Task<Integer>> tasks = new ArrayList<>(FAN);
                    for (int i = 0; i < FAN; i++) {
                        tasks.add(ctx.callActivity("bench::Noop", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().size();
                });
    }
}
