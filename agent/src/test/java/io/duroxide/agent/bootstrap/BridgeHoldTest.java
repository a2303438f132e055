package io.duroxide.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BridgeHoldTest {
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private final ProviderSink providerSink = (method, nanos, error) -> seen.add("provider " + method);

    private final ActivitySink activitySink = (instanceId, executionId, name, attempt, failureType, willRetry, failureKind,
            errorType, errorCode, retryable, errorMessage, durationNanos) -> seen.add("activity " + instanceId + "/" + executionId
            + " " + name + " " + failureType + " " + durationNanos);

    private final WorkerSink workerSink = new WorkerSink() {
        @Override
        public void started(Object loop, String workerType, String workerId, int slots, Object provider) {
            seen.add("started " + workerId);
        }

        @Override
        public void stopped(Object loop, String workerType, String workerId) {
            seen.add("stopped " + workerId);
        }

        @Override
        public void processed(Object loop, String workerType, String workerId, int slots, long durationNanos) {
            seen.add("processed " + workerId);
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
        Bridge.providerExit(Bridge.providerEnter(), method, null);
    }

    @Test
    void callsMadeBeforeTheSinksExistAreReplayedInOrderWhenTheBridgeOpens() {
        Bridge.hold(10_000);
        Bridge.loopStarted(this, "orchestration", "w1", 1, null);
        providerCall("fetch");
        Bridge.processed(System.nanoTime(), this, "orchestration", "w1", 1);
        assertThat(seen).isEmpty();

        Bridge.provider = providerSink;
        Bridge.worker = workerSink;
        providerCall("ack"); // sinks installed but not yet opened: still held, so it stays behind the earlier calls
        assertThat(seen).isEmpty();

        Bridge.open();
        assertThat(seen).containsExactly("started w1", "provider fetch", "processed w1", "provider ack");

        providerCall("commit");
        Bridge.loopStopped(this, "orchestration", "w1");
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
    void activityAttemptsAreHeldWithTheEnginesDurationAndReplayed() {
        Bridge.hold(10_000);
        Bridge.activityExit(2_500_000L, "i-1", 1L, "Charge", 0, null, false, null, null, null, false, null);
        Bridge.activityExit(7_000L, "i-2", 3L, "Charge", 1, "APPLICATION_ERROR", true, "APPLICATION", "x.Declined", "DECLINED", true,
                "no");
        Bridge.activity = activitySink;
        assertThat(seen).isEmpty();

        Bridge.open();
        assertThat(seen).containsExactly("activity i-1/1 Charge null 2500000", "activity i-2/3 Charge APPLICATION_ERROR 7000");

        Bridge.activityExit(42L, "i-1", 1L, "Ship", 0, null, false, null, null, null, false, null);
        assertThat(seen).endsWith("activity i-1/1 Ship null 42");
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
            public void operation(String method, long nanos, Throwable error) {
                calls.add(method + (nanos == UNMEASURED ? " unmeasured" : " measured") + (error == null ? "" : " failed"));
            }
        };
        Bridge.hold(10_000);
        providerCall("fetch"); // no sink yet: measured now, sampled when replayed
        Bridge.providerExit(Bridge.providerEnter(), "ack", new IllegalStateException("busy"));
        Bridge.provider = unsampled;
        providerCall("renew"); // sink installed, bridge not open: decided at exit, held, not asked again
        Bridge.open();
        providerCall("commit");
        assertThat(calls).containsExactly("asked", "asked", "fetch unmeasured", "ack measured failed", "renew unmeasured",
                "asked", "commit unmeasured");
    }
}
