package io.duroxide.agenttests.apps;

/**
 * An application that brings its own (different) Micrometer and Byte Buddy, uses them, then runs the
 * known workload. Loaded reflectively so this module compiles without them.
 */
public final class ConflictingLibrariesApp {
    private ConflictingLibrariesApp() {}

    public static void main(String[] args) throws Exception {
        // the application's own Micrometer
        Class<?> simple = Class.forName("io.micrometer.core.instrument.simple.SimpleMeterRegistry");
        Object registry = simple.getConstructor().newInstance();
        Object counter = simple.getMethod("counter", String.class, String[].class).invoke(registry, "app.work", new String[0]);
        counter.getClass().getMethod("increment").invoke(counter);
        Object version = Class.forName("io.micrometer.core.instrument.MeterRegistry").getPackage().getImplementationVersion();
        // the application's own Byte Buddy
        Class<?> byteBuddy = Class.forName("net.bytebuddy.ByteBuddy");
        Object bb = byteBuddy.getConstructor().newInstance();
        Object builder = byteBuddy.getMethod("subclass", Class.class).invoke(bb, Object.class);
        Object unloaded = builder.getClass().getMethod("make").invoke(builder);
        Object loaded = unloaded.getClass().getMethod("load", ClassLoader.class).invoke(unloaded, ConflictingLibrariesApp.class.getClassLoader());
        Class<?> made = (Class<?>) loaded.getClass().getMethod("getLoaded").invoke(loaded);
        String bbJar = byteBuddy.getProtectionDomain().getCodeSource().getLocation().getPath();
        String bbVersion = bbJar.substring(bbJar.lastIndexOf('/') + 1);
        System.out.println("APP_LIBS micrometer=" + version + " bytebuddy=" + bbVersion + " made=" + made.getName());
        Workload.main(args);
    }
}
