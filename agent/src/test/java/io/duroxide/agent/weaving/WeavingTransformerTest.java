package io.duroxide.agent.weaving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeavingTransformerTest {
    private static final String SAMPLE = WeaveSample.class.getName();

    @BeforeEach
    void clear() {
        Calls.EXITS.clear();
    }

    private static byte[] bytesOf(String className) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Weaves the sample with one unit and loads it in a class loader of its own (the advice's calls go to the parent). */
    private static Class<?> woven(Instrumentations.MethodAdvice... advice) throws Exception {
        Instrumentations.Unit unit = new Instrumentations.Unit("sample", type -> type.name().equals(SAMPLE), List.of(advice));
        WeavingTransformer weaver = new WeavingTransformer(List.of(unit), () -> true);
        ClassLoader parent = WeavingTransformerTest.class.getClassLoader();
        byte[] bytes = weaver.weave(new TypeHierarchy(parent), bytesOf(SAMPLE));
        assertThat(bytes).isNotNull();
        ClassLoader own = new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(SAMPLE)) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, bytes, 0, bytes.length);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return Class.forName(SAMPLE, true, own);
    }

    private static Object call(Object target, String method, Object... args) throws Throwable {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(method)) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(method);
    }

    private static Object sample(Class<?> type) throws Exception {
        return type.getConstructor(String.class).newInstance("s");
    }

    @Test
    void exitSeesEnterValueThisMethodNameAndReturnValueAndTheResultIsUnchanged() throws Throwable {
        Class<?> type = woven(new Instrumentations.MethodAdvice(m -> !m.named("notWoven"), SampleAdvice.class.getName()));
        Object s = sample(type);

        assertThat(call(s, "greet", "ann")).isEqualTo("s:ann");
        assertThat(call(s, "sum", 2L, 1.5d, 3)).isEqualTo(9L);
        assertThat(call(s, "recovers", "x")).isEqualTo(-1);
        assertThat(call(s, "recovers", "7")).isEqualTo(7);
        call(s, "nothing");
        assertThat(call(s, "notWoven")).isEqualTo("plain");

        assertThat(Calls.EXITS).extracting(Calls.Exit::method)
                .containsExactly("greet", "sum", "recovers", "recovers", "nothing");
        assertThat(Calls.EXITS).extracting(Calls.Exit::returned).containsExactly("s:ann", "9", "-1", "7", null);
        assertThat(Calls.EXITS).allSatisfy(e -> {
            assertThat(e.start()).isEqualTo(42L);
            assertThat(e.self()).isSameAs(s);
            assertThat(e.thrown()).isNull(); // the exception recovers() catches itself is not the method's
        });
    }

    @Test
    void anExceptionIsSeenByTheExitAndRethrownUnchanged() throws Throwable {
        Class<?> type = woven(new Instrumentations.MethodAdvice(m -> m.named("greet"), SampleAdvice.class.getName()));
        Object s = sample(type);

        assertThatThrownBy(() -> call(s, "greet", (Object) null)).isInstanceOf(IllegalArgumentException.class).hasMessage("no name");

        assertThat(Calls.EXITS).hasSize(1);
        assertThat(Calls.EXITS.get(0).thrown()).isInstanceOf(IllegalArgumentException.class);
        assertThat(Calls.EXITS.get(0).returned()).isNull();
    }

    @Test
    void anExitOnlyAdviceSeesTheArgumentTheReturnValueAndTheException() throws Throwable {
        Class<?> type = woven(new Instrumentations.MethodAdvice(m -> m.named("greet"), ExitOnlyAdvice.class.getName()));
        Object s = sample(type);

        assertThat(call(s, "greet", "dee")).isEqualTo("s:dee");
        assertThatThrownBy(() -> call(s, "greet", (Object) null)).isInstanceOf(IllegalArgumentException.class).hasMessage("no name");

        assertThat(Calls.EXITS).extracting(Calls.Exit::method).containsExactly("exitOnly", "exitOnly");
        assertThat(Calls.EXITS).extracting(Calls.Exit::self).containsExactly("dee", null);
        assertThat(Calls.EXITS).extracting(Calls.Exit::returned).containsExactly("s:dee", null);
        assertThat(Calls.EXITS.get(0).thrown()).isNull();
        assertThat(Calls.EXITS.get(1).thrown()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adviceThatThrowsIsSuppressedAndTheEnterValueIsThenItsDefault() throws Throwable {
        Class<?> type = woven(new Instrumentations.MethodAdvice(m -> m.named("greet"), ThrowingAdvice.class.getName()));
        Object s = sample(type);

        assertThat(call(s, "greet", "bob")).isEqualTo("s:bob");
        assertThat(call(s, "greet", "")).isEqualTo("s:");

        assertThat(Calls.EXITS).extracting(Calls.Exit::start).containsExactly(3L, 0L);
    }

    @Test
    void twoAdviceClassesOnOneMethodBothRun() throws Throwable {
        Class<?> type = woven(new Instrumentations.MethodAdvice(m -> m.named("greet"), SampleAdvice.class.getName()),
                new Instrumentations.MethodAdvice(m -> m.named("greet"), ThrowingAdvice.class.getName()));
        Object s = sample(type);

        assertThat(call(s, "greet", "cy")).isEqualTo("s:cy");

        assertThat(Calls.EXITS).extracting(Calls.Exit::method).containsExactlyInAnyOrder("greet", "throwing");
    }

    @Test
    void aClassNoUnitMatchesIsLeftAlone() throws Exception {
        Instrumentations.Unit unit = new Instrumentations.Unit("none", type -> false, List.of());
        WeavingTransformer weaver = new WeavingTransformer(List.of(unit), () -> true);
        assertThat(weaver.weave(new TypeHierarchy(getClass().getClassLoader()), bytesOf(SAMPLE))).isNull();
    }

    @Test
    void theEngineClassesAreWovenWithTheAgentsUnits() throws Exception {
        io.duroxide.agent.config.AgentConfig config = io.duroxide.agent.config.AgentConfig.from("", java.util.Map.of(), java.util.Map.of());
        WeavingTransformer weaver = new WeavingTransformer(Instrumentations.enabled(config), () -> true);
        TypeHierarchy hierarchy = new TypeHierarchy(getClass().getClassLoader());
        for (String name : Instrumentations.ENGINE_CLASSES) {
            if (ClassLoader.getSystemResource(name.replace('.', '/') + ".class") == null) {
                continue; // not on this class path
            }
            assertThat(weaver.weave(hierarchy, bytesOf(name))).as(name).isNotNull();
        }
        assertThat(weaver.weave(hierarchy, bytesOf("io.duroxide.api.Registry"))).isNull();
    }
}
