package dev.gannet.runtime.cuda;

import static dev.gannet.runtime.cuda.GpuTestSupport.assertClose;
import static dev.gannet.runtime.cuda.GpuTestSupport.atol;
import static dev.gannet.runtime.cuda.GpuTestSupport.random;
import static dev.gannet.runtime.cuda.GpuTestSupport.roundTo;
import static dev.gannet.runtime.cuda.GpuTestSupport.rtol;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.gannet.runtime.kernel.ReferenceKernels;
import dev.gannet.runtime.kernel.RopeTable;
import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.Quantizer;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each elementwise, sampling and GEMV kernel against {@link ReferenceKernels} or a small Java
 * reference on random inputs. Inputs are rounded to the kernel dtype first, so the tolerance covers
 * only the output rounding (f16 2e-3, bf16 1.6e-2 relative) and f32 reordering (2e-5).
 */
@Tag("gpu")
class KernelsGpuTest {
    private final ReferenceKernels ref = new ReferenceKernels();

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void rmsNormWithResidual(DeviceDtype t) {
        int tokens = 5, dim = 1000;
        Random rnd = new Random(1);
        float[] x = roundTo(random(rnd, tokens * dim, 1f), t), res = roundTo(random(rnd, tokens * dim, 1f), t);
        float[] w = roundTo(random(rnd, dim, 1f), t);
        float[] h = new float[x.length];
        for (int i = 0; i < h.length; i++) h[i] = x[i] + res[i];
        float[] hStored = roundTo(h, t); // the kernel normalises the residual it stored
        float[] want = new float[h.length];
        ref.rmsNorm(hStored, w, want, tokens, dim, 1e-5f);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long dx = g.upload(x, t), dres = g.upload(res, t), out = g.alloc((long) h.length * t.bytes());
            k.rmsNormResidual(t, out, dres, dx, g.upload(w, t), tokens, dim, 1e-5f);
            assertClose(hStored, g.download(dres, h.length, t), atol(t), rtol(t), "residual " + t);
            assertClose(want, g.download(out, h.length, t), atol(t) * 4, rtol(t) * 2, "rmsnorm " + t);
            k.rmsNormResidual(t, out, 0, dx, g.upload(w, t), tokens, dim, 1e-5f); // no residual
            float[] want2 = new float[h.length];
            ref.rmsNorm(x, w, want2, tokens, dim, 1e-5f);
            assertClose(want2, g.download(out, h.length, t), atol(t) * 4, rtol(t) * 2, "rmsnorm no residual " + t);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void ropeRotatesAndWritesTheCache(DeviceDtype t) {
        for (RopeTable.Style style : RopeTable.Style.values()) {
            for (int rotaryDim : new int[] {64, 32}) ropeCase(t, style, rotaryDim);
        }
    }

    private void ropeCase(DeviceDtype t, RopeTable.Style style, int rotaryDim) {
        int tokens = 6, heads = 4, kvHeads = 2, headDim = 64, blocks = 4, block = 16;
        Random rnd = new Random(rotaryDim + style.ordinal());
        RopeTable table = RopeTable.of(style, RopeTable.invFreq(rotaryDim, 10000), 512);
        float[] q = roundTo(random(rnd, tokens * heads * headDim, 1f), t);
        float[] kk = roundTo(random(rnd, tokens * kvHeads * headDim, 1f), t);
        float[] v = roundTo(random(rnd, tokens * kvHeads * headDim, 1f), t);
        int[] positions = {0, 1, 2, 100, 311, 511};
        int[] slots = {17, 3, 63, 40, -1, 0}; // -1: padding, written nowhere
        float[] wantQ = rope(q, heads, headDim, positions, table), wantK = rope(kk, kvHeads, headDim, positions, table);
        int slotFloats = kvHeads * headDim;
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long dq = g.upload(q, t), dk = g.upload(kk, t);
            long kc = g.upload(new float[blocks * block * slotFloats], t), vc = g.upload(new float[blocks * block * slotFloats], t);
            k.ropeKvWrite(t, dq, dk, g.upload(v, t), kc, vc, g.upload(positions), g.upload(slots), g.upload(table.cos(), DeviceDtype.F32),
                    g.upload(table.sin(), DeviceDtype.F32), tokens, heads, kvHeads, headDim, rotaryDim, style == RopeTable.Style.NEOX);
            String what = "rope " + t + " " + style + " rotaryDim " + rotaryDim;
            assertClose(wantQ, g.download(dq, q.length, t), atol(t), rtol(t), what + " q");
            assertClose(wantK, g.download(dk, kk.length, t), atol(t), rtol(t), what + " k");
            float[] keys = g.download(kc, blocks * block * slotFloats, t), values = g.download(vc, blocks * block * slotFloats, t);
            for (int i = 0; i < tokens; i++) {
                if (slots[i] < 0) continue;
                for (int j = 0; j < slotFloats; j++) {
                    assertClose(new float[] {wantK[i * slotFloats + j]}, new float[] {keys[slots[i] * slotFloats + j]}, atol(t), rtol(t), what + " key cache");
                    assertClose(new float[] {v[i * slotFloats + j]}, new float[] {values[slots[i] * slotFloats + j]}, 0, 0, what + " value cache");
                }
            }
            assertClose(new float[slotFloats], java.util.Arrays.copyOfRange(keys, 1 * slotFloats, 2 * slotFloats), 0, 0, what + " untouched slot");
        }
    }

