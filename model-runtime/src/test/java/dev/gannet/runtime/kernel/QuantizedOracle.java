package dev.gannet.runtime.kernel;

import dev.gannet.runtime.tensor.GgmlType;
import dev.gannet.runtime.tensor.WeightMatrix;
import java.lang.foreign.ValueLayout;

/**
 * What the native Q8_0/Q4_0 kernels compute, in plain Java: the activations quantized per block of 32 as the
 * C code does (d = max|x| / 127 in float, q = x * (1 / d) rounded to nearest even), then per block the exact
 * integer dot product with the weight quants, scaled by d_w * d_x and summed in double.
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

    /** {dot, Σ|scaled block sums|} of packed row r with token t. */
    double[] dot(WeightMatrix w, int r, int t) {
        double sum = 0, mag = 0;
        for (int b = 0; b < k / 32; b++) {
            long isum = 0;
            for (int i = 0; i < 32; i++) isum += (long) weightQuant(w, r, 32 * b + i) * q[t * k + 32 * b + i];
            float dw = w.scales().get(ValueLayout.JAVA_FLOAT_UNALIGNED, r * w.scaleStride() + 4L * b);
            double term = isum * ((double) dw * d[t * k / 32 + b]);
            sum += term;
            mag += Math.abs(term);
        }
        return new double[] {sum, mag};
    }

    /** The integer weight of column c of packed row r (Q4_0: nibble - 8). */
    private static int weightQuant(WeightMatrix w, int r, int c) {
        long at = r * w.rowStride();
        if (w.type() == GgmlType.Q8_0) return w.data().get(ValueLayout.JAVA_BYTE, at + c);
        int b = c / 32, i = c % 32;
        int v = w.data().get(ValueLayout.JAVA_BYTE, at + 16L * b + (i % 16)) & 0xff;
        return (i < 16 ? v & 0xf : v >>> 4) - 8;
    }
}
