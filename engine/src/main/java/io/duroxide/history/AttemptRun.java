package io.duroxide.history;

/**
 * When and how one activity attempt ran, carried by the event that reports its result, so a timeline can
 * show the wait in the queue (scheduled until started) apart from the run (started until finished) without
 * a write when the attempt starts. Times are the worker's clock, epoch milliseconds.
 *
 * @param startedAtMs when the worker started running the attempt
 * @param finishedAtMs when its result (or failure) was known
 * @param deliveryCount how many times its work item had been fetched, this run included: above 1 when a worker
 *     that held it before died or gave it back
 */
public record AttemptRun(long startedAtMs, long finishedAtMs, int deliveryCount) {

    public long durationMs() {
        return finishedAtMs - startedAtMs;
    }
}
