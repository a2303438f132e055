package io.duroxide.api;

/**
 * The durable result of something an orchestration scheduled. {@link #await()} returns the result
 * when history already holds it; otherwise it unwinds the orchestration method (with an
 * {@link Error}, so ordinary {@code catch (Exception e)} blocks do not intercept it) and the turn
 * ends. The engine re-executes the orchestration when a new result arrives.
 */
public abstract class Task<V> {

    /** Returns the result, throws {@link TaskFailedException} if the task failed, or suspends the turn. */
    public abstract V await();

    public abstract boolean isDone();

    public abstract boolean isFailed();
}