    /** Plain RoPE over (tokens, heads, headDim) with a possibly partial rotary dim. */
    static float[] rope(float[] x, int heads, int headDim, int[] positions, RopeTable table) {
        float[] y = x.clone();
        int half = table.rotaryDim() / 2;
        for (int tk = 0; tk < positions.length; tk++) {
            for (int h = 0; h < heads; h++) {
                int base = (tk * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = table.style() == RopeTable.Style.NEOX ? i : 2 * i, b = table.style() == RopeTable.Style.NEOX ? i + half : 2 * i + 1;
                    float c = table.cos()[positions[tk] * half + i], s = table.sin()[positions[tk] * half + i];
                    y[base + a] = x[base + a] * c - x[base + b] * s;
                    y[base + b] = x[base + a] * s + x[base + b] * c;
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(DeviceDtype.class)
    void swigluOnAFusedGateUpBuffer(DeviceDtype t) {
        int tokens = 3, n = 700;
        float[] gu = roundTo(random(new Random(2), tokens * 2 * n, 2f), t); // rows of [gate | up]
        float[] gate = new float[tokens * n], up = new float[tokens * n];
        for (int r = 0; r < tokens; r++) {
            System.arraycopy(gu, r * 2 * n, gate, r * n, n);
            System.arraycopy(gu, r * 2 * n + n, up, r * n, n);
        }
        ref.swiglu(gate, up, tokens, n); // in place into gate
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long dgu = g.upload(gu, t), out = g.alloc((long) tokens * n * t.bytes());
            k.swiglu(t, out, dgu, dgu + (long) n * t.bytes(), tokens, n, 2 * n);
            assertClose(gate, g.download(out, tokens * n, t), atol(t) * 2, rtol(t) * 2, "swiglu " + t);
        }
    }

    @Test
    void embeddingGathersRowsInEveryCompiledDtypePair() {
        int vocab = 50, dim = 300;
        float[] table = random(new Random(4), vocab * dim, 1f);
        int[] tokens = {7, 0, 49, 7};
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            for (DeviceDtype[] pair : new DeviceDtype[][] {{DeviceDtype.F32, DeviceDtype.F32}, {DeviceDtype.BF16, DeviceDtype.F32},
                    {DeviceDtype.F16, DeviceDtype.F32}, {DeviceDtype.BF16, DeviceDtype.BF16}, {DeviceDtype.F16, DeviceDtype.F16},
                    {DeviceDtype.F32, DeviceDtype.BF16}}) {
                float[] tab = roundTo(table, pair[0]);
                float[] want = new float[tokens.length * dim];
                for (int i = 0; i < tokens.length; i++) System.arraycopy(tab, tokens[i] * dim, want, i * dim, dim);
                long out = g.alloc((long) want.length * pair[1].bytes());
                k.embedding(pair[0], pair[1], out, g.upload(tab, pair[0]), g.upload(tokens), tokens.length, dim, vocab);
                assertClose(roundTo(want, pair[1]), g.download(out, want.length, pair[1]), 0, 0, "embedding " + pair[0] + "->" + pair[1]);
            }
        }
    }

    @Test
    void argmaxPicksTheLowestIdAmongTies() {
        int vocab = 32000;
        float[] logits = random(new Random(5), 3 * vocab, 1f);
        logits[1234] = 9f;
        logits[vocab + 31999] = 9f;
        logits[2 * vocab + 77] = 9f;
        logits[2 * vocab + 20000] = 9f; // tie: the lower id wins
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long out = g.alloc(12);
            k.argmax(out, g.upload(logits, DeviceDtype.F32), 3, vocab);
            assertArrayEquals(new int[] {1234, 31999, 77}, g.downloadInts(out, 3));
        }
    }

    @Test
    void samplingHonoursTemperatureTopKTopPAndTheUniform() {
        int vocab = 1000;
        float[] row = new float[vocab];
        java.util.Arrays.fill(row, -1e4f);
        row[10] = (float) Math.log(0.5); // three live tokens with p = 0.5, 0.3, 0.2 at temperature 1
        row[500] = (float) Math.log(0.3);
        row[999] = (float) Math.log(0.2);
        // rows: greedy; u picks by cumulative id order; top-p 0.7 keeps {10, 500}; top-k 1 keeps {10}
        float[] temps = {0f, 1f, 1f, 1f, 1f, 1f};
        int[] topK = {0, 0, 0, 0, 0, 1};
        float[] topP = {1f, 1f, 1f, 1f, 0.7f, 1f};
        float[] u = {0.99f, 0.1f, 0.6f, 0.9f, 0.9f, 0.99f};
        int[] want = {10, 10, 500, 999, 500, 10};
        float[] logits = new float[temps.length * vocab];
        for (int r = 0; r < temps.length; r++) System.arraycopy(row, 0, logits, r * vocab, vocab);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            long out = g.alloc(4L * temps.length);
            k.sampleTopKTopP(out, g.upload(logits, DeviceDtype.F32), g.upload(temps, DeviceDtype.F32), g.upload(topK),
                    g.upload(topP, DeviceDtype.F32), g.upload(u, DeviceDtype.F32), temps.length, vocab);
            assertArrayEquals(want, g.downloadInts(out, temps.length));
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void quantizedGemvMatchesTheReferenceMatmul(GgmlType type) {
        int rows = 300, cols = 2048, m = 2;
        Random rnd = new Random(6);
        float[] w = random(rnd, rows * cols, 0.05f);
        int rowBytes = (int) type.bytesFor(cols);
        byte[] q = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) Quantizer.quantizeRow(type, w, r * cols, cols, q, r * rowBytes);
        WeightMatrix wm = new WeightMatrix("w", type, rows, cols, MemorySegment.ofArray(q));
        float[] x = random(rnd, m * cols, 1f), want = new float[m * rows];
        ref.matmul(wm, x, want, m);
        try (var g = GpuTestSupport.openOrSkip(); var k = CudaKernels.load(g.cuda, g.paths)) {
            for (DeviceDtype t : DeviceDtype.values()) {
                float[] xt = roundTo(x, t), wantT = new float[m * rows];
                ref.matmul(wm, xt, wantT, m);
                long y = g.alloc((long) m * rows * t.bytes());
                if (type == GgmlType.Q8_0) k.gemvQ8_0(t, y, g.upload(q), g.upload(xt, t), m, rows, cols);
                else k.gemvQ4_0(t, y, g.upload(q), g.upload(xt, t), m, rows, cols);
                assertClose(wantT, g.download(y, m * rows, t), 1e-3f + atol(t), 1e-4f + rtol(t), "gemv " + type + " " + t);
            }
        }
    }
}
