package dev.gannet.runtime.kernel;

import static dev.gannet.runtime.kernel.Chunks.F;
import static dev.gannet.runtime.kernel.Chunks.L;

import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Fast CPU kernels: Java Vector API (512-bit float vectors) and a {@link ComputePool} whose threads
 * claim a matmul's output rows in contiguous ranges (about eight per thread). The reduction order
 * of every matmul output is fixed (see {@link MatmulKernels}), so matmul results are bit-identical
 * for any thread count and any batch: token t's outputs are the same alone or among others. The
 * small ops work token by token for the same reason (their vector EXP may differ in the last bit
 * from its interpreted fallback while the JIT warms up; the matmuls use only exact lane operations).
 *
 * <p>Written for 512-bit vectors (AVX-512, as on the target machines): elsewhere the Vector API
 * computes the same values but far more slowly, so prefer a machine where
 * {@code FloatVector.SPECIES_PREFERRED} is 512 bits.
 *
 * <p>Thread rules: one caller thread at a time (the engine thread); the pool's workers are owned
 * by this object and stop at {@link #close()}. The small ops (rmsNorm, swiglu, softmax, rope) run
 * on the caller. {@link #pool()} lends the same threads to other parallel work, e.g. attention.
 */
public final class VectorKernels implements Kernels {
    /** Below this many multiply-adds a matmul runs on the caller alone: a handoff costs more. */
    static final long PARALLEL_MIN_WORK = 1L << 16;

    private final ComputePool pool;
    private final NativeMatmul nativeMatmul; // null: every matmul on the Vector API
    private final String description;
    private final float[][] staging; // per worker: 4 dequantized rows + accumulators, f32; grows to the largest call
    private MemorySegment interleaved = MemorySegment.NULL; // x for the eight-token kernel, 64-byte aligned; grows
    private final MatmulTask matmulTask = new MatmulTask();
    private final float[] lanes = new float[L]; // caller-thread scratch for fixed-order lane sums

    /** Vector API kernels computing on {@code threads} threads (the caller plus threads - 1 workers). */
    public VectorKernels(int threads) {
        this(threads, null, "vector");
    }

    /**
     * Kernels on {@code threads} threads whose matmuls run in the best variant of the native library this CPU
     * runs, where it covers the weight type, or on the Vector API where the library is unavailable
     * ({@link #describe()} says which and why).
     */
    public static VectorKernels withNativeMatmuls(int threads) {
        return new VectorKernels(threads, NativeCpuLibrary.best().orElse(null), describeNative());
    }

    /** Native matmuls in exactly the {@code isa} variant (tests and benchmarks compare the variants). */
    VectorKernels(int threads, NativeCpuLibrary.Isa isa) {
        this(threads, Objects.requireNonNull(isa, "isa"), describe(isa));
    }

    private VectorKernels(int threads, NativeCpuLibrary.Isa isa, String description) {
        this.pool = new ComputePool(threads);
        this.staging = new float[threads][];
        this.nativeMatmul = isa == null ? null : new NativeMatmul(NativeCpuLibrary.bind(isa), pool);
        this.description = description;
    }

    /** What {@link #withNativeMatmuls} computes its matmuls with on this machine (see {@link #describe()}). */
    public static String describeNative() {
        var isa = NativeCpuLibrary.best();
        return isa.isPresent() ? describe(isa.get())
                : "vector (native kernels unavailable: " + NativeCpuLibrary.unavailableReason().orElse("?") + ")";
    }

    private static String describe(NativeCpuLibrary.Isa isa) {
        return "native " + isa.name().toLowerCase(Locale.ROOT) + " (" + isa.description() + "; mapped Q8_0/Q4_0 on the Vector API)";
    }

    /** Which code runs the matmuls, for the start-up log: "native avx512 (...)" or "vector (...)". */
    public String describe() {
        return description;
    }

    /** One thread per available processor. */
    public VectorKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** The pool the matmuls run on, for other data-parallel work on the same thread (one at a time). */
    public ComputePool pool() {
        return pool;
    }

    @Override
    public int threads() {
        return pool.size();
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int numTokens) {
        ReferenceKernels.checkMatmul(w, x, out, numTokens);
        if (nativeMatmul != null && NativeMatmul.covers(w)) {
            nativeMatmul.matmul(w, x, out, numTokens);
            return;
        }
        MatmulTask t = matmulTask;
        t.w = w;
        t.x = x;
        t.out = out;
        t.numTokens = numTokens;
        t.xs = null;
        if (MatmulKernels.readsInterleaved(w, numTokens)) {
            long bytes = MatmulKernels.interleavedBytes(numTokens, w.cols());
            if (interleaved.byteSize() < bytes) interleaved = Arena.ofAuto().allocate(bytes, 64); // grows a few times, then never
            MatmulKernels.interleave(x, numTokens, w.cols(), interleaved);
            t.xs = interleaved;
        }
        t.nextRow.set(0);
        try {
            if (pool.size() == 1 || (long) w.rows() * w.cols() * numTokens < PARALLEL_MIN_WORK) {
                t.grain = w.rows();
                t.run(0, 1);
            } else {
                t.grain = grain(w.rows(), pool.size());
                pool.run(t);
            }
        } finally {
            t.w = null; // do not pin a model's weights or activations after the call
            t.x = null;
            t.xs = null;
            t.out = null;
        }
    }

    /** Rows per claim: about 8 claims per thread, a multiple of the 4-row group. */
    static int grain(int rows, int threads) {
        int g = (rows + 8 * threads - 1) / (8 * threads);
        return Math.max(16, (g + 3) / 4 * 4);
    }

    private float[] stagingFor(int worker, int cols, int numTokens) {
        float[] s = staging[worker];
        int need = MatmulKernels.stagingSize(cols, numTokens);
        if (s == null || s.length < need) {
            s = new float[need];
            staging[worker] = s; // each worker touches only its own slot
        }
        return s;
    }

    /** The task object reused by every matmul call: fields set by the caller before each run. */
    private final class MatmulTask implements ComputePool.Task {
        WeightMatrix w;  // (rows, cols)
        float[] x;       // (numTokens, cols) f32
        MemorySegment xs; // x's groups of eight tokens, interleaved (MatmulKernels.interleave), or null
        float[] out;     // (numTokens, rows) f32
        int numTokens;
        int grain;       // rows per claim, a multiple of 4
        final AtomicInteger nextRow = new AtomicInteger();

        @Override
        public void run(int index, int count) {
            // Threads claim contiguous ranges of rows until none are left, so on a shared machine a
            // descheduled thread holds up only its current range. Which thread computes a row
            // never changes the row's value (see MatmulKernels), so results stay bit-identical.
            float[] stage = stagingFor(index, w.cols(), numTokens);
            int rows = w.rows();
            for (int r0; (r0 = nextRow.getAndAdd(grain)) < rows; ) {
                MatmulKernels.rows(w, x, xs, out, numTokens, r0, Math.min(rows, r0 + grain), stage);
            }
        }
    }

    @Override
    public void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset) {
        if (row < 0 || row >= w.rows()) throw new IndexOutOfBoundsException(w.name() + ": row " + row + " of " + w.rows());
        if (outOffset < 0 || outOffset + w.cols() > out.length) {
            throw new IndexOutOfBoundsException(w.name() + ": out[" + outOffset + ", +" + w.cols() + ") past length " + out.length);
        }
        MatmulKernels.stageRow(w, row, out, outOffset);
    }

    @Override
    public void rmsNorm(float[] x, float[] weight, float[] out, int numTokens, int dim, float eps) {
        int full = dim / L * L;
        for (int t = 0; t < numTokens; t++) {
            int o = t * dim;
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < full; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, o + i);
                acc = v.fma(v, acc);
            }
            acc.intoArray(lanes, 0);
            float ss = Chunks.sumLanes(lanes, 0);
            for (int i = full; i < dim; i++) ss = Math.fma(x[o + i], x[o + i], ss);
            float scale = (float) (1.0 / Math.sqrt((double) ss / dim + eps));
            for (int i = 0; i < full; i += L) {
                FloatVector.fromArray(F, x, o + i).mul(scale).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, o + i);
            }
            for (int i = full; i < dim; i++) out[o + i] = x[o + i] * scale * weight[i];
        }
    }

    @Override
    public void swiglu(float[] gate, float[] up, int numTokens, int n) {
        // Row by row, so a token's values take the same vector/scalar split alone or in a batch.
        int full = n / L * L;
        for (int t = 0; t < numTokens; t++) {
            int o = t * n;
            // silu(g) = g / (1 + e^-g), written with e = exp(-|g|) <= 1 so the exp never overflows:
            // g / (1 + e) for g >= 0, g e / (1 + e) below; ExactExp keeps the bits JIT-independent.
            for (int i = o; i < o + full; i += L) {
                FloatVector g = FloatVector.fromArray(F, gate, i);
                FloatVector e = ExactExp.exp(g.abs().neg());
                FloatVector num = g.mul(e).blend(g, g.compare(VectorOperators.GE, 0f));
                num.div(e.add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
            for (int i = o + full; i < o + n; i++) {
                float g = gate[i];
                float e = ExactExp.scalarExp(-Math.abs(g));
                gate[i] = (g >= 0f ? g : g * e) / (1f + e) * up[i];
            }
        }
    }

    @Override
    public void softmax(float[] x, int offset, int length) {
        int end = offset + length;
        int full = offset + length / L * L;
        float max = Float.NEGATIVE_INFINITY;
        if (full > offset) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int i = offset; i < full; i += L) m = m.max(FloatVector.fromArray(F, x, i));
            max = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
        }
        for (int i = full; i < end; i++) max = Math.max(max, x[i]);
        FloatVector sumV = FloatVector.zero(F);
        for (int i = offset; i < full; i += L) {
            FloatVector e = ExactExp.exp(FloatVector.fromArray(F, x, i).sub(max));
            e.intoArray(x, i);
            sumV = sumV.add(e);
        }
        sumV.intoArray(lanes, 0);
        float sum = Chunks.sumLanes(lanes, 0);
        for (int i = full; i < end; i++) {
            x[i] = ExactExp.scalarExp(x[i] - max);
            sum += x[i];
        }
        float inv = 1f / sum;
        for (int i = offset; i < full; i += L) FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        for (int i = full; i < end; i++) x[i] *= inv;
    }

    @Override
    public void rope(float[] x, int numTokens, int numHeads, int headDim, int[] positions, RopeTable table) {
        ReferenceKernels.checkRope(x, numTokens, numHeads, headDim, positions, table);
        int half = table.rotaryDim() / 2;
        float[] cos = table.cos();
        float[] sin = table.sin();
        boolean neox = table.style() == RopeTable.Style.NEOX;
        for (int t = 0; t < numTokens; t++) {
            int p = positions[t] * half;
            for (int h = 0; h < numHeads; h++) {
                int base = (t * numHeads + h) * headDim;
                if (neox) ropeNeox(x, base, half, cos, sin, p);
                else ropeNormal(x, base, half, cos, sin, p);
            }
        }
    }

    /** Pairs (i, i + half): two contiguous halves, so whole vectors. */
    private static void ropeNeox(float[] x, int base, int half, float[] cos, float[] sin, int p) {
        int full = half / L * L;
        for (int i = 0; i < full; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, base + i);
            FloatVector x1 = FloatVector.fromArray(F, x, base + half + i);
            FloatVector c = FloatVector.fromArray(F, cos, p + i);
            FloatVector s = FloatVector.fromArray(F, sin, p + i);
            x0.mul(c).sub(x1.mul(s)).intoArray(x, base + i);
            x0.mul(s).add(x1.mul(c)).intoArray(x, base + half + i);
        }
        for (int i = full; i < half; i++) {
            float x0 = x[base + i], x1 = x[base + half + i], c = cos[p + i], s = sin[p + i];
            x[base + i] = x0 * c - x1 * s;
            x[base + half + i] = x0 * s + x1 * c;
        }
    }

    /** Adjacent pairs (2i, 2i+1): scalar; head dims are small and C2 keeps this loop tight. */
    private static void ropeNormal(float[] x, int base, int half, float[] cos, float[] sin, int p) {
        for (int i = 0; i < half; i++) {
            int i0 = base + 2 * i;
            float x0 = x[i0], x1 = x[i0 + 1], c = cos[p + i], s = sin[p + i];
            x[i0] = x0 * c - x1 * s;
            x[i0 + 1] = x0 * s + x1 * c;
        }
    }
}
