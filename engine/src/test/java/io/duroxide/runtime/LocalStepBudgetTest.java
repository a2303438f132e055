package io.duroxide.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalStepBudgetTest {
    private static final long MS = 1_000_000L;
    private final LocalStepBudget budget = LocalStepBudget.DEFAULT;

    @Test
    void aChainOfStepsRunsHereUntilTheTurnsLimitWhateverEachBatchTook() {
        // each batch its own: the tenth step of a chain, 900 ms into the turn, starts a batch of its own
        assertThat(budget.allows(0, 900 * MS, 0, 900 * MS)).isTrue();
        assertThat(budget.allows(0, 1001 * MS, 0, 1001 * MS)).isFalse();
    }

    @Test
    void theStepsOfOneBatchRunHereUntilTheBatchsLimitThenGoThroughTheQueue() {
        assertThat(budget.allows(0, 0, 3, 100 * MS)).isTrue();
        assertThat(budget.allows(0, 0, 3, 101 * MS)).isFalse();
    }

    @Test
    void theFirstStepOfABatchRunsHereEvenPastTheBatchsLimitButNotPastTheTurns() {
        assertThat(budget.allows(0, 0, 0, 500 * MS)).isTrue();
        assertThat(budget.allows(0, 0, 0, 1500 * MS)).isFalse();
    }
}
