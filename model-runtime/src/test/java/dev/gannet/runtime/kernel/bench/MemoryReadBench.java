package dev.gannet.runtime.kernel.bench;

import dev.gannet.runtime.kernel.ComputePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling for one-token decode: how fast the JVM can merely read a model-sized buffer (larger
 * than the L3) with 512-bit loads on the compute threads, each thread reading its half in
 * {@code streams} interleaved sequential streams. A decode kernel cannot stream weights faster
 * than this. {@code read:gb} is GB/s.
 * <pre>bin/bench-kernels MemoryReadBench</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class MemoryReadBench {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;

    @Param({"1200"})
    public int megabytes;

    @Param({"1", "2", "4"})
    public int streams;

    @Param({"2"})
    public int threads;

    private Arena arena;
    private MemorySegment buffer;
    private ComputePool pool;
    private final long[] sinks = new long[64];

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Read {
        public double gb;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (streams != 1 && streams != 2 && streams != 4) throw new IllegalArgumentException("streams must be 1, 2 or 4, got " + streams);
        arena = Arena.ofShared();
        buffer = arena.allocate((long) megabytes << 20, 4096);
        buffer.fill((byte) 1);
        pool = new ComputePool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public long read(Read r) {
        pool.run((index, count) -> sinks[8 * index] = readShare(index, count));
        r.gb += buffer.byteSize() * 1e-9;
        return sinks[0] + sinks[8];
    }

    private long readShare(int index, int count) {
        long share = buffer.byteSize() / count / (64L * streams) * 64L * streams;
        long part = share / streams;
        long base = index * share;
        ByteVector acc = ByteVector.zero(B);
        if (streams == 1) {
            for (long o = 0; o < part; o += 64) acc = acc.add(ByteVector.fromMemorySegment(B, buffer, base + o, ByteOrder.LITTLE_ENDIAN));
        } else if (streams == 2) {
            for (long o = 0; o < part; o += 64) {
                acc = acc.add(ByteVector.fromMemorySegment(B, buffer, base + o, ByteOrder.LITTLE_ENDIAN))
                        .add(ByteVector.fromMemorySegment(B, buffer, base + part + o, ByteOrder.LITTLE_ENDIAN));
            }
        } else {
            for (long o = 0; o < part; o += 64) {
                acc = acc.add(ByteVector.fromMemorySegment(B, buffer, base + o, ByteOrder.LITTLE_ENDIAN))
                        .add(ByteVector.fromMemorySegment(B, buffer, base + part + o, ByteOrder.LITTLE_ENDIAN))
                        .add(ByteVector.fromMemorySegment(B, buffer, base + 2 * part + o, ByteOrder.LITTLE_ENDIAN))
                        .add(ByteVector.fromMemorySegment(B, buffer, base + 3 * part + o, ByteOrder.LITTLE_ENDIAN));
            }
        }
        return acc.reinterpretAsLongs().lane(0);
    }
}
