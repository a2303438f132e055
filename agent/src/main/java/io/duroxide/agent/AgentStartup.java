package io.duroxide.agent;

import io.duroxide.agent.instrumentation.Instrumentations;
import io.duroxide.agent.instrumentation.WeavingTransformer;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;

/**
 * What premain does, kept free of ASM and Micrometer so premain itself stays in the milliseconds:
 * register a gate transformer and start the daemon thread that builds the rest, beginning with putting
 * the JDK-only bridge classes into the bootstrap loader. Woven calls made before the recorders exist
 * are held by the bridge ({@code Bridge.hold}) and replayed when they are installed. The gate lets every class pass
 * untouched until the agent is ready, except classes that may be instrumented (engine-related classes
 * that are an instrumented type or may be a subtype of one, see {@link ClassFileSupertypes}): their loading waits
 * for the agent (bounded by {@code DUROXIDE_METRICS_INIT_TIMEOUT}) so that none of them escapes
 * instrumentation, which would lose counts.
 */
final class AgentStartup {
    private AgentStartup() {}

    static final String BRIDGE_PACKAGE = "io/duroxide/agent/bootstrap/";
    static final String[] BRIDGE_CLASSES = {
        "Bridge", "Bridge$ProviderCalls", "OrchestrationSink", "ActivitySink", "ProviderSink", "WorkerSink",
    };

    static volatile boolean bridgeInBootstrap;

