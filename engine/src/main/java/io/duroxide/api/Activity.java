package io.duroxide.api;

/** An activity: the unit of side effects. Delivered at least once, so it should be idempotent. */
@FunctionalInterface
public interface Activity<I, O> {
    O run(ActivityContext ctx, I input) throws Exception;
}
