package io.duroxide.provider.validation;

import io.duroxide.api.RuntimeStatus;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.HistoryEvent;
import io.duroxide.history.InitiatedBy;
import io.duroxide.history.ParentRef;
import io.duroxide.provider.ActivityWorkItem;
import io.duroxide.provider.NewInstance;
import io.duroxide.provider.OrchestrationWorkItem;
import io.duroxide.provider.OrchestratorMessage;
import io.duroxide.provider.TimedMessage;
import io.duroxide.provider.TurnWrite;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/** Builders for SPI values and deadline-bounded waiting, shared by the validation groups. */
public final class ValidationSupport {
    /** A lock that never expires during a test. */
    public static final Duration LONG_LOCK = Duration.ofSeconds(30);
    /** A lock that expires quickly, for expiry tests. */
    public static final Duration SHORT_LOCK = Duration.ofMillis(200);
    /** How long any wait may take before the test fails. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);

    private ValidationSupport() {}

    public static long now() {
        return System.currentTimeMillis();
    }

    public static HistoryEvent.ExecutionStarted started(String name, String input) {
        return new HistoryEvent.ExecutionStarted(now(), name, "1.0", input, InitiatedBy.CLIENT, null);
    }

    public static NewInstance newInstance(String id, String name) {
        return new NewInstance(id, started(name, "\"input-" + id + "\""));
    }

    public static OrchestratorMessage event(String instanceId, String name) {
        return new OrchestratorMessage(instanceId, null, new HistoryEvent.EventRaised(now(), name, "\"" + name + "\""));
    }

    /** The name of an {@link HistoryEvent.EventRaised} message. */
    public static String eventName(OrchestratorMessage message) {
        return ((HistoryEvent.EventRaised) message.event()).name();
    }

    public static ActivityWorkItem workItem(String instanceId, long executionId, int taskId) {
        return new ActivityWorkItem(instanceId, executionId, taskId, "Orch", "Act", "\"x\"", null, 0, 1, 0);
    }

    public static HistoryEvent.ActivityCompleted activityCompleted(int taskId, String result) {
        return new HistoryEvent.ActivityCompleted(now(), taskId, result);
    }

    /** The completion of activity {@code taskId} of execution 1, as a worker sends it. */
    public static OrchestratorMessage completion(String instanceId, int taskId, String result) {
        return new OrchestratorMessage(instanceId, 1L, activityCompleted(taskId, result));
    }

    /** A timer of {@code executionId} that becomes visible at {@code fireAtMs}, as a turn writes it. */
    public static TimedMessage timer(String instanceId, long executionId, int taskId, long fireAtMs) {
        return new TimedMessage(new OrchestratorMessage(instanceId, executionId,
                new HistoryEvent.TimerFired(now(), taskId, fireAtMs)), Instant.ofEpochMilli(fireAtMs));
    }

    public static HistoryEvent.ExecutionStarted childStart(String name, String parentId, int taskId) {
        return new HistoryEvent.ExecutionStarted(now(), name, "2.0", "\"child-input\"", InitiatedBy.SUB_ORCHESTRATION,
                new ParentRef(parentId, 1, taskId, "Parent"));
    }

    /** The event classes of messages or history events, for order assertions. */
    public static List<Class<?>> types(List<?> values) {
        return values.stream().<Class<?>>map(v -> v instanceof OrchestratorMessage m ? m.event().getClass() : v.getClass())
                .toList();
    }

    /** Polls until {@code condition} holds, failing after {@link #DEADLINE}. */
    public static void await(String what, BooleanSupplier condition) {
        await(what, DEADLINE, condition);
    }

