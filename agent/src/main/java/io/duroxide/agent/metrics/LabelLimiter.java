package io.duroxide.agent.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the values of one label key: the first {@code cap} distinct values are kept, every later new
 * value becomes {@value #OTHER}. An absent (null or empty) value is {@value #NONE}. Lookups of admitted
 * values are lock-free and allocation-free.
 */
public final class LabelLimiter {
    public static final String NONE = "none";
    public static final String OTHER = "other";

    private final String key;
    private final int cap;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();
    private final AtomicLong overflowed = new AtomicLong();

    public LabelLimiter(String key, int cap) {
        this.key = key;
        this.cap = Math.max(1, cap);
    }

    public String apply(String value) {
        if (value == null || value.isEmpty()) {
            value = NONE;
        }
        if (admitted.contains(value)) {
            return value;
        }
        return admitSlow(value);
    }

    private synchronized String admitSlow(String value) {
        if (admitted.contains(value)) {
            return value;
        }
        if (admitted.size() >= cap) {
            if (overflowed.getAndIncrement() == 0) {
                io.duroxide.agent.config.Log.warn("label " + key + " reached its cap of " + cap
                        + " distinct values; further values are reported as \"" + OTHER + "\"");
            }
            return OTHER;
        }
        admitted.add(value);
        return value;
    }

    public String key() {
        return key;
    }

    public int cap() {
        return cap;
    }

    public int size() {
        return admitted.size();
    }

    public long overflowCount() {
        return overflowed.get();
    }
}
