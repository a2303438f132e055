package io.duroxide.agenttests.apps;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link Workload} inside a URLClassLoader whose parent is the platform loader, so the engine is
 * invisible to the system class loader (the application-server / plugin case). Its own class path holds
 * only this launcher. Usage: {@code IsolatedLauncher <classpath-file> <workload args...>}.
 */
public final class IsolatedLauncher {
    private IsolatedLauncher() {}

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : Files.readString(Path.of(args[0])).trim().split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader isolated = new URLClassLoader("isolated", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Class<?> workload = Class.forName("io.duroxide.agenttests.apps.Workload", true, isolated);
            if (workload.getClassLoader() != isolated) {
                throw new IllegalStateException("workload not isolated: " + workload.getClassLoader());
            }
            Thread.currentThread().setContextClassLoader(isolated);
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            workload.getMethod("main", String[].class).invoke(null, (Object) rest);
        }
    }
}
