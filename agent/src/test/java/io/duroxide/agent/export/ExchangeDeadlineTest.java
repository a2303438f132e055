package io.duroxide.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.duroxide.agent.export.ExchangeDeadline.Phase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The states of one exchange, driven with explicit times; the interrupted thread is the test's own. */
class ExchangeDeadlineTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1000 * MS;
    private final Thread me = Thread.currentThread();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aRequestNotCompleteWithinTheTimeoutOfItsHandOverIsInterrupted() {
        ExchangeDeadline d = new ExchangeDeadline(0, SECOND);
        d.started(me, 100 * MS);
        assertThat(d.expireIfLate(SECOND - 1)).isFalse();
        assertThat(Thread.interrupted()).isFalse();
        assertThat(d.expireIfLate(SECOND)).as("counted from the hand-over, not from the start").isTrue();
        assertThat(Thread.interrupted()).isTrue();
        assertThat(d.phase()).isEqualTo(Phase.EXPIRED);
        assertThat(d.requestComplete()).as("the handler learns it came too late").isFalse();
        assertThat(d.expireIfLate(2 * SECOND)).as("interrupted once").isFalse();
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void aQueuedConnectionIsNotInterruptedAndGetsAGraceToReadWhenItsThreadComesLate() {
        ExchangeDeadline d = new ExchangeDeadline(0, SECOND);
        assertThat(d.expireIfLate(5 * SECOND)).as("no thread yet").isFalse();
        d.started(me, 10 * SECOND);
        assertThat(d.expireIfLate(10 * SECOND + ExchangeDeadline.LATE_START_GRACE_NANOS - 1)).isFalse();
        assertThat(Thread.interrupted()).isFalse();
        assertThat(d.expireIfLate(10 * SECOND + ExchangeDeadline.LATE_START_GRACE_NANOS)).isTrue();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void theGraceIsNeverLongerThanTheTimeout() {
        ExchangeDeadline d = new ExchangeDeadline(0, 100 * MS);
        d.started(me, SECOND);
        assertThat(d.expireIfLate(SECOND + 99 * MS)).isFalse();
        assertThat(d.expireIfLate(SECOND + 100 * MS)).isTrue();
    }

    @Test
    void preparingTheResponseIsNeverInterrupted() {
        ExchangeDeadline d = new ExchangeDeadline(0, SECOND);
        d.started(me, 0);
        assertThat(d.requestComplete()).isTrue();
        assertThat(d.expireIfLate(3600 * SECOND)).isFalse();
        assertThat(Thread.interrupted()).isFalse();
        assertThat(d.phase()).isEqualTo(Phase.PREPARING);
    }

    @Test
    void writingHasATimeoutOfItsOwnFromWhenTheResponseIsReady() {
        ExchangeDeadline d = new ExchangeDeadline(0, SECOND);
        d.started(me, 0);
        d.requestComplete();
        d.writing(30 * SECOND);
        assertThat(d.phase()).isEqualTo(Phase.WRITING);
        assertThat(d.expireIfLate(31 * SECOND - 1)).isFalse();
        assertThat(Thread.interrupted()).isFalse();
        assertThat(d.expireIfLate(31 * SECOND)).as("a client that does not take the response").isTrue();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void aFinishedExchangeNeverInterruptsTheThreadItsNextExchangeRunsOn() {
        ExchangeDeadline d = new ExchangeDeadline(0, SECOND);
        d.started(me, 0);
        d.requestComplete();
        d.writing(0);
        d.finished();
        assertThat(d.expireIfLate(3600 * SECOND)).isFalse();
        assertThat(Thread.interrupted()).isFalse();
        assertThat(d.phase()).isEqualTo(Phase.DONE);
    }
}
