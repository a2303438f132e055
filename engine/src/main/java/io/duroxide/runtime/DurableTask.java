package io.duroxide.runtime;

import io.duroxide.api.Task;
import io.duroxide.api.TaskFailedException;
import io.duroxide.history.ApiFailures;
import io.duroxide.history.FailureDetails;
import java.util.ArrayList;
import java.util.List;

/**
 * A task whose result is delivered by the replay loop. Everything runs on the single thread of one
 * turn, so there is no synchronisation; listeners run inline when the task completes, which is what
 * lets composite and retrying tasks schedule follow-up work at a deterministic point of history.
 */
class DurableTask<V> extends Task<V> {
    private final ReplayContext ctx;
    private final String description;
    private boolean done;
    private V value;
    private FailureDetails failure;
    private List<Runnable> listeners;

    DurableTask(ReplayContext ctx, String description) {
        this.ctx = ctx;
        this.description = description;
    }

    @Override
    public V await() {
        while (!done) {
            if (!ctx.advance()) {
                throw ctx.suspend(description);
            }
        }
        if (failure != null) {
            throw new TaskFailedException(description, ApiFailures.toApi(failure));
        }
        return value;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public boolean isFailed() {
        return done && failure != null;
    }

    String description() {
        return description;
    }

    V value() {
        return value;
    }

    FailureDetails failure() {
        return failure;
    }

    ReplayContext ctx() {
        return ctx;
    }

    void complete(V result) {
        if (!done) {
            done = true;
            value = result;
            fire();
        }
    }

    void fail(FailureDetails details) {
        if (!done) {
            done = true;
            failure = details;
            fire();
        }
    }

    void onDone(Runnable listener) {
        if (done) {
            listener.run();
            return;
        }
        if (listeners == null) {
            listeners = new ArrayList<>(2);
        }
        listeners.add(listener);
    }

    private void fire() {
        if (listeners != null) {
            List<Runnable> toRun = listeners;
            listeners = null;
            toRun.forEach(Runnable::run);
        }
    }
}
