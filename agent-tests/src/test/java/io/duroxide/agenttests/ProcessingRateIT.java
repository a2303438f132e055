package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The first processing rate a child JVM serves, scraped early while work flows, against its own counter of
 * processed items. The registry is built at the first scrape and the calls held until then are replayed in
 * milliseconds: a rate over that replay reads 50 to 100 times too high.
 *
 * <p>Bounds that hold whatever the machine's speed. The rate is {@code (C(p2) - C(p1)) / (p2 - p1)} for two polls
 * {@code p1 < p2} at least one poll interval apart, with {@code C} the items-processed counter. Poll {@code p1} runs
 * while the first scrape is answered (it waits for the registry and its first poll, so {@code C(p1)} is at most
 * what that scrape counts), {@code p2} before the first scrape showing the rate is rendered and after the scrape
 * before it. So: rate × interval ≤ items counted by the scrape that shows the rate, and rate × (that scrape's end
 * − the first scrape's start) ≥ items counted between the first scrape and the one before the rate.
 */
class ProcessingRateIT {
    /** The default: long enough that the first scrape, even on a loaded machine, ends before a second poll. */
    private static final Duration POLL = Duration.ofSeconds(5);
    /** The first scrape waits for the registry (bounded by the agent's init timeout, raised for a loaded machine). */
    private static final Duration SCRAPE_WAIT = Duration.ofSeconds(60);
    private static final List<String> TYPES = List.of("orchestration", "activity");
    /** The child's slots (2 orchestration, 4 activity): items that may end between a poll's count and its publishing. */
    private static final int SLOTS = 6;

    /** A scrape and when its answer had arrived. */
    record Timed(Scrape scrape, long endNanos) {
        double processed(String type) {
            return scrape.sum("duroxide_worker_items_processed_total", "worker_type", type);
        }

        boolean hasRates() {
            return scrape.labelValues("duroxide_worker_processing_rate", "worker_type").containsAll(TYPES);
        }
    }

    @Test
    void theFirstServedRateIsTheWorkOfARealPollInterval() throws Exception {
        Path db = Ports.newDb("processing-rate");
        try (ChildJvm child = ChildJvm.builder().name("processing-rate")
                .metricsOnFreePort()
                .env("DUROXIDE_METRICS_HOST", "127.0.0.1")
                .env("DUROXIDE_METRICS_POLL_INTERVAL", POLL.toMillis() + "ms")
                .env("DUROXIDE_METRICS_INIT_TIMEOUT", SCRAPE_WAIT.toSeconds() + "s")
                .args("steady", db.toString()).start()) {
            int port = child.metricsPort();
            child.awaitLine("RUNNING"::equals, Duration.ofSeconds(120)); // work was processed before the registry exists

            long firstStart = System.nanoTime();
            Timed first = scrape(port);
            Timed before = first;
            Timed withRate = first;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!withRate.hasRates()) {
                assertThat(System.nanoTime()).as("a processing rate within 60 s; last scrape:\n" + withRate.scrape.body)
                        .isLessThan(deadline);
                Thread.sleep(20);
                before = withRate;
                withRate = scrape(port);
            }

            for (String type : TYPES) {
                double rate = withRate.scrape.sum("duroxide_worker_processing_rate", "worker_type", type);
                double total = withRate.processed(type);
                System.out.printf("%s: first rate %.2f/s; processed %.0f at the first scrape, %.0f before the rate, %.0f with it,"
                        + " %.0f ms from the first scrape's start to the end of the one with the rate%n", type, rate, first.processed(type),
                        before.processed(type), total, (withRate.endNanos - firstStart) / 1e6);
                assertThat(rate * POLL.toNanos() / 1e9)
                        .as(type + ": items in one poll interval at the first rate, against all items processed so far")
                        .isLessThanOrEqualTo(total);
                assertThat(rate * (withRate.endNanos - firstStart) / 1e9)
                        .as(type + ": items at the first rate over the time that contains its interval, against the items"
                                + " counted between the first scrape and the one before the rate")
                        .isGreaterThanOrEqualTo(before.processed(type) - first.processed(type) - SLOTS);
            }
            System.out.printf("the first scrape took %.0f ms%n", (first.endNanos - firstStart) / 1e6);
            if (first.endNanos - firstStart < POLL.toNanos()) { // else a second poll may have run during it
                assertThat(first.scrape.series("duroxide_worker_processing_rate"))
                        .as("the first scrape (its poll was the registry's first) shows no rate: no interval was measured")
                        .isEmpty();
            }
            assertThat(TYPES).allSatisfy(t -> assertThat(first.processed(t)).as(t + " items held before the first scrape")
                    .isPositive());
            child.send("stop");
            child.awaitDone(Duration.ofSeconds(120));
            assertThat(child.finish(Duration.ofSeconds(30))).as(child.output()).isZero();
        }
    }

    private static Timed scrape(int port) throws Exception {
        Scrape s = Scrape.of(port, SCRAPE_WAIT.plusSeconds(30));
        return new Timed(s, System.nanoTime());
    }
}
