package io.duroxide.agent.weaving;

import java.util.ArrayList;
import java.util.List;

/** What the sample advice saw (the woven class calls it through its parent class loader). */
public final class Calls {
    private Calls() {}

    public record Exit(long start, Object self, String method, String returned, Throwable thrown) {}

    public static final List<Exit> EXITS = new ArrayList<>();

    public static long enter() {
        return 42L;
    }

    public static void exit(long start, Object self, String method, String returned, Throwable thrown) {
        EXITS.add(new Exit(start, self, method, returned, thrown));
    }
}
