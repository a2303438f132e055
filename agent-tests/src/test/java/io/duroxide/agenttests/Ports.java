package io.duroxide.agenttests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

public final class Ports {
    private Ports() {}

    /** Every port {@link #free} returned in this JVM: a test's child JVMs may hold several of them at once. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A port free now and never returned before in this JVM, for a server that cannot report a port the kernel
     * picked (the Prometheus server); the agent can, see {@link ChildJvm.Builder#metricsOnFreePort}. The kernel
     * may hand the same ephemeral port to two binds in a row once the first socket is closed (about 1 in 4,000
     * pairs here), so ports handed out are remembered. Something else may still take the port before the server
     * binds it.
     */
    public static int free() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("0.0.0.0", 0));
                port = s.getLocalPort();
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IOException("the kernel offered only ports already handed out, 100 times");
    }

    /** A fresh temp database path of its own for one test. */
    public static Path newDb(String name) throws IOException {
        Files.createDirectories(ChildJvm.WORK);
        Path dir = Files.createTempDirectory(ChildJvm.WORK, name + "-");
        return dir.resolve(name + ".db");
    }
}
