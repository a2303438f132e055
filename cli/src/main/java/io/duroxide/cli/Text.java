package io.duroxide.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How times, durations and payloads read in the human output: UTC to the millisecond, payloads cut short. */
final class Text {
    private static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Text() {}

    static String time(Instant at) {
        return at == null ? "-" : INSTANT.format(at);
    }

    static String time(long epochMs) {
        return time(Instant.ofEpochMilli(epochMs));
    }

    /** {@code 850 ms}, {@code 12.3 s}, {@code 4 min 05 s}, {@code 2 h 03 min}. */
    static String duration(long millis) {
        if (millis < 0) {
            return "-" + duration(-millis);
        }
        if (millis < 1_000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format("%.1f s", millis / 1000.0);
        }
        Duration d = Duration.ofMillis(millis);
        if (millis < 3_600_000) {
            return String.format("%d min %02d s", d.toMinutes(), d.toSecondsPart());
        }
        return String.format("%d h %02d min", d.toHours(), d.toMinutesPart());
    }

    /** The text cut to {@code max} characters with a note of how much was left out; null is {@code -}. */
    static String truncate(String text, int max) {
        if (text == null) {
            return "-";
        }
        String oneLine = text.replace('\n', ' ');
        if (max <= 0 || oneLine.length() <= max) {
            return oneLine;
        }
        return oneLine.substring(0, max) + "... (" + oneLine.length() + " chars)";
    }
}
