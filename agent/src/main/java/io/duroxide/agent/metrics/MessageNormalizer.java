package io.duroxide.agent.metrics;

import java.util.regex.Pattern;

/**
 * Turns an error message into a low-cardinality label value for {@code DUROXIDE_METRICS_INCLUDE_ERROR_MESSAGES}:
 * first line only; UUIDs, hex strings, numbers and quoted strings are replaced by placeholders; whitespace
 * is collapsed; the result is truncated to the configured length (with "..."). The label limiter then caps
 * the number of distinct values.
 */
public final class MessageNormalizer {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern HEX = Pattern.compile("\\b(0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\\b|\\b(0x)?[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\\b");
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"|`[^`]*`");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])-?\\d+(\\.\\d+)?|\\d+");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private final int maxLength;

    public MessageNormalizer(int maxLength) {
        this.maxLength = Math.max(8, maxLength);
    }

    public String normalize(String message) {
        if (message == null) {
            return LabelLimiter.NONE;
        }
        String m = message;
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        if (m.length() > 4 * maxLength) {
            m = m.substring(0, 4 * maxLength);
        }
        m = UUID.matcher(m).replaceAll("<uuid>");
        m = QUOTED.matcher(m).replaceAll("<str>");
        m = HEX.matcher(m).replaceAll(r -> r.group().length() >= 8 ? "<hex>" : r.group());
        m = NUMBER.matcher(m).replaceAll("<n>");
        m = SPACE.matcher(m).replaceAll(" ").trim();
        if (m.isEmpty()) {
            return LabelLimiter.NONE;
        }
        if (m.length() > maxLength) {
            m = m.substring(0, maxLength - 3) + "...";
        }
        return m;
    }
}