    /** Polls until {@code condition} holds, failing after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /**
     * Runs a check that holds only until {@code deadlineMs} (a lock still held, a message still hidden). If it fails
     * after the deadline, the machine stalled past it between setting the state up and looking, and nothing can be
     * told: the test is aborted as inconclusive instead of failing. A failure seen before the deadline fails the test.
     */
    public static void checkBefore(long deadlineMs, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            if (now() >= deadlineMs) {
                Assumptions.abort("the machine stalled past the deadline of this check, which cannot tell: " + e.getMessage());
            }
            throw e;
        }
    }

    /** Polls {@code fetch} until it returns a value, failing after {@link #DEADLINE}. */
    public static <T> T awaitPresent(String what, Supplier<Optional<T>> fetch) {
        List<T> box = new ArrayList<>(1);
        await(what, () -> {
            Optional<T> value = fetch.get();
            value.ifPresent(box::add);
            return value.isPresent();
        });
        return box.get(0);
    }

    /**
     * Runs the actions at the same moment, each on its own thread, and returns how each ended: empty when it
     * returned, else what it threw, in the order given. Fails the test if one has not ended by {@link #DEADLINE}.
     */
    public static List<Optional<Throwable>> race(List<Runnable> actions) {
        CountDownLatch ready = new CountDownLatch(actions.size());
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(actions.size());
        try {
            List<Future<Optional<Throwable>>> ends = new ArrayList<>();
            for (Runnable action : actions) {
                ends.add(threads.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        action.run();
                        return Optional.<Throwable>empty();
                    } catch (RuntimeException | AssertionError e) {
                        return Optional.<Throwable>of(e);
                    }
                }));
            }
            ready.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            go.countDown();
            List<Optional<Throwable>> outcomes = new ArrayList<>();
            for (Future<Optional<Throwable>> end : ends) {
                outcomes.add(end.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            }
            return outcomes;
        } catch (Exception e) {
            throw new AssertionError("racing actions did not end", e);
        } finally {
            threads.shutdownNow();
        }
    }

    /** A fluent {@link TurnWrite}: a running turn with no effects unless told otherwise. */
    public static final class Turn {
        private long executionId = 1;
        private final List<HistoryEvent> events = new ArrayList<>();
        private RuntimeStatus status = RuntimeStatus.RUNNING;
        private String name;
        private String version;
        private String output;
        private FailureDetails failure;
        private boolean customStatusChanged;
        private String customStatus;
        private final List<ActivityWorkItem> activities = new ArrayList<>();
        private final List<TimedMessage> messages = new ArrayList<>();
        private Long continueAsNew;
        private boolean terminal;

        public static Turn of(long executionId) {
            Turn t = new Turn();
            t.executionId = executionId;
            return t;
        }

        /** A turn of the fetched execution that appends every fetched message, in order. */
        public static Turn consuming(OrchestrationWorkItem item) {
            return of(item.execution().executionId())
                    .events(item.messages().stream().map(OrchestratorMessage::event).toList());
        }

        public Turn events(HistoryEvent... e) {
            events.addAll(List.of(e));
            return this;
        }

        public Turn events(List<HistoryEvent> e) {
            events.addAll(e);
            return this;
        }

        public Turn status(RuntimeStatus s) {
            status = s;
            return this;
        }

        public Turn version(String n, String v) {
            name = n;
            version = v;
            return this;
        }

        public Turn completed(String result) {
            status = RuntimeStatus.COMPLETED;
            output = result;
            terminal = true;
            return events(new HistoryEvent.ExecutionCompleted(now(), result));
        }

        public Turn failed(FailureDetails f) {
            status = RuntimeStatus.FAILED;
            failure = f;
            terminal = true;
            return events(new HistoryEvent.ExecutionFailed(now(), f));
        }

        /** Ends the execution with {@code s} and {@code f} without adding an event. */
        public Turn terminal(RuntimeStatus s, FailureDetails f) {
            status = s;
            failure = f;
            terminal = true;
            return this;
        }

        public Turn customStatus(String s) {
            customStatusChanged = true;
            customStatus = s;
            return this;
        }

        public Turn activity(ActivityWorkItem item) {
            activities.add(item);
            return this;
        }

        public Turn message(OrchestratorMessage m) {
            messages.add(TimedMessage.now(m));
            return this;
        }

        public Turn message(TimedMessage m) {
            messages.add(m);
            return this;
        }

        public Turn continueAsNew(long next) {
            continueAsNew = next;
            terminal = true;
            return this;
        }

        public TurnWrite build() {
            return new TurnWrite(executionId, events, status, name, version, output, failure, customStatusChanged,
                    customStatus, activities, messages, continueAsNew, terminal);
        }
    }
}
