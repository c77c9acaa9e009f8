package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.ModelConfig;
import dev.gannet.runtime.parallel.DeviceCommunicator;

/**
 * Enqueues one step of the decoder on the rank's stream: the same kernel sequence whether launched eagerly or
 * captured into a CUDA graph. Per layer, on the ragged token-major batch (no padding beyond a graph's bucket):
 *
 * <pre>
 * q, k, v = h Wq, h Wk, h Wv (+ biases)           cuBLAS, or the quantized GEMV for small batches
 * rope(q, k) and write k, v into the paged cache   one kernel, through the slot mapping
 * att = decode attention (leading one-token sequences, split along the context) | ragged prefill attention (the rest)
 * p = att Wo  [all-reduce]   x += p; h = rmsnorm(x)          (one fused kernel)
 * [g | u] = h [Wgate | Wup]; a = silu(g) * u; p = a Wdown  [all-reduce]   x += p; h = rmsnorm(x) with the next norm
 * </pre>
 *
 * then the rows that want logits are gathered from h and multiplied by the LM head into f32 logits. One owner thread.
 */
final class StepEncoder {
    private final ModelConfig c;
    private final DeviceDtype t;
    private final KvFormat format;
    private final CudaKernels kernels;
    private final CublasLinear cublas;
    private final DeviceWeights w;
    private final DeviceKvCache kv;
    private final StepBuffers buf;
    private final DeviceCommunicator coll;  // null: the whole model
    private final CudaContext cuda;
    private final int heads, kvHeads, ffn;
    private final int smCount;
    private final int gemvMaxTokens;
    private final boolean splitDecode;
    private final float scale;