    static void begin(AgentConfig config, Instrumentation inst, boolean attached, long t0) throws Exception {
        if (attached) {
            // classes are already loaded: build everything now and retransform
            bridgeInBootstrap = injectBridge(inst);
            long bridged = System.nanoTime();
            AgentInstaller.install(config, inst, weaver(config), true, t0, System.nanoTime(), bridged);
            return;
        }
        // Everything else happens on the init thread, the bridge's injection too (reading its class files and
        // defining them, or writing the fallback jar): nothing is woven before the gate opens, so nothing can call
        // the bridge before.
        Gate gate = new Gate(config.initTimeout.toMillis());
        inst.addTransformer(gate, false);
        Thread init = new Thread(new Init(config, inst, gate, t0), "duroxide-agent-init");
        init.setDaemon(true);
        init.setContextClassLoader(null);
        gate.initThread = init;
        init.start();
        Log.debug("premain done in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /** The init thread's body (a named class: no lambda on the premain path). */
    private static final class Init implements Runnable {
        private final AgentConfig config;
        private final Instrumentation inst;
        private final Gate gate;
        private final long t0;

        Init(AgentConfig config, Instrumentation inst, Gate gate, long t0) {
            this.config = config;
            this.inst = inst;
            this.gate = gate;
            this.t0 = t0;
        }

        @Override
        public void run() {
            WeavingTransformer weaving = null;
            try {
                // The engine's classes are woven ahead first: the application's first engine classes (its provider)
                // then find their woven bytes at the gate instead of weaving them itself while it waits. Woven code
                // calls the bridge, so the gate opens only once the bridge is in the bootstrap loader too.
                // The rest of the engine's classes load when the application starts its runtime, later: they are
                // woven ahead after the gate opened, while the application goes on.
                weaving = weaver(config);
                List<String> engine = Instrumentations.ENGINE_CLASSES;
                if (weaving != null) {
                    weaving.prepareSystemLoader(engine.subList(0, Instrumentations.STORE_CLASSES));
                }
                long woven = System.nanoTime();
                bridgeInBootstrap = injectBridge(inst);
                long bridged = System.nanoTime();
                // woven calls made before the recorders exist are held by the bridge and replayed, so the gate
                // can open now, without waiting for the metrics registry
                io.duroxide.agent.bootstrap.Bridge.hold(config.initTimeout.toMillis());
                gate.ready(weaving);
                if (weaving != null) {
                    weaving.prepareSystemLoader(engine.subList(Instrumentations.STORE_CLASSES, engine.size()));
                }
                AgentInstaller.install(config, inst, weaving, false, t0, woven, bridged);
            } catch (Throwable t) {
                Log.warn("initialisation failed, the application runs without metrics: " + t);
            } finally {
                if (!gate.isReady()) {
                    gate.ready(null); // failed before the bridge was in place: nothing is woven
                }
                io.duroxide.agent.bootstrap.Bridge.open(); // also when initialisation failed: drops what was held
            }
        }
    }

    /**
     * The weaving transformer of the enabled units, or null when none is; it matches no class loader before
     * {@link #bridgeInBootstrap} is known. Here and not in {@link AgentInstaller}: this runs before the bridge is
     * in the bootstrap loader, and verifying that class would load the bridge's types from the agent jar.
     */
    static WeavingTransformer weaver(AgentConfig config) {
        List<Instrumentations.Unit> units = Instrumentations.enabled(config);
        return units.isEmpty() ? null : new WeavingTransformer(units, new BridgeInBootstrap());
    }

    private static final class BridgeInBootstrap implements BooleanSupplier {
        @Override
        public boolean getAsBoolean() {
            return bridgeInBootstrap;
        }
    }

    /**
     * Puts the bridge classes into the bootstrap loader: defined there directly ({@link BootLoaderDefiner}), or, where
     * the JVM does not allow that, written into a small temp jar appended to the bootstrap search path.
     */
    private static boolean injectBridge(Instrumentation inst) {
        try {
            if (Class.forName("io.duroxide.agent.bootstrap.Bridge", false, null) != null) {
                return true; // a second agent instance: already there
            }
        } catch (ClassNotFoundException expected) {
            // inject it
        }
        try {
            ClassLoader own = AgentStartup.class.getClassLoader();
            String[] names = new String[BRIDGE_CLASSES.length];
            byte[][] bytes = new byte[BRIDGE_CLASSES.length][];
            for (int i = 0; i < BRIDGE_CLASSES.length; i++) {
                String entry = BRIDGE_PACKAGE + BRIDGE_CLASSES[i] + ".class";
                try (InputStream in = own.getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException("missing " + entry + " in the agent jar");
                    }
                    bytes[i] = in.readAllBytes();
                }
                names[i] = (BRIDGE_PACKAGE + BRIDGE_CLASSES[i]).replace('/', '.');
            }
            if (!BootLoaderDefiner.define(inst, names, bytes)) {
                appendJar(inst, names, bytes);
            }
            // The agent's own classes must resolve the bridge to the bootstrap copy too: one of them loaded (or
            // verified) before this point would have taken the agent jar's copy, and its sinks would never be called.
            for (String className : names) {
                if (Class.forName(className, false, own).getClassLoader() != null) {
                    Log.warn(className + " was loaded from the agent jar before the bootstrap copy existed; no metric will be recorded");
                    return false;
                }
            }
            return true;
        } catch (Throwable t) {
            Log.warn("could not add the bridge to the bootstrap class loader (" + t
                    + "); engines loaded by isolated class loaders will not be measured");
            return false;
        }
    }

    /** Writes the bridge classes into a small temp jar appended to the bootstrap search path. */
    private static void appendJar(Instrumentation inst, String[] names, byte[][] bytes) throws java.io.IOException {
        // not Files.createTempFile: its SecureRandom costs ~150 ms of start-up
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        Path jar = null;
        for (int attempt = 0; jar == null; attempt++) {
            Path candidate = dir.resolve("duroxide-agent-bootstrap-" + Integer.toHexString(System.identityHashCode(inst)) + "-"
                    + Long.toHexString(System.nanoTime()) + "-" + attempt + ".jar");
            try {
                jar = Files.createFile(candidate);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 5) {
                    throw e;
                }
            }
        }
        jar.toFile().deleteOnExit();
        BootstrapJarWriter bridgeJar = new BootstrapJarWriter();
        for (int i = 0; i < names.length; i++) {
            bridgeJar.add(names[i].replace('.', '/') + ".class", bytes[i]);
        }
        try (OutputStream fos = Files.newOutputStream(jar)) {
            fos.write(bridgeJar.toByteArray());
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
    }

    /**
     * The only transformer registered with the JVM. Before the agent is ready it passes everything
     * except classes that may be instrumented, which wait; afterwards it hands those to the weaving transformer.
     */
    static final class Gate implements ClassFileTransformer {
        private final long timeoutMillis;
        private final CountDownLatch latch = new CountDownLatch(1);
        private volatile ClassFileTransformer delegate;
        private volatile boolean done;
        volatile Thread initThread;

        Gate(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        boolean isReady() {
            return done;
        }

        void ready(ClassFileTransformer transformer) {
            delegate = transformer;
            done = true;
            latch.countDown();
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                ProtectionDomain domain, byte[] buffer) {
            try {
                if (loader == null || className == null || className.startsWith("io/duroxide/agent/")
                        || ClassFileSupertypes.isJdk(className)) {
                    return null; // the JDK's classes (platform loader) are never instrumented
                }
                // Only the engine's classes and classes that mention it can be instrumented: a class that
                // implements the Provider SPI names engine types in its constant pool (the interface or
                // the SPI method descriptors). Everything else skips the weaver entirely, so an
                // application's other classes (Jackson, JDBC drivers, ...) pay one byte scan, no matching.
                if (!className.startsWith("io/duroxide/") && !mentionsEngine(buffer)) {
                    return null;
                }
                // Of those, only possible targets and their possible subtypes wait and go to the weaver: the
                // application's main class or the engine's records can load while the agent starts.
                if (!ClassFileSupertypes.mayBeInstrumented(buffer)) {
                    return null;
                }
                ClassFileTransformer d = delegate;
                if (d == null) {
                    if (done || Thread.currentThread() == initThread) {
                        return null;
                    }
                    long waitStart = System.nanoTime();
                    if (!latch.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
                        Log.warnOnce("init-timeout", "not ready after " + timeoutMillis + " ms; " + className.replace('/', '.')
                                + " is loaded without instrumentation (raise DUROXIDE_METRICS_INIT_TIMEOUT)");
                        return null;
                    }
                    Log.debug(className.replace('/', '.') + " waited " + (System.nanoTime() - waitStart) / 1_000_000
                            + " ms for the weaver");
                    d = delegate;
                    if (d == null) {
                        return null;
                    }
                }
                return d.transform(module, loader, className, redefined, domain, buffer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Throwable t) {
                return null;
            }
        }

        private static final byte[] ENGINE = "io/duroxide/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        /** Horspool shifts: how far the pattern may move when the byte under its last position is {@code b}. */
        private static final int[] SHIFT = new int[256];

        static {
            java.util.Arrays.fill(SHIFT, ENGINE.length);
            for (int i = 0; i < ENGINE.length - 1; i++) {
                SHIFT[ENGINE[i] & 0xff] = ENGINE.length - 1 - i;
            }
        }

        /**
         * Whether the class file mentions {@code io/duroxide/}. Runs on the application's thread for every class it
         * loads, so it skips ahead (Boyer-Moore-Horspool): most bytes of a class file are not in the pattern and
         * move it by its whole length, about ten times fewer steps than a byte-by-byte scan while interpreted.
         */
        static boolean mentionsEngine(byte[] b) {
            if (b == null) {
                return false;
            }
            int last = ENGINE.length - 1;
            for (int i = 0, n = b.length - ENGINE.length; i <= n; i += SHIFT[b[i + last] & 0xff]) {
                int j = last;
                while (b[i + j] == ENGINE[j]) {
                    if (j == 0) {
                        return true;
                    }
                    j--;
                }
            }
            return false;
        }
    }
}
