package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native kernels, every variant this CPU runs (on an AVX-512 machine: avx512, avx2 and scalar), against
 * ReferenceKernels. Tolerances per output:
 * <ul>
 *   <li>F32, F16, BF16 (f32 activations as they are): |native - ref| <= 1e-4 * Σ|w x| + 1e-5, as the Vector API.
 *   <li>Q8_0, Q4_0, Q4_K, Q6_K (activations quantized to 8 bits per block of 32, d = max|x| / 127): each activation moves by
 *       at most d / 2, so |native - ref| <= Σ_blocks (d / 2) Σ|w| + 1e-4 * Σ|w x| + 1e-5; and against
 *       {@link QuantizedOracle}, which quantizes the same way in Java, |native - oracle| <= 1e-5 * Σ|terms| + 1e-6
 *       (only the float rounding of the scaled block sums may differ).
 * </ul>
 * Batch and thread invariance hold bit for bit within a variant.
 */
class NativeKernelsTest {
    private static Arena arena;
    private static final Map<NativeCpuLibrary.Isa, VectorKernels> ONE = new EnumMap<>(NativeCpuLibrary.Isa.class);
    private static final Map<NativeCpuLibrary.Isa, VectorKernels> TWO = new EnumMap<>(NativeCpuLibrary.Isa.class);
    private final ReferenceKernels ref = new ReferenceKernels();

    @BeforeAll
    static void start() {
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        ONE.values().forEach(VectorKernels::close);
        TWO.values().forEach(VectorKernels::close);
        ONE.clear();
        TWO.clear();
        arena.close();
    }

    private static VectorKernels kernels(NativeCpuLibrary.Isa isa, int threads) {
        return (threads == 1 ? ONE : TWO).computeIfAbsent(isa, i -> new VectorKernels(threads, i));
    }

