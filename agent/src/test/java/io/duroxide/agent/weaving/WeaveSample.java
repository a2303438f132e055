package io.duroxide.agent.weaving;

/** A class the weaving tests weave (in a class loader of their own): returns, exceptions, own handlers, wide types. */
public class WeaveSample {
    private final String id;

    public WeaveSample(String id) {
        this.id = id;
    }

    public String greet(String name) {
        if (name == null) {
            throw new IllegalArgumentException("no name");
        }
        return id + ":" + name;
    }

    public long sum(long a, double b, int times) {
        long total = 0;
        for (int i = 0; i < times; i++) {
            total += a + (long) b;
        }
        return total;
    }

    public int recovers(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public void nothing() {
        // a void method
    }

    public String notWoven() {
        return "plain";
    }
}
