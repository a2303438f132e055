package io.duroxide.runtime;

import io.duroxide.api.ActivityContext;
import io.duroxide.provider.ActivityWorkItem;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

final class ActivityContextImpl implements ActivityContext {
    private final ActivityWorkItem item;
    private final AtomicBoolean cancelled;
    private final BooleanSupplier shuttingDown;

    ActivityContextImpl(ActivityWorkItem item, AtomicBoolean cancelled, BooleanSupplier shuttingDown) {
        this.item = item;
        this.cancelled = cancelled;
        this.shuttingDown = shuttingDown;
    }

    @Override
    public String instanceId() {
        return item.instanceId();
    }

    @Override
    public long executionId() {
        return item.executionId();
    }

    @Override
    public String orchestrationName() {
        return item.orchestrationName();
    }

    @Override
    public String activityName() {
        return item.activityName();
    }

    @Override
    public String tag() {
        return item.tag();
    }

    @Override
    public int attemptNumber() {
        return item.attempt() + 1;
    }

    @Override
    public boolean isCancelled() {
        return cancelled.get() || shuttingDown.getAsBoolean();
    }
}