    /** Odd shapes: widths off the 16-lane chunk (plain types) and off the four-block chunk (Q8_0/Q4_0). */
    private static int[] colsFor(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> new int[] {7, 100, 256, 1000, 2100};
            case Q8_0, Q4_0 -> new int[] {32, 96, 160, 1088};
            default -> new int[] {256, 512, 1280}; // K-quants: whole super-blocks
        };
    }

    private static WeightMatrix weights(GgmlType type, int rows, int cols, long seed) {
        WeightMatrix w = KernelTestSupport.random(type, rows, cols, seed, arena);
        return Packing.packable(type) ? Packing.pack(w, arena) : w;
    }

    @Test
    void thisMachineRunsTheBestVariantItSupports() {
        var isas = NativeTestSupport.isas();
        assertTrue(isas.contains(NativeCpuLibrary.Isa.SCALAR), "the scalar variant runs everywhere");
        assertEquals(NativeCpuLibrary.best().orElseThrow(), isas.stream().min(Enum::compareTo).orElseThrow());
        try (VectorKernels k = VectorKernels.withNativeMatmuls(1)) {
            assertTrue(k.describe().startsWith("native " + NativeCpuLibrary.best().orElseThrow().name().toLowerCase()), k.describe());
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matmulMatchesReferenceForOddShapesAndEveryTokenCount(GgmlType type) {
        Random rnd = new Random(17);
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            for (int cols : colsFor(type)) {
                for (int rows : new int[] {1, 5, 37, 132}) {
                    WeightMatrix w = weights(type, rows, cols, rows * 131L + cols);
                    for (int m : new int[] {1, 2, 3, 5, 8, 13}) {
                        check(w, KernelTestSupport.gaussian(rnd, m * cols, 1f), m, kernels(isa, 2), isa);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void aTokenAloneEqualsItsRowInABatchAndThreadsDoNotMatter(GgmlType type) {
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            for (int cols : new int[] {colsFor(type)[1], colsFor(type)[colsFor(type).length - 1]}) {
                int rows = 702; // not a multiple of 4, and over the single-thread threshold for one token
                WeightMatrix w = weights(type, rows, cols, 11);
                int m = 13;
                float[] x = KernelTestSupport.gaussian(new Random(5), m * cols, 1f);
                float[] batch2 = new float[m * rows], batch1 = new float[m * rows];
                kernels(isa, 2).matmul(w, x, batch2, m);
                kernels(isa, 1).matmul(w, x, batch1, m);
                String what = isa + " " + type + " cols " + cols;
                assertArrayEquals(batch1, batch2, what + ": 1 vs 2 threads");
                float[] alone = new float[rows];
                for (int t = 0; t < m; t++) {
                    kernels(isa, 2).matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), alone, 1);
                    assertArrayEquals(Arrays.copyOfRange(batch2, t * rows, (t + 1) * rows), alone, what + ": token " + t + " alone vs in a batch of " + m);
                }
                float[] x3 = new float[3 * cols], three = new float[3 * rows];
                System.arraycopy(x, 5 * cols, x3, 0, cols);
                System.arraycopy(x, 2 * cols, x3, cols, cols);
                System.arraycopy(x, 12 * cols, x3, 2 * cols, cols);
                kernels(isa, 2).matmul(w, x3, three, 3);
                assertArrayEquals(Arrays.copyOfRange(batch2, 2 * rows, 3 * rows), Arrays.copyOfRange(three, rows, 2 * rows), what + ": batch of 3");
                assertArrayEquals(Arrays.copyOfRange(batch2, 12 * rows, 13 * rows), Arrays.copyOfRange(three, 2 * rows, 3 * rows), what + ": batch of 3, last");
            }
        }
    }

    /**
     * Wide rows and many tokens: the float batch path splits the tokens into blocks of about 1 MiB of
     * activations (5000 columns: 48 tokens), so 50 tokens cross a block boundary; every token keeps its bits.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void tokensBeyondOneCacheBlockKeepTheirBits(GgmlType type) {
        int rows = 37, cols = switch (type.blockSize()) { case 32 -> 4992; case 256 -> 4864; default -> 5000; }, m = 50;
        WeightMatrix w = weights(type, rows, cols, 29);
        float[] x = KernelTestSupport.gaussian(new Random(31), m * cols, 1f);
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            float[] batch = new float[m * rows], alone = new float[rows];
            kernels(isa, 2).matmul(w, x, batch, m);
            for (int t : new int[] {0, 5, 47, 48, 49}) {
                kernels(isa, 2).matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), alone, 1);
                assertArrayEquals(Arrays.copyOfRange(batch, t * rows, (t + 1) * rows), alone, isa + " " + type + ": token " + t + " of " + m);
            }
            check(w, x, m, kernels(isa, 2), isa);
        }
    }

    /** Tensor-parallel shards keep the parent's row pitch (and scale pitch): strides must be honoured. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void rowAndColumnSlicesMatchReference(GgmlType type) {
        Random rnd = new Random(23);
        int rows = 70, cols = 512;
        WeightMatrix w = weights(type, rows, cols, 3);
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            WeightMatrix[] slices = type.blockSize() == 256 // K-quant columns split at super-blocks only
                    ? new WeightMatrix[] {w.rowSlice(3, rows - 5), w.colSlice(256, 512), w.colSlice(0, 256)}
                    : new WeightMatrix[] {w.rowSlice(3, rows - 5), w.colSlice(128, 384), w.colSlice(32, 288)};
            for (WeightMatrix slice : slices) {
                for (int m : new int[] {1, 6}) check(slice, KernelTestSupport.gaussian(rnd, m * slice.cols(), 1f), m, kernels(isa, 2), isa);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k_m"})
    void matmulMatchesReferenceOnRealTensors(String variant) throws Exception {
        Random rnd = new Random(3);
        try (GgufFile f = GgufFile.open(TestModels.path("tiny-llama-" + variant + ".gguf"))) {
            for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
                for (String name : new String[] {"blk.0.attn_k.weight", "blk.2.ffn_down.weight", "output.weight"}) {
                    WeightMatrix w = KernelTestSupport.weight(f, name);
                    if (Packing.packable(w.type())) w = Packing.pack(w, arena);
                    assertTrue(NativeMatmul.covers(w), name);
                    for (int m : new int[] {1, 5}) check(w, KernelTestSupport.gaussian(rnd, m * w.cols(), 1f), m, kernels(isa, 2), isa);
                }
            }
        }
    }

    /** The mapped Q8_0/Q4_0 layout stays on the Vector API: the same bits as the Vector API alone. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void typesTheLibraryDoesNotCoverTakeTheVectorApi(GgmlType type) {
        WeightMatrix w = KernelTestSupport.random(type, 37, 512, 9, arena); // file layout
        assertFalse(NativeMatmul.covers(w));
        float[] x = KernelTestSupport.gaussian(new Random(8), 3 * 512, 1f);
        float[] want = new float[3 * 37], got = new float[3 * 37];
        try (VectorKernels vector = new VectorKernels(2)) {
            vector.matmul(w, x, want, 3);
        }
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            kernels(isa, 2).matmul(w, x, got, 3);
            assertArrayEquals(want, got, isa + " " + type);
        }
    }

    /** Weights in a Java array have no address for the C code: the Vector API computes them. */
    @Test
    void weightsOnTheHeapTakeTheVectorApi() {
        float[] values = KernelTestSupport.gaussian(new Random(4), 9 * 64, 1f);
        WeightMatrix w = new WeightMatrix("heap", GgmlType.F32, 9, 64, java.lang.foreign.MemorySegment.ofArray(values));
        assertFalse(NativeMatmul.covers(w));
        float[] x = KernelTestSupport.gaussian(new Random(6), 2 * 64, 1f);
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) check(w, x, 2, kernels(isa, 2), isa);
    }

    /** A matmul over weights whose arena was closed is refused before any native code reads them. */
    @Test
    void weightsOfAClosedArenaAreRefused() {
        WeightMatrix w;
        try (Arena temp = Arena.ofConfined()) {
            w = KernelTestSupport.random(GgmlType.F16, 4, 32, 1, temp);
        }
        WeightMatrix closed = w;
        for (NativeCpuLibrary.Isa isa : NativeTestSupport.isas()) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> kernels(isa, 1).matmul(closed, new float[32], new float[4], 1));
            assertTrue(e.getMessage().contains("released"), e.getMessage());
        }
    }

    private void check(WeightMatrix w, float[] x, int m, VectorKernels fast, NativeCpuLibrary.Isa isa) {
        float[] want = new float[m * w.rows()], got = new float[m * w.rows()];
        ref.matmul(w, x, want, m);
        Arrays.fill(got, Float.NaN);
        fast.matmul(w, x, got, m);
        boolean quantized = w.type() != GgmlType.F32 && w.type() != GgmlType.F16 && w.type() != GgmlType.BF16;
        QuantizedOracle oracle = quantized ? new QuantizedOracle(x, m, w.cols()) : null;
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            ref.dequantizeRow(w, r, row, 0);
            for (int t = 0; t < m; t++) {
                int i = t * w.rows() + r;
                double tol = 1e-4 * KernelTestSupport.absDot(row, x, t * w.cols(), w.cols()) + 1e-5;
                if (quantized) tol += oracle.roundingBound(row, t);
                String where = isa + " " + w.name() + " " + w.type() + " " + w.rows() + "x" + w.cols() + " m=" + m + " token " + t + " row " + r;
                assertTrue(Math.abs(got[i] - want[i]) <= tol, where + ": " + got[i] + " vs reference " + want[i] + " (tolerance " + tol + ")");
                if (quantized) {
                    double[] o = oracle.dot(row, t);
                    double tight = 1e-5 * o[1] + 1e-6;
                    assertTrue(Math.abs(got[i] - o[0]) <= tight, where + ": " + got[i] + " vs quantized oracle " + o[0] + " (tolerance " + tight + ")");
                }
            }
        }
    }
}
