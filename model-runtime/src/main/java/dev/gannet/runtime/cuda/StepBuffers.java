package dev.gannet.runtime.cuda;

import dev.gannet.runtime.model.ModelConfig;

/**
 * The device buffers of one step, allocated once for the largest step (token-major, no padding, in the activation
 * dtype unless noted), and their total size for the memory plan: {@link #plan} walks the same list with a counting
 * allocator, so the plan and the allocation cannot drift apart.
 *
 * @param x       (maxTokens, dim) residual stream
 * @param h       (maxTokens, dim) normed input of the next projections
 * @param p       (maxTokens, dim) output of wo and down (partial sums under tensor parallelism)
 * @param q       (maxTokens, heads * headDim)
 * @param k       (maxTokens, kvHeads * headDim)
 * @param v       (maxTokens, kvHeads * headDim)
 * @param att     (maxTokens, heads * headDim) attention output
 * @param gateUp  (maxTokens, 2 ffn): [gate | up] rows
 * @param act     (maxTokens, ffn) silu(gate) * up
 * @param last    (maxLogits, dim) the normed rows whose logits are wanted
 * @param logits  (maxLogits, vocabRows) f32
 * @param inputs  the int32 input region (StepShape), its capacity in {@code inputInts}
 * @param decodeWorkspace f32 partial results of split decode attention, {@code decodeWorkspaceBytes} long
 * @param dequantScratch  a dequantized slice of a Q8_0/Q4_0 weight for the GEMM path, {@code dequantScratchBytes} long (0 when none is quantized)
 * @param cublasWorkspace cuBLAS's own workspace, {@link #CUBLAS_WORKSPACE} bytes
 * @param cos, sin        RoPE tables (contextLength, rotaryDim / 2) f32
 */
record StepBuffers(long x, long h, long p, long q, long k, long v, long att, long gateUp, long act, long last, long logits,
                   long inputs, long inputInts, long decodeWorkspace, long decodeWorkspaceBytes, long dequantScratch,
                   long dequantScratchBytes, long cublasWorkspace, long cos, long sin) {
    /** cuBLAS workspace: NVIDIA recommends 32 MiB on Hopper. */
    static final long CUBLAS_WORKSPACE = 32L << 20;
    /** Most bytes one dequantized weight slice takes on the GEMM path. */
    static final long DEQUANT_SCRATCH = 64L << 20;

    /** Sizes of one rank's step. */
    record Sizes(ModelConfig c, DeviceDtype t, int heads, int kvHeads, int ffn, int vocabRows, int maxTokens, int maxLogits,
                 int maxSeqs, int smCount, long dequantScratchBytes) {}

    /** Where the buffers come from: a device arena, or a counter for the plan. */
    interface Allocator {
        long alloc(long bytes);
    }

    static StepBuffers allocate(Sizes s, int blockSize, Allocator a) {
        ModelConfig c = s.c();
        long b = s.t().bytes(), n = s.maxTokens(), hd = c.headDim();
        long inputInts = 3L * s.maxTokens() + 2L * s.maxSeqs() + 1 + s.maxLogits()
                + (long) s.maxSeqs() * ((c.contextLength() + blockSize - 1) / blockSize);
        long ws = DecodeSplit.workspaceBytes(DecodeSplit.maxSeqPartitions(s.maxSeqs(), s.kvHeads(), s.smCount()),
                s.heads() / s.kvHeads(), s.kvHeads(), c.headDim());
        long rope = (long) c.contextLength() * (c.rotaryDim() / 2) * Float.BYTES;
        return new StepBuffers(a.alloc(n * c.dim() * b), a.alloc(n * c.dim() * b), a.alloc(n * c.dim() * b),
                a.alloc(n * s.heads() * hd * b), a.alloc(n * s.kvHeads() * hd * b), a.alloc(n * s.kvHeads() * hd * b),
                a.alloc(n * s.heads() * hd * b), a.alloc(n * 2 * s.ffn() * b), a.alloc(n * s.ffn() * b),
                a.alloc((long) s.maxLogits() * c.dim() * b), a.alloc((long) s.maxLogits() * s.vocabRows() * Float.BYTES),
                a.alloc(inputInts * 4), inputInts, a.alloc(ws), ws,
                s.dequantScratchBytes() > 0 ? a.alloc(s.dequantScratchBytes()) : 0, s.dequantScratchBytes(),
                a.alloc(CUBLAS_WORKSPACE), a.alloc(rope), a.alloc(rope));
    }

    /** Bytes {@link #allocate} takes, rounded per allocation as {@link DeviceArena} rounds. */
    static long plan(Sizes s, int blockSize) {
        long[] total = {0};
        allocate(s, blockSize, bytes -> {
            total[0] += DeviceArena.align(Math.max(1, bytes));
            return 0;
        });
        return total[0];
    }
}
