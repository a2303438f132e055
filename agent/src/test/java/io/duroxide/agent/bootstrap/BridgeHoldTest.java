package io.duroxide.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BridgeHoldTest {
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private final ProviderSink providerSink = call -> seen.add("provider " + call.method);

    private final ActivitySink activitySink =
            attempt -> seen.add("activity " + attempt.activityName + " " + attempt.failureType + " " + attempt.durationNanos);

    private final WorkerSink workerSink = new WorkerSink() {
        @Override
        public void started(WorkerLoop loop) {
            seen.add("started " + loop.workerId);
        }

        @Override
        public void stopped(WorkerLoop loop) {
            seen.add("stopped " + loop.workerId);
        }

        @Override
        public void processed(WorkerLoop loop) {
            seen.add("processed " + loop.workerId);
        }
    };

    @AfterEach
    void reset() {
        Bridge.onBacklog = null;
        Bridge.open();
        Bridge.provider = null;
        Bridge.worker = null;
        Bridge.activity = null;
    }

    private static void providerCall(String method) {
        TestEvents.providerCallThroughBridge(method, null);
    }

    /** What the loop advice does: the thread's own event, filled and handed on. */
    private static WorkerLoop loop(String workerId) {
        WorkerLoop e = WorkerLoop.begin();
        e.workerType = "orchestration";
        e.workerId = workerId;
        e.slots = 1;
        return e;
    }

    /** What the activity advice does: the thread's own event, filled and handed on. */
    private static void attempt(String name, int retryAttempt, String failureType, long durationNanos) {
        ActivityAttempt e = ActivityAttempt.begin();
        e.activityName = name;
        e.retryAttempt = retryAttempt;
        e.failureType = failureType;
        e.durationNanos = durationNanos;
        Bridge.activityAttempted(e);
    }

    @Test
    void callsMadeBeforeTheSinksExistAreReplayedInOrderWhenTheBridgeOpens() {
        Bridge.hold(10_000);
        Bridge.loopStarted(loop("w1"));
        providerCall("fetch");
        Bridge.itemProcessed(loop("w1"));
        assertThat(seen).isEmpty();

        Bridge.provider = providerSink;
        Bridge.worker = workerSink;
        providerCall("ack"); // sinks installed but not yet opened: still held, so it stays behind the earlier calls
        assertThat(seen).isEmpty();

        Bridge.open();
        assertThat(seen).containsExactly("started w1", "provider fetch", "processed w1", "provider ack");

        providerCall("commit");
        Bridge.loopStopped(loop("w1"));
        assertThat(seen).endsWith("provider commit", "stopped w1");
    }

    @Test
    void openingWithoutSinksDropsTheHeldCallsAndLaterCallsAreNoOps() {
        Bridge.hold(10_000);
        providerCall("fetch");
        Bridge.open();
        Bridge.provider = providerSink;
        providerCall("ack");
        assertThat(seen).containsExactly("provider ack");
    }

    @Test
    void withoutHoldCallsGoStraightToTheSinks() {
        Bridge.provider = providerSink;
        providerCall("fetch");
        assertThat(seen).containsExactly("provider fetch");
    }

    @Test
    void activityAttemptsAreHeldAsCopiesAndReplayedWithTheirOwnValues() {
        Bridge.hold(10_000);
        attempt("Charge", 0, null, 2_500_000L);
        attempt("Charge", 1, "APPLICATION_ERROR", 7_000L); // the thread's event again: the first must have been copied
        Bridge.activity = activitySink;
        assertThat(seen).isEmpty();

        Bridge.open();
        assertThat(seen).containsExactly("activity Charge null 2500000", "activity Charge APPLICATION_ERROR 7000");

        attempt("Ship", 0, null, 42L);
        assertThat(seen).endsWith("activity Ship null 42");
    }

    @Test
    void theBacklogSignalFiresOnceWhenTheHeldCallsReachIt() {
        java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();
        Bridge.onBacklog = signals::incrementAndGet;
        Bridge.hold(10_000);
        for (int i = 1; i < Bridge.BACKLOG_SIGNAL; i++) {
            providerCall("fetch");
        }
        assertThat(signals).hasValue(0);
        providerCall("fetch");
        assertThat(signals).hasValue(1);
        providerCall("fetch");
        assertThat(signals).as("once, not at every call beyond").hasValue(1);

        Bridge.provider = providerSink;
        Bridge.open();
        assertThat(seen).hasSize(Bridge.BACKLOG_SIGNAL + 1);
    }

    @Test
    void aSuccessLeftOutOfTheHistogramIsDecidedOnceAtExitOrElseAtReplay() {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        ProviderSink unsampled = new ProviderSink() {
            @Override
            public boolean measureSuccess() {
                calls.add("asked");
                return false;
            }

            @Override
            public void operation(ProviderCall call) {
                calls.add(call.method + (call.durationNanos == ProviderCall.UNMEASURED ? " unmeasured" : " measured")
                        + (call.error == null ? "" : " failed"));
            }
        };
        Bridge.hold(10_000);
        providerCall("fetch"); // no sink yet: measured now, sampled when replayed
        TestEvents.providerCallThroughBridge("ack", new IllegalStateException("busy"));
        Bridge.provider = unsampled;
        providerCall("renew"); // sink installed, bridge not open: decided at exit, held, not asked again
        Bridge.open();
        providerCall("commit");
        assertThat(calls).containsExactly("asked", "asked", "fetch unmeasured", "ack measured failed", "renew unmeasured",
                "asked", "commit unmeasured");
    }
}
