package dev.gannet.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gannet.runtime.TestModels;
import dev.gannet.runtime.gguf.GgufFile;
import dev.gannet.runtime.gguf.GgufTensorInfo;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The oracle checked against independent facts: dequantized tensors of every quantized copy of
 * tiny-llama must match the F32 copy within what their quantization allows (a block-layout mistake
 * gives errors as large as the weights themselves), and the small ops against hand-computed values.
 */
class ReferenceKernelsTest {
    private final ReferenceKernels ref = new ReferenceKernels();

    @ParameterizedTest
    @ValueSource(strings = {"f16", "bf16", "q8_0", "q4_0", "q4_k_m"})
    void dequantizedTensorsMatchTheF32File(String variant) throws Exception {
        try (GgufFile f32 = GgufFile.open(TestModels.path("tiny-llama-f32.gguf"));
             GgufFile q = GgufFile.open(TestModels.path("tiny-llama-" + variant + ".gguf"))) {
            int checked = 0;
            for (GgufTensorInfo t : q.tensors().values()) {
                if (t.shape().length != 2) continue;
                WeightMatrix w = KernelTestSupport.weight(q, t.name());
                WeightMatrix exact = KernelTestSupport.weight(f32, t.name());
                assertEquals(GgmlType.F32, exact.type());
                compareTensor(w, exact);
                checked++;
            }
            assertTrue(checked >= 30, "expected every 2-D tensor, checked " + checked);
        }
    }

    private void compareTensor(WeightMatrix w, WeightMatrix exact) {
        float[] got = new float[w.cols()];
        float[] want = new float[w.cols()];
        double sqErr = 0;
        double sqVal = 0;
        double maxAbsVal = 0;
        double maxErr = 0;
        for (int r = 0; r < w.rows(); r++) {
            ref.dequantizeRow(w, r, got, 0);
            ref.dequantizeRow(exact, r, want, 0);
            for (int c = 0; c < w.cols(); c++) {
                double e = Math.abs(got[c] - want[c]);
                double bound = elementBound(w, r, c, want[c]);
                if (e > bound) {
                    throw new AssertionError(w.name() + " " + w.type() + " [" + r + "," + c + "]: " + got[c] + " vs " + want[c] + " (bound " + bound + ")");
                }
                sqErr += e * e;
                sqVal += (double) want[c] * want[c];
                maxAbsVal = Math.max(maxAbsVal, Math.abs(want[c]));
                maxErr = Math.max(maxErr, e);
            }
        }
        double rmsRel = Math.sqrt(sqErr / sqVal);
        // K-quants have no simple per-element bound (optimised scales and mins); their measured RMS
        // errors are 0.071 (Q4_K) and 0.018 (Q6_K); a layout mistake gives about 1.4.
        switch (w.type()) {
            case Q4_K -> assertTrue(rmsRel < 0.09 && maxErr < 0.1 * maxAbsVal, w.name() + " Q4_K rms " + rmsRel + " max " + maxErr);
            case Q6_K -> assertTrue(rmsRel < 0.025 && maxErr < 0.03 * maxAbsVal, w.name() + " Q6_K rms " + rmsRel + " max " + maxErr);
            default -> { }
        }
    }

    /** Largest error the type's rounding allows for one element (infinite for the K-quants, checked in bulk). */
    private static double elementBound(WeightMatrix w, int row, int col, float exact) {
        MemorySegment d = w.data();
        long blockAt = row * w.rowBytes() + (long) (col / 32) * w.type().blockBytes();
        return switch (w.type()) {
            case F16 -> Math.abs(exact) * 0x1p-11 + 0x1p-25;  // round to nearest, 11-bit significand; subnormal step 2^-24
            case BF16 -> Math.abs(exact) * 0x1p-8;            // round to nearest, 8-bit significand
            // half a step, plus the f16 rounding of the scale times up to 127 steps
            case Q8_0 -> 0.57 * Math.abs(scale(d, blockAt)) + 1e-7;
            // half a step, except the value clamped at q = 15 (a whole step), plus f16 scale rounding
            case Q4_0 -> 1.05 * Math.abs(scale(d, blockAt)) + 1e-7;
            default -> Double.POSITIVE_INFINITY;
        };
    }

