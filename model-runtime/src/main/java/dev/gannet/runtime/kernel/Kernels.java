package dev.gannet.runtime.kernel;

import dev.gannet.runtime.tensor.WeightMatrix;

/**
 * The CPU compute ops of a forward pass. Activations are token-major f32 arrays: a batch of
 * {@code numTokens} tokens of width {@code n} is {@code float[numTokens * n]}, token t at {@code t * n}.
 * Two implementations: {@code ReferenceKernels} (plain Java, single thread: the oracle every fast
 * kernel is tested against) and {@code VectorKernels} (Java Vector API, multi-threaded).
 * Implementations do not allocate per call on the hot path.
 */
public interface Kernels extends AutoCloseable {

    /** out (numTokens, w.rows) = x (numTokens, w.cols) times w transposed, for every weight type. */
    void matmul(WeightMatrix w, float[] x, float[] out, int numTokens);

    /** Writes row {@code row} of {@code w}, dequantized, to out[outOffset, outOffset + w.cols). */
    void dequantizeRow(WeightMatrix w, int row, float[] out, int outOffset);

    /** out (numTokens, dim) = x / sqrt(mean(x^2) + eps) * weight (dim); out may be x. */
    void rmsNorm(float[] x, float[] weight, float[] out, int numTokens, int dim, float eps);

    /** gate (numTokens, n) = silu(gate) * up, in place. */
    void swiglu(float[] gate, float[] up, int numTokens, int n);

    /** In-place softmax of x[offset, offset + length). */
    void softmax(float[] x, int offset, int length);

    /**
     * Rotates the first {@code table.rotaryDim()} dims of every head in place.
     * x: (numTokens, numHeads * headDim); positions: (numTokens) absolute position of each token.
     */
    void rope(float[] x, int numTokens, int numHeads, int headDim, int[] positions, RopeTable table);

    /** Threads this implementation computes with. */
    int threads();

    @Override
    void close();
}
