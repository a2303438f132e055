package io.duroxide.runtime;

import io.duroxide.api.JsonConverter;
import io.duroxide.api.Orchestration;
import io.duroxide.api.PayloadTooLargeException;
import io.duroxide.api.TaskFailedException;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.FailureDetails;
import io.duroxide.history.FailureKind;
import io.duroxide.history.HistoryEvent;
import java.util.List;

/** Runs an orchestration function once over a history and classifies how it ended. Needs no storage. */
final class ReplayEngine {
    private ReplayEngine() {}

    /**
     * @param events persisted history followed by the events this turn adds; the first must be ExecutionStarted
     * @param persistedCount how many of {@code events} were already durable (the replaying prefix)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static ReplayResult run(
            Orchestration orchestration,
            Class<?> inputType,
            String instanceId,
            String version,
            long executionId,
            List<HistoryEvent> events,
            int persistedCount,
            long turnTimeMs,
            JsonConverter json) {
        if (events.isEmpty() || !(events.get(0) instanceof HistoryEvent.ExecutionStarted started)) {
            return failed(new FailureDetails(FailureKind.NONDETERMINISM, "io.duroxide.CorruptHistory", List.of("io.duroxide.CorruptHistory"),
                    "history of instance " + instanceId + " does not begin with ExecutionStarted", null, false));
        }
        ReplayContext ctx = new ReplayContext(instanceId, started.name(), version, executionId, events, persistedCount, turnTimeMs, json);
        Object input;
        try {
            ctx.advance();
            input = json.fromJson(started.input(), inputType);
        } catch (JsonConverter.PayloadException e) {
            return failed(FailureDetails.fromThrowable(FailureKind.APPLICATION, e));
        }

        Object output = null;
        Throwable thrown = null;
        try {
            output = orchestration.run(ctx, input);
        } catch (Throwable t) {
            thrown = t;
        }

        if (ctx.nondeterminism() != null) {
            return failed(ctx.nondeterminism());
        }
        if (ctx.continueAsNewRequested()) {
            return new ReplayResult(ReplayResult.Kind.CONTINUED_AS_NEW, null, null, ctx.continueAsNewInput(), List.of(),
                    ctx.customStatusSet(), ctx.customStatusJson(), null);
        }
        if (thrown instanceof TurnSuspension) {
            return new ReplayResult(ReplayResult.Kind.CONTINUES, null, null, null, ctx.newActions(),
                    ctx.customStatusSet(), ctx.customStatusJson(), null);
        }
        if (ctx.suspendedOn() != null) {
            return failed(new FailureDetails(FailureKind.APPLICATION, "io.duroxide.SwallowedSuspension", List.of("io.duroxide.SwallowedSuspension"),
                    "orchestration '" + started.name() + "' caught the engine's suspension signal while waiting for "
                            + ctx.suspendedOn() + "; do not catch Throwable or Error around Task.await()", null, false));
        }
        if (thrown instanceof Error error) {
            return new ReplayResult(ReplayResult.Kind.CRASHED, null, null, null, List.of(), false, null, error);
        }
        if (thrown != null) {
            return failed(failureOf(thrown));
        }
        try {
            while (ctx.advance()) {
                // Validate the rest of history: every recorded schedule must still be emitted by the code.
            }
        } catch (ReplayAbort abort) {
            return failed(ctx.nondeterminism());
        }
        String outputJson;
        try {
            outputJson = PayloadTooLargeException.check("output of orchestration '" + started.name() + "'", json.toJson(output),
                    PayloadTooLargeException.MAX_PAYLOAD_BYTES);
        } catch (JsonConverter.PayloadException | PayloadTooLargeException e) {
            return failed(FailureDetails.fromThrowable(FailureKind.APPLICATION, e));
        }
        return new ReplayResult(ReplayResult.Kind.COMPLETED, outputJson, null, null, List.of(),
                ctx.customStatusSet(), ctx.customStatusJson(), null);
    }

    /** A task failure that escapes the orchestration keeps the original kind, type and code. */
    private static FailureDetails failureOf(Throwable thrown) {
        if (thrown instanceof TaskFailedException tfe) {
            FailureDetails inner = ApiFailures.fromApi(tfe.details());
            return new FailureDetails(inner.kind(), inner.errorType(), inner.classChain(), tfe.getMessage(), inner.errorCode(), inner.retryable());
        }
        return FailureDetails.fromThrowable(FailureKind.APPLICATION, thrown);
    }

    private static ReplayResult failed(FailureDetails failure) {
        return new ReplayResult(ReplayResult.Kind.FAILED, null, failure, null, List.of(), false, null, null);
    }
}