    StepEncoder(ModelConfig c, DeviceDtype t, CudaKernels kernels, CublasLinear cublas, DeviceWeights w, DeviceKvCache kv,
                StepBuffers buf, DeviceCommunicator coll, CudaContext cuda, int heads, int kvHeads, int ffn, int smCount,
                CudaTuning tuning) {
        this.c = c;
        this.t = t;
        this.format = kv.format;
        this.kernels = kernels;
        this.cublas = cublas;
        this.w = w;
        this.kv = kv;
        this.buf = buf;
        this.coll = coll;
        this.cuda = cuda;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        this.smCount = smCount;
        this.gemvMaxTokens = tuning.gemvMaxTokens();
        this.splitDecode = tuning.splitDecode();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /** The decode split this encoder uses for {@code seqs} sequences of up to {@code maxContext} tokens. */
    DecodeSplit split(int maxContext, int seqs) {
        return splitDecode ? DecodeSplit.choose(maxContext, seqs, kvHeads, smCount, kv.blockSize)
                : DecodeSplit.whole(maxContext, kv.blockSize);
    }

    /** Enqueues the step of {@code s}; its inputs must be in the input region (or be copied there before it runs). */
    void enqueue(StepShape s) {
        int n = s.tokens(), dim = c.dim();
        long in = buf.inputs();
        long tokens = in, positions = in + 4L * s.positionsAt(), slots = in + 4L * s.slotsAt();
        kernels.embedding(t, t, buf.x(), w.embedding, tokens, n, dim, c.vocabSize());
        kernels.rmsNormResidual(t, buf.h(), 0, buf.x(), w.layers.getFirst().attnNorm(), n, dim, c.rmsEps());
        DecodeSplit split = s.decodeSeqs() > 0 ? split(s.maxDecodeContext(), s.decodeSeqs()) : null;
        for (int l = 0; l < c.numLayers(); l++) {
            DeviceWeights.Layer lw = w.layers.get(l);
            linear(lw.wq(), buf.h(), buf.q(), n, t);
            linear(lw.wk(), buf.h(), buf.k(), n, t);
            linear(lw.wv(), buf.h(), buf.v(), n, t);
            if (lw.bq() != 0) {
                kernels.biasAdd(t, buf.q(), lw.bq(), n, heads * c.headDim());
                kernels.biasAdd(t, buf.k(), lw.bk(), n, kvHeads * c.headDim());
                kernels.biasAdd(t, buf.v(), lw.bv(), n, kvHeads * c.headDim());
            }
            kernels.ropeKvWrite(t, format, buf.q(), buf.k(), buf.v(), kv.keys[l], kv.values[l], kv.keyScales[l], kv.valueScales[l],
                    positions, slots, buf.cos(), buf.sin(), n, heads, kvHeads, c.headDim(), c.rotaryDim(),
                    c.ropeStyle() == dev.gannet.runtime.kernel.RopeTable.Style.NEOX);
            attention(s, l, split);
            linear(lw.wo(), buf.att(), buf.p(), n, t);
            allReduce(n);
            kernels.rmsNormResidual(t, buf.h(), buf.x(), buf.p(), lw.ffnNorm(), n, dim, c.rmsEps());
            linear(lw.gateUp(), buf.h(), buf.gateUp(), n, t);
            kernels.swiglu(t, buf.act(), buf.gateUp(), buf.gateUp() + (long) ffn * t.bytes(), n, ffn, 2 * ffn);
            linear(lw.down(), buf.act(), buf.p(), n, t);
            allReduce(n);
            long nextNorm = l + 1 < c.numLayers() ? w.layers.get(l + 1).attnNorm() : w.outputNorm;
            kernels.rmsNormResidual(t, buf.h(), buf.x(), buf.p(), nextNorm, n, dim, c.rmsEps());
        }
        if (s.logits() == 0) return; // a middle chunk of a prompt: only its K/V were wanted
        kernels.gatherRows(t, buf.last(), buf.h(), in + 4L * s.logitRowsAt(), s.logits(), dim, n);
        linear(w.lmHead, buf.last(), buf.logits(), s.logits(), DeviceDtype.F32);
    }

    private void attention(StepShape s, int l, DecodeSplit split) {
        long in = buf.inputs();
        long cu = in + 4L * s.cuSeqlensAt(), ctx = in + 4L * s.contextLensAt(), tables = in + 4L * s.tablesAt();
        int d = s.decodeSeqs(), width = s.tableWidth();
        if (d > 0) {
            kernels.pagedDecodeAttention(t, format, buf.att(), buf.q(), kv.keys[l], kv.values[l], kv.keyScales[l], kv.valueScales[l],
                    tables, ctx, d, width, heads, kvHeads, c.headDim(), kv.blockSize, split, scale, buf.decodeWorkspace(),
                    buf.decodeWorkspaceBytes());
        }
        if (s.seqs() > d) { // the other sequences: their arrays start d entries in; token offsets stay absolute
            kernels.prefillAttention(t, format, buf.att(), buf.q(), kv.keys[l], kv.values[l], kv.keyScales[l], kv.valueScales[l],
                    tables + 4L * d * width, width, cu + 4L * d, ctx + 4L * d, s.seqs() - d, s.maxQueryLen(), heads, kvHeads,
                    c.headDim(), kv.blockSize, scale);
        }
    }

    private void allReduce(int n) {
        if (coll != null) coll.allReduce(buf.p(), (long) n * c.dim(), element(t), cuda.stream());
    }

    static DeviceCommunicator.Element element(DeviceDtype t) {
        return switch (t) {
            case F32 -> DeviceCommunicator.Element.F32;
            case F16 -> DeviceCommunicator.Element.F16;
            case BF16 -> DeviceCommunicator.Element.BF16;
        };
    }

    /**
     * y (n, m.rows) in {@code yt} = x (n, m.cols) m^T. Dense: one cuBLAS GEMM. Quantized: the GEMV kernel up to
     * {@code gemvMaxTokens} rows, else slices of the weight dequantized into scratch, each one GEMM into its columns of y.
     */
    void linear(DeviceMatrix m, long x, long y, int n, DeviceDtype yt) {
        if (!m.quantized()) {
            cublas.linear(t, yt, y, m.rows(), m.ptr(), x, n, m.rows(), m.cols());
            return;
        }
        boolean q4 = m.format() == DeviceMatrix.Format.Q4_0;
        if (n <= gemvMaxTokens) {
            kernels.gemv(q4, t, yt, y, m.ptr(), x, n, m.rows(), m.cols());
            return;
        }
        long rowBytes = m.rowBytes(t);
        int sliceRows = (int) Math.max(1, Math.min(m.rows(), buf.dequantScratchBytes() / ((long) m.cols() * t.bytes())));
        for (int r0 = 0; r0 < m.rows(); r0 += sliceRows) {
            int rows = Math.min(sliceRows, m.rows() - r0);
            kernels.dequantize(q4, t, buf.dequantScratch(), m.ptr() + r0 * rowBytes, rows, m.cols());
            cublas.linear(t, yt, y + (long) r0 * yt.bytes(), m.rows(), buf.dequantScratch(), x, n, rows, m.cols());
        }
    }
}
