package io.duroxide.bench.peer;

/**
 * What each workflow of a round does: {@value #STEPS} steps, one after the other ({@code sequential}) or
 * all at once and joined ({@code fanout}), each step sleeping {@code stepMillis} (0: a no-op, so the
 * engine and its store decide the speed).
 */
record Workload(String shape, long stepMillis) {
    static final int STEPS = 5;
    static final String SEQUENTIAL = "sequential";
    static final String FAN_OUT = "fanout";

    Workload {
        if (!shape.equals(SEQUENTIAL) && !shape.equals(FAN_OUT)) {
            throw new IllegalArgumentException("a workload is sequential or fanout, was '" + shape + "'");
        }
        if (stepMillis < 0) {
            throw new IllegalArgumentException("step milliseconds must not be negative, was " + stepMillis);
        }
    }

    /** {@code sequential/0ms}; parsed back by {@link #parse}. */
    String label() {
        return shape + "/" + stepMillis + "ms";
    }

    static Workload parse(String label) {
        String[] parts = label.split("/", 2);
        if (parts.length != 2 || !parts[1].endsWith("ms")) {
            throw new IllegalArgumentException("a workload is written shape/Nms, e.g. sequential/0ms, was '" + label + "'");
        }
        return new Workload(parts[0], Long.parseLong(parts[1].substring(0, parts[1].length() - 2)));
    }

    boolean fanOut() {
        return shape.equals(FAN_OUT);
    }

    /** One step's body on either engine: the sleep, then the step's own number back. */
    int step(int n) throws InterruptedException {
        if (stepMillis > 0) {
            Thread.sleep(stepMillis);
        }
        return n;
    }
}
