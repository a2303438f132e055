package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which activities run in the turn: short ones become local at 20 ms on average and stay local up to 50 ms. */
class StepTimingTest {
    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    /** The timing after {@code attempts} attempts of {@code millis} each, starting from {@code from}. */
    private static StepTiming after(StepTiming from, int attempts, long millis) {
        StepTiming timing = from;
        for (int i = 0; i < attempts; i++) {
            timing = timing.next(ms(millis));
        }
        return timing;
    }

    @Test
    void aFirstAttemptDecidesUntilTheMeanMoves() {
        assertThat(StepTiming.first(ms(20)).local()).isTrue();
        assertThat(StepTiming.first(ms(21)).local()).isFalse();
    }

    @Test
    void aLocalActivityThatSlowsDownForAWhileStaysLocal() {
        StepTiming busy = after(StepTiming.first(ms(10)), 30, 40);

        assertThat(busy.meanNanos()).isBetween(ms(30), ms(40));
        assertThat(busy.local()).isTrue();
        assertThat(StepTiming.first(ms(40)).next(ms(40)).local()).as("one that never was local").isFalse();
    }

    @Test
    void aLocalActivityWhoseMeanPassesTheUpperLimitGoesBackToTheQueueUntilItIsShortAgain() {
        StepTiming slow = after(StepTiming.first(ms(10)), 30, 80);
        assertThat(slow.local()).isFalse();

        StepTiming between = after(slow, 60, 30);
        assertThat(between.meanNanos()).isBetween(ms(29), ms(32));
        assertThat(between.local()).as("between the limits, a queued activity stays queued").isFalse();

        assertThat(after(between, 60, 10).local()).isTrue();
    }
}
