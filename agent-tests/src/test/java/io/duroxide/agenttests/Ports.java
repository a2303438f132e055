package io.duroxide.agenttests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

public final class Ports {
    private Ports() {}

    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", 0));
            return s.getLocalPort();
        }
    }

    /** A fresh temp database path of its own for one test. */
    public static Path newDb(String name) throws IOException {
        Files.createDirectories(ChildJvm.WORK);
        Path dir = Files.createTempDirectory(ChildJvm.WORK, name + "-");
        return dir.resolve(name + ".db");
    }
}
