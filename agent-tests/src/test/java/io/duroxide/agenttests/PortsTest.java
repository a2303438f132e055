package io.duroxide.agenttests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

    /** Bare binds to port 0 repeat about 250 ports in 2,000 here; a test's child JVMs must never share one. */
    @Test
    void neverHandsOutAPortTwice() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            int port = Ports.free();
            assertThat(seen.add(port)).as("port %d handed out twice, after %d others", port, i).isTrue();
        }
    }
}
