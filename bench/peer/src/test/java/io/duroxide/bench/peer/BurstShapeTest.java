package io.duroxide.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BurstShapeTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void steadyCompletionsOfABurstStartedAtOnceGiveATenthAHalfAndNineTenths() {
        // ten workflows started together, one completing every 100 ms
        List<Span> spans = IntStream.rangeClosed(1, 10).mapToObj(i -> new Span(T0, T0 + 100L * i)).toList();

        BurstShape shape = BurstShape.of(spans);

        assertThat(shape.drainMs()).isEqualTo(1000);
        assertThat(shape.lastStarted()).isZero();
        assertThat(shape.medianOfDrain()).isCloseTo(0.5, within(1e-9));
        assertThat(shape.tenthDone()).isCloseTo(0.1, within(1e-9));
        assertThat(shape.halfDone()).isCloseTo(0.5, within(1e-9));
        assertThat(shape.ninetiethDone()).isCloseTo(0.9, within(1e-9));
    }

    @Test
    void turnsTakenInRotationFinishEveryoneNearTheEnd() {
        // twenty workflows started together; the first completes after 1900 ms, the rest 5 ms apart
        List<Span> spans = IntStream.range(0, 20).mapToObj(i -> new Span(T0, T0 + 1900 + 5L * i)).toList();

        BurstShape shape = BurstShape.of(spans);

        assertThat(shape.drainMs()).isEqualTo(1995);
        assertThat(shape.tenthDone()).isCloseTo(1905.0 / 1995, within(1e-9));
        assertThat(shape.halfDone()).isCloseTo(1945.0 / 1995, within(1e-9));
        assertThat(shape.ninetiethDone()).isCloseTo(1985.0 / 1995, within(1e-9));
        assertThat(shape.medianOfDrain()).isCloseTo(1945.0 / 1995, within(1e-9));
    }

    @Test
    void startsSpreadOverTheDrainMeasureFromTheFirstStartWhateverTheOrderOfTheRows() {
        // started every 100 ms, each done 50 ms later: short latencies against a long drain
        List<Span> spans = new ArrayList<>(IntStream.range(0, 10).mapToObj(i -> new Span(T0 + 100L * i, T0 + 100L * i + 50)).toList());
        Collections.shuffle(spans, new Random(7));

        BurstShape shape = BurstShape.of(spans);

        assertThat(shape.drainMs()).isEqualTo(950);
        assertThat(shape.lastStarted()).isCloseTo(900.0 / 950, within(1e-9));
        assertThat(shape.medianOfDrain()).isCloseTo(50.0 / 950, within(1e-9));
        assertThat(shape.tenthDone()).isCloseTo(50.0 / 950, within(1e-9));
        assertThat(shape.halfDone()).isCloseTo(450.0 / 950, within(1e-9));
        assertThat(shape.ninetiethDone()).isCloseTo(850.0 / 950, within(1e-9));
    }

    @Test
    void roundsAverageTheirShapesFigureByFigure() {
        RoundResult steady = RoundResult.of(IntStream.rangeClosed(1, 10).mapToObj(i -> new Span(T0, T0 + 100L * i)).toList(), 0, 0);
        // started over the first 1500 ms
        RoundResult atTheEnd = RoundResult.of(IntStream.rangeClosed(1, 10).mapToObj(i -> new Span(T0 + 150L * (i - 1), T0 + 2990 + i))
                .toList(), 0, 0);

        BurstShape mean = RoundResult.mean(List.of(steady, atTheEnd)).shape();

        assertThat(mean.drainMs()).isEqualTo(2000);
        assertThat(mean.lastStarted()).isCloseTo((0 + 1350.0 / 3000) / 2, within(1e-9));
        assertThat(mean.tenthDone()).isCloseTo((0.1 + 2991.0 / 3000) / 2, within(1e-9));
        assertThat(mean.ninetiethDone()).isCloseTo((0.9 + 2999.0 / 3000) / 2, within(1e-9));
        assertThat(mean.medianOfDrain()).isCloseTo((0.5 + 2246.0 / 3000) / 2, within(1e-9)); // latencies 1650..2991 ms
        assertThat(mean.halfDone()).isCloseTo((0.5 + 2995.0 / 3000) / 2, within(1e-9));
    }
}
