package io.duroxide.agent.weaving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ClassFileSupertypesTest {
    private static byte[] bytesOf(String className) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void instrumentedTypesAndTheirPossibleSubtypesPass() throws IOException {
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.provider.sqlite.SqliteProvider"))).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.runtime.DispatcherLoop"))).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.runtime.OrchestrationDispatcher"))).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.runtime.ActivityWorker"))).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.runtime.ActivityInvoker"))).isTrue();
        // a non-JDK superclass or interface could lead to a target: the weaver decides
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.api.InstanceNotFoundException"))).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.history.HistoryEvent$ExecutionStarted"))).isTrue();
    }

    @Test
    void classesWithOnlyJdkSupertypesAreSkipped() throws IOException {
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.runtime.DuroxideRuntime"))).isFalse();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.api.Registry"))).isFalse();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.agent.weaving.ClassFileSupertypesTest"))).isFalse();
    }

    @Test
    void interfacesAreSkippedTheyAreNeverWoven() throws IOException {
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.provider.Provider"))).isFalse();
        assertThat(ClassFileSupertypes.mayBeInstrumented(bytesOf("io.duroxide.history.HistoryEvent"))).isFalse();
    }

    @Test
    void unreadableBytesLeaveTheDecisionToByteBuddy() {
        assertThat(ClassFileSupertypes.mayBeInstrumented(null)).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(new byte[] {1, 2, 3})).isTrue();
        assertThat(ClassFileSupertypes.mayBeInstrumented(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 9, 42})).isTrue();
    }

    @Test
    void targetsAreTheInstrumentationUnitsTypes() {
        assertThat(ClassFileSupertypes.TARGETS).containsExactlyInAnyOrder("io/duroxide/provider/Provider",
                "io/duroxide/runtime/DispatcherLoop", "io/duroxide/runtime/OrchestrationDispatcher",
                "io/duroxide/runtime/ActivityInvoker");
    }
}
