package dev.gannet.runtime.cuda;

import static dev.gannet.runtime.cuda.GpuTestSupport.assertClose;
import static dev.gannet.runtime.cuda.GpuTestSupport.random;
import static dev.gannet.runtime.cuda.GpuTestSupport.roundTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Quantizer;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernels the CUDA backend added, against Java references on random inputs: the quantized KV writes (Q8_0 as
 * KvStorage quantizes, FP8 as {@link Fp8E4m3Reference}, bit for bit from the kernel's own rotated K), the quantized
 * GEMV with f32 logits out, the dequantization feeding cuBLAS, the bias add and the rank-order vector add.
 */
@Tag("gpu")
class NewKernelsGpuTest {
    private final ReferenceKernels ref = new ReferenceKernels();

    @ParameterizedTest
    @EnumSource(value = KvFormat.class, names = {"Q8_0", "FP8"})
    void quantizedKvWriteStoresWhatTheReferenceQuantizes(KvFormat f) {
        for (DeviceDtype t : DeviceDtype.values()) kvWriteCase(t, f);
    }

    private void kvWriteCase(DeviceDtype t, KvFormat f) {
        int tokens = 5, heads = 4, kvHeads = 2, headDim = 64, slotsTotal = 4 * 16;
        Random rnd = new Random(f.ordinal() * 7 + t.ordinal());
        RopeTable table = RopeTable.of(RopeTable.Style.NORMAL, RopeTable.invFreq(headDim, 10000), 256);
        float[] q = roundTo(random(rnd, tokens * heads * headDim, 1f), t);
        float[] k = roundTo(random(rnd, tokens * kvHeads * headDim, 3f), t);
        float[] v = roundTo(random(rnd, tokens * kvHeads * headDim, 0.5f), t);
        int[] positions = {0, 3, 17, 200, 255}, slots = {9, -1, 0, 63, 30};
        int rowFloats = kvHeads * headDim, elements = slotsTotal * rowFloats;
        int scalesLen = elements / (f == KvFormat.Q8_0 ? 32 : headDim);
        try (var g = GpuTestSupport.openOrSkip(); var kern = CudaKernels.load(g.cuda, g.paths)) {
            long dk = g.upload(k, t), kc = g.upload(new byte[elements]), vc = g.upload(new byte[elements]);
            long ks = g.upload(new float[scalesLen], DeviceDtype.F32), vs = g.upload(new float[scalesLen], DeviceDtype.F32);
            kern.ropeKvWrite(t, f, g.upload(q, t), dk, g.upload(v, t), kc, vc, ks, vs, g.upload(positions), g.upload(slots),
                    g.upload(table.cos(), DeviceDtype.F32), g.upload(table.sin(), DeviceDtype.F32), tokens, heads, kvHeads, headDim, headDim, false);
            float[] rotatedK = g.download(dk, k.length, t); // what the kernel quantized
            byte[] keyBytes = downloadBytes(g, kc, elements), valueBytes = downloadBytes(g, vc, elements);
            float[] keyScales = g.download(ks, scalesLen, DeviceDtype.F32), valueScales = g.download(vs, scalesLen, DeviceDtype.F32);
            for (int i = 0; i < tokens; i++) {
                if (slots[i] < 0) continue;
                checkRow(f, rotatedK, i * rowFloats, keyBytes, keyScales, slots[i] * rowFloats, rowFloats, headDim, t + " " + f + " K token " + i);
                checkRow(f, v, i * rowFloats, valueBytes, valueScales, slots[i] * rowFloats, rowFloats, headDim, t + " " + f + " V token " + i);
            }
            assertEquals(0, keyBytes[rowFloats + 5], "an unwritten slot stays zero");
        }
    }

    /** The reference quantization of x[from, from + n) equals the device's bytes and scales at element e. */
    private static void checkRow(KvFormat f, float[] x, int from, byte[] bytes, float[] scales, int e, int n, int headDim, String what) {
        int group = f == KvFormat.Q8_0 ? 32 : headDim;
        for (int g0 = 0; g0 < n; g0 += group) {
            byte[] want = new byte[group];
            float scale;
            if (f == KvFormat.Q8_0) {
                float amax = 0;
                for (int i = 0; i < group; i++) amax = Math.max(amax, Math.abs(x[from + g0 + i]));
                scale = amax / 127f;
                float id = scale == 0f ? 0f : 1f / scale;
                for (int i = 0; i < group; i++) want[i] = (byte) Math.max(-127, Math.min(127, Math.round(x[from + g0 + i] * id)));
            } else {
                scale = Fp8E4m3Reference.quantizeRow(x, from + g0, group, want, 0);
            }
            assertEquals(scale, scales[(e + g0) / group], 0f, what + " scale of group " + g0);
            byte[] got = java.util.Arrays.copyOfRange(bytes, e + g0, e + g0 + group);
            assertArrayEquals(want, got, what + " quants of group " + g0);
        }
    }

    private static byte[] downloadBytes(GpuTestSupport g, long p, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n);
            g.cuda.download(host, p);
            return host.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static byte[] quantize(GgmlType type, float[] w, int rows, int cols) {
        int rowBytes = (int) type.bytesFor(cols);
        byte[] q = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) Quantizer.quantizeRow(type, w, r * cols, cols, q, r * rowBytes);
        return q;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void quantizedGemvWritesF32LogitsFrom16BitActivations(GgmlType type) {
        int rows = 1000, cols = 512, m = 3;
        Random rnd = new Random(8);
        byte[] q = quantize(type, random(rnd, rows * cols, 0.05f), rows, cols);
        WeightMatrix wm = new WeightMatrix("head", type, rows, cols, MemorySegment.ofArray(q));
        float[] x = random(rnd, m * cols, 1f);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            for (DeviceDtype t : new DeviceDtype[] {DeviceDtype.F16, DeviceDtype.BF16}) {
                float[] xt = roundTo(x, t), want = new float[m * rows];
                ref.matmul(wm, xt, want, m);
                long y = g.alloc((long) m * rows * 4);
                k.gemv(type == GgmlType.Q4_0, t, DeviceDtype.F32, y, g.upload(q), g.upload(xt, t), m, rows, cols);
                assertClose(want, g.download(y, m * rows, DeviceDtype.F32), 1e-3f, 1e-4f, "gemv " + type + " " + t + " -> f32");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void dequantizeGivesTheReferenceRows(GgmlType type) {
        int rows = 37, cols = 256;
        byte[] q = quantize(type, random(new Random(9), rows * cols, 0.1f), rows, cols);
        WeightMatrix wm = new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(q));
        float[] want = new float[rows * cols];
        for (int r = 0; r < rows; r++) ref.dequantizeRow(wm, r, want, r * cols);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            for (DeviceDtype t : DeviceDtype.values()) {
                long out = g.alloc((long) rows * cols * t.bytes());
                k.dequantize(type == GgmlType.Q4_0, t, out, g.upload(q), rows, cols);
                assertClose(roundTo(want, t), g.download(out, rows * cols, t), 0, 0, "dequantize " + type + " " + t);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void biasAddAndVectorAdd(DeviceDtype t) {
        int tokens = 3, n = 600;
        Random rnd = new Random(10);
        float[] x = roundTo(random(rnd, tokens * n, 1f), t), bias = roundTo(random(rnd, n, 1f), t), y = roundTo(random(rnd, tokens * n, 1f), t);
        float[] wantBias = new float[x.length], wantSum = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            wantBias[i] = x[i] + bias[i % n];
            wantSum[i] = x[i] + y[i];
        }
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long dx = g.upload(x, t), out = g.alloc((long) x.length * t.bytes());
            k.vectorAdd(t, out, dx, g.upload(y, t), x.length);
            assertClose(roundTo(wantSum, t), g.download(out, x.length, t), 0, 0, "vector add " + t);
            k.biasAdd(t, dx, g.upload(bias, t), tokens, n);
            assertClose(roundTo(wantBias, t), g.download(dx, x.length, t), 0, 0, "bias add " + t);
        }
    }

    @Test
    void gatherRowsPicksTheLogitRows() {
        int rows = 9, dim = 130;
        float[] h = random(new Random(11), rows * dim, 1f);
        int[] pick = {8, 0, 4};
        float[] want = new float[pick.length * dim];
        for (int i = 0; i < pick.length; i++) System.arraycopy(h, pick[i] * dim, want, i * dim, dim);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long out = g.alloc((long) want.length * 2);
            k.gatherRows(DeviceDtype.F16, out, g.upload(h, DeviceDtype.F16), g.upload(pick), pick.length, dim, rows);
            assertClose(roundTo(want, DeviceDtype.F16), g.download(out, want.length, DeviceDtype.F16), 0, 0, "gather");
        }
    }
}
