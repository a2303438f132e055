package io.duroxide.bench;

import io.duroxide.api.InstanceAlreadyExistsException;
import io.duroxide.provider.ProviderException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes one start happen despite transient store errors (a restarting server, a busy file): a start that
 * fails with a retryable {@link ProviderException} is tried again with a doubling backoff until it succeeds
 * or the store has failed for {@code giveUpAfter} without a break. Every failed attempt is counted.
 */
final class RetryingStarts {
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    /** A start that could not be made: the store refused it for good or for longer than allowed. */
    static final class StartFailed extends Exception {
        StartFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One attempt at a start. */
    @FunctionalInterface
    interface Start {
        void run();
    }

    private final Duration giveUpAfter;
    private final AtomicInteger errors = new AtomicInteger();

    RetryingStarts(Duration giveUpAfter) {
        this.giveUpAfter = giveUpAfter;
    }

    /** Failed attempts so far, retried or not. */
    int errors() {
        return errors.get();
    }

    /**
     * Runs {@code start} until it succeeds. An attempt refused because the instance exists after an earlier
     * attempt failed is a success: that attempt committed and only its answer was lost.
     */
    void start(String instanceId, Start start) throws StartFailed, InterruptedException {
        long firstFailure = 0;
        long backoffNanos = FIRST_BACKOFF.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                start.run();
                return;
            } catch (InstanceAlreadyExistsException e) {
                if (attempt > 1) {
                    return;
                }
                throw new StartFailed("instance " + instanceId + " already exists", e);
            } catch (ProviderException e) {
                errors.incrementAndGet();
                long now = System.nanoTime();
                firstFailure = attempt == 1 ? now : firstFailure;
                if (!e.retryable()) {
                    throw new StartFailed("cannot start instance " + instanceId + ": " + e.getMessage(), e);
                }
                if (now - firstFailure >= giveUpAfter.toNanos()) {
                    throw new StartFailed("cannot start instance " + instanceId + ": the store failed for "
                            + giveUpAfter.toSeconds() + " s (" + attempt + " attempts), last: " + e.getMessage(), e);
                }
                Thread.sleep(backoffNanos / 1_000_000);
                backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF.toNanos());
            }
        }
    }
}
