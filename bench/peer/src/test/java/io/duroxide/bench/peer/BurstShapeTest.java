package io.duroxide.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;

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

        assertShape(BurstShape.of(spans), new BurstShape(1000, 0, 0.5, 0.1, 0.5, 0.9));
    }

    @Test
    void turnsTakenInRotationFinishEveryoneNearTheEnd() {
        // twenty workflows started together; the first completes after 1900 ms, the rest 5 ms apart
        List<Span> spans = IntStream.range(0, 20).mapToObj(i -> new Span(T0, T0 + 1900 + 5L * i)).toList();

        assertShape(BurstShape.of(spans), new BurstShape(1995, 0, 1945.0 / 1995, 1905.0 / 1995, 1945.0 / 1995, 1985.0 / 1995));
    }

    @Test
    void startsSpreadOverTheDrainMeasureFromTheFirstStartWhateverTheOrderOfTheRows() {
        // started every 100 ms, each done 50 ms later: short latencies against a long drain
        List<Span> spans = new ArrayList<>(IntStream.range(0, 10).mapToObj(i -> new Span(T0 + 100L * i, T0 + 100L * i + 50)).toList());
        Collections.shuffle(spans, new Random(7));

        assertShape(BurstShape.of(spans), new BurstShape(950, 900.0 / 950, 50.0 / 950, 50.0 / 950, 450.0 / 950, 850.0 / 950));
    }

    @Test
    void roundsAverageTheirShapesFigureByFigure() {
        RoundResult steady = RoundResult.of(IntStream.rangeClosed(1, 10).mapToObj(i -> new Span(T0, T0 + 100L * i)).toList(), 0, 0);
        // started over the first 1350 ms, all done in the last 10: latencies 1650..2991 ms, median 2246
        RoundResult atTheEnd = RoundResult.of(IntStream.rangeClosed(1, 10).mapToObj(i -> new Span(T0 + 150L * (i - 1), T0 + 2990 + i))
                .toList(), 0, 0);

        BurstShape mean = RoundResult.mean(List.of(steady, atTheEnd)).shape();

        assertShape(mean, new BurstShape(2000, (0 + 1350.0 / 3000) / 2, (0.5 + 2246.0 / 3000) / 2, (0.1 + 2991.0 / 3000) / 2,
                (0.5 + 2995.0 / 3000) / 2, (0.9 + 2999.0 / 3000) / 2));
    }

    private static void assertShape(BurstShape actual, BurstShape expected) {
        assertThat(actual).usingRecursiveComparison()
                .withEqualsForType((a, b) -> Math.abs(a - b) < 1e-9, Double.class)
                .isEqualTo(expected);
    }
}