    private static float scale(MemorySegment d, long at) {
        return Float.float16ToFloat(d.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at));
    }

    @Test
    void q4_0BlockLayoutIsLowNibblesFirst() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(18);
            seg.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Float.floatToFloat16(0.5f));
            for (int i = 0; i < 16; i++) seg.set(ValueLayout.JAVA_BYTE, 2 + i, (byte) (i | ((15 - i) << 4)));
            float[] out = new float[32];
            ref.dequantizeRow(new WeightMatrix("q4", GgmlType.Q4_0, 1, 32, seg), 0, out, 0);
            for (int i = 0; i < 16; i++) {
                assertEquals((i - 8) * 0.5f, out[i]);
                assertEquals((7 - i) * 0.5f, out[16 + i]);
            }
        }
    }

    @Test
    void matmulIsTheDotProductOfEachRow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4 * 6);
            float[] w = {1, 2, 3, -1, 0, 0.5f}; // (2, 3)
            for (int i = 0; i < 6; i++) seg.set(ReferenceKernels.LE_FLOAT, 4L * i, w[i]);
            float[] x = {1, 1, 1, 2, 0, -2}; // (2 tokens, 3)
            float[] out = new float[4];
            ref.matmul(new WeightMatrix("w", GgmlType.F32, 2, 3, seg), x, out, 2);
            assertArrayEquals(new float[] {6, -0.5f, -4, -3}, out);
        }
    }

    @Test
    void smallOpsMatchHandComputedValues() {
        float[] x = {3, 4, 0, 1};
        ref.rmsNorm(x, new float[] {1, 2}, x, 2, 2, 0f);
        float s = (float) Math.sqrt(12.5);
        assertArrayEquals(new float[] {3 / s, 8 / s, 0, 2 * (float) Math.sqrt(2)}, x, 1e-6f);

        float[] g = {0, 2};
        ref.swiglu(g, new float[] {5, 3}, 1, 2);
        assertArrayEquals(new float[] {0, (float) (2 / (1 + Math.exp(-2))) * 3}, g, 1e-6f);

        float[] p = {9, 1000, 1000, 9};
        ref.softmax(p, 1, 2);
        assertArrayEquals(new float[] {9, 0.5f, 0.5f, 9}, p);
    }

    @Test
    void ropeRotatesTheConfiguredPairs() {
        float[] inv = {1f, 0.5f};
        RopeTable normal = RopeTable.of(RopeTable.Style.NORMAL, inv, 4);
        RopeTable neox = RopeTable.of(RopeTable.Style.NEOX, inv, 4);
        float[] a = {1, 0, 1, 0, 7, 7}; // one head of dim 6, rotaryDim 4: the last 2 dims stay
        ref.rope(a, 1, 1, 6, new int[] {2}, normal);
        assertArrayEquals(new float[] {(float) Math.cos(2), (float) Math.sin(2), (float) Math.cos(1), (float) Math.sin(1), 7, 7}, a, 1e-6f);
        float[] b = {1, 1, 0, 0, 7, 7};
        ref.rope(b, 1, 1, 6, new int[] {2}, neox);
        assertArrayEquals(new float[] {(float) Math.cos(2), (float) Math.cos(1), (float) Math.sin(2), (float) Math.sin(1), 7, 7}, b, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> ref.rope(b, 1, 1, 6, new int[] {4}, neox));
    }

    @Test
    void unsupportedTypesAreNamed() {
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = new WeightMatrix("blk.0.q5", GgmlType.Q5_0, 1, 32, arena.allocate(22));
            var e = assertThrows(UnsupportedOperationException.class, () -> ref.matmul(w, new float[32], new float[1], 1));
            assertTrue(e.getMessage().contains("blk.0.q5") && e.getMessage().contains("Q5_0"), e.getMessage());
        }
    }
}
