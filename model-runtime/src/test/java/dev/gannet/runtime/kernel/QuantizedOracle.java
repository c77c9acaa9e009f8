package dev.gannet.runtime.kernel;

/**
 * What the native int8 kernels (Q8_0, Q4_0, Q4_K, Q6_K) compute, in plain Java: the activations quantized per
 * block of 32 as the C code does (d = max|x| / 127 in float, q = x * (1 / d) rounded to nearest even), then
 * the dot product of the reference's dequantized weights with d q, in double.
 */
final class QuantizedOracle {
    private final byte[] q;    // (m, k) quantized activations
    private final float[] d;   // (m, k / 32) block scales
    private final int k;

    QuantizedOracle(float[] x, int m, int k) {
        this.k = k;
        this.q = new byte[m * k];
        this.d = new float[m * k / 32];
        for (int b = 0; b < m * k / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[32 * b + i]));
            float db = amax / 127f;
            float id = db != 0 ? 1f / db : 0f;
            d[b] = db;
            for (int i = 0; i < 32; i++) q[32 * b + i] = (byte) Math.rint(x[32 * b + i] * id);
        }
    }

    /** Σ_blocks (d_x / 2) Σ|w|: how far rounding the activations can move token t's dot product with {@code row}. */
    double roundingBound(float[] row, int t) {
        double s = 0;
        for (int b = 0; b < k / 32; b++) {
            double a = 0;
            for (int i = 0; i < 32; i++) a += Math.abs(row[32 * b + i]);
            s += d[t * k / 32 + b] / 2.0 * a;
        }
        return s;
    }

    /**
     * {dot, Σ|w x'|} of a weight row (dequantized by the reference) with token t's quantized activations x' = d_x q:
     * what the kernels compute, up to the float rounding of their scales and sums.
     */
    double[] dot(float[] row, int t) {
        double sum = 0, mag = 0;
        for (int i = 0; i < k; i++) {
            double term = (double) row[i] * d[(t * k + i) / 32] * q[t * k + i];
            sum += term;
            mag += Math.abs(term);
        }
        return new double[] {sum, mag};
    }
}
