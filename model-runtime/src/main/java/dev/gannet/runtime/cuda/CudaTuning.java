package dev.gannet.runtime.cuda;

/**
 * Knobs of the CUDA backend that the benchmark varies (scripts/gpu-check.sh): none is a server setting, the
 * defaults are what {@code --device cuda} uses.
 *
 * @param gemvMaxTokens  quantized weights: batches up to this many token rows use the GEMV kernel, larger ones a
 *                       dequantized slice and cuBLAS (the crossover the benchmark measures)
 * @param graphs         replay decode steps from CUDA graphs captured per (batch bucket, context bucket)
 * @param graphMaxBatch  the largest batch bucket captured
 * @param splitDecode    split decode attention along the context ({@link DecodeSplit#choose}); off: one partition
 * @param computeDtype   activation dtype; null = from the checkpoint (bf16 weights give bf16, anything else f16)
 */
public record CudaTuning(int gemvMaxTokens, boolean graphs, int graphMaxBatch, boolean splitDecode, DeviceDtype computeDtype) {
    public CudaTuning {
        if (gemvMaxTokens < 0 || graphMaxBatch < 1) {
            throw new IllegalArgumentException("gemvMaxTokens " + gemvMaxTokens + " must be >= 0, graphMaxBatch " + graphMaxBatch + " >= 1");
        }
    }

    /** What the server uses. The GEMV bound of 8 is a guess until the device benchmark measures the crossover. */
    public static CudaTuning defaults() {
        return new CudaTuning(8, true, 256, true, null);
    }

    public CudaTuning withGemvMaxTokens(int n) { return new CudaTuning(n, graphs, graphMaxBatch, splitDecode, computeDtype); }

    public CudaTuning withGraphs(boolean on) { return new CudaTuning(gemvMaxTokens, on, graphMaxBatch, splitDecode, computeDtype); }

    public CudaTuning withSplitDecode(boolean on) { return new CudaTuning(gemvMaxTokens, graphs, graphMaxBatch, on, computeDtype); }

    public CudaTuning withComputeDtype(DeviceDtype t) { return new CudaTuning(gemvMaxTokens, graphs, graphMaxBatch, splitDecode, t); }
}
