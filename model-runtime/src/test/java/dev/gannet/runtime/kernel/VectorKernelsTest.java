package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Packing;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VectorKernels against ReferenceKernels. Matmul tolerance: |fast - ref| <= 1e-4 * Σ|w x| + 1e-5
 * per output (ref sums in double, fast in float); dequantization must be bit-identical to the
 * reference. Batch and thread invariance must hold bit for bit.
 */
class VectorKernelsTest {
    private static VectorKernels one;
    private static VectorKernels two;
    private static Arena arena;
    private final ReferenceKernels ref = new ReferenceKernels();

    @BeforeAll
    static void start() {
        one = new VectorKernels(1);
        two = new VectorKernels(2);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        one.close();
        two.close();
        arena.close();
    }

    /**
     * Column counts to test: plain types also get widths that are not a multiple of the vector
     * length; the last width spans more than one K tile of the batch kernel.
     */
    private static int[] colsFor(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16 -> new int[] {100, 256, 1000};
            case Q8_0, Q4_0 -> new int[] {96, 512, 1088};
            default -> new int[] {256, 512, 1280};
        };
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void matmulMatchesReferenceOnSyntheticWeights(GgmlType type) {
        Random rnd = new Random(7);
        assertTrue(colsFor(type)[2] > TiledKernels.KT);
        for (int cols : colsFor(type)) {
            for (int rows : new int[] {37, 132}) {
                WeightMatrix w = KernelTestSupport.random(type, rows, cols, rows * 31L + cols, arena);
                for (int m : new int[] {1, 3, 8, 33}) {
                    float[] x = KernelTestSupport.gaussian(rnd, m * cols, 1f);
                    checkAgainstReference(w, x, m, two);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void dequantizeRowIsBitIdenticalToReference(GgmlType type) {
        int cols = colsFor(type)[0];
        WeightMatrix w = KernelTestSupport.random(type, 5, cols, 3, arena);
        float[] want = new float[cols + 3];
        float[] got = new float[cols + 3];
        for (int r = 0; r < w.rows(); r++) {
            ref.dequantizeRow(w, r, want, 3);
            two.dequantizeRow(w, r, got, 3);
            assertArrayEquals(want, got, type + " row " + r);
        }
    }

    /**
     * The packed layout holds the same values, so the fast kernels give the same bits on it as on
     * the file layout, for one token (its own four-stream loop) and for a batch (staged rows), on
     * whole matrices and on tensor-parallel row and column slices; the reference agrees too.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void packedLayoutGivesTheSameBitsAsTheFileLayout(GgmlType type) {
        Random rnd = new Random(13);
        for (int cols : colsFor(type)) {
            for (int rows : new int[] {5, 37, 702}) {
                WeightMatrix file = KernelTestSupport.random(type, rows, cols, rows * 7L + cols, arena);
                WeightMatrix packed = Packing.pack(file, arena);
                assertTrue(packed.packed());
                float[] a = new float[cols];
                float[] b = new float[cols];
                for (int r = 0; r < rows; r += 3) {
                    ref.dequantizeRow(file, r, a, 0);
                    ref.dequantizeRow(packed, r, b, 0);
                    assertArrayEquals(a, b, type + " reference row " + r);
                    two.dequantizeRow(packed, r, b, 0);
                    assertArrayEquals(a, b, type + " fast row " + r);
                }
                for (int m : new int[] {1, 3, 8, 13, 16}) { // 13 and 16: the eight-token kernel's interleaved groups, then 4 and 1
                    float[] x = KernelTestSupport.gaussian(rnd, m * cols, 1f);
                    assertSameMatmul(file, packed, x, m);
                    checkAgainstReference(packed, x, m, two);
                }
                if (rows >= 37 && cols % 64 == 0) {
                    float[] x = KernelTestSupport.gaussian(rnd, 2 * cols, 1f);
                    assertSameMatmul(file.rowSlice(3, rows - 2), packed.rowSlice(3, rows - 2), x, 2);
                    assertSameMatmul(file.rowSlice(3, rows - 2), packed.rowSlice(3, rows - 2), x, 1);
                    float[] xh = Arrays.copyOf(x, cols); // (2, cols/2) rows of a half-width input
                    assertSameMatmul(file.colSlice(cols / 2, cols), packed.colSlice(cols / 2, cols), xh, 2);
                    assertSameMatmul(file.colSlice(32, cols / 2 + 32), packed.colSlice(32, cols / 2 + 32), xh, 1);
                    float[] x16 = KernelTestSupport.gaussian(rnd, 16 * cols, 1f);
                    assertSameMatmul(file.rowSlice(3, rows - 2), packed.rowSlice(3, rows - 2), x16, 16);
                    assertSameMatmul(file.colSlice(32, cols / 2 + 32), packed.colSlice(32, cols / 2 + 32), Arrays.copyOf(x16, 8 * cols), 16);
                }
            }
        }
    }

    /**
     * Packed Q8_0 goes straight into the tokens in blocks that fit the L2 ({@link MatmulKernels#tokenBlock}):
     * one block, whole blocks, and whole blocks plus a remainder of 8 + 4 + 1 tokens all give every
     * token the bits it gets alone.
     */
    @Test
    void packedQ8_0GivesTheSameBitsInEveryBlockOfTokens() {
        int cols = 2048, rows = 37;
        int block = MatmulKernels.tokenBlock(cols);
        assertTrue(block % 8 == 0 && 4L * block * cols <= MatmulKernels.DIRECT_MAX_X_BYTES, "block " + block);
        WeightMatrix file = KernelTestSupport.random(GgmlType.Q8_0, rows, cols, 77, arena);
        WeightMatrix packed = Packing.pack(file, arena);
        assertTrue(MatmulKernels.directTokens(packed));
        int most = 2 * block + 13;
        float[] x = KernelTestSupport.gaussian(new Random(21), most * cols, 1f);
        for (int m : new int[] {block - 3, 2 * block, most}) {
            float[] xm = Arrays.copyOf(x, m * cols);
            assertSameMatmul(file, packed, xm, m);
            float[] batch = new float[m * rows];
            two.matmul(packed, xm, batch, m);
            float[] alone = new float[rows];
            for (int t : new int[] {0, 7, block - 1, block, m - 5, m - 1}) {
                if (t >= m) continue;
                two.matmul(packed, Arrays.copyOfRange(xm, t * cols, (t + 1) * cols), alone, 1);
                assertArrayEquals(Arrays.copyOfRange(batch, t * rows, (t + 1) * rows), alone, "m=" + m + ": token " + t + " alone vs in the batch");
            }
        }
        checkAgainstReference(packed, x, most, two);
    }

    private void assertSameMatmul(WeightMatrix file, WeightMatrix packed, float[] x, int m) {
        float[] want = new float[m * file.rows()];
        float[] got = new float[m * file.rows()];
        two.matmul(file, x, want, m);
        two.matmul(packed, x, got, m);
        assertArrayEquals(want, got, packed.name() + " packed vs file layout, m=" + m);
        one.matmul(packed, x, got, m);
        assertArrayEquals(want, got, packed.name() + " packed on one thread, m=" + m);
    }

    @Test
    void f16SpecialValuesConvertExactly() {
        WeightMatrix w = KernelTestSupport.random(GgmlType.F16, 1, 16, 1, arena);
        short[] bits = {0x0000, (short) 0x8000, 0x0001, (short) 0x83ff, 0x0400, 0x3c00, 0x7bff, 0x7c00, (short) 0xfc00, 0x7e00, 0x7c01, 0x3555, (short) 0xc000, 0x03ff, 0x1234, (short) 0xbbbb};
        for (int i = 0; i < 16; i++) w.data().set(Chunks.LE_SHORT, 2L * i, bits[i]);
        float[] got = new float[16];
        two.dequantizeRow(w, 0, got, 0);
        for (int i = 0; i < 16; i++) {
            assertEquals(Float.floatToIntBits(Float.float16ToFloat(bits[i])), Float.floatToIntBits(got[i]), "f16 bits " + Integer.toHexString(bits[i] & 0xffff));
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void aTokenAloneEqualsItsRowInABatchAndThreadsDoNotMatter(GgmlType type) {
        for (int cols : new int[] {colsFor(type)[0], colsFor(type)[2]}) {
            checkInvariance(type, cols);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void packedWeightsKeepBatchAndThreadInvariance(GgmlType type) {
        for (int cols : new int[] {colsFor(type)[0], colsFor(type)[2]}) {
            checkInvariance(type, cols, true);
        }
    }

    private void checkInvariance(GgmlType type, int cols) {
        checkInvariance(type, cols, false);
    }

    private void checkInvariance(GgmlType type, int cols, boolean pack) {
        int rows = 702; // not a multiple of 4; rows x cols is over PARALLEL_MIN_WORK even for one token
        assertTrue((long) rows * cols >= VectorKernels.PARALLEL_MIN_WORK);
        WeightMatrix w = KernelTestSupport.random(type, rows, cols, 11, arena);
        if (pack) w = Packing.pack(w, arena);
        int m = 8;
        float[] x = KernelTestSupport.gaussian(new Random(5), m * cols, 1f);
        float[] batch2 = new float[m * rows];
        float[] batch1 = new float[m * rows];
        two.matmul(w, x, batch2, m);
        one.matmul(w, x, batch1, m);
        assertArrayEquals(batch1, batch2, type + " cols " + cols + ": 1 vs 2 threads");
        float[] alone = new float[rows];
        for (int t = 0; t < m; t++) {
            float[] xt = Arrays.copyOfRange(x, t * cols, (t + 1) * cols);
            two.matmul(w, xt, alone, 1);
            assertArrayEquals(Arrays.copyOfRange(batch2, t * rows, (t + 1) * rows), alone, type + " cols " + cols + ": token " + t + " alone vs in a batch of 8");
            one.matmul(w, xt, alone, 1);
            assertArrayEquals(Arrays.copyOfRange(batch2, t * rows, (t + 1) * rows), alone, type + ": token " + t + " alone on 1 thread");
        }
        // and in a batch of 3 made of other tokens
        float[] three = new float[3 * rows];
        float[] x3 = new float[3 * cols];
        System.arraycopy(x, 5 * cols, x3, 0, cols);
        System.arraycopy(x, 2 * cols, x3, cols, cols);
        System.arraycopy(x, 7 * cols, x3, 2 * cols, cols);
        two.matmul(w, x3, three, 3);
        assertArrayEquals(Arrays.copyOfRange(batch2, 2 * rows, 3 * rows), Arrays.copyOfRange(three, rows, 2 * rows), type + ": batch of 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k_m"})
    void matmulMatchesReferenceOnRealTensors(String variant) throws Exception {
        Random rnd = new Random(3);
        try (GgufFile f = GgufFile.open(TestModels.path("tiny-llama-" + variant + ".gguf"))) {
            for (String name : new String[] {"blk.0.attn_k.weight", "blk.2.ffn_down.weight", "blk.3.attn_v.weight", "output.weight"}) {
                GgufTensorInfo info = f.tensor(name);
                WeightMatrix w = KernelTestSupport.weight(f, name);
                for (int m : new int[] {1, 5}) {
                    checkAgainstReference(w, KernelTestSupport.gaussian(rnd, m * w.cols(), 1f), m, two);
                }
                assertEquals(info.type(), w.type());
            }
        }
    }

    private void checkAgainstReference(WeightMatrix w, float[] x, int m, VectorKernels fast) {
        float[] want = new float[m * w.rows()];
        float[] got = new float[m * w.rows()];
        ref.matmul(w, x, want, m);
        Arrays.fill(got, Float.NaN);
        fast.matmul(w, x, got, m);
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            ref.dequantizeRow(w, r, row, 0);
            for (int t = 0; t < m; t++) {
                double tol = 1e-4 * KernelTestSupport.absDot(row, x, t * w.cols(), w.cols()) + 1e-5;
                int i = t * w.rows() + r;
                if (!(Math.abs(got[i] - want[i]) <= tol)) {
                    throw new AssertionError(w.name() + " " + w.type() + " " + w.rows() + "x" + w.cols() + " m=" + m
                            + " token " + t + " row " + r + ": " + got[i] + " vs reference " + want[i] + " (tolerance " + tol + ")");
                }
            }
        }
    }

    @Test
    void smallOpsMatchReference() {
        Random rnd = new Random(1);
        for (int n : new int[] {1, 15, 16, 64, 100, 257}) {
            for (int tokens : new int[] {1, 3}) {
                float[] x = KernelTestSupport.gaussian(rnd, tokens * n, 2f);
                float[] wt = KernelTestSupport.gaussian(rnd, n, 1f);
                float[] a = new float[x.length], b = new float[x.length];
                ref.rmsNorm(x, wt, a, tokens, n, 1e-5f);
                two.rmsNorm(x, wt, b, tokens, n, 1e-5f);
                assertClose(a, b, 1e-5f, "rmsNorm n=" + n);

                float[] g1 = x.clone(), g2 = x.clone(), up = KernelTestSupport.gaussian(rnd, x.length, 1f);
                ref.swiglu(g1, up, tokens, n);
                two.swiglu(g2, up, tokens, n);
                assertClose(g1, g2, 1e-5f, "swiglu n=" + n);
            }
            float[] s = KernelTestSupport.gaussian(rnd, n + 7, 4f);
            float[] s1 = s.clone(), s2 = s.clone();
            ref.softmax(s1, 3, n);
            two.softmax(s2, 3, n);
            assertClose(s1, s2, 1e-6f, "softmax n=" + n);
        }
    }

    @Test
    void smallOpsOfATokenDoNotDependOnTheBatch() {
        Random rnd = new Random(4);
        int n = 100; // not a multiple of the vector length
        float[] x = KernelTestSupport.gaussian(rnd, 3 * n, 2f);
        float[] up = KernelTestSupport.gaussian(rnd, 3 * n, 1f);
        float[] wt = KernelTestSupport.gaussian(rnd, n, 1f);
        float[] batch = x.clone();
        two.swiglu(batch, up, 3, n);
        two.rmsNorm(batch, wt, batch, 3, n, 1e-5f);
        float[] alone = Arrays.copyOfRange(x, n, 2 * n);
        two.swiglu(alone, Arrays.copyOfRange(up, n, 2 * n), 1, n);
        two.rmsNorm(alone, wt, alone, 1, n, 1e-5f);
        assertArrayEquals(Arrays.copyOfRange(batch, n, 2 * n), alone);
    }

    @ParameterizedTest
    @EnumSource(RopeTable.Style.class)
    void ropeMatchesReference(RopeTable.Style style) {
        Random rnd = new Random(2);
        for (int[] shape : new int[][] {{64, 64}, {128, 64}, {32, 32}, {80, 40}}) {
            int headDim = shape[0], rotary = shape[1], heads = 3, tokens = 4;
            RopeTable table = RopeTable.of(style, RopeTable.invFreq(rotary, 10000), 50);
            float[] x = KernelTestSupport.gaussian(rnd, tokens * heads * headDim, 1f);
            int[] pos = {0, 7, 49, 3};
            float[] a = x.clone(), b = x.clone();
            ref.rope(a, tokens, heads, headDim, pos, table);
            two.rope(b, tokens, heads, headDim, pos, table);
            assertClose(a, b, 1e-6f, style + " headDim " + headDim + " rotary " + rotary);
        }
    }

    private static void assertClose(float[] want, float[] got, float tol, String what) {
        for (int i = 0; i < want.length; i++) {
            float bound = tol * Math.max(1f, Math.abs(want[i]));
            assertTrue(Math.abs(want[i] - got[i]) <= bound, what + " [" + i + "]: " + got[i] + " vs " + want[i]);
        }
    }
}
