package io.duroxide.runtime;

import io.duroxide.api.JsonConverter;
import io.duroxide.api.Registry;
import io.duroxide.provider.Provider;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts an orchestration dispatcher and an activity worker over one provider. Several runtimes, in
 * one process or many, may share a store; each instance is processed by one of them at a time.
 */
public final class DuroxideRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DuroxideRuntime.class.getName());

    private final Provider provider;
    private final RuntimeOptions options;
    private final String runtimeId;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService timedActivities;
    private final OrchestrationDispatcher dispatcher;
    private final ActivityWorker worker;
    private final ProviderClient client;
    private volatile boolean closed;

    private DuroxideRuntime(Provider provider, Registry registry, RuntimeOptions options, String name, boolean rejectUnknownOrchestrations,
            boolean localSteps, LocalStepBudget localStepBudget, boolean eagerStarts) {
        this.provider = provider;
        this.options = options;
        this.runtimeId = name != null ? name : HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("duroxide-" + runtimeId + "-locks"));
        this.timedActivities = Executors.newCachedThreadPool(daemon("duroxide-" + runtimeId + "-timed-activity"));
        Wakeup orchestrationWakeup = new Wakeup();
        Wakeup activityWakeup = new Wakeup();
        JsonConverter json = JsonConverter.DEFAULT;
        LockRenewals renewals = new LockRenewals(scheduler, options.renewalTick());
        InstanceEndings endings = new InstanceEndings();
        ActivityInvoker invoker = new ActivityInvoker(registry, json, options.maxDeliveryAttempts(), timedActivities, () -> closed);
        this.worker = new ActivityWorker("work-" + runtimeId, provider, registry, invoker, options, renewals, activityWakeup, orchestrationWakeup,
                localStepBudget);
        this.dispatcher = new OrchestrationDispatcher("orch-" + runtimeId, provider, new TurnPlanner(registry, options, json),
                options, renewals, orchestrationWakeup, activityWakeup, endings, localSteps ? worker : LocalSteps.NONE);
        this.client = new ProviderClient(provider, orchestrationWakeup::signal, endings,
                new UnknownOrchestrations(registry, rejectUnknownOrchestrations, options), eagerStarts ? dispatcher : EagerStart.NONE);
    }

    public static Builder builder(Provider provider, Registry registry) {
        return new Builder(provider, registry);
    }

    /** Starts the dispatcher and worker threads, once the runtime's own turn code has run in memory ({@link FirstTurnPriming}). */
    public DuroxideRuntime start() {
        FirstTurnPriming.run(options, JsonConverter.DEFAULT);
        dispatcher.start();
        worker.start();
        return this;
    }

    /** A client wired to wake this runtime as soon as it enqueues work, and woken when this runtime ends an instance it waits for. */
    public ProviderClient client() {
        return client;
    }

    public String runtimeId() {
        return runtimeId;
    }

    public Provider provider() {
        return provider;
    }

    /**
     * Stops fetching work and waits up to the shutdown grace for turns and activities in progress.
     * Nothing committed is lost: unfinished work is redelivered to the next runtime when its lock expires.
     * The provider stays open; its owner closes it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            dispatcher.stop(options.shutdownGrace());
            worker.stop(options.shutdownGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scheduler.shutdownNow();
            timedActivities.shutdownNow();
            try {
                timedActivities.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LOG.log(System.Logger.Level.DEBUG, "runtime " + runtimeId + " stopped");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a runtime; every option has a default (see {@link RuntimeOptions#DEFAULTS}). */
    public static final class Builder {
        private final Provider provider;
        private final Registry registry;
        private int orchestrationConcurrency = RuntimeOptions.DEFAULTS.orchestrationConcurrency();
        private int activityConcurrency = RuntimeOptions.DEFAULTS.activityConcurrency();
        private Duration pollInterval = RuntimeOptions.DEFAULTS.pollInterval();
        private Duration orchestrationLockTimeout = RuntimeOptions.DEFAULTS.orchestrationLockTimeout();
        private Duration activityLockTimeout = RuntimeOptions.DEFAULTS.activityLockTimeout();
        private int maxDeliveryAttempts = RuntimeOptions.DEFAULTS.maxDeliveryAttempts();
        private Duration unregisteredBackoff = RuntimeOptions.DEFAULTS.unregisteredBackoff();
        private Duration shutdownGrace = RuntimeOptions.DEFAULTS.shutdownGrace();
        private String name;
        private boolean rejectUnknownOrchestrations;
        private boolean localSteps;
        private LocalStepBudget localStepBudget = LocalStepBudget.DEFAULT;
        private boolean eagerStarts = true;

        private Builder(Provider provider, Registry registry) {
            this.provider = provider;
            this.registry = registry;
        }

        public Builder orchestrationConcurrency(int n) {
            orchestrationConcurrency = n;
            return this;
        }

        public Builder activityConcurrency(int n) {
            activityConcurrency = n;
            return this;
        }

        public Builder pollInterval(Duration d) {
            pollInterval = d;
            return this;
        }

        public Builder lockTimeouts(Duration orchestration, Duration activity) {
            orchestrationLockTimeout = orchestration;
            activityLockTimeout = activity;
            return this;
        }

        public Builder maxDeliveryAttempts(int n) {
            maxDeliveryAttempts = n;
            return this;
        }

        public Builder unregisteredBackoff(Duration d) {
            unregisteredBackoff = d;
            return this;
        }

        /**
         * A stable name for this runtime (e.g. the host or pod name). Dispatcher ids, and so the
         * {@code worker_id} of metrics, derive from it; without one a random 4-hex id is used per start.
         */
        public Builder name(String runtimeName) {
            if (runtimeName == null || runtimeName.isBlank()) {
                throw new IllegalArgumentException("runtime name must not be blank");
            }
            name = runtimeName;
            return this;
        }

        /**
         * Whether this runtime's client refuses, with an {@link io.duroxide.api.UnknownOrchestrationException} and
         * before storing anything, a start whose orchestration name or version this runtime's registry does not
         * know. Off by default: such a start is stored with a warning, because another process with a newer
         * registry may run it (rolling deploys); if none does, it fails after {@code maxDeliveryAttempts}.
         */
        public Builder rejectUnknownOrchestrations(boolean reject) {
            rejectUnknownOrchestrations = reject;
            return this;
        }

        /**
         * Whether short activities run in the orchestration turn that schedules them (off by default): an activity
         * whose attempts in this runtime took at most 20 ms on average over about the last second (and, once it runs
         * so, until they average over 50 ms), and the first attempt of one not timed yet, run right after the turn schedules them, and their
         * results are committed with that turn, instead of going through the activity queue (one commit instead of
         * about four transactions per step). A turn runs such steps for up to a second while each follows the previous
         * one, and the steps of a fan-out (one after another here) for up to 100 ms; the rest go through the queue.
         * Off: every activity
         * goes through the queue, and every step of an orchestration is a turn of its own. Such steps run in the
         * orchestration slot, so steps that wait (I/O) want more {@link #orchestrationConcurrency} slots: about as many
         * as workflows should be in flight. Opt-in because it changes what a workflow looks like from outside: the
         * steps of a fan-out run one after another in its slot, and a workflow takes fewer turns.
         */
        public Builder localSteps(boolean enabled) {
            localSteps = enabled;
            return this;
        }

        /** Other limits than {@link LocalStepBudget#DEFAULT}: for tests that need a limit reached without slow steps. */
        Builder localStepBudget(LocalStepBudget budget) {
            localStepBudget = budget;
            return this;
        }

        /**
         * Whether a start from this runtime's {@link #client()} runs its first turn in this runtime at once when a slot
         * is idle (on by default): the provider stores the instance already locked for this runtime
         * ({@link Provider#createInstanceLocked}), so the turn needs no fetch, and no other process can take it before
         * the lock expires. Off: every start goes through the queue, to whichever runtime fetches it first. Starts of
         * orchestrations this runtime does not register always go through the queue.
         */
        public Builder eagerStarts(boolean enabled) {
            eagerStarts = enabled;
            return this;
        }

        public Builder shutdownGrace(Duration d) {
            shutdownGrace = d;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid option */
        public DuroxideRuntime build() {
            return new DuroxideRuntime(provider, registry, new RuntimeOptions(orchestrationConcurrency, activityConcurrency, pollInterval,
                    orchestrationLockTimeout, activityLockTimeout, maxDeliveryAttempts, unregisteredBackoff, shutdownGrace), name, rejectUnknownOrchestrations,
                    localSteps, localStepBudget, eagerStarts);
        }
    }
}
