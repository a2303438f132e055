package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which activities run in the turn: short ones become local at 20 ms on average and stay local up to 50 ms, the mean
 * taken over time (about a second), not over attempts.
 */
class StepTimingTest {
    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    /** The timing after attempts of {@code millis} each, {@code everyMillis} apart, for {@code forMillis}. */
    private static StepTiming after(StepTiming from, long forMillis, long everyMillis, long millis) {
        StepTiming timing = from;
        for (long t = everyMillis; t <= forMillis; t += everyMillis) {
            timing = timing.next(ms(millis), from.updatedAtNanos() + ms(t));
        }
        return timing;
    }

    /** An activity first timed through the queue, where it ran in {@code millis}. */
    private static StepTiming queued(long millis) {
        return StepTiming.first(ms(millis), false, 0);
    }

    @Test
    void aFirstAttemptThroughTheQueueDecidesByTheLowerLimit() {
        assertThat(queued(20).local()).isTrue();
        assertThat(queued(21).local()).isFalse();
    }

    /** The probe ran in a turn: the activity is local already, and its first attempt in a fresh process pays for loading its code. */
    @Test
    void aFirstAttemptInATurnDecidesByTheUpperLimit() {
        assertThat(StepTiming.first(ms(30), true, 0).local()).isTrue();
        assertThat(StepTiming.first(ms(51), true, 0).local()).isFalse();
    }

    @Test
    void aLocalActivityThatSlowsDownForAWhileStaysLocal() {
        StepTiming busy = after(queued(10), 5_000, 10, 40);

        assertThat(busy.meanNanos()).isBetween(ms(39), ms(40));
        assertThat(busy.local()).isTrue();
        assertThat(after(queued(40), 5_000, 10, 40).local()).as("one that never was local").isFalse();
    }

    @Test
    void aLocalActivityWhoseMeanPassesTheUpperLimitGoesBackToTheQueueUntilItIsShortAgain() {
        StepTiming slow = after(queued(10), 5_000, 10, 80);
        assertThat(slow.local()).isFalse();

        StepTiming between = after(slow, 5_000, 10, 30);
        assertThat(between.meanNanos()).isBetween(ms(29), ms(31));
        assertThat(between.local()).as("between the limits, a queued activity stays queued").isFalse();

        assertThat(after(between, 5_000, 10, 10).local()).isTrue();
    }

    /**
     * A pause stalls every slot at once: 64 attempts of a 10 ms activity finish within a millisecond, each having
     * taken 100 ms. Counted one by one they would carry the mean past 50 ms; over time they are a millisecond's worth.
     */
    @Test
    void manyAttemptsSlowedTogetherByOnePauseDoNotMoveTheMeanFar() {
        StepTiming steady = after(queued(10), 2_000, 10, 10);
        StepTiming afterPause = steady;
        for (int i = 1; i <= 64; i++) {
            afterPause = afterPause.next(ms(100), steady.updatedAtNanos() + ms(100) + i * 15_000L);
        }
        assertThat(afterPause.local()).isTrue();
        assertThat(afterPause.meanNanos()).isLessThan(ms(30));
    }

    /** A slowdown that lasts moves the mean within about the memory, even at a low rate of attempts. */
    @Test
    void anActivityThatStaysSlowLeavesWithinAboutASecond() {
        StepTiming steady = after(queued(10), 2_000, 10, 10);
        assertThat(after(steady, 500, 100, 200).local()).isFalse();
        assertThat(steady.next(ms(200), steady.updatedAtNanos() + ms(5_000)).local()).as("one rare attempt").isFalse();
    }
}
