package dev.gannet.runtime.kernel.bench;

import dev.gannet.runtime.kernel.VectorKernels;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * One matmul on the TinyLlama-1.1B FFN shape (5632 x 2048) at M activation rows, Vector API or native kernels.
 * The score is calls per second; the auxiliary counters turn it into weight traffic
 * ({@code matmul:weightGB}, GB/s of weight bytes read, one pass per call) and arithmetic
 * ({@code matmul:gflop}, GFLOP/s, 2 * rows * cols * M per call).
 * Run with bin/bench-kernels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Param({"Q8_0", "Q4_0", "Q4_K", "Q6_K", "F16", "BF16", "F32"})
    public String type;

    @Param({"1", "4", "8", "16", "32"})
    public int m;

    @Param({"5632"})
    public int rows;

    @Param({"2048"})
    public int cols;

    @Param({"2"})
    public int threads;

    /** vector (Java Vector API) or native (the C kernel library, best variant for this CPU). */
    @Param({"vector", "native"})
    public String kernels;

    /** packed (Q8_0/Q4_0 in the layout serving uses by default) or mapped (the file layout). */
    @Param({"packed"})
    public String layout;

    private Arena arena;
    private VectorKernels impl;
    private WeightMatrix w;
    private float[] x;   // (m, cols) f32
    private float[] out; // (m, rows) f32

    /** Per-call work, accumulated by JMH into rates (per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double weightGB;
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        impl = kernels.equals("native") ? VectorKernels.withNativeMatmuls(threads) : new VectorKernels(threads);
        if (!impl.describe().startsWith(kernels)) throw new IllegalStateException("asked for " + kernels + ", got " + impl.describe());
        w = randomWeights(GgmlType.valueOf(type), rows, cols, arena);
        if (layout.equals("packed")) w = Packing.pack(w, arena);
        Random rnd = new Random(1);
        x = new float[m * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        out = new float[m * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
        arena.close();
    }

    @Benchmark
    public float matmul(Throughput t) {
        impl.matmul(w, x, out, m);
        t.weightGB += w.data().byteSize() * 1e-9;
        t.gflop += 2.0 * rows * cols * m * 1e-9;
        return out[0];
    }

    /** Random quants with sane f16 scales (random bytes alone would give NaN and inf scales). */
    static WeightMatrix randomWeights(GgmlType type, int rows, int cols, Arena arena) {
        long bytes = rows * type.bytesFor(cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        Random rnd = new Random(42);
        byte[] buf = new byte[(int) Math.min(bytes, 1 << 20)];
        for (long off = 0; off < bytes; off += buf.length) {
            rnd.nextBytes(buf);
            int n = (int) Math.min(buf.length, bytes - off);
            MemorySegment.copy(MemorySegment.ofArray(buf), 0, seg, off, n);
        }
        switch (type) {
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) seg.set(LE_SHORT, i, Float.floatToFloat16((float) rnd.nextGaussian() * 0.02f));
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) seg.set(LE_SHORT, i, (short) (Float.floatToIntBits((float) rnd.nextGaussian() * 0.02f) >>> 16));
            }
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) rnd.nextGaussian() * 0.02f);
            }
            case Q8_0, Q4_0, Q4_K -> { // d first (and Q4_K's dmin right after it)
                for (long b = 0; b < bytes; b += type.blockBytes()) {
                    seg.set(LE_SHORT, b, Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.001f));
                    if (type == GgmlType.Q4_K) seg.set(LE_SHORT, b + 2, Float.floatToFloat16(0.001f));
                }
            }
            case Q6_K -> { // d last
                for (long b = 0; b < bytes; b += type.blockBytes()) seg.set(LE_SHORT, b + 208, Float.floatToFloat16(0.0001f));
            }
            default -> throw new IllegalArgumentException("benchmark has no weight builder for " + type);
        }
        return new WeightMatrix("bench-" + type, type, rows, cols, seg);
    }
}
