package io.duroxide.bench.jmh;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One variant's JVM in {@link AgentOverhead}: runs the fan-out workload without end and publishes its progress in a
 * small memory-mapped file that the controller reads while this JVM is stopped. The controller decides when it runs
 * (it stops and continues the whole process), so this program never measures time itself.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.duroxide.bench.jmh.SlicedFanOut COUNTER-FILE WARM-UP</pre>
 */
public final class SlicedFanOut {
    private SlicedFanOut() {}

    /** The phase after the warm-up; before it the phase is 0, the mapped file's initial content. */
    static final int MEASURING = 1;

    /** The counter file: three longs. */
    private static final int BYTES = 3 * Long.BYTES;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** The file as this JVM and the controller share it. */
    static final class Counters implements AutoCloseable {
        private static final int PHASE = 0;
        private static final int COMPLETED = Long.BYTES;
        private static final int STOP = 2 * Long.BYTES;

        private final FileChannel channel;
        private final MappedByteBuffer buffer;

        Counters(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            buffer = channel.map(FileChannel.MapMode.READ_WRITE, 0, BYTES);
        }

        long phase() {
            return (long) LONGS.getVolatile(buffer, PHASE);
        }

        /** Orchestrations completed since the warm-up ended. */
        long completed() {
            return (long) LONGS.getVolatile(buffer, COMPLETED);
        }

        boolean stopRequested() {
            return (long) LONGS.getVolatile(buffer, STOP) != 0;
        }

        void measuring() {
            LONGS.setVolatile(buffer, PHASE, (long) MEASURING);
        }

        void countCompleted() {
            LONGS.setVolatile(buffer, COMPLETED, completed() + 1);
        }

        void requestStop() {
            LONGS.setVolatile(buffer, STOP, 1L);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SlicedFanOut COUNTER-FILE WARM-UP");
        }
        int warmUp = Integer.parseInt(args[1]);
        FanOutState state = new FanOutState("sqlite");
        try (Counters counters = new Counters(Path.of(args[0]))) {
            for (int done = 0; done < warmUp && !counters.stopRequested(); done += FanOutBenchmark.BATCH) {
                state.runBatch(FanOutBenchmark.BATCH);
            }
            counters.measuring();
            while (!counters.stopRequested()) {
                state.runBatch(FanOutBenchmark.BATCH, counters::countCompleted);
            }
        } finally {
            state.close();
        }
    }
}
